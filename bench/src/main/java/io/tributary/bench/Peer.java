package io.tributary.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.bench.load.LoadProducer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Bench item 7, the peer: the Apache Iceberg Kafka Connect sink ({@code iceberg-kafka-connect},
 * exactly-once through its control topic and coordinator, commit interval 1 s) in a Kafka Connect
 * standalone worker of its own, JDBC catalog on SQLite, S3FileIO against the stack's S3 server, on
 * the same pre-loaded topic as the e2e stage. Measures the worker's CPU-seconds (utime+stime) from
 * "Kafka Connect started" until the table's current snapshot holds every record, and that time.
 * Its classpath comes from {@code bench/peer/pom.xml} (resolved by Maven at bench time).
 */
final class Peer {
    static final String ICEBERG_TABLE = "bench.events";
    private final Bench bench;

    Peer(Bench bench) {
        this.bench = bench;
    }

    void run() {
        Results res = bench.results();
        if (bench.e2eRecords() == 0) {
            throw new BenchException("skipped: the topic " + bench.e2eTopic() + " was not loaded");
        }
        ObjectNode d = res.details("peer");
        Path dir = bench.work().resolve("peer");
        String cp = classpath(dir);
        Map<String, String> env = bench.env();
        String bootstrap = env.get("TRIBUTARY_KAFKA_BOOTSTRAP");
        new LoadProducer(bootstrap).ensureTopic("control-iceberg", 1);
        int restPort = Bench.freePort();
        Path catalogProps = dir.resolve("catalog.properties");
        Path worker = dir.resolve("worker.properties");
        Path connector = dir.resolve("iceberg-sink.properties");
        Path schema = dir.resolve("schema.json");
        Path log4j = dir.resolve("log4j2.properties");
        String catalog = String.join("\n",
                "catalog-impl=org.apache.iceberg.jdbc.JdbcCatalog",
                "uri=jdbc:sqlite:" + dir.resolve("catalog.db"),
                "warehouse=s3://" + env.get("TRIBUTARY_BUCKET") + "/iceberg",
                "io-impl=org.apache.iceberg.aws.s3.S3FileIO",
                "s3.endpoint=" + env.get("TRIBUTARY_S3_ENDPOINT"),
                "s3.path-style-access=true",
                "s3.access-key-id=" + env.get("AWS_ACCESS_KEY_ID"),
                "s3.secret-access-key=" + env.get("AWS_SECRET_ACCESS_KEY"),
                "client.region=" + env.get("AWS_REGION"),
                "");
        StringBuilder conn = new StringBuilder(String.join("\n",
                "name=iceberg-sink",
                "connector.class=org.apache.iceberg.connect.IcebergSinkConnector",
                "tasks.max=1",
                "topics=" + bench.e2eTopic(),
                "iceberg.tables=" + ICEBERG_TABLE,
                "iceberg.tables.auto-create-enabled=false",
                "iceberg.tables.evolve-schema-enabled=false",
                "iceberg.control.topic=control-iceberg",
                "iceberg.control.commit.interval-ms=1000",
                "iceberg.kafka.bootstrap.servers=" + bootstrap,
                ""));
        for (String l : catalog.split("\n")) {
            conn.append("iceberg.catalog.").append(l).append('\n');
        }
        String workerProps = String.join("\n",
                "bootstrap.servers=" + bootstrap,
                "key.converter=org.apache.kafka.connect.storage.StringConverter",
                "value.converter=org.apache.kafka.connect.json.JsonConverter",
                "value.converter.schemas.enable=false",
                "offset.storage.file.filename=" + dir.resolve("connect.offsets"),
                "offset.flush.interval.ms=10000",
                "listeners=http://127.0.0.1:" + restPort,
                "plugin.discovery=only_scan",
                // the same fetch sizes as the raw consumer: the peer is not starved by defaults
                "consumer.max.poll.records=10000",
                "consumer.fetch.max.bytes=67108864",
                "consumer.max.partition.fetch.bytes=8388608",
                "consumer.isolation.level=read_committed",
                "");
        try {
            Files.createDirectories(dir);
            Files.writeString(catalogProps, catalog);
            Files.writeString(connector, conn.toString());
            Files.writeString(worker, workerProps);
            Files.writeString(schema, BenchTable.icebergSchemaJson());
            Files.writeString(log4j, String.join("\n", "status = error", "appender.console.type = Console",
                    "appender.console.name = STDOUT", "appender.console.layout.type = PatternLayout",
                    "appender.console.layout.pattern = [%d] %p %m (%c)%n", "rootLogger.level = WARN",
                    "rootLogger.appenderRef.stdout.ref = STDOUT", "logger.connect.name = org.apache.kafka.connect.runtime.Connect",
                    "logger.connect.level = INFO", "logger.iceberg.name = org.apache.iceberg.connect", "logger.iceberg.level = INFO",
                    ""));
        } catch (IOException e) {
            throw new BenchException("cannot write the peer's config under " + dir + ": " + e.getMessage());
        }
        List<String> jvm = new ArrayList<>(Bench.jvmOpts("TRIBUTARY_BENCH_PEER_OPTS", "-Xmx1g"));
        try (ChildProcess create = ChildProcess.start("peer-create", ChildProcess.javaCmd(jvm, cp, "io.tributary.peer.PeerProbe",
                "create", "--catalog-props", catalogProps.toString(), "--table", ICEBERG_TABLE, "--schema-json",
                schema.toString()), Map.of(), bench.work().resolve("logs/peer-create.log"))) {
            if (create.await(Duration.ofSeconds(120)) != 0) {
                throw new BenchException("creating the Iceberg table failed; last lines of " + create.log + ":\n" + create.tail(20));
            }
        }
        List<String> wjvm = new ArrayList<>(jvm);
        wjvm.add("-Dlog4j2.configurationFile=" + log4j);
        ChildProcess w = ChildProcess.start("peer-connect", ChildProcess.javaCmd(wjvm, cp,
                "org.apache.kafka.connect.cli.ConnectStandalone", worker.toString(), connector.toString()), Map.of(),
                bench.work().resolve("logs/peer-connect.log"));
        Sampler s = new Sampler(w, null, 250);
        ChildProcess probe = null;
        try {
            long ready = awaitLog(w, "Kafka Connect started", Duration.ofSeconds(180));
            // at least 1 s per MB: the peer is far slower than the runner
            long timeoutS = Math.max(bench.sizes().stageTimeoutSeconds(), bench.e2eInputBytes() / 1_000_000);
            probe = ChildProcess.start("peer-probe", ChildProcess.javaCmd(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"), cp,
                    "io.tributary.peer.PeerProbe", "watch", "--catalog-props", catalogProps.toString(), "--table", ICEBERG_TABLE,
                    "--target", String.valueOf(bench.e2eRecords()), "--timeout-s",
                    String.valueOf(timeoutS)), Map.of(), bench.work().resolve("logs/peer-probe.log"));
            long done;
            double mb = bench.e2eInputBytes() / 1e6;
            try {
                done = awaitDone(probe, w, Duration.ofSeconds(timeoutS + 30));
            } catch (BenchException e) {
                // partial: rate over what became visible so far; time to visible stays null
                long[] last = lastProbe(probe);
                if (last == null || last[1] == 0) {
                    throw e;
                }
                Bench.threadCpu(w, d);
                double visibleMb = last[1] * (bench.e2eInputBytes() / (double) bench.e2eRecords()) / 1e6;
                double rate = visibleMb / (s.cpuAt(last[0]) - s.cpuAt(ready));
                res.put("peer_mb_per_cpu_s", rate);
                Double ours = res.get("e2e_mb_per_cpu_s");
                if (ours != null) {
                    res.put("ratio_to_peer", ours / rate);
                }
                d.put("visible_records_at_timeout", last[1]).put("visible_mb_at_timeout", Results.round(visibleMb));
                res.note("peer: not every record was visible within " + timeoutS + " s; peer_mb_per_cpu_s is over the "
                        + Results.round(visibleMb) + " MB visible by then, peer_time_to_visible_s is null");
                series(probe, w.startedAtMillis, res);
                snapshotIntervals(probe, res, d);
                return;
            }
            Bench.threadCpu(w, d);
            double cpuReady = s.cpuAt(ready);
            double cpuDone = s.cpuAt(done);
            res.put("peer_mb_per_cpu_s", mb / (cpuDone - cpuReady));
            res.put("peer_time_to_visible_s", (done - w.startedAtMillis) / 1000.0);
            Double ours = res.get("e2e_mb_per_cpu_s");
            if (ours != null) {
                res.put("ratio_to_peer", ours / (mb / (cpuDone - cpuReady)));
            }
            d.put("input_mb", Results.round(mb)).put("worker_cpu_s_after_ready", Results.round(cpuDone - cpuReady))
                    .put("worker_cpu_s_startup", Results.round(cpuReady))
                    .put("peer_mb_per_cpu_s_incl_startup", Results.round(mb / cpuDone))
                    .put("ready_after_s", Results.round((ready - w.startedAtMillis) / 1000.0))
                    .put("wall_mb_s_after_ready", Results.round(mb / ((done - ready) / 1000.0)))
                    .put("worker_peak_rss_mb", Results.round(w.peakRssMb()))
                    .put("iceberg", "iceberg-kafka-connect " + icebergVersion() + ", commit interval 1 s, JDBC catalog on SQLite,"
                            + " S3FileIO, Parquet zstd, unpartitioned");
            series(probe, w.startedAtMillis, res);
            snapshotIntervals(probe, res, d);
        } finally {
            if (probe != null) {
                probe.stop(Duration.ofSeconds(5));
            }
            s.close();
            w.stop(Duration.ofSeconds(20));
        }
    }

