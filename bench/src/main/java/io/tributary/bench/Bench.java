package io.tributary.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.bench.load.EventGenerator;
import io.tributary.bench.load.LoadProducer;
import io.tributary.catalog.AwsClients;
import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.DynamoCatalog;
import io.tributary.catalog.TableDefinition;
import io.tributary.catalog.TableDefinitions;
import io.tributary.infra.LocalStack;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * One bench run: starts its own local stack (full JIT, under {@code .tributary/bench/<stamp>}),
 * runs the stages in order, writes the results JSON after each stage and the Markdown + SVG at the
 * end. A stage that cannot run leaves its numbers null and says why in {@code notes}; the others
 * still run. Every process it starts is stopped on the way out (also on failure or Ctrl-C).
 */
final class Bench {
    static final List<String> STAGES = List.of("ceiling", "raw", "e2e", "avro", "coldstart", "freshness", "compaction",
            "failover", "peer", "wide");
    static final String SEED_NOTE = "events: io.tributary.bench.load.EventGenerator (the `produce` generator), seed 7, no bad records";
    private static final long SEED = 7;

    private final Sizes sizes;
    private final Path home;
    private final Path outDir;
    private final Set<String> stages;
    private final boolean jfr;
    private final boolean keep;
    private final String stamp;
    private final Path work;
    private final Path jsonFile;
    private final Results res = new Results();
    private final RunnerRuntime runtime = new RunnerRuntime(this);

    private LocalStack stack;
    private Map<String, String> env;
    private DynamoDbClient ddb;
    private DynamoCatalog catalog;
    private final String e2eTopic = "bench_e2e";
    private long e2eRecords;
    private long e2eInputBytes;
    private double avgEventBytes;

