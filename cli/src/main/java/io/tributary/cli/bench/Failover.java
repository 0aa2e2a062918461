package io.tributary.cli.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.catalog.CommitRecord;
import io.tributary.cli.load.LoadProducer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Bench item 5: SIGKILL a runner under steady load, N times, and time how long until every
 * partition it held commits again (a commit record newer than the kill, written by another runner).
 *
 * <p>The runner does not attach to the scheduler yet ({@code RunnerMain}: "scheduler attachment is
 * not wired yet"), so this measures the static fallback: the killed runner is replaced at once by a
 * new runner process on the same partitions, and the time includes that JVM's start. With the
 * scheduler and 2+ runners the same measurement applies to the survivor taking over.
 */
final class Failover {
    private final Bench bench;

    Failover(Bench bench) {
        this.bench = bench;
    }

    void run() {
        Results res = bench.results();
        ObjectNode d = res.details("failover");
        Sizes sizes = bench.sizes();
        Double wall = res.get("e2e_wall_mb_s");
        double rate = wall != null ? wall / 4 : 2;
        String topic = "bench_failover";
        String table = "bench_failover";
        new LoadProducer(bench.env().get("TRIBUTARY_KAFKA_BOOTSTRAP")).ensureTopic(topic, sizes.partitions());
        bench.createTable(table, topic, "1s");
        d.put("mode", "static restart: the killed runner is replaced by a new runner process (the runner does not attach to"
                + " the scheduler yet); time = kill -> every partition has a commit by the new runner");
        d.put("rate_mb_s", Results.round(rate)).put("kills", sizes.failoverKills());
        res.note("failover: measured as a static restart (kill -9, start a new runner on the same partitions, time to the"
                + " next commit of every partition) because the runner cannot attach to the scheduler yet; includes JVM start");
        List<Double> times = new ArrayList<>();
        ArrayNode each = d.putArray("each");
        Bench.RunningRunner current = null;
        try (Bench.SteadyProducer prod = bench.new SteadyProducer(topic)) {
            current = bench.startRunner("bench-runner-fo-0", table, List.of());
            current.awaitReady(Duration.ofSeconds(90));
            Thread load = new Thread(() -> {
                try {
                    prod.run(rate, 3600, n -> { });
                } catch (RuntimeException e) {
                    // stopped by close() at the end of the stage
                }
            }, "bench-failover-load");
            load.setDaemon(true);
            load.start();
            // wait until every partition has committed at least once (the runner is really running)
            awaitAllCommittedAfter(table, 0, null, Duration.ofSeconds(120));
            for (int k = 1; k <= sizes.failoverKills(); k++) {
                Bench.sleep(sizes.freshnessWarmupSeconds() * 1000L);
                String killedId = "bench-runner-fo-" + (k - 1);
                Map<Integer, Long> seqAtKill = new HashMap<>();
                for (int p = 0; p < sizes.partitions(); p++) {
                    seqAtKill.put(p, bench.catalog().head(table, p).map(CommitRecord::seq).orElse(0L));
                }
                long killAt = System.currentTimeMillis();
                current.proc().kill9();
                current.sampler().close();
                String nextId = "bench-runner-fo-" + k;
                current = bench.startRunner(nextId, table, List.of());
                Map<Integer, Long> back = awaitAllCommittedAfter(table, killAt, nextId, Duration.ofSeconds(120));
                // the head may already be a later commit: take the new runner's first one
                for (int p = 0; p < sizes.partitions(); p++) {
                    for (CommitRecord c : bench.catalog().records(table, p, seqAtKill.get(p) + 1, Long.MAX_VALUE, 1000)) {
                        if (nextId.equals(c.writer())) {
                            back.put(p, c.committedAt());
                            break;
                        }
                    }
                }
                long last = back.values().stream().mapToLong(Long::longValue).max().orElse(killAt);
                double s = (last - killAt) / 1000.0;
                times.add(s);
                ObjectNode e = each.addObject().put("killed", killedId).put("replacement", nextId).put("seconds", Results.round(s));
                ObjectNode per = e.putObject("partition_s");
                back.forEach((p, t) -> per.put(String.valueOf(p), Results.round((t - killAt) / 1000.0)));
                System.err.printf("bench: failover %d: every partition committed again after %.2f s%n", k, s);
            }
        } finally {
            if (current != null) {
                current.close();
            }
        }
        times.sort(null);
        res.put("failover_p50_s", times.get((times.size() - 1) / 2));
        res.put("failover_max_s", times.get(times.size() - 1));
    }

    /** Waits until each partition's head was committed after {@code afterMillis} (by {@code writer} when given). */
    private Map<Integer, Long> awaitAllCommittedAfter(String table, long afterMillis, String writer, Duration timeout) {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        Map<Integer, Long> at = new HashMap<>();
        int parts = bench.sizes().partitions();
        while (System.currentTimeMillis() < deadline) {
            for (int p = 0; p < parts; p++) {
                if (at.containsKey(p)) {
                    continue;
                }
                Optional<CommitRecord> h = bench.catalog().head(table, p);
                if (h.isPresent() && !h.get().isGenesis() && h.get().committedAt() > afterMillis
                        && (writer == null || writer.equals(h.get().writer()))) {
                    at.put(p, h.get().committedAt());
                }
            }
            if (at.size() == parts) {
                return at;
            }
            Bench.sleep(50);
        }
        throw new BenchException(table + ": only partitions " + at.keySet() + " committed again within " + timeout.toSeconds() + " s");
    }
}
