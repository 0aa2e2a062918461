package io.tributary.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.bench.load.LoadProducer;
import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.RequestCosts;
import io.tributary.catalog.TableDefinitions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Issue 15 item 5, the wide stage: ONE runner owning many partitions (full: 10 tables x 100 partitions)
 * at a modest steady total rate, with an explicit memory budget and heap. Reports the runner's peak RSS
 * against the budget plus {@link #RSS_OVERHEAD_MB}, freshness per partition (every row: commit time minus
 * Kafka timestamp, as in the freshness stage), partitions that never committed, and the S3 PUTs and
 * DynamoDB writes per second the commit chains show for the measured window.
 */
final class WideStage {
    /** The runner's buffered-rows budget ({@code tributary.runner.memory-budget}). */
    static final int MEMORY_BUDGET_MB = 128;
    /** The runner's heap: the budget x 3 (what the runner's default budget, a third of the heap, implies). */
    static final int HEAP_MB = 3 * MEMORY_BUDGET_MB;
    /**
     * The JVM outside the heap, as NMT counted it (committed MiB) for this runner at 1,000 partitions, 10 tables:
     * G1's remembered sets and marking bitmaps 54 (~14 % of the heap), metaspace + class space 75, code cache
     * 38, "Other" 38 (NIO's per-thread temporary direct buffers: each Kafka consumer's socket reads go through
     * one as large as its biggest fetch), C2's arenas 15, symbols 14, CDS archive 12, NMT itself 7, thread
     * stacks 4: 258 MiB; RSS was ~40 MiB above NMT's total (malloc arenas NMT does not see). 320 covers that.
     * (A first bound of 256, from NMT at 100 partitions, was exceeded at 1,000: more consumers, more buffers.)
     */
    static final int NON_HEAP_MB = 320;
    /**
     * What the runner's RSS may hold beyond its memory budget: the rest of the heap ({@link #HEAP_MB} minus
     * the budget: partition states and column buffers, Kafka fetch buffers, Parquet writers and upload
     * buffers of the flushes in flight, garbage between collections) plus {@link #NON_HEAP_MB} outside it.
     */
    static final int RSS_OVERHEAD_MB = HEAP_MB - MEMORY_BUDGET_MB + NON_HEAP_MB;

    /**
     * Flush threads ({@code tributary.runner.flush-threads}; default max(2, cores)): a wide runner cuts many
     * small parts, each waiting on an S3 PUT and a DynamoDB write rather than on the CPU.
     */
    static final int FLUSH_THREADS = 8;

    /** One run's shape: tables x partitions, steady total MB/s for seconds, the tables' max_age. */
    record Shape(int tables, int partitions, double mbPerS, int seconds, String maxAge, int landTimeoutS) {
        static Shape of(Sizes s) {
            return s.mode().equals("quick") ? new Shape(4, 25, 0.5, 15, "3s", 90) : new Shape(10, 100, 2.0, 90, "30s", 300);
        }

        int total() {
            return tables * partitions;
        }
    }

    private final Bench bench;
    private final Results res;
    private final Shape shape;

    WideStage(Bench bench) {
        this.bench = bench;
        this.res = bench.results();
        this.shape = Shape.of(bench.sizes());
    }

