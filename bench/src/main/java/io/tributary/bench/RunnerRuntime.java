package io.tributary.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.bench.load.LoadProducer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The runtime of every runner started by {@link Bench#startRunner}: the adopted one (README "Cold start"), JDK 25
 * with {@code -XX:+UseCompactObjectHeaders} and an AOT cache, as {@code ./tributary runner} (the launcher's
 * {@code RUNNER_AOT_FLAGS} and {@code find_jdk25}) and the scheduler's {@code LocalProcessScaler.javaCommand}
 * ({@code AOT_FLAGS}) run it. The flag list is repeated here ({@link #FLAGS}) because the bench does not link the
 * scheduler; keep the three in step. {@code TRIBUTARY_RUNNER_AOT=0} and {@code TRIBUTARY_JDK25_HOME} mean what they
 * mean to the launcher.
 *
 * <p>The cache is this bench run's own, recorded the way the launcher records one: an ordinary runner run with
 * {@code -XX:AOTCacheOutput} over a small backlog of its own topic ({@code bench_aot_train}), stopped with SIGTERM
 * once it has committed everything (the JVM writes the cache as it exits). It is made once, before the first runner
 * that needs it; the launcher's own cache is keyed by the runner build, which the bench command has just rebuilt.
 * A failed training leaves the runners on JDK 25 with the flags but no cache (a note says so); no JDK 25 leaves
 * them on the bench's own java (a note says so). {@link ColdStart} picks its JDKs itself.
 */
final class RunnerRuntime {
    /**
     * C2 later than HotSpot's defaults: the tier-4 (C2) thresholds ×8 (defaults 5,000 / 600 / 15,000 / 40,000), so
     * only the data path's hot loop reaches C2 and the start-up code and the lukewarm rest stay in C1. Measured in
     * one bench run per setting (README "Cold start"): ×4, ×8 and ×25 against the defaults; ×8 took the e2e JIT from
     * ~6 to ~2 CPU-s and the cold start from ~4.8 to ~3.6 CPU-s with no loss in the warm second half.
     */
    static final List<String> LATE_C2 = List.of("-XX:Tier4InvocationThreshold=40000",
            "-XX:Tier4MinInvocationThreshold=4800", "-XX:Tier4CompileThreshold=120000",
            "-XX:Tier4BackEdgeThreshold=320000");
    /** The launcher's RUNNER_AOT_FLAGS = LocalProcessScaler.AOT_FLAGS = the runner image's RUNNER_JVM_FLAGS. */
    static final List<String> FLAGS = Stream.concat(Stream.of("-XX:+UseCompactObjectHeaders"),
            LATE_C2.stream()).toList();
    private static final int EXIT_GRACE_S = 90;

    private final Bench bench;
    private List<String> command;

    RunnerRuntime(Bench bench) {
        this.bench = bench;
    }

    /** The java binary and runtime flags of a bench runner (resolved, and the cache trained, on first use). */
    synchronized List<String> command() {
        if (command == null) {
            command = resolve();
        }
        return command;
    }

    private List<String> resolve() {
        Results res = bench.results();
        ObjectNode d = res.details("runner_jvm");
        String aot = System.getenv().getOrDefault("TRIBUTARY_RUNNER_AOT", "1").trim().toLowerCase(Locale.ROOT);
        Path jdk25 = List.of("0", "false", "no", "off").contains(aot) ? null
                : ColdStart.findJdk(25, System.getenv(ColdStart.JDK25_ENV), ColdStart.JVM_DIR);
        if (jdk25 == null) {
            d.put("java", ChildProcess.java()).put("version", System.getProperty("java.version")).put("flags", "")
                    .put("aot_cache", "none");
            res.note("runner runtime: " + (List.of("0", "false", "no", "off").contains(aot) ? "TRIBUTARY_RUNNER_AOT=" + aot
                    : "no JDK 25 found (" + ColdStart.JDK25_ENV + ", " + ColdStart.JVM_DIR + "/*/release)")
                    + "; the runners run on the bench's java " + System.getProperty("java.version")
                    + ", not the adopted JDK 25 + AOT cache");
            return List.of(ChildProcess.java());
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(jdk25.resolve("bin").resolve("java").toString());
        cmd.addAll(FLAGS);
        d.put("java", cmd.get(0)).put("version", ColdStart.releaseVersion(jdk25)).put("flags", String.join(" ", FLAGS));
        try {
            Path cache = train(new ArrayList<>(cmd), d);
            cmd.add("-XX:AOTCache=" + cache);
            d.put("aot_cache", cache.toString());
        } catch (RuntimeException e) {
            d.put("aot_cache", "none");
            res.note("runner runtime: the AOT training run failed (" + e.getMessage().lines().findFirst().orElse("")
                    + "); the runners run on JDK 25 + " + String.join(" ", FLAGS) + " without a cache");
        }
        return List.copyOf(cmd);
    }

    /** A training run over its own small topic; returns the cache the runner's JVM wrote when it exited. */
    private Path train(List<String> javaAndFlags, ObjectNode d) {
        boolean quick = "quick".equals(bench.sizes().mode());
        int partitions = bench.sizes().partitions();
        String bootstrap = bench.env().get("TRIBUTARY_KAFKA_BOOTSTRAP");
        int perPartition = quick ? 10_000 : 50_000;
        // seen once in a full run: every batch of one partition of the fresh topic expired after 120 s (cause not
        // found; the broker was otherwise healthy). The topic's records are only training input, so a second attempt
        // goes to a new topic, which leaves no partly produced backlog to count
        String topic = null;
        ColdStart.Produced p = null;
        for (String t : List.of("bench_aot_train", "bench_aot_train_2")) {
            try {
                new LoadProducer(bootstrap).ensureTopic(t, partitions);
                p = ColdStart.produce(bootstrap, t, partitions, perPartition, Bench.seed() + 200);
                topic = t;
                break;
            } catch (RuntimeException e) {
                if (t.endsWith("_2")) {
                    throw e;
                }
                bench.results().note("runner runtime: producing the AOT training backlog failed ("
                        + e.getMessage().lines().findFirst().orElse("") + "); trying once more on a new topic");
            }
        }
        String table = topic;
        // parts cut by size (as ColdStart's training): the run is short, and a runner that ran for ~20 s before its
        // SIGTERM was seen hanging in the cache dump
        String yaml = BenchTable.yaml(table, bootstrap, topic, bench.env().get("TRIBUTARY_BUCKET"), "5s");
        String flush = "flush: { max_rows: 500000,";
        if (!yaml.contains(flush)) {
            throw new BenchException("the bench table's flush line changed; RunnerRuntime sets max_rows in it");
        }
        bench.createTable(yaml.replace(flush, "flush: { max_rows: " + perPartition / 2 + ","));
        Path cache = bench.work().resolve("aot").resolve("runner.aot");
        try {
            Files.createDirectories(cache.getParent());
        } catch (IOException e) {
            throw new BenchException("cannot create " + cache.getParent() + ": " + e.getMessage());
        }
        List<String> extra = List.of("-XX:AOTCacheOutput=" + cache);
        long t0 = System.currentTimeMillis();
        System.err.printf("bench: recording the runners' AOT cache over %,d events%n", p.records());
        try (Bench.RunningRunner r = bench.launchRunner("bench-runner-aot-train", table, List.of(), javaAndFlags, extra)) {
            r.awaitReady(Duration.ofSeconds(120));
            bench.awaitCommitted(table, p.records(), r.proc(), Duration.ofSeconds(bench.sizes().stageTimeoutSeconds()));
            double cpu = r.proc().cpuSeconds();
            // SIGTERM: drain, commit, exit 0; then the JVM writes the cache (~8 s). Bounded: a JVM was seen hanging in
            // that dump (its class loading waited on Quarkus' jar loader after System.exit), and then it is killed
            r.proc().stop(Duration.ofSeconds(EXIT_GRACE_S));
            int rc = r.proc().process.exitValue();
            if (rc != 0 || !Files.isRegularFile(cache)) {
                throw new BenchException("the training runner exited " + rc + " without writing " + cache + " within "
                        + EXIT_GRACE_S + " s of SIGTERM; last lines of " + r.proc().log + ":\n" + r.proc().tail(5));
            }
            d.put("training_records", p.records()).put("training_cpu_s", Results.round(cpu))
                    .put("training_wall_s", Results.round((System.currentTimeMillis() - t0) / 1000.0))
                    .put("cache_mb", Results.round(Files.size(cache) / 1e6));
            return cache;
        } catch (IOException e) {
            throw new BenchException("cannot read " + cache + ": " + e.getMessage());
        }
    }
}
