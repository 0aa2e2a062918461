package io.tributary.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.bench.load.LoadProducer;
import io.tributary.catalog.AwsClients;
import io.tributary.catalog.DynamoCatalog;
import io.tributary.catalog.LiveParts;
import io.tributary.catalog.StoredTable;
import io.tributary.catalog.TableDefinition;
import io.tributary.iceberg.IcebergCatalogs;
import io.tributary.iceberg.Publisher;
import io.tributary.iceberg.compact.Compactor;
import io.tributary.iceberg.compact.S3FileIOs;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.aws.s3.S3FileIO;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The {@code compaction} stage (issue 18 item 4): on the table with the most small parts (the
 * freshness table's 1 s parts, else the e2e table's; neither: it lands a small 1 s table itself),
 * measures parts per GB, a DuckDB full scan of the live parts (local copies, as {@code tributary
 * query} reads them) and an Iceberg generic scan, then runs ONE {@link Compactor#pass} (target
 * 128 MiB) in this JVM, lets a {@link Publisher} apply the {@code RewriteFiles}, and measures the
 * same again. Nothing is asserted; rows and sums that differ before/after become a note.
 */
final class CompactionStage {
    static final long TARGET_BYTES = Compactor.DEFAULT_TARGET_BYTES;
    /** Measured repetitions per scan (after one unmeasured warm-up); the median is reported. */
    static final int SCAN_RUNS = 3;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final Bench bench;
    private final Results res;
    private final DynamoCatalog catalog;
    private final ObjectNode d;

    CompactionStage(Bench bench, DynamoCatalog catalog) {
        this.bench = bench;
        this.res = bench.results();
        this.catalog = catalog;
        this.d = res.details("compaction");
    }

    /** One scan's figures: wall and CPU ms (process = this JVM incl. DuckDB's native threads; thread = the calling thread). */
    record Scan(long rows, BigDecimal sum, double wallMs, double processCpuMs, double threadCpuMs) {
    }

    /** Parts and bytes of the live data objects of a table. */
    record Live(List<String> keys, long bytes, long small) {
        double partsPerGb() {
            return bytes == 0 ? Double.NaN : keys.size() / (bytes / 1e9);
        }
    }