    void run() {
        String bootstrap = bench.env().get("TRIBUTARY_KAFKA_BOOTSTRAP");
        LoadProducer lp = new LoadProducer(bootstrap);
        List<String> tables = new ArrayList<>();
        Map<Integer, Long> genesis = new HashMap<>();
        for (int p = 0; p < shape.partitions; p++) {
            genesis.put(p, 0L);
        }
        long t0 = System.currentTimeMillis();
        for (int i = 0; i < shape.tables; i++) {
            String name = "bench_wide_" + i;
            lp.ensureTopic(name, shape.partitions);
            bench.catalog().createTable(TableDefinitions.fromYaml(BenchTable.yaml(name, bootstrap, name,
                    bench.env().get("TRIBUTARY_BUCKET"), shape.maxAge), bench.env()), genesis);
            tables.add(name);
        }
        ObjectNode d = res.details("wide");
        d.put("tables", shape.tables).put("partitions_per_table", shape.partitions).put("rate_mb_s", shape.mbPerS)
                .put("seconds", shape.seconds).put("max_age", shape.maxAge).put("heap_mb", HEAP_MB)
                .put("rss_overhead_mb", RSS_OVERHEAD_MB).put("flush_threads", FLUSH_THREADS)
                .put("topics_created_s", Results.round((System.currentTimeMillis() - t0) / 1000.0));
        res.put("wide_partitions", (double) shape.total());
        res.put("wide_memory_budget_mb", (double) MEMORY_BUDGET_MB);
        res.put("wide_rss_bound_mb", (double) (MEMORY_BUDGET_MB + RSS_OVERHEAD_MB));

        List<String> jvm = List.of("-Xmx" + HEAP_MB + "m", "-Dtributary.runner.memory-budget=" + MEMORY_BUDGET_MB + "MiB",
                "-Dtributary.runner.flush-threads=" + FLUSH_THREADS, "-XX:NativeMemoryTracking=summary");
        List<String> args = List.of("--table", String.join(",", tables), "--partitions", "0-" + (shape.partitions - 1));
        List<Bench.SteadyProducer> producers = new ArrayList<>();
        try (Bench.RunningRunner r = bench.startRunnerWith("bench-runner-wide", args, jvm)) {
            for (String t : tables) {
                producers.add(bench.new SteadyProducer(t));
            }
            r.awaitReady(Duration.ofSeconds(90));
            // prime: a few records through every table before the clock starts (the runner is ready before its
            // table workers have read their heads and assigned their partitions)
            long primeStart = System.currentTimeMillis();
            produceAll(producers, 0.01, 1);
            awaitLanded(lp, tables, r.proc(), Duration.ofSeconds(120));
            d.put("prime_s", Results.round((System.currentTimeMillis() - primeStart) / 1000.0));
            producers.forEach(p -> p.sent.clear());

            long start = System.currentTimeMillis();
            double cpu0 = r.proc().cpuSeconds();
            produceAll(producers, shape.mbPerS / shape.tables, shape.seconds);
            long end = System.currentTimeMillis();
            long landed = awaitLanded(lp, tables, r.proc(), Duration.ofSeconds(shape.landTimeoutS));
            double cpu1 = r.proc().cpuSeconds();
            double peak = r.proc().peakRssMb();
            res.put("wide_runner_peak_rss_mb", peak);
            double mb = producers.stream().mapToLong(p -> p.bytes).sum() / 1e6;
            long records = producers.stream().mapToLong(p -> p.count).sum();
            res.put("wide_runner_cpu_s_per_mb", (cpu1 - cpu0) / mb);
            d.put("records", records).put("input_mb", Results.round(mb)).put("runner_cpu_s", Results.round(cpu1 - cpu0))
                    .put("runner_cores_used", Results.round((cpu1 - cpu0) / ((landed - start) / 1000.0)))
                    .put("landed_after_produce_s", Results.round((landed - end) / 1000.0));
            Bench.threadCpu(r.proc(), d);
            nativeMemory(r.proc(), d);
            liveHeap(r.proc(), d);
            Double buffered = r.sampler().maxMetric("tributary_buffered_bytes");
            if (buffered != null) {
                d.put("buffered_bytes_max", buffered);
            }
            ArrayNode series = res.series("wide_memory", "t_s", "rss_mb", "cores");
            Sampler.Sample prev = null;
            for (Sampler.Sample x : r.sampler().samples()) {
                if (x.atMillis() >= start && (prev == null || x.atMillis() - prev.atMillis() >= 1000)) {
                    series.addArray().add(Results.round((x.atMillis() - start) / 1000.0)).add(Results.round(x.rssMb()))
                            .add(prev == null ? 0 : Results.round((x.cpuS() - prev.cpuS()) / ((x.atMillis() - prev.atMillis()) / 1000.0)));
                    prev = x;
                }
            }
            if (peak > MEMORY_BUDGET_MB + RSS_OVERHEAD_MB) {
                res.note("wide: the runner's peak RSS " + Math.round(peak) + " MiB is over its bound " + (MEMORY_BUDGET_MB
                        + RSS_OVERHEAD_MB) + " MiB (budget " + MEMORY_BUDGET_MB + " + overhead " + RSS_OVERHEAD_MB + ")");
            }
            measure(tables, producers, start, end, d);
        } finally {
            producers.forEach(Bench.SteadyProducer::close);
        }
    }

