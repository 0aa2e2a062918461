package io.tributary.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.bench.load.EventGenerator;
import io.tributary.bench.load.LoadProducer;
import io.tributary.catalog.CommitRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Cold start of a runner on a table with a backlog — what a runner started by a scale-out pays before it
 * is useful — on each runtime the runner can use: (a) JDK 17 (the default {@code java}), (b) JDK 25, (c)
 * JDK 25 with an AOT cache (JEP 483/514/515: classes loaded and linked, method profiles) from a training
 * run, (d) (c) with compact object headers, (e) (d) with C2 later ({@link RunnerRuntime#LATE_C2}; adopted).
 * Every variant gets a fresh table over the same pre-loaded topic (static assignment of all partitions) and
 * is measured from process exec: to its health check, to
 * its first commit (wall s and CPU-s of the runner process from /proc), and to the whole backlog committed
 * (a fixed amount of data: CPU-s per MB including start-up and JIT warm-up). Parts are cut by size only
 * ({@code max_rows} 25,000, {@code --quick} 5,000; {@code max_age} 60 s never fires) and every partition
 * holds an exact multiple of that, so the first commit is a part of the same rows for every variant (a
 * part cut by age would hold whatever a variant happened to read in that time) and no remainder waits.
 *
 * <p>The AOT cache is made the way the launcher makes it: a normal runner run with
 * {@code -XX:AOTCacheOutput=FILE} over a small backlog of its own topic, stopped with SIGTERM (the runner
 * flushes, commits and exits; the JVM then assembles the cache). Compact object headers need their own
 * cache (a cache records the header layout), so (d) has its own training run, and so has (e) (a cache brings
 * back the compilations of its training run). The measured runs use {@code -XX:AOTMode=on}: a cache the JVM
 * cannot use is an error, not a silently slower run.
 *
 * <p>Full mode: every variant 3 times, interleaved (rotated order), medians reported. {@code --quick}: only
 * (a) and the adopted variant ({@link #ADOPTED}), once, over a tiny backlog, to stay well within a minute in CI.
 */
final class ColdStart {
    /** What {@code ./tributary runner} and the local scaler use when JDK 25 is installed (see the README's "Cold start"). */
    static final String ADOPTED = "jdk25_aot_coh_late_c2";
    static final String RATIO_KEY = "coldstart_cpu_ratio_adopted_vs_jdk17";
    static final String MAX_AGE = "60s";
    static final String JDK25_ENV = "TRIBUTARY_JDK25_HOME";
    static final String JDK17_ENV = "TRIBUTARY_JDK17_HOME";
    static final Path JVM_DIR = Path.of("/usr/lib/jvm");

    /** One runtime of the runner. */
    record Variant(String key, String label, boolean jdk25, boolean aot, boolean coh, boolean lateC2) {
        String firstCommitKey() {
            return "coldstart_first_commit_s_" + key;
        }

        String firstCommitCpuKey() {
            return "coldstart_first_commit_cpu_s_" + key;
        }

        /** Which training run's cache the variant uses: one per set of flags that the training run gets. */
        String cacheKey() {
            return (coh ? "_coh" : "") + (lateC2 ? "_late_c2" : "");
        }

        /** The flags its training run shares with it (a cache is recorded and used with the same ones). */
        List<String> runtimeFlags() {
            List<String> f = new ArrayList<>();
            if (coh) {
                f.add("-XX:+UseCompactObjectHeaders");
            }
            if (lateC2) {
                f.addAll(RunnerRuntime.LATE_C2);
            }
            return f;
        }

        /** The JVM flags of the variant (besides the common ones), {@code cache} being its AOT cache. */
        List<String> flags(Path cache) {
            List<String> f = runtimeFlags();
            if (aot) {
                f.add("-XX:AOTMode=on");
                f.add("-XX:AOTCache=" + cache);
            }
            return f;
        }
    }

    static final Variant JDK17 = new Variant("jdk17", "JDK 17", false, false, false, false);
    static final Variant JDK25 = new Variant("jdk25", "JDK 25", true, false, false, false);
    static final Variant AOT = new Variant("jdk25_aot", "JDK 25 + AOT cache", true, true, false, false);
    static final Variant AOT_COH = new Variant("jdk25_aot_coh", "JDK 25 + AOT cache + compact object headers", true, true,
            true, false);
    /**
     * (d) with C2 later ({@link RunnerRuntime#LATE_C2}), on a cache recorded with the same flags, as the launcher
     * records one: JDK 25 replays at start-up the compilations its training run made ("Training replay"), so a cache
     * recorded with HotSpot's thresholds brings back the C2 work these flags avoid (measured: 5.32 CPU-s to the
     * first commit on (d)'s cache, against 4.94 for (d)).
     */
    static final Variant LATE = new Variant("jdk25_aot_coh_late_c2",
            "JDK 25 + AOT cache + compact object headers + later C2", true, true, true, true);
    static final List<Variant> ALL = List.of(JDK17, JDK25, AOT, AOT_COH, LATE);

    static Variant adopted() {
        return ALL.stream().filter(v -> v.key.equals(ADOPTED)).findFirst().orElseThrow();
    }

    /** The headline keys of this stage, in report order. */
    static List<String> headlineKeys() {
        List<String> k = new ArrayList<>();
        for (Variant v : ALL) {
            k.add(v.firstCommitKey());
            k.add(v.firstCommitCpuKey());
        }
        k.add(RATIO_KEY);
        return k;
    }

    /** One measured run. */
    record Run(Variant variant, int round, double readyS, double readyCpuS, double firstRecordS, double firstCommitS,
            double firstCommitCpuS, double backlogS, double backlogCpuS, double jitCpuSAtFirstCommit, double jitCpuSAtEnd,
            double peakRssMb) {
    }

    private final Bench bench;
    private final Results res;
    private final Sizes sizes;
    private final boolean quick;

    ColdStart(Bench bench) {
        this.bench = bench;
        this.res = bench.results();
        this.sizes = bench.sizes();
        this.quick = "quick".equals(sizes.mode());
    }

    void run() {
        ObjectNode d = res.details("coldstart");
        Path jdk17 = findJdk17();
        Path jdk25 = findJdk(25, System.getenv(JDK25_ENV), JVM_DIR);
        List<Variant> wanted = quick ? List.of(JDK17, adopted()) : ALL;
        if (quick) {
            res.note("coldstart: --quick measures only jdk17 and the adopted " + ADOPTED + ", once each over a tiny backlog"
                    + " (the full run measures all five variants 3 times)");
        }
        List<Variant> variants = new ArrayList<>();
        for (Variant v : wanted) {
            if (v.jdk25 && jdk25 == null) {
                continue;
            }
            if (!v.jdk25 && jdk17 == null) {
                continue;
            }
            variants.add(v);
        }
        if (jdk25 == null) {
            res.note("coldstart: no JDK 25 found (" + JDK25_ENV + ", " + JVM_DIR + "/*/release): the JDK 25 variants are"
                    + " not measured");
        }
        if (jdk17 == null) {
            res.note("coldstart: no JDK 17 found (the bench's own java, " + JDK17_ENV + ", " + JVM_DIR + "/*/release):"
                    + " the jdk17 variant is not measured");
        }
        if (variants.isEmpty()) {
            throw new BenchException("skipped: no JDK to measure");
        }
        d.put("jdk17", jdk17 == null ? "none" : jdk17 + " (" + releaseVersion(jdk17) + ")");
        d.put("jdk25", jdk25 == null ? "none" : jdk25 + " (" + releaseVersion(jdk25) + ")");
        d.put("variants", variants.stream().map(Variant::key).collect(Collectors.joining(", ")));
        d.put("adopted", ADOPTED);
        d.put("max_age", MAX_AGE);
        int partRows = quick ? 5_000 : 25_000;
        d.put("max_rows", partRows);

        String bootstrap = bench.env().get("TRIBUTARY_KAFKA_BOOTSTRAP");
        int partitions = sizes.partitions();
        long backlogPerPartition = quick ? 10_000 : 250_000;
        long trainPerPartition = quick ? 5_000 : 50_000;
        LoadProducer lp = new LoadProducer(bootstrap);
        String topic = "bench_coldstart";
        String trainTopic = "bench_coldstart_train";
        boolean needsTraining = variants.stream().anyMatch(Variant::aot);
        // both topics first; ensureTopic returns once every partition has a leader (an idempotent producer that
        // meets NOT_LEADER on a brand-new topic was seen retrying OUT_OF_ORDER_SEQUENCE_NUMBER forever)
        for (String t : needsTraining ? List.of(topic, trainTopic) : List.of(topic)) {
            lp.ensureTopic(t, partitions);
        }
        Produced backlog = produce(bootstrap, topic, partitions, backlogPerPartition, Bench.seed());
        d.put("topic", topic).put("backlog_records", backlog.records()).put("backlog_mb", Results.round(backlog.bytes() / 1e6));
        Produced train = null;
        if (needsTraining) {
            train = produce(bootstrap, trainTopic, partitions, trainPerPartition, Bench.seed() + 100);
            d.put("training_topic", trainTopic).put("training_records", train.records())
                    .put("training_mb", Results.round(train.bytes() / 1e6));
        }

        Path aotDir = bench.work().resolve("aot");
        Map<String, Path> caches = new HashMap<>();
        try {
            for (Variant v : List.copyOf(variants)) {
                if (!v.aot || caches.containsKey(v.cacheKey())) {
                    continue;
                }
                try {
                    caches.put(v.cacheKey(), train(jdk25, v, trainTopic, partRows, train.records(), aotDir, d));
                } catch (BenchException e) {
                    res.note("coldstart: the AOT training run" + v.cacheKey().replace('_', ' ') + " failed,"
                            + " so the variants that need its cache are not measured: " + e.getMessage());
                    variants.removeIf(x -> x.aot && x.cacheKey().equals(v.cacheKey()));
                }
            }

            int rounds = quick ? 1 : 3;
            List<Run> runs = new ArrayList<>();
            ArrayNode runsJson = d.putArray("runs");
            for (int r = 1; r <= rounds; r++) {
                for (int i = 0; i < variants.size(); i++) {
                    // rotate the order each round, so no variant always runs right after a training run
                    Variant v = variants.get((i + r - 1) % variants.size());
                    try {
                        Run run = measure(v, r, v.jdk25 ? jdk25 : jdk17, caches.get(v.cacheKey()), topic, partRows,
                                backlog.records());
                        runs.add(run);
                        runsJson.add(Results.JSON.valueToTree(runJson(run)));
                        bench.write();
                    } catch (BenchException e) {
                        res.note("coldstart: " + v.key + " round " + r + ": " + e.getMessage());
                    }
                }
            }
            summarize(runs, backlog.bytes() / 1e6, d);
        } finally {
            Bench.deleteTree(aotDir); // 100+ MB per cache
        }
    }

    /** Puts the medians of {@code runs} as the headline numbers and per-variant details. */
    void summarize(List<Run> runs, double backlogMb, ObjectNode d) {
        Map<Variant, List<Run>> by = new LinkedHashMap<>();
        for (Variant v : ALL) {
            List<Run> rs = runs.stream().filter(r -> r.variant.equals(v)).toList();
            if (!rs.isEmpty()) {
                by.put(v, rs);
            }
        }
        for (Map.Entry<Variant, List<Run>> e : by.entrySet()) {
            Variant v = e.getKey();
            List<Run> rs = e.getValue();
            res.put(v.firstCommitKey(), median(rs.stream().map(Run::firstCommitS).toList()));
            res.put(v.firstCommitCpuKey(), median(rs.stream().map(Run::firstCommitCpuS).toList()));
            String p = v.key + "_";
            d.put(p + "first_commit_cpu_s_runs", rs.stream().map(r -> Report.fmt(r.firstCommitCpuS)).collect(Collectors.joining(" ")));
            d.put(p + "ready_s", Results.round(median(rs.stream().map(Run::readyS).toList())));
            d.put(p + "ready_cpu_s", Results.round(median(rs.stream().map(Run::readyCpuS).toList())));
            d.put(p + "first_record_s", Results.round(median(rs.stream().map(Run::firstRecordS).toList())));
            d.put(p + "jit_cpu_s_at_first_commit", Results.round(median(rs.stream().map(Run::jitCpuSAtFirstCommit).toList())));
            double backlogCpu = median(rs.stream().map(Run::backlogCpuS).toList());
            d.put(p + "backlog_s", Results.round(median(rs.stream().map(Run::backlogS).toList())));
            d.put(p + "backlog_cpu_s", Results.round(backlogCpu));
            d.put(p + "backlog_mb_per_cpu_s", Results.round(backlogMb / backlogCpu));
            d.put(p + "jit_cpu_s_at_backlog_end", Results.round(median(rs.stream().map(Run::jitCpuSAtEnd).toList())));
            d.put(p + "peak_rss_mb", Results.round(median(rs.stream().map(Run::peakRssMb).toList())));
        }
        Variant adopted = adopted();
        Double a = res.get(adopted.firstCommitCpuKey());
        Double base = res.get(JDK17.firstCommitCpuKey());
        if (a != null && base != null && base > 0) {
            res.put(RATIO_KEY, a / base);
            List<Run> ar = by.get(adopted);
            List<Run> br = by.get(JDK17);
            d.put("backlog_cpu_ratio_adopted_vs_jdk17", Results.round(median(ar.stream().map(Run::backlogCpuS).toList())
                    / median(br.stream().map(Run::backlogCpuS).toList())));
        }
    }

    /**
     * A training run: a normal runner with {@code -XX:AOTCacheOutput} over the training topic, stopped with
     * SIGTERM once it has committed everything; returns the cache the JVM wrote as it exited.
     */
    private Path train(Path jdk25, Variant v, String topic, int partRows, long records, Path aotDir, ObjectNode d) {
        String suffix = v.cacheKey();
        Path cache = aotDir.resolve("runner" + suffix + ".aot");
        String table = "bench_cs_train" + suffix;
        createTable(table, topic, partRows);
        try {
            Files.createDirectories(aotDir);
        } catch (IOException e) {
            throw new BenchException("cannot create " + aotDir + ": " + e.getMessage());
        }
        List<String> extra = v.runtimeFlags();
        extra.add("-XX:AOTCacheOutput=" + cache);
        long t0 = System.currentTimeMillis();
        String id = "bench-runner-cs-train" + suffix.replace('_', '-');
        try (Bench.RunningRunner r = start(id, java(jdk25), extra, table)) {
            r.awaitReady(Duration.ofSeconds(120));
            bench.awaitCommitted(table, records, r.proc(), Duration.ofSeconds(sizes.stageTimeoutSeconds()));
            double cpu = r.proc().cpuSeconds();
            long term = System.currentTimeMillis();
            r.proc().stop(Duration.ofSeconds(300)); // SIGTERM: flush, commit, exit; then the JVM assembles the cache
            long exited = System.currentTimeMillis();
            int rc = r.proc().process.exitValue();
            if (rc != 0 || !Files.isRegularFile(cache)) {
                throw new BenchException("the training runner exited " + rc + " without writing " + cache + "; last lines of "
                        + r.proc().log + ":\n" + r.proc().tail(15));
            }
            long size = Files.size(cache);
            String p = "training" + suffix + "_";
            d.put(p + "run_s", Results.round((term - t0) / 1000.0)).put(p + "run_cpu_s", Results.round(cpu))
                    .put(p + "exit_and_assembly_s", Results.round((exited - term) / 1000.0))
                    .put(p + "cache_mb", Results.round(size / 1e6));
            return cache;
        } catch (IOException e) {
            throw new BenchException("cannot read " + cache + ": " + e.getMessage());
        }
    }

    private Run measure(Variant v, int round, Path jdk, Path cache, String topic, int partRows, long records) {
        String table = "bench_cs_" + v.key + "_" + round;
        createTable(table, topic, partRows);
        int partitions = sizes.partitions();
        Map<String, Double> threadsAtFirst = null;
        Map<String, Double> threadsAtEnd;
        double ready;
        double readyCpu;
        double peakRss;
        long started;
        Sampler sampler;
        System.err.printf("bench: coldstart: %s, round %d%n", v.key, round);
        try (Bench.RunningRunner r = start("bench-runner-cs-" + v.key.replace('_', '-') + "-" + round, java(jdk), v.flags(cache),
                table)) {
            sampler = r.sampler();
            started = r.proc().startedAtMillis;
            long readyAt = r.awaitReady(Duration.ofSeconds(120));
            ready = (readyAt - started) / 1000.0;
            readyCpu = sampler.cpuAt(readyAt);
            long deadline = System.currentTimeMillis() + sizes.stageTimeoutSeconds() * 1000L;
            while (true) {
                long c = Chains.committedEnd(bench.catalog(), table, partitions);
                if (c > 0 && threadsAtFirst == null) {
                    threadsAtFirst = ProcStat.threadCpu(r.proc().pid());
                }
                if (c >= records) {
                    break;
                }
                if (!r.proc().alive()) {
                    throw new BenchException(r.proc().name + " exited (" + r.proc().process.exitValue() + ") with " + c + " of "
                            + records + " offsets committed; last lines of " + r.proc().log + ":\n" + r.proc().tail(20));
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new BenchException("only " + c + " of " + records + " offsets committed within "
                            + sizes.stageTimeoutSeconds() + " s; last lines of " + r.proc().log + ":\n" + r.proc().tail(15));
                }
                Bench.sleep(100);
            }
            threadsAtEnd = ProcStat.threadCpu(r.proc().pid());
            Bench.sleep(150); // one more CPU sample after the last commit
            peakRss = r.proc().peakRssMb();
        }
        List<CommitRecord> chain = Chains.all(bench.catalog(), table, partitions);
        long first = chain.stream().mapToLong(CommitRecord::committedAt).min().orElseThrow();
        long last = chain.stream().mapToLong(CommitRecord::committedAt).max().orElseThrow();
        long firstRecord = sampler.firstTimeAbove("tributary_records_consumed_total", 0);
        return new Run(v, round, ready, readyCpu, firstRecord > 0 ? (firstRecord - started) / 1000.0 : Double.NaN,
                (first - started) / 1000.0, sampler.cpuAt(first), (last - started) / 1000.0, sampler.cpuAt(last),
                jit(threadsAtFirst), jit(threadsAtEnd), peakRss);
    }

    private Bench.RunningRunner start(String id, String java, List<String> flags, String table) {
        Path jar = bench.runnerApp().resolve("quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new BenchException("the runner is not built (" + jar + " is missing): ./mvnw -B -pl task-runner package -DskipTests");
        }
        int port = Bench.freePort();
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(Bench.jvmOpts("TRIBUTARY_BENCH_RUNNER_OPTS", "-Xmx1g"));
        cmd.addAll(flags);
        cmd.add("-Dquarkus.http.port=" + port);
        cmd.addAll(List.of("-jar", jar.toString(), "--id", id, "--table", table, "--partitions", "0-" + (sizes.partitions() - 1)));
        ChildProcess c = ChildProcess.start(id, cmd, new HashMap<>(bench.env()), bench.work().resolve("logs/" + id + ".log"));
        return new Bench.RunningRunner(c, new Sampler(c, "http://127.0.0.1:" + port + "/q/metrics", 100), port);
    }

    /** The bench table with parts cut at {@code partRows} rows only. */
    private void createTable(String name, String topic, int partRows) {
        String yaml = BenchTable.yaml(name, bench.env().get("TRIBUTARY_KAFKA_BOOTSTRAP"), topic, bench.env().get("TRIBUTARY_BUCKET"),
                MAX_AGE);
        String flush = "flush: { max_rows: 500000,";
        if (!yaml.contains(flush)) {
            throw new BenchException("the bench table's flush line changed; ColdStart sets max_rows in it");
        }
        bench.createTable(yaml.replace(flush, "flush: { max_rows: " + partRows + ","));
    }

    record Produced(long records, long bytes) {
    }

    /** Sends exactly {@code perPartition} events to every partition of {@code topic} (round robin), all acknowledged. */
    static Produced produce(String bootstrap, String topic, int partitions, long perPartition, long seed) {
        Map<String, Object> p = new HashMap<>();
        p.put(org.apache.kafka.clients.producer.ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(org.apache.kafka.clients.producer.ProducerConfig.ACKS_CONFIG, "all");
        p.put(org.apache.kafka.clients.producer.ProducerConfig.LINGER_MS_CONFIG, 10);
        p.put(org.apache.kafka.clients.producer.ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(org.apache.kafka.clients.producer.ProducerConfig.CLIENT_ID_CONFIG, "tributary-bench-coldstart");
        EventGenerator gen = new EventGenerator(seed, 0);
        java.util.concurrent.atomic.AtomicReference<Exception> failure = new java.util.concurrent.atomic.AtomicReference<>();
        long bytes = 0;
        long n = perPartition * partitions;
        try (org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> producer = new org.apache.kafka.clients.producer.KafkaProducer<>(
                p, new org.apache.kafka.common.serialization.ByteArraySerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            for (long i = 0; i < n && failure.get() == null; i++) {
                EventGenerator.Event e = gen.next();
                bytes += e.value().length;
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, (int) (i % partitions), e.timestamp(),
                        e.key(), e.value()), (md, ex) -> {
                            if (ex != null) {
                                failure.compareAndSet(null, ex);
                            }
                        });
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new BenchException("producing to " + topic + " failed: " + failure.get());
        }
        return new Produced(n, bytes);
    }

    private static Map<String, Object> runJson(Run r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("variant", r.variant.key);
        m.put("round", r.round);
        m.put("ready_s", Results.round(r.readyS));
        m.put("ready_cpu_s", Results.round(r.readyCpuS));
        m.put("first_record_s", Double.isFinite(r.firstRecordS) ? Results.round(r.firstRecordS) : null);
        m.put("first_commit_s", Results.round(r.firstCommitS));
        m.put("first_commit_cpu_s", Results.round(r.firstCommitCpuS));
        m.put("backlog_s", Results.round(r.backlogS));
        m.put("backlog_cpu_s", Results.round(r.backlogCpuS));
        m.put("jit_cpu_s_at_first_commit", Results.round(r.jitCpuSAtFirstCommit));
        m.put("jit_cpu_s_at_backlog_end", Results.round(r.jitCpuSAtEnd));
        m.put("peak_rss_mb", Results.round(r.peakRssMb));
        return m;
    }

    private static double jit(Map<String, Double> threads) {
        if (threads == null) {
            return Double.NaN;
        }
        return threads.entrySet().stream().filter(e -> e.getKey().contains("Compiler")).mapToDouble(Map.Entry::getValue).sum();
    }

    /** Median of the finite values, NaN when there is none. */
    static double median(List<Double> xs) {
        List<Double> s = xs.stream().filter(x -> x != null && Double.isFinite(x)).sorted().toList();
        if (s.isEmpty()) {
            return Double.NaN;
        }
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static String java(Path home) {
        return home.resolve("bin").resolve("java").toString();
    }

    /** JDK 17: the bench's own JVM when it is a 17, else {@code TRIBUTARY_JDK17_HOME}, else one under /usr/lib/jvm. */
    private static Path findJdk17() {
        if (Runtime.version().feature() == 17) {
            return Path.of(System.getProperty("java.home"));
        }
        return findJdk(17, System.getenv(JDK17_ENV), JVM_DIR);
    }

    /**
     * A JDK of {@code feature} version: {@code override} (a JDK home) when set, else the first directory under
     * {@code jvmDir} (sorted, Temurin first) whose {@code release} file says {@code JAVA_VERSION="<feature>...};
     * null when none has an executable {@code bin/java}.
     */
    static Path findJdk(int feature, String override, Path jvmDir) {
        if (override != null && !override.isBlank()) {
            Path p = Path.of(override.trim());
            return Files.isExecutable(p.resolve("bin/java")) ? p : null;
        }
        if (!Files.isDirectory(jvmDir)) {
            return null;
        }
        try (Stream<Path> dirs = Files.list(jvmDir)) {
            return dirs.filter(p -> Files.isExecutable(p.resolve("bin/java")))
                    .filter(p -> !Files.isSymbolicLink(p))
                    .filter(p -> releaseFeature(p) == feature)
                    .sorted((x, y) -> {
                        boolean tx = x.getFileName().toString().startsWith("temurin");
                        boolean ty = y.getFileName().toString().startsWith("temurin");
                        return tx != ty ? (tx ? -1 : 1) : x.compareTo(y);
                    })
                    .findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    /** The feature version in {@code <home>/release} ({@code JAVA_VERSION="25.0.3"} -> 25), -1 if unknown. */
    static int releaseFeature(Path home) {
        String v = releaseVersion(home);
        if (v == null) {
            return -1;
        }
        String head = v.startsWith("1.") ? v.substring(2) : v;
        int end = 0;
        while (end < head.length() && Character.isDigit(head.charAt(end))) {
            end++;
        }
        return end == 0 ? -1 : Integer.parseInt(head.substring(0, end));
    }

    /** {@code JAVA_VERSION} of {@code <home>/release}, or null. */
    static String releaseVersion(Path home) {
        try {
            for (String l : Files.readAllLines(home.resolve("release"))) {
                if (l.startsWith("JAVA_VERSION=")) {
                    return l.substring("JAVA_VERSION=".length()).replace("\"", "").trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // no release file
        }
        return null;
    }
}