    Bench(Sizes sizes, Path home, Path outDir, Set<String> stages, boolean jfr, boolean keep) {
        this.sizes = sizes;
        this.home = home;
        this.outDir = outDir;
        this.stages = stages;
        this.jfr = jfr;
        this.keep = keep;
        this.stamp = DateTimeFormatter.ofPattern("uuuuMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        this.work = home.resolve(".tributary").resolve("bench").resolve(stamp);
        this.jsonFile = outDir.resolve(stamp + ".json");
    }

    Path jsonFile() {
        return jsonFile;
    }

    /** Runs every selected stage; returns the JSON file written. */
    Path run() {
        res.root.put("timestamp", Instant.now().toString());
        res.root.put("mode", sizes.mode());
        machineInfo();
        res.note(SEED_NOTE);
        write();
        try {
            stage("ceiling", this::ceiling);
            boolean needStack = stages.stream().anyMatch(s -> !s.equals("ceiling"));
            if (needStack) {
                try {
                    startStack();
                } catch (RuntimeException first) {
                    // once more from scratch: a server that died while starting on a starved machine
                    System.err.println("bench: the local stack did not start (" + first.getMessage().lines().findFirst().orElse("")
                            + "); retrying once from an empty directory");
                    stopStack();
                    deleteTree(work.resolve("stack"));
                    try {
                        startStack();
                        res.note("the local stack started only at the second attempt; the first failed with: "
                                + first.getMessage().lines().findFirst().orElse(""));
                    } catch (RuntimeException e) {
                        res.note("local stack could not start, every Kafka stage skipped: " + e.getMessage());
                        return finish();
                    }
                }
                if (stages.contains("raw") || stages.contains("e2e") || stages.contains("peer")) {
                    stage("load", this::preload);
                }
                stage("raw", this::rawConsume);
                stage("e2e", this::endToEnd);
                if (stages.containsAll(List.of("ceiling", "raw", "e2e"))) {
                    stage("bracket", this::bracket);
                }
                stage("avro", () -> new AvroStage(this).run());
                stage("coldstart", () -> new ColdStart(this).run());
                stage("freshness", this::freshness);
                stage("compaction", () -> new CompactionStage(this, catalog).run());
                stage("failover", this::failover);
                stage("peer", () -> new Peer(this).run());
                stage("wide", () -> new WideStage(this).run());
            }
            return finish();
        } finally {
            stopStack();
        }
    }

    private void stage(String name, Runnable body) {
        if (!name.equals("load") && !name.equals("bracket") && !stages.contains(name)) {
            return;
        }
        long t0 = System.nanoTime();
        System.err.printf("bench: == %s ==%n", name);
        try {
            body.run();
        } catch (BenchException e) {
            res.note(name + ": " + e.getMessage());
        } catch (RuntimeException e) {
            res.note(name + " failed: " + e);
            e.printStackTrace();
        } finally {
            res.details(name).put("stage_wall_s", Results.round((System.nanoTime() - t0) / 1e9));
            write();
        }
    }

    private Path finish() {
        res.machine().put("loadavg_end", ProcStat.loadAvg());
        int cores = Runtime.getRuntime().availableProcessors();
        for (String k : List.of("loadavg_start", "loadavg_end")) {
            try {
                double l1 = Double.parseDouble(res.machine().path(k).asText("0").split(" ")[0]);
                if (l1 > cores * 0.75) {
                    res.note("machine busy: 1-minute load average " + l1 + " on " + cores + " cores (" + k.replace("loadavg_", "at ")
                            + "); other processes competed for the CPU, so these numbers are not representative");
                    break;
                }
            } catch (NumberFormatException ignored) {
                // no load average
            }
        }
        write();
        Path md = outDir.resolve(stamp + ".md");
        Path svg = outDir.resolve(stamp + ".svg");
        try {
            Files.writeString(svg, Report.svg(res));
            Files.writeString(md, Report.markdown(res, svg.getFileName().toString()));
        } catch (IOException e) {
            throw new BenchException("cannot write the report: " + e.getMessage());
        }
        System.err.println("bench: wrote " + jsonFile + ", " + md + ", " + svg);
        return jsonFile;
    }

    void write() {
        res.write(jsonFile);
    }

    Results results() {
        return res;
    }

    Sizes sizes() {
        return sizes;
    }

    Path work() {
        return work;
    }

    Path home() {
        return home;
    }

    Map<String, String> env() {
        return env;
    }

    String e2eTopic() {
        return e2eTopic;
    }

    long e2eRecords() {
        return e2eRecords;
    }

    long e2eInputBytes() {
        return e2eInputBytes;
    }

    // ------------------------------------------------------------------------------ machine

    private void machineInfo() {
        ObjectNode m = res.machine();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("cpu_model", cpuModel());
        m.put("memory_mb", ProcStat.statusKbOfFile("/proc/meminfo", "MemTotal") / 1024);
        m.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("java_home", System.getProperty("java.home"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("loadavg_start", ProcStat.loadAvg());
        res.root.put("git_commit", git("rev-parse", "HEAD"));
        String dirty = git("status", "--porcelain", "--untracked-files=no");
        res.root.put("git_dirty", dirty != null && !dirty.isBlank());
    }

    private static String cpuModel() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    return l.substring(l.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException ignored) {
            // not Linux
        }
        return "?";
    }

    private String git(String... args) {
        try {
            List<String> cmd = new ArrayList<>(List.of("git", "-C", home.toString()));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    // ------------------------------------------------------------------------------ stack

    private void startStack() {
        System.err.println("bench: starting the local stack under " + work.resolve("stack"));
        stack = LocalStack.detached(work.resolve("stack"), LocalStack.Ports.any());
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopStack, "bench-stack-stop"));
        stack.startAll();
        stack.pids().values().forEach(ChildProcess::watchdog);
        env = new LinkedHashMap<>(stack.env());
        ddb = AwsClients.dynamo(env);
        catalog = DynamoCatalog.builder().client(ddb).tableName(env.get("TRIBUTARY_CATALOG_TABLE")).build();
        catalog.createCatalogTableIfAbsent();
        res.details("stack").put("kafka", env.get("TRIBUTARY_KAFKA_BOOTSTRAP"));
    }

    private synchronized void stopStack() {
        if (stack != null) {
            try {
                stack.stopAll();
            } catch (RuntimeException e) {
                System.err.println("bench: stopping the stack: " + e.getMessage());
            }
            stack = null;
            if (ddb != null) {
                ddb.close();
            }
            if (!keep) {
                deleteTree(work.resolve("stack"));
            }
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }

    LocalStack stack() {
        return stack;
    }

    static long seed() {
        return SEED;
    }

    DynamoCatalog catalog() {
        return catalog;
    }

    // ------------------------------------------------------------------------------ classpaths

    Path runnerApp() {
        return home.resolve("task-runner/target/quarkus-app");
    }

    String runnerClasspath() {
        String override = System.getenv("TRIBUTARY_BENCH_RUNNER_CLASSPATH");
        if (override != null && !override.isBlank()) {
            return override;
        }
        Path app = runnerApp();
        if (!Files.exists(app.resolve("quarkus-run.jar"))) {
            throw new BenchException("the runner is not built (" + app.resolve("quarkus-run.jar")
                    + " is missing): ./mvnw -B -pl task-runner package -DskipTests");
        }
        return app.resolve("lib/main") + "/*:" + app.resolve("app") + "/*";
    }

    static List<String> jvmOpts(String envVar, String dflt) {
        String v = System.getenv(envVar);
        return Arrays.stream((v == null ? dflt : v).trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }

    // ------------------------------------------------------------------------------ 1. ceiling

    private void ceiling() {
        JsonNode r = measureCeiling("ceiling");
        copy(r, res.details("ceiling"));
        res.put("ceiling_mb_per_cpu_s", r.path("ceiling_mb_per_cpu_s").asDouble());
    }

    /**
     * The ceiling and the raw drain once more, right after e2e, for the composite limit: this VM's speed was seen to
     * drift by a third within minutes (a neighbour's load), and the composite measured only before e2e then says as
     * much about the drift as about the runner. {@link CpuAttribution#composite} uses the mean CPU per MB of both
     * measurements; {@code details.composite} has each.
     */
    private void bracket() {
        ObjectNode before = res.details("ceiling");
        Double raw0 = res.get("raw_consume_mb_per_cpu_s");
        if (raw0 == null || !before.path("decode_mb_per_cpu_s").isNumber()) {
            throw new BenchException("skipped: the ceiling or raw stage has no result to bracket");
        }
        JsonNode c = measureCeiling("ceiling-after");
        JsonNode r = measureRaw("raw-consume-after");
        ObjectNode d = res.details("composite");
        d.putObject("before").put("raw_mb_per_cpu_s", raw0)
                .put("decode_mb_per_cpu_s", before.get("decode_mb_per_cpu_s").asDouble())
                .put("encode_mb_per_cpu_s", before.get("encode_mb_per_cpu_s").asDouble());
        d.putObject("after").put("raw_mb_per_cpu_s", r.path("raw_consume_mb_per_cpu_s").asDouble())
                .put("decode_mb_per_cpu_s", c.path("decode_mb_per_cpu_s").asDouble())
                .put("encode_mb_per_cpu_s", c.path("encode_mb_per_cpu_s").asDouble());
        CpuAttribution.composite(res);
    }

    /** Writes the event sample and runs {@code CeilingMain} over it. */
    private JsonNode measureCeiling(String name) {
        Path events = work.resolve("events.jsonl");
        Path table = work.resolve("ceiling.yaml");
        try {
            Files.createDirectories(work);
            EventGenerator gen = new EventGenerator(SEED, 0);
            long bytes = 0;
            try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(events), 1 << 20)) {
                for (long i = 0; i < sizes.ceilingEvents(); i++) {
                    byte[] v = gen.next().value();
                    bytes += v.length;
                    o.write(v);
                    o.write('\n');
                }
            }
            Files.writeString(table, BenchTable.yaml("bench_ceiling", "127.0.0.1:9092", "bench", LocalStack.BUCKET, "5s"));
            if (name.equals("ceiling")) {
                res.details("ceiling").put("sample_events", sizes.ceilingEvents()).put("sample_bytes", bytes);
            }
        } catch (IOException e) {
            throw new BenchException("cannot write the event sample: " + e.getMessage());
        }
        return runCeiling(table, events, name);
    }

    /** Runs {@code CeilingMain} over {@code events} (deleted afterwards) with the table of {@code tableYaml}; its RESULT. */
    JsonNode runCeiling(Path tableYaml, Path events, String name) {
        String cp = runnerClasspath();
        List<String> jvm = new ArrayList<>(jvmOpts("TRIBUTARY_BENCH_CEILING_OPTS", "-Xmx1g"));
        try (ChildProcess c = ChildProcess.start(name, ChildProcess.javaCmd(jvm, cp, "io.tributary.runner.bench.CeilingMain",
                "--table", tableYaml.toString(), "--events", events.toString(), "--passes", String.valueOf(sizes.ceilingPasses()),
                "--warmup-cpu-s", String.valueOf(sizes.ceilingWarmupCpuS())), Map.of(), work.resolve("logs/" + name + ".log"))) {
            int rc = c.await(Duration.ofSeconds(sizes.stageTimeoutSeconds()));
            String line = c.resultLine();
            if (rc != 0 || line == null) {
                throw new BenchException("CeilingMain exited " + rc + " without a result; last lines of " + c.log + ":\n"
                        + c.tail(15));
            }
            try {
                Files.deleteIfExists(events);
            } catch (IOException ignored) {
                // litter only
            }
            return parse(line);
        }
    }

    // ------------------------------------------------------------------------------ load

    private void preload() {
        LoadProducer lp = new LoadProducer(env.get("TRIBUTARY_KAFKA_BOOTSTRAP"));
        lp.ensureTopic(e2eTopic, sizes.partitions());
        EventGenerator probe = new EventGenerator(SEED, 0);
        long probeBytes = 0;
        for (int i = 0; i < 10_000; i++) {
            probeBytes += probe.next().value().length;
        }
        long count = (long) (sizes.e2eBytes() / (probeBytes / 10_000.0));
        System.err.printf("bench: loading %,d events (~%d MB) into %s%n", count, sizes.e2eBytes() / 1_000_000, e2eTopic);
        long[] last = {0};
        LoadProducer.Stats s = lp.produce(e2eTopic, count, 0, new EventGenerator(SEED, 0), n -> {
            if (n - last[0] >= 1_000_000) {
                last[0] = n;
                System.err.printf("bench: loaded %,d events%n", n);
            }
        });
        e2eRecords = s.sent();
        e2eInputBytes = s.bytes();
        avgEventBytes = s.bytes() / (double) s.sent();
        res.details("load").put("topic", e2eTopic).put("partitions", s.partitions()).put("records", s.sent())
                .put("bytes", s.bytes()).put("avg_event_bytes", Results.round(avgEventBytes))
                .put("produce_wall_s", Results.round(s.elapsedNanos() / 1e9))
                .put("produce_mb_s", Results.round(s.bytes() / 1e6 / (s.elapsedNanos() / 1e9)));
    }

    double avgEventBytes() {
        return avgEventBytes;
    }

    // ------------------------------------------------------------------------------ 2. raw consume

    private void rawConsume() {
        JsonNode r = measureRaw("raw-consume");
        copy(r, res.details("raw"));
        res.put("raw_consume_mb_per_cpu_s", r.path("raw_consume_mb_per_cpu_s").asDouble());
    }

    /** Runs {@code RawConsumeMain} over the e2e topic; its RESULT. */
    private JsonNode measureRaw(String name) {
        requireLoaded();
        String cp = runnerClasspath();
        List<String> jvm = new ArrayList<>(jvmOpts("TRIBUTARY_BENCH_RUNNER_OPTS", "-Xmx1g"));
        jvm.add("-Dclk.tck=" + (long) ProcStat.CLK_TCK);
        try (ChildProcess c = ChildProcess.start(name, ChildProcess.javaCmd(jvm, cp,
                "io.tributary.runner.bench.RawConsumeMain", "--bootstrap", env.get("TRIBUTARY_KAFKA_BOOTSTRAP"), "--topic",
                e2eTopic), Map.of(), work.resolve("logs/" + name + ".log"))) {
            int rc = c.await(Duration.ofSeconds(sizes.stageTimeoutSeconds()));
            String line = c.resultLine();
            if (rc != 0 || line == null) {
                throw new BenchException("RawConsumeMain exited " + rc + " without a result; last lines of " + c.log + ":\n"
                        + c.tail(15));
            }
            return parse(line);
        }
    }

    private void requireLoaded() {
        if (e2eRecords == 0) {
            throw new BenchException("skipped: the topic " + e2eTopic + " was not loaded (see the load note)");
        }
    }

    // ------------------------------------------------------------------------------ runner helpers

    /** Creates a table (genesis offset 0 on each partition) whose definition is the bench table on {@code topic}. */
    TableDefinition createTable(String name, String topic, String maxAge) {
        return createTable(name, topic, maxAge, null);
    }

    /** As {@link #createTable(String, String, String)}, with an {@code iceberg: { commit_interval }} section when non-null. */
    TableDefinition createTable(String name, String topic, String maxAge, String icebergCommitInterval) {
        return createTable(BenchTable.yaml(name, env.get("TRIBUTARY_KAFKA_BOOTSTRAP"), topic, env.get("TRIBUTARY_BUCKET"),
                maxAge, icebergCommitInterval));
    }

    /** Creates the table of a YAML definition (genesis offset 0 on each partition). */
    TableDefinition createTable(String yaml) {
        TableDefinition def = TableDefinitions.fromYaml(yaml, env);
        Map<Integer, Long> genesis = new HashMap<>();
        for (int p = 0; p < sizes.partitions(); p++) {
            genesis.put(p, 0L);
        }
        catalog.createTable(def, genesis);
        return def;
    }

    /**
     * A runner process on a static assignment (all partitions of {@code table}); {@code table} null: attach to the
     * scheduler. It runs on the adopted runner runtime ({@link RunnerRuntime}: JDK 25 + AOT cache when installed).
     */
    RunningRunner startRunner(String id, String table, List<String> extraJvm) {
        runnerClasspath();
        return launchRunner(id, table, List.of(), runtime.command(), extraJvm);
    }

    /** As {@link #startRunner} on {@code javaAndFlags} (the java binary, then its runtime flags). */
    RunningRunner launchRunner(String id, String table, List<String> runnerArgs, List<String> javaAndFlags,
            List<String> extraJvm) {
        runnerClasspath();
        int port = freePort();
        List<String> cmd = new ArrayList<>(javaAndFlags);
        cmd.addAll(jvmOpts("TRIBUTARY_BENCH_RUNNER_OPTS", "-Xmx1g"));
        cmd.addAll(extraJvm);
        cmd.add("-Dquarkus.http.port=" + port);
        cmd.add("-jar");
        cmd.add(runnerApp().resolve("quarkus-run.jar").toString());
        cmd.addAll(List.of("--id", id));
        if (table != null) {
            cmd.addAll(List.of("--table", table, "--partitions", "0-" + (sizes.partitions() - 1)));
        }
        cmd.addAll(runnerArgs);
        Map<String, String> e = new HashMap<>(env);
        ChildProcess c = ChildProcess.start(id, cmd, e, work.resolve("logs/" + id + ".log"));
        Sampler s = new Sampler(c, "http://127.0.0.1:" + port + "/q/metrics", 250);
        return new RunningRunner(c, s, port);
    }

    record RunningRunner(ChildProcess proc, Sampler sampler, int port) implements AutoCloseable {
        /** Waits until /q/health/ready answers 200; returns the epoch ms it did. */
        long awaitReady(Duration timeout) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
            long deadline = System.currentTimeMillis() + timeout.toMillis();
            while (System.currentTimeMillis() < deadline) {
                if (!proc.alive()) {
                    throw new BenchException("the runner exited (" + proc.process.exitValue() + ") during start; last lines of "
                            + proc.log + ":\n" + proc.tail(25));
                }
                try {
                    HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                            .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() == 200) {
                        return System.currentTimeMillis();
                    }
                } catch (IOException ignored) {
                    // not yet
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BenchException("interrupted");
                }
                sleep(100);
            }
            throw new BenchException("the runner was not ready within " + timeout.toSeconds() + " s; last lines of " + proc.log
                    + ":\n" + proc.tail(25));
        }

        @Override
        public void close() {
            sampler.close();
            proc.close();
        }
    }