    void run() {
        String table = pickTable();
        StoredTable stored = catalog.getTable(table).orElseThrow(() -> new BenchException("no table " + table));
        d.put("table", table).put("target_bytes", TARGET_BYTES).put("scan_runs", SCAN_RUNS);
        Live before = live(table, stored);
        if (before.keys.isEmpty()) {
            throw new BenchException("skipped: the table " + table + " has no live parts");
        }
        d.put("parts_before", before.keys.size()).put("bytes_before", before.bytes).put("small_parts_before", before.small);
        res.put("compaction_parts_per_gb_before", before.partsPerGb());
        Path dir = bench.work().resolve("compaction");
        String bucket = stored.definition().output().bucket();
        try (IcebergCatalogs cats = new IcebergCatalogs(bench.env()); S3Client s3 = AwsClients.s3(bench.env());
                S3FileIO io = S3FileIOs.fromEnv(bench.env())) {
            Publisher publisher = cats.enabled()
                    ? new Publisher(catalog, cats::catalog, cats.defaultNamespace(), "bench-compaction") : null;
            if (publisher == null) {
                res.note("compaction: no Iceberg catalog configured in the stack's environment (" + IcebergCatalogs.ENV_CATALOG
                        + "); Iceberg scans not measured");
            }
            Table ice = publisher == null ? null : publishAll(publisher, stored, "before");
            // -------- before
            Scan duckBefore = duckdb(s3, bucket, before.keys, dir.resolve("before"), "before");
            Scan iceBefore = ice == null ? null : iceberg(ice, "before");
            // -------- one compaction pass
            OsCpu cpu = new OsCpu();
            long th0 = THREADS.getCurrentThreadCpuTime();
            long w0 = System.nanoTime();
            Compactor.Result r = new Compactor(catalog, io, Clock.systemUTC()).pass(stored, TARGET_BYTES);
            double wallS = (System.nanoTime() - w0) / 1e9;
            double thS = (THREADS.getCurrentThreadCpuTime() - th0) / 1e9;
            double procS = cpu.seconds();
            double gb = r.bytesBefore() / 1e9;
            d.put("links", r.links()).put("parts_replaced", r.partsReplaced()).put("rows_rewritten", r.rows())
                    .put("bytes_rewritten", r.bytesBefore()).put("bytes_written", r.bytesAfter())
                    .put("lost_races", r.deletedAfterLostRace()).put("unknown", r.unknown()).put("failed", r.failed())
                    .put("pass_wall_s", Results.round(wallS)).put("pass_cpu_s", Results.round(procS))
                    .put("pass_thread_cpu_s", Results.round(thS));
            if (r.failed() > 0 || r.unknown() > 0) {
                res.note("compaction: the pass had " + r.failed() + " failed and " + r.unknown() + " unknown runs (see the bench log)");
            }
            if (r.bytesBefore() > 0) {
                res.put("compaction_cpu_s_per_gb", procS / gb);
                res.put("compaction_wall_s_per_gb", wallS / gb);
                d.put("pass_thread_cpu_s_per_gb", Results.round(thS / gb))
                        .put("rewritten_mb_per_cpu_s", Results.round(r.bytesBefore() / 1e6 / procS));
            } else {
                res.note("compaction: the pass rewrote nothing (no run of >= 2 contiguous small parts in " + table + ")");
            }
            Live after = live(table, stored);
            d.put("parts_after", after.keys.size()).put("bytes_after", after.bytes).put("small_parts_after", after.small);
            res.put("compaction_parts_per_gb_after", after.partsPerGb());
            // -------- after: the publisher applies the links as one RewriteFiles snapshot
            Table iceAfter = publisher == null ? null : publishAll(publisher, stored, "after");
            Scan duckAfter = duckdb(s3, bucket, after.keys, dir.resolve("after"), "after");
            Scan iceAfterScan = iceAfter == null ? null : iceberg(iceAfter, "after");
            report("duckdb", duckBefore, duckAfter);
            if (iceBefore != null && iceAfterScan != null) {
                report("iceberg", iceBefore, iceAfterScan);
            }
        } finally {
            Bench.deleteTree(dir);
        }
    }

    private void report(String reader, Scan b, Scan a) {
        res.put("compaction_" + reader + "_scan_ms_before", b.wallMs);
        res.put("compaction_" + reader + "_scan_ms_after", a.wallMs);
        d.put(reader + "_scan_cpu_ms_before", Results.round(b.processCpuMs)).put(reader + "_scan_cpu_ms_after", Results.round(a.processCpuMs))
                .put(reader + "_scan_thread_cpu_ms_before", Results.round(b.threadCpuMs))
                .put(reader + "_scan_thread_cpu_ms_after", Results.round(a.threadCpuMs))
                .put(reader + "_rows", a.rows).put(reader + "_sum_amount", String.valueOf(a.sum));
        if (b.rows != a.rows || !Objects.equals(b.sum, a.sum)) {
            res.note("compaction: the " + reader + " scan differs before/after the compaction: " + b.rows + " rows, sum(amount) "
                    + b.sum + " before vs " + a.rows + " rows, " + a.sum + " after");
        }
    }

    // ------------------------------------------------------------------------------ the table

    /** The existing bench table with the most small live parts, else a small 1 s table landed here. */
    private String pickTable() {
        String best = null;
        long bestSmall = -1;
        ArrayNode cand = d.putArray("candidates");
        for (String t : List.of("bench_fresh", "bench_e2e")) {
            var st = catalog.getTable(t);
            if (st.isEmpty()) {
                continue;
            }
            long small = live(t, st.get()).small;
            cand.addObject().put("table", t).put("small_parts", small);
            if (small > bestSmall) {
                best = t;
                bestSmall = small;
            }
        }
        if (best != null && bestSmall >= 2) {
            return best;
        }
        return land();
    }