    /** Per-partition freshness and starvation from the chains, and the requests they caused in [start, end]. */
    private void measure(List<String> tables, List<Bench.SteadyProducer> producers, long start, long end, ObjectNode d) {
        PartitionLatency lat = new PartitionLatency();
        List<String> expected = new ArrayList<>();
        RequestCosts.Requests req = RequestCosts.Requests.NONE;
        long commits = 0;
        long commitsAll = 0;
        for (int i = 0; i < tables.size(); i++) {
            String t = tables.get(i);
            List<CommitRecord> chain = Chains.all(bench.catalog(), t, shape.partitions);
            lat.add(t, chain, producers.get(i).sent);
            commitsAll += chain.size();
            for (CommitRecord c : chain) {
                if (c.committedAt() >= start && c.committedAt() < end) {
                    req = req.plus(RequestCosts.of(c));
                    commits++;
                }
            }
            for (int p = 0; p < shape.partitions; p++) {
                if (producers.get(i).sent.containsKey(p)) {
                    expected.add(PartitionLatency.key(t, p));
                } else {
                    d.withArray("partitions_without_records").add(PartitionLatency.key(t, p));
                }
            }
        }
        double windowS = (end - start) / 1000.0;
        res.put("wide_s3_puts_per_s", req.s3Puts() / windowS);
        res.put("wide_dynamodb_writes_per_s", req.dynamoWrites() / windowS);
        d.put("commits_in_window", commits).put("commits_total", commitsAll).put("window_s", Results.round(windowS))
                .put("commits_per_partition_in_window", Results.round(commits / (double) shape.total()))
                .put("requests_usd_per_day_at_this_rate", Results.round(req.usd() / windowS * 86_400))
                .put("partitions_with_records", expected.size());
        PartitionLatency.Summary s = lat.summary(expected);
        res.put("wide_partitions_starved", (double) s.starved().size());
        if (!s.starved().isEmpty()) {
            res.note("wide: " + s.starved().size() + " partitions got records but no commit of them, e.g. "
                    + s.starved().subList(0, Math.min(5, s.starved().size())));
        }
        if (s.rows() == 0) {
            throw new BenchException("no row of the measured produce was committed");
        }
        res.put("wide_freshness_p99_s", s.p99AllS());
        res.put("wide_worst_partition_p99_s", s.worstP99S());
        d.put("rows_measured", s.rows()).put("freshness_p50_s", Results.round(s.p50AllS()))
                .put("freshness_max_s", Results.round(s.maxS())).put("worst_partition", s.worstPartition())
                .put("median_partition_p99_s", Results.round(s.medianPartitionP99S()));
    }

    private static boolean outOfMemory(ChildProcess proc) {
        try {
            return java.nio.file.Files.readString(proc.log).contains("java.lang.OutOfMemoryError");
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return false;
        }
    }