    static int freePort() {
        try (var s = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new BenchException("no free port: " + e.getMessage());
        }
    }

    /** Polls the catalog until the committed end offsets reach {@code target}; returns the epoch ms it did. */
    long awaitCommitted(String table, long target, ChildProcess proc, Duration timeout) {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        long seen = -1;
        long lastLog = 0;
        while (System.currentTimeMillis() < deadline) {
            long c = Chains.committedEnd(catalog, table, sizes.partitions());
            if (c >= target) {
                return System.currentTimeMillis();
            }
            if (proc != null && !proc.alive()) {
                throw new BenchException(proc.name + " exited (" + proc.process.exitValue() + ") with " + c + " of " + target
                        + " offsets committed; last lines of " + proc.log + ":\n" + proc.tail(25));
            }
            if (c != seen && System.currentTimeMillis() - lastLog > 5000) {
                System.err.printf("bench: %s: %,d of %,d offsets committed%n", table, c, target);
                lastLog = System.currentTimeMillis();
            }
            seen = c;
            sleep(200);
        }
        throw new BenchException(table + ": only " + seen + " of " + target + " offsets committed within " + timeout.toSeconds()
                + " s" + (proc == null ? "" : "; last lines of " + proc.log + ":\n" + proc.tail(15)));
    }