    /** Neither freshness nor e2e left a table: lands {@code bench_compact} (max_age 1 s) at 5 MB/s. */
    private String land() {
        String table = "bench_compact";
        int seconds = bench.sizes().freshnessSeconds();
        double rate = 5;
        d.put("landed", true).put("landed_rate_mb_s", rate).put("landed_seconds", seconds);
        new LoadProducer(bench.env().get("TRIBUTARY_KAFKA_BOOTSTRAP")).ensureTopic(table, bench.sizes().partitions());
        bench.createTable(table, table, "1s");
        try (Bench.RunningRunner r = bench.startRunner("bench-runner-compact", table, List.of());
                Bench.SteadyProducer prod = bench.new SteadyProducer(table)) {
            r.awaitReady(Duration.ofSeconds(90));
            prod.run(rate, seconds, n -> { });
            bench.awaitCommitted(table, prod.endOffsetTotal(), r.proc(), Duration.ofSeconds(120));
        }
        return table;
    }

    private Live live(String table, StoredTable stored) {
        List<String> keys = new ArrayList<>();
        long bytes = 0;
        long small = 0;
        for (int p : stored.partitions()) {
            for (LiveParts.Part part : LiveParts.of(catalog, table, p)) {
                keys.add(part.object().key());
                bytes += part.object().bytes();
                if (part.object().bytes() < TARGET_BYTES) {
                    small++;
                }
            }
        }
        return new Live(keys, bytes, small);
    }

    // ------------------------------------------------------------------------------ Iceberg

    /** Publishes until nothing is new (first a RewriteFiles for pending links, then appends); returns the table. */
    private Table publishAll(Publisher publisher, StoredTable stored, String phase) {
        try {
            Table t = publisher.table(stored);
            long t0 = System.nanoTime();
            int rounds = 0;
            Publisher.Result r;
            do {
                r = publisher.publish(stored, t);
                rounds++;
            } while (r.outcome() != Publisher.Outcome.NOTHING_NEW && rounds < 20);
            t.refresh();
            d.put("iceberg_publish_ms_" + phase, Results.round((System.nanoTime() - t0) / 1e6))
                    .put("iceberg_publish_rounds_" + phase, rounds)
                    .put("iceberg_data_files_" + phase, dataFiles(t))
                    .put("iceberg_operation_" + phase, t.currentSnapshot() == null ? "none" : t.currentSnapshot().operation());
            if (r.outcome() != Publisher.Outcome.NOTHING_NEW) {
                res.note("compaction: publishing " + stored.name() + " to Iceberg did not settle (" + phase + ": last outcome "
                        + r.outcome() + ")");
            }
            return t;
        } catch (RuntimeException e) {
            res.note("compaction: Iceberg publication of " + stored.name() + " failed (" + phase + "): " + e);
            return null;
        }
    }

    private static long dataFiles(Table t) {
        long n = 0;
        try (CloseableIterable<FileScanTask> tasks = t.newScan().planFiles()) {
            for (FileScanTask task : tasks) {
                DataFile f = task.file();
                n += f == null ? 0 : 1;
            }
        } catch (IOException e) {
            return -1;
        }
        return n;
    }

    private Scan iceberg(Table t, String phase) {
        List<Scan> runs = new ArrayList<>();
        for (int i = 0; i <= SCAN_RUNS; i++) {
            OsCpu cpu = new OsCpu();
            long th0 = THREADS.getCurrentThreadCpuTime();
            long w0 = System.nanoTime();
            long rows = 0;
            BigDecimal sum = BigDecimal.ZERO;
            try (CloseableIterable<Record> it = IcebergGenerics.read(t).build()) {
                for (Record rec : it) {
                    rows++;
                    Object a = rec.getField("amount");
                    if (a instanceof BigDecimal b) {
                        sum = sum.add(b);
                    }
                }
            } catch (IOException e) {
                throw new BenchException("Iceberg scan of " + t.name() + " failed: " + e.getMessage());
            }
            double wall = (System.nanoTime() - w0) / 1e6;
            Scan s = new Scan(rows, sum, wall, cpu.seconds() * 1000, (THREADS.getCurrentThreadCpuTime() - th0) / 1e6);
            if (i > 0) {
                runs.add(s); // run 0 warms up
            }
        }
        return median(runs, "iceberg", phase);
    }