    /**
     * Where the runner's memory is, by the JVM's own account ({@code jcmd PID VM.native_memory summary}; the
     * runner runs with {@code -XX:NativeMemoryTracking=summary}): committed MiB per category into
     * {@code d.nmt_committed_mb}. Best effort: no jcmd, no numbers.
     */
    private static void nativeMemory(ChildProcess proc, ObjectNode d) {
        String out = jcmd(proc, d, "VM.native_memory", "summary", "scale=MB");
        if (out != null) {
            ObjectNode o = d.putObject("nmt_committed_mb");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                    "(?m)^(?:-\\s+)?([A-Za-z][A-Za-z ]*?)\\s*[:(]\\s*reserved=(\\d+)MB, committed=(\\d+)MB").matcher(out);
            while (m.find()) {
                o.put(m.group(1).trim().toLowerCase(java.util.Locale.ROOT).replace(' ', '_'), Long.parseLong(m.group(3)));
            }
        }
    }

    /**
     * The live heap after the measurement: {@code jcmd PID GC.class_histogram} collects first, so its total
     * is what survives; the five largest classes go into the details too.
     */
    private static void liveHeap(ChildProcess proc, ObjectNode d) {
        String out = jcmd(proc, d, "GC.class_histogram");
        if (out == null) {
            return;
        }
        ArrayNode top = d.putArray("live_heap_top_classes");
        for (String l : out.lines().toList()) {
            String[] f = l.trim().split("\\s+");
            if (f.length >= 3 && f[0].equals("Total")) {
                d.put("live_heap_mb", Results.round(Long.parseLong(f[2]) / 1048576.0));
            } else if (f.length >= 4 && f[0].matches("\\d+:") && top.size() < 5) {
                top.add(f[3] + " " + Results.round(Long.parseLong(f[2]) / 1048576.0) + " MiB");
            }
        }
    }

    private static String jcmd(ChildProcess proc, ObjectNode d, String... command) {
        List<String> cmd = new ArrayList<>(List.of(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(proc.pid())));
        cmd.addAll(List.of(command));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                d.put("jcmd_" + command[0], "failed: " + out.lines().findFirst().orElse(""));
                return null;
            }
            return out;
        } catch (java.io.IOException e) {
            d.put("jcmd_" + command[0], "not run: " + e.getMessage());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Runs every producer at {@code mbPerS} for {@code seconds}, each on its own thread. */
    private static void produceAll(List<Bench.SteadyProducer> producers, double mbPerS, int seconds) {
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (Bench.SteadyProducer p : producers) {
            Thread t = new Thread(() -> {
                try {
                    p.run(mbPerS, seconds, n -> { });
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                }
            }, "bench-wide-produce-" + p.topic);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BenchException("interrupted");
            }
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    /**
     * Polls until every partition's chain head has reached its log end offset; returns the epoch ms it did.
     * Throws with the partitions still behind when {@code timeout} passes or the runner exits.
     */
    private long awaitLanded(LoadProducer lp, List<String> tables, ChildProcess proc, Duration timeout) {
        Map<String, Map<Integer, Long>> logEnd = new LinkedHashMap<>();
        for (String t : tables) {
            logEnd.put(t, lp.endOffsetsByPartition(t));
        }
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        List<String> behind = List.of();
        long lastLog = 0;
        while (System.currentTimeMillis() < deadline) {
            behind = new ArrayList<>();
            for (Map.Entry<String, Map<Integer, Long>> e : logEnd.entrySet()) {
                for (Map.Entry<Integer, Long> p : e.getValue().entrySet()) {
                    Optional<CommitRecord> h = bench.catalog().head(e.getKey(), p.getKey());
                    if (h.map(CommitRecord::endOffset).orElse(0L) < p.getValue()) {
                        behind.add(PartitionLatency.key(e.getKey(), p.getKey()));
                    }
                }
            }
            if (behind.isEmpty()) {
                return System.currentTimeMillis();
            }
            if (!proc.alive()) {
                throw new BenchException("the wide runner exited (" + proc.process.exitValue() + ") with " + behind.size()
                        + " partitions behind; last lines of " + proc.log + ":\n" + proc.tail(25));
            }
            if (System.currentTimeMillis() - lastLog > 5000) {
                if (outOfMemory(proc)) {
                    res.put("wide_partitions_starved", (double) behind.size());
                    throw new BenchException("the wide runner ran out of heap (OutOfMemoryError in " + proc.log + ") with "
                            + behind.size() + " partitions behind their log end");
                }
                System.err.printf("bench: wide: %d of %d partitions behind their log end%n", behind.size(), shape.total());
                lastLog = System.currentTimeMillis();
            }
            Bench.sleep(500);
        }
        res.put("wide_partitions_starved", (double) behind.size());
        res.put("wide_runner_peak_rss_mb", proc.peakRssMb());
        throw new BenchException(behind.size() + " partitions did not land all their records within " + timeout.toSeconds()
                + " s, e.g. " + behind.subList(0, Math.min(5, behind.size())) + "; last lines of " + proc.log + ":\n" + proc.tail(15));
    }
}