    /** A runner process with these runner arguments (e.g. {@code --table a,b --partitions 0-99}) and extra JVM options. */
    RunningRunner startRunnerWith(String id, List<String> runnerArgs, List<String> extraJvm) {
        return launchRunner(id, null, runnerArgs, runtime.command(), extraJvm);
    }

    // ------------------------------------------------------------------------------ 3 + 6. end to end, memory

    private void endToEnd() {
        requireLoaded();
        String table = "bench_e2e";
        TableDefinition def = createTable(table, e2eTopic, "5s");
        List<String> extra = new ArrayList<>();
        Path jfrFile = work.resolve("runner-e2e.jfr");
        if (jfr) {
            extra.add("-XX:StartFlightRecording=filename=" + jfrFile + ",settings=profile,dumponexit=true");
        }
        ObjectNode d = res.details("e2e");
        long done;
        long ready;
        long started;
        double peakRss;
        try (RunningRunner r = startRunner("bench-runner-e2e", table, extra)) {
            started = r.proc.startedAtMillis;
            ready = r.awaitReady(Duration.ofSeconds(90));
            done = awaitCommitted(table, e2eRecords, r.proc,
                    Duration.ofSeconds(Math.max(sizes.stageTimeoutSeconds(), e2eInputBytes / 2_000_000)));
            // the phase counters, JIT/GC thread CPU and process CPU at the end of the window, together
            Map<String, Double> endMetrics = r.sampler.scrape();
            if (endMetrics != null) {
                endMetrics.putAll(Sampler.jitAndGc(ProcStat.threadCpu(r.proc.pid())));
            }
            double cpuEnd = r.proc.cpuSeconds();
            sleep(300);
            peakRss = r.proc.peakRssMb();
            Map<String, Double> lastMetrics = r.sampler.scrape();
            threadCpu(r.proc, d);
            budgetFromLog(r.proc);
            // the clock starts at the first consumed record (the runner reports ready before it has read its table)
            long firstConsumed = r.sampler.firstTimeAbove("tributary_records_consumed_total", 0);
            if (firstConsumed > 0 && firstConsumed < done) {
                d.put("first_record_after_ready_s", Results.round((firstConsumed - ready) / 1000.0));
                ready = firstConsumed;
            }
            double cpuReady = r.sampler.cpuAt(ready);
            double cpuDone = r.sampler.cpuAt(done);
            double mb = e2eInputBytes / 1e6;
            Sampler.Sample first = r.sampler.firstSampleAbove("tributary_records_consumed_total", 0);
            if (first == null || !CpuAttribution.attribute(first.metrics(), first.cpuS(), endMetrics, cpuEnd, mb, d)) {
                res.note("e2e: no CPU attribution (the runner exported no tributary_cpu_seconds_total, or no sample"
                        + " had consumed records)");
            }
            d.put("runner_jvm", String.join(" ", runtime.command()));
            double cpu = cpuDone - cpuReady;
            res.put("e2e_mb_per_cpu_s", mb / cpu);
            res.put("e2e_wall_mb_s", mb / ((done - ready) / 1000.0));
            res.put("e2e_time_to_visible_s", (done - started) / 1000.0);
            Double ceiling = res.get("ceiling_mb_per_cpu_s");
            if (ceiling != null) {
                res.put("e2e_ratio_to_ceiling", mb / cpu / ceiling);
            }
            CpuAttribution.composite(res);
            res.put("runner_peak_rss_mb", peakRss);
            d.put("input_mb", Results.round(mb)).put("records", e2eRecords)
                    .put("runner_cpu_s_after_start", Results.round(cpu))
                    .put("runner_cpu_s_startup", Results.round(cpuReady))
                    .put("e2e_mb_per_cpu_s_incl_startup", Results.round(mb / cpuDone))
                    .put("runner_cores_used", Results.round(cpu / ((done - ready) / 1000.0)))
                    .put("start_after_s", Results.round((ready - started) / 1000.0))
                    .put("wall_s_after_start", Results.round((done - ready) / 1000.0));
            Double buffered = r.sampler.maxMetric("tributary_buffered_bytes");
            if (buffered != null) {
                res.put("runner_buffered_bytes_max", buffered);
            } else {
                res.note("memory: the runner's /q/metrics had no tributary_buffered_bytes");
            }
            if (lastMetrics != null) {
                Double budget = lastMetrics.get("tributary_memory_budget_bytes");
                if (budget != null) {
                    res.put("runner_memory_budget_bytes", budget);
                }
                ObjectNode m = d.putObject("final_metrics");
                lastMetrics.forEach((k, v) -> m.put(k, Results.round(v)));
            }
            // the second half of the drain, once the JIT has compiled the hot loops: what a long-running
            // runner sustains (the headline number above includes the JIT's warm-up)
            for (Sampler.Sample x : r.sampler.samples()) {
                Double b = x.metrics() == null ? null : x.metrics().get("tributary_bytes_consumed_total");
                if (b != null && b >= e2eInputBytes / 2.0) {
                    if (x.atMillis() < done && cpuDone > x.cpuS()) {
                        double mbHalf = (e2eInputBytes - b) / 1e6;
                        d.put("second_half_mb_per_cpu_s", Results.round(mbHalf / (cpuDone - x.cpuS())))
                                .put("second_half_wall_mb_s", Results.round(mbHalf / ((done - x.atMillis()) / 1000.0)));
                    }
                    break;
                }
            }
            throughputSeries(r.sampler, started, "e2e_throughput");
            cpuSeries(r.sampler, started, "e2e_cpu");
        }
        List<CommitRecord> chain = Chains.all(catalog, table, sizes.partitions());
        chain.sort(Comparator.comparingLong(CommitRecord::committedAt));
        ArrayNode visible = res.series("e2e_visible", "t_s", "cum_mb");
        double cum = 0;
        visible.addArray().add(0).add(0);
        for (CommitRecord c : chain) {
            cum += c.rows() * avgEventBytes / 1e6;
            visible.addArray().add(Results.round((c.committedAt() - started) / 1000.0)).add(Results.round(cum));
        }
        long rows = chain.stream().mapToLong(CommitRecord::rows).sum();
        long parquet = chain.stream().mapToLong(CommitRecord::bytes).sum();
        d.put("commits", chain.size()).put("rows_committed", rows).put("parquet_bytes", parquet)
                .put("avg_part_rows", chain.isEmpty() ? 0 : rows / chain.size())
                .put("parts_per_gb", Results.round(chain.stream().filter(c -> c.rows() > 0).count() / (e2eInputBytes / 1e9)));
        ObjectNode reasons = d.putObject("flush_reasons");
        if (d.path("final_metrics").isObject()) {
            d.get("final_metrics").fields().forEachRemaining(f -> {
                if (f.getKey().startsWith("tributary_flush_total{reason=")) {
                    reasons.put(f.getKey().substring("tributary_flush_total{reason=".length(), f.getKey().length() - 1),
                            f.getValue().asLong());
                }
            });
        }
        RequestStats.put(res, d, def, chain, e2eInputBytes);
        if (rows != e2eRecords) {
            res.note("e2e: " + rows + " rows committed for " + e2eRecords + " records produced (dead letters: "
                    + chain.stream().mapToLong(CommitRecord::dlqRows).sum() + ")");
        }
        if (jfr && Files.exists(jfrFile)) {
            Profile.summarize(jfrFile, d);
        }
    }