    // ------------------------------------------------------------------------------ DuckDB

    /** Downloads the live parts (as {@code tributary query} does) and scans them with DuckDB. */
    private Scan duckdb(S3Client s3, String bucket, List<String> keys, Path dir, String phase) {
        long t0 = System.nanoTime();
        List<Path> files = download(s3, bucket, keys, dir);
        d.put("duckdb_download_ms_" + phase, Results.round((System.nanoTime() - t0) / 1e6));
        StringBuilder list = new StringBuilder("[");
        for (int i = 0; i < files.size(); i++) {
            list.append(i == 0 ? "" : ", ").append('\'').append(files.get(i).toString().replace("'", "''")).append('\'');
        }
        list.append(']');
        String sql = "SELECT count(*), sum(amount) FROM read_parquet(" + list + ", union_by_name = true)";
        List<Scan> runs = new ArrayList<>();
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement st = db.createStatement()) {
            for (int i = 0; i <= SCAN_RUNS; i++) {
                OsCpu cpu = new OsCpu();
                long th0 = THREADS.getCurrentThreadCpuTime();
                long w0 = System.nanoTime();
                long rows;
                BigDecimal sum;
                try (ResultSet rs = st.executeQuery(sql)) {
                    rs.next();
                    rows = rs.getLong(1);
                    sum = rs.getBigDecimal(2);
                }
                double wall = (System.nanoTime() - w0) / 1e6;
                Scan s = new Scan(rows, sum == null ? null : sum.stripTrailingZeros(), wall, cpu.seconds() * 1000,
                        (THREADS.getCurrentThreadCpuTime() - th0) / 1e6);
                if (i > 0) {
                    runs.add(s);
                }
            }
        } catch (SQLException e) {
            throw new BenchException("DuckDB scan failed: " + e.getMessage().lines().findFirst().orElse(""));
        }
        Bench.deleteTree(dir);
        return median(runs, "duckdb", phase);
    }

    private static List<Path> download(S3Client s3, String bucket, List<String> keys, Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new BenchException("cannot create " + dir + ": " + e.getMessage());
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(4, keys.size())));
        try {
            List<Future<Path>> fs = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
                String k = keys.get(i);
                Path target = dir.resolve(i + "-" + k.substring(k.lastIndexOf('/') + 1));
                fs.add(pool.submit(() -> {
                    s3.getObject(r -> r.bucket(bucket).key(k), target);
                    return target;
                }));
            }
            List<Path> out = new ArrayList<>();
            for (Future<Path> f : fs) {
                out.add(f.get());
            }
            return out;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new BenchException("downloading a live part failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted");
        } finally {
            pool.shutdownNow();
        }
    }

    private Scan median(List<Scan> runs, String reader, String phase) {
        ArrayNode a = d.putArray(reader + "_scan_wall_ms_runs_" + phase);
        runs.forEach(s -> a.add(Results.round(s.wallMs)));
        List<Scan> sorted = new ArrayList<>(runs);
        sorted.sort((x, y) -> Double.compare(x.wallMs, y.wallMs));
        return sorted.get(sorted.size() / 2);
    }

    /** CPU time of this whole JVM (all threads, incl. DuckDB's native ones and the JIT) since construction. */
    private static final class OsCpu {
        private final long start = now();

        static long now() {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                return os.getProcessCpuTime();
            }
            return (long) (ProcStat.cpuSeconds(ProcessHandle.current().pid()) * 1e9);
        }

        double seconds() {
            return (now() - start) / 1e9;
        }
    }
}