    private String icebergVersion() {
        try {
            String pom = Files.readString(bench.home().resolve("bench/peer/pom.xml"));
            int i = pom.indexOf("<iceberg.version>");
            return pom.substring(i + 17, pom.indexOf('<', i + 17));
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /**
     * The sink's snapshot cadence from the probe's {@code SNAPS} line (its snapshots' commit times):
     * {@code peer_snapshot_interval_s} (median gap) and in details the max and count. A row waits for
     * the next commit after its file is written, so the peer's own freshness is at least about this
     * interval (up to it, plus the commit) — the same order as ours at {@code commit_interval}.
     */
    private static void snapshotIntervals(ChildProcess probe, Results res, ObjectNode d) {
        List<Long> times = new ArrayList<>();
        // the probe prints SNAPS just after DONE
        long deadline = System.currentTimeMillis() + 10_000;
        try {
            while (probe.alive() && !Files.readString(probe.log).contains("SNAPS") && System.currentTimeMillis() < deadline) {
                Bench.sleep(100);
            }
            for (String l : Files.readAllLines(probe.log)) {
                if (l.startsWith("SNAPS")) {
                    times.clear();
                    for (String f : l.substring(5).trim().split(" ")) {
                        if (!f.isEmpty()) {
                            times.add(Long.parseLong(f));
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return;
        }
        d.put("snapshots", times.size());
        if (times.size() < 2) {
            res.note("peer: " + times.size() + " Iceberg snapshot(s) for the whole drain (commit interval 1 s configured), so"
                    + " no snapshot interval: while it had a backlog the sink made nothing visible until the end");
            return;
        }
        IcebergFreshness.intervals(times, d, "snapshot_interval");
        res.put("peer_snapshot_interval_s", d.path("snapshot_interval_p50_s").asDouble());
    }

    private void series(ChildProcess probe, long t0, Results res) {
        ArrayNode rows = res.series("peer_throughput", "t_s", "mb_s", "cum_mb");
        double avg = bench.e2eInputBytes() / (double) bench.e2eRecords();
        long prevT = t0;
        long prevR = 0;
        rows.addArray().add(0).add(0).add(0);
        try {
            for (String l : Files.readAllLines(probe.log)) {
                if (!l.startsWith("PROBE ")) {
                    continue;
                }
                String[] f = l.split(" ");
                long t = Long.parseLong(f[1]);
                long r = Long.parseLong(f[2]);
                double rate = (r - prevR) * avg / 1e6 / Math.max(0.001, (t - prevT) / 1000.0);
                rows.addArray().add(Results.round((t - t0) / 1000.0)).add(Results.round(rate)).add(Results.round(r * avg / 1e6));
                prevT = t;
                prevR = r;
            }
        } catch (IOException | RuntimeException ignored) {
            // the series is decoration
        }
    }

    /** {epoch ms, records} of the probe's last snapshot line, or null. */
    private static long[] lastProbe(ChildProcess probe) {
        long[] last = null;
        try {
            for (String l : Files.readAllLines(probe.log)) {
                if (l.startsWith("PROBE ")) {
                    String[] f = l.split(" ");
                    last = new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])};
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // none
        }
        return last;
    }

    /** Resolves (and compiles) bench/peer with the repo's Maven wrapper; returns the peer's classpath. */
    private String classpath(Path dir) {
        Path home = bench.home();
        Path pom = home.resolve("bench/peer/pom.xml");
        Path out = dir.resolve("peer.classpath");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new BenchException(e.getMessage());
        }
        Path log = bench.work().resolve("logs/peer-maven.log");
        List<String> cmd = List.of(home.resolve("mvnw").toString(), "-B", "-q", "-f", pom.toString(), "package",
                "dependency:build-classpath", "-Dmdep.outputFile=" + out);
        ChildProcess mvn = ChildProcess.start("peer-maven", cmd, Map.of(), log);
        int rc = mvn.await(Duration.ofMinutes(10));
        if (rc != 0 || !Files.exists(out)) {
            throw new BenchException("resolving the peer's classpath failed (" + String.join(" ", cmd) + "); last lines of " + log
                    + ":\n" + mvn.tail(15));
        }
        try {
            Path jar;
            try (var files = Files.list(home.resolve("bench/peer/target"))) {
                jar = files.filter(p -> p.getFileName().toString().endsWith(".jar")).findFirst()
                        .orElseThrow(() -> new BenchException("bench/peer/target has no jar after package"));
            }
            return jar + ":" + Files.readString(out).trim();
        } catch (IOException e) {
            throw new BenchException("cannot read " + out + ": " + e.getMessage());
        }
    }

    private static long awaitLog(ChildProcess p, String needle, Duration timeout) {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (System.currentTimeMillis() < deadline) {
            if (!p.alive()) {
                throw new BenchException(p.name + " exited (" + p.process.exitValue() + ") during start; last lines of " + p.log
                        + ":\n" + p.tail(30));
            }
            try {
                if (Files.readString(p.log).contains(needle)) {
                    return System.currentTimeMillis();
                }
            } catch (IOException ignored) {
                // not yet
            }
            Bench.sleep(100);
        }
        throw new BenchException(p.name + " did not log '" + needle + "' within " + timeout.toSeconds() + " s; last lines of "
                + p.log + ":\n" + p.tail(30));
    }

    private static long awaitDone(ChildProcess probe, ChildProcess worker, Duration timeout) {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (System.currentTimeMillis() < deadline) {
            try {
                for (String l : Files.readAllLines(probe.log)) {
                    if (l.startsWith("DONE ")) {
                        return Long.parseLong(l.split(" ")[1]);
                    }
                }
            } catch (IOException ignored) {
                // not yet
            }
            if (!worker.alive()) {
                throw new BenchException("the Connect worker exited (" + worker.process.exitValue() + "); last lines of "
                        + worker.log + ":\n" + worker.tail(30));
            }
            if (!probe.alive()) {
                throw new BenchException("the probe stopped before every record was visible; last lines of " + probe.log + ":\n"
                        + probe.tail(5) + "\nworker log " + worker.log + ":\n" + worker.tail(30));
            }
            Bench.sleep(200);
        }
        throw new BenchException("not every record was visible in " + ICEBERG_TABLE + " within " + timeout.toSeconds()
                + " s; worker log " + worker.log + ":\n" + worker.tail(30));
    }

}