    /** Per-thread-group CPU of a live process into {@code d.thread_cpu_s} (JIT and GC vs the data path). */
    static void threadCpu(ChildProcess p, ObjectNode d) {
        Map<String, Double> t = ProcStat.threadCpu(p.pid());
        ObjectNode o = d.putObject("thread_cpu_s");
        t.entrySet().stream().filter(e -> e.getValue() >= 0.05).sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> o.put(e.getKey(), Results.round(e.getValue())));
        Map<String, Double> jitGc = Sampler.jitAndGc(t);
        d.put("jit_cpu_s", Results.round(jitGc.get(Sampler.JIT_CPU))).put("gc_vm_cpu_s", Results.round(jitGc.get(Sampler.GC_CPU)));
    }

    private void budgetFromLog(ChildProcess p) {
        try {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("memory budget (\\d+) bytes").matcher(Files.readString(p.log));
            if (m.find()) {
                res.put("runner_memory_budget_bytes", Double.valueOf(m.group(1)));
            }
        } catch (IOException ignored) {
            // no budget line
        }
    }

    /** Input MB/s over time from the runner's tributary_bytes_consumed_total, else from committed rows. */
    private void throughputSeries(Sampler s, long t0, String name) {
        ArrayNode rows = res.series(name, "t_s", "mb_s", "cum_mb");
        Sampler.Sample prev = null;
        for (Sampler.Sample x : s.samples()) {
            if (x.metrics() == null) {
                continue;
            }
            Double b = x.metrics().get("tributary_bytes_consumed_total");
            if (b == null) {
                continue;
            }
            if (prev != null) {
                double dt = (x.atMillis() - prev.atMillis()) / 1000.0;
                double rate = (b - prev.metrics().get("tributary_bytes_consumed_total")) / 1e6 / dt;
                rows.addArray().add(Results.round((x.atMillis() - t0) / 1000.0)).add(Results.round(rate)).add(Results.round(b / 1e6));
            }
            prev = x;
        }
    }

    private void cpuSeries(Sampler s, long t0, String name) {
        ArrayNode rows = res.series(name, "t_s", "cores", "rss_mb");
        Sampler.Sample prev = null;
        for (Sampler.Sample x : s.samples()) {
            if (prev != null && x.atMillis() - prev.atMillis() >= 900) {
                rows.addArray().add(Results.round((x.atMillis() - t0) / 1000.0))
                        .add(Results.round((x.cpuS() - prev.cpuS()) / ((x.atMillis() - prev.atMillis()) / 1000.0)))
                        .add(Results.round(x.rssMb()));
                prev = x;
            } else if (prev == null) {
                prev = x;
            }
        }
    }

    // ------------------------------------------------------------------------------ 4. freshness

    /** Produces at a steady rate, remembering each record's (partition, offset) -> timestamp. */
    final class SteadyProducer implements AutoCloseable {
        final Map<Integer, TreeMap<Long, Long>> sent = new ConcurrentHashMap<>();
        final KafkaProducer<byte[], byte[]> producer;
        final AtomicReference<Exception> failure = new AtomicReference<>();
        final String topic;
        long count;
        long bytes;

        SteadyProducer(String topic) {
            this.topic = topic;
            Map<String, Object> p = new HashMap<>();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, env.get("TRIBUTARY_KAFKA_BOOTSTRAP"));
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
            p.put(ProducerConfig.CLIENT_ID_CONFIG, "tributary-bench-steady");
            producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        }

        /** Sends at {@code mbPerS} for {@code seconds}, calling {@code tick} about once a second. */
        void run(double mbPerS, int seconds, Consumer<Long> tick) {
            EventGenerator gen = new EventGenerator(SEED + 1, 0);
            bytes = 0;
            count = 0;
            long start = System.nanoTime();
            long end = start + seconds * 1_000_000_000L;
            double bytesPerNs = mbPerS * 1e6 / 1e9;
            long lastTick = start;
            while (System.nanoTime() < end && failure.get() == null) {
                long now = System.nanoTime();
                double due = (now - start) * bytesPerNs;
                while (bytes < due) {
                    EventGenerator.Event e = gen.next();
                    long ts = System.currentTimeMillis();
                    bytes += e.value().length;
                    count++;
                    producer.send(new ProducerRecord<>(topic, null, ts, e.key(), e.value()), (md, ex) -> {
                        if (ex != null) {
                            failure.compareAndSet(null, ex);
                        } else {
                            TreeMap<Long, Long> m = sent.computeIfAbsent(md.partition(), k -> new TreeMap<>());
                            synchronized (m) {
                                m.put(md.offset(), md.timestamp());
                            }
                        }
                    });
                }
                if (now - lastTick > 1_000_000_000L) {
                    lastTick = now;
                    tick.accept(count);
                }
                sleep(2);
            }
            producer.flush();
            if (failure.get() != null) {
                throw new BenchException("producing to " + topic + " failed: " + failure.get());
            }
        }

        long endOffsetTotal() {
            long s = 0;
            for (TreeMap<Long, Long> m : sent.values()) {
                synchronized (m) {
                    s += m.isEmpty() ? 0 : m.lastKey() + 1;
                }
            }
            return s;
        }

        @Override
        public void close() {
            producer.close(Duration.ofSeconds(10));
        }
    }

    private void freshness() {
        Double wall = res.get("e2e_wall_mb_s");
        double rate;
        if (wall != null) {
            rate = wall / 2;
        } else {
            rate = 5;
            res.note("freshness: no measured capacity (e2e did not run), producing at " + rate + " MB/s");
        }
        String topic = "bench_fresh";
        String table = "bench_fresh";
        new LoadProducer(env.get("TRIBUTARY_KAFKA_BOOTSTRAP")).ensureTopic(topic, sizes.partitions());
        TableDefinition def = createTable(table, topic, "1s", ICEBERG_COMMIT_INTERVAL);
        ObjectNode d = res.details("freshness");
        d.put("rate_mb_s", Results.round(rate)).put("max_age", "1s").put("seconds", sizes.freshnessSeconds())
                .put("warmup_seconds_excluded", sizes.freshnessWarmupSeconds())
                .put("iceberg_commit_interval", ICEBERG_COMMIT_INTERVAL);
        // the publisher is the scheduler's leader: one scheduler beside the static runner (no runner
        // attaches to it, its scaler is off), keeping every snapshot so the history is complete
        String noPublisher = Failover.schedulerMissing(this);
        ChildProcess scheduler = null;
        if (noPublisher == null) {
            try {
                scheduler = Failover.startScheduler(this, "bench-scheduler-fresh", Map.of("TRIBUTARY_ICEBERG_KEEP_FOR", "PT6H",
                        "TRIBUTARY_ICEBERG_KEEP_SNAPSHOTS", "100000"));
            } catch (BenchException e) {
                noPublisher = "the scheduler did not start: " + e.getMessage().lines().findFirst().orElse("");
            }
        }
        long produceStart;
        try (RunningRunner r = startRunner("bench-runner-fresh", table, List.of());
                SteadyProducer prod = new SteadyProducer(topic)) {
            r.awaitReady(Duration.ofSeconds(90));
            // prime: the runner reports ready before it has read its table and assigned its partitions;
            // measure from when a first record has gone all the way through
            long primeStart = System.currentTimeMillis();
            prod.run(0.05, 1, n -> { });
            awaitCommitted(table, prod.endOffsetTotal(), r.proc, Duration.ofSeconds(120));
            d.put("prime_s", Results.round((System.currentTimeMillis() - primeStart) / 1000.0));
            prod.sent.clear();
            produceStart = System.currentTimeMillis();
            double cpu0 = r.proc.cpuSeconds();
            double schedCpu0 = scheduler == null ? 0 : scheduler.cpuSeconds();
            prod.run(rate, sizes.freshnessSeconds(), n -> { });
            double cpu1 = r.proc.cpuSeconds();
            d.put("records", prod.count).put("runner_cores_used", Results.round((cpu1 - cpu0) / sizes.freshnessSeconds()));
            awaitCommitted(table, prod.endOffsetTotal(), r.proc, Duration.ofSeconds(60));
            // runner CPU per MB over the whole measured produce (until the last record is committed)
            double cpu2 = r.proc.cpuSeconds();
            double mb = prod.bytes / 1e6;
            if (mb > 0 && cpu2 > cpu0) {
                res.put("freshness_runner_mb_per_cpu_s", mb / (cpu2 - cpu0));
                d.put("input_mb", Results.round(mb)).put("runner_cpu_s", Results.round(cpu2 - cpu0))
                        .put("runner_cpu_s_per_mb", Results.round((cpu2 - cpu0) / mb));
                Double e2e = res.get("e2e_mb_per_cpu_s");
                if (e2e != null) {
                    d.put("runner_mb_per_cpu_s_vs_e2e", Results.round(mb / (cpu2 - cpu0) / e2e));
                }
            }
            if (scheduler != null) {
                double sc = scheduler.cpuSeconds() - schedCpu0;
                d.put("scheduler_cpu_s", Results.round(sc)).put("scheduler_cores_used",
                        Results.round(sc / ((System.currentTimeMillis() - produceStart) / 1000.0)));
            }
            List<CommitRecord> chain = Chains.all(catalog, table, sizes.partitions());
            long warmEnd = produceStart + sizes.freshnessWarmupSeconds() * 1000L;
            List<Long> all = new ArrayList<>();
            List<Long> steady = new ArrayList<>();
            ArrayNode series = res.series("freshness", "t_s", "p50_s", "max_s", "rows");
            chain.sort(Comparator.comparingLong(CommitRecord::committedAt));
            for (CommitRecord c : chain) {
                TreeMap<Long, Long> m = prod.sent.get(c.partition());
                if (m == null) {
                    continue;
                }
                List<Long> lat = new ArrayList<>();
                synchronized (m) {
                    for (long ts : m.subMap(c.startOffset(), c.endOffset()).values()) {
                        lat.add(c.committedAt() - ts);
                        all.add(c.committedAt() - ts);
                        if (ts >= warmEnd) {
                            steady.add(c.committedAt() - ts);
                        }
                    }
                }
                if (!lat.isEmpty()) {
                    lat.sort(null);
                    series.addArray().add(Results.round((c.committedAt() - produceStart) / 1000.0))
                            .add(lat.get(lat.size() / 2) / 1000.0).add(lat.get(lat.size() - 1) / 1000.0).add(lat.size());
                }
            }
            if (steady.isEmpty()) {
                throw new BenchException("no rows committed after the warm-up");
            }
            steady.sort(null);
            all.sort(null);
            res.put("freshness_p50_s", pct(steady, 0.50) / 1000.0);
            res.put("freshness_p99_s", pct(steady, 0.99) / 1000.0);
            res.put("freshness_max_s", steady.get(steady.size() - 1) / 1000.0);
            Map<String, Double> m = r.sampler.scrape();
            if (m != null && m.getOrDefault("tributary_commit_latency_seconds_count", 0.0) > 0) {
                d.put("commit_latency_avg_s", Results.round(m.get("tributary_commit_latency_seconds_sum")
                        / m.get("tributary_commit_latency_seconds_count")));
                d.put("commit_latency_max_s", Results.round(m.getOrDefault("tributary_commit_latency_seconds_max", 0.0)));
            }
            d.put("rows_measured", steady.size()).put("commits", chain.size())
                    .put("incl_warmup_p50_s", pct(all, 0.5) / 1000.0).put("incl_warmup_p99_s", pct(all, 0.99) / 1000.0)
                    .put("incl_warmup_max_s", all.get(all.size() - 1) / 1000.0);
            icebergFreshness(def, chain, prod, produceStart, warmEnd, d, noPublisher);
        } finally {
            if (scheduler != null) {
                scheduler.stop(Duration.ofSeconds(15));
            }
        }
    }

    static final String ICEBERG_COMMIT_INTERVAL = "2s";

    /**
     * Iceberg freshness per row (see {@link IcebergFreshness}): waits until the published snapshots
     * cover the chain heads, then assigns every measured row the time of the snapshot that made it
     * visible. Without snapshots the values stay null and a note says why.
     */
    private void icebergFreshness(TableDefinition def, List<CommitRecord> chain, SteadyProducer prod, long produceStart,
            long warmEnd, ObjectNode d, String noPublisher) {
        String table = def.name();
        Map<Integer, Long> target = new HashMap<>();
        for (int p = 0; p < sizes.partitions(); p++) {
            catalog.head(table, p).ifPresent(h -> target.put(h.partition(), h.seq()));
        }
        long interval = def.iceberg() == null ? 2000 : def.iceberg().commitIntervalMillis();
        try (io.tributary.iceberg.IcebergCatalogs cats = new io.tributary.iceberg.IcebergCatalogs(env)) {
            String[] why = {noPublisher};
            org.apache.iceberg.Table t = null;
            long waitStart = System.currentTimeMillis();
            long deadline = waitStart + Math.max(30_000, 10 * interval);
            if (noPublisher == null) {
                while (System.currentTimeMillis() < deadline) {
                    if (t == null) {
                        t = IcebergFreshness.open(cats, def, why);
                    } else {
                        t.refresh();
                    }
                    if (t != null && IcebergFreshness.covers(t, target)) {
                        break;
                    }
                    if (t == null && System.currentTimeMillis() - waitStart > Math.max(15_000, 5 * interval)) {
                        break; // no Iceberg table at all: this scheduler does not publish; keep the quick run quick
                    }
                    sleep(250);
                }
                if (t != null && IcebergFreshness.covers(t, target)) {
                    d.put("iceberg_caught_up_after_s", Results.round((System.currentTimeMillis() - waitStart) / 1000.0));
                }
            } else {
                t = IcebergFreshness.open(cats, def, why);
            }
            if (t == null || t.currentSnapshot() == null) {
                res.note("freshness: Iceberg freshness not measured: " + (noPublisher != null && !noPublisher.equals(why[0])
                        ? noPublisher + "; " : "") + (t == null ? why[0] : "the Iceberg table "
                        + t.name() + " has no snapshot") + " at the end of the stage"
                        + (noPublisher == null ? " (does this scheduler publish? it needs PublicationService wired in)" : ""));
                return;
            }
            if (!IcebergFreshness.covers(t, target)) {
                res.note("freshness: the Iceberg table " + t.name() + " did not reach the chain heads " + target + " within "
                        + (deadline - waitStart) / 1000 + " s of the last commit (it has " + io.tributary.iceberg.ChainHeads.of(t).heads()
                        + "); rows not yet published are left out of the Iceberg freshness");
            }
            ArrayNode series = res.series("iceberg_freshness", "t_s", "p50_s", "max_s", "rows");
            IcebergFreshness f = IcebergFreshness.measure(t, chain, prod.sent, warmEnd, produceStart, series);
            if (f.problem != null) {
                res.note("freshness: " + f.problem);
            }
            d.put("iceberg_table", t.name()).put("iceberg_snapshots", f.snapshotsWithHeads)
                    .put("iceberg_rows_measured", f.steady.size());
            IcebergFreshness.intervals(f.snapshotTimes, d, "iceberg_snapshot_interval");
            if (f.steady.isEmpty()) {
                res.note("freshness: the Iceberg table " + t.name() + " has " + f.snapshotsWithHeads
                        + " published snapshots but none covers a row produced after the warm-up; Iceberg freshness not measured");
                return;
            }
            res.put("iceberg_freshness_p50_s", pct(f.steady, 0.50) / 1000.0);
            res.put("iceberg_freshness_p99_s", pct(f.steady, 0.99) / 1000.0);
            res.put("iceberg_freshness_max_s", f.steady.get(f.steady.size() - 1) / 1000.0);
            d.put("iceberg_incl_warmup_p99_s", pct(f.all, 0.99) / 1000.0)
                    .put("iceberg_after_commit_p50_s", pct(f.publishDelay, 0.5) / 1000.0)
                    .put("iceberg_after_commit_p99_s", pct(f.publishDelay, 0.99) / 1000.0);
        } catch (RuntimeException e) {
            res.note("freshness: Iceberg freshness not measured: " + e);
        }
    }

    static long pct(List<Long> sorted, double q) {
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    // ------------------------------------------------------------------------------ 5. failover

    private void failover() {
        new Failover(this).run();
    }

    // ------------------------------------------------------------------------------ util

    static JsonNode parse(String json) {
        try {
            return Results.JSON.readTree(json);
        } catch (IOException e) {
            throw new BenchException("unparseable result line: " + json);
        }
    }

    static void copy(JsonNode from, ObjectNode to) {
        from.fields().forEachRemaining(e -> to.set(e.getKey(), e.getValue()));
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted");
        }
    }

    static String fmt(String f, Object... a) {
        return String.format(Locale.ROOT, f, a);
    }
}
