package io.tributary.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.bench.load.LoadProducer;
import io.tributary.catalog.Assignment;
import io.tributary.catalog.CommitRecord;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipFile;

/**
 * Bench item 5: SIGKILL a runner under steady load, N times, and time how long until every
 * partition it held commits again (the first commit record after the kill written by another
 * runner). Two modes:
 * <ul>
 * <li><b>scheduler</b> (when the scheduler is built and the runner can attach): one scheduler, two
 * attached runners; the scheduler notices the dead runner (heartbeats) and moves its partitions to
 * the survivor. A replacement runner is started after each kill so two stay attached.</li>
 * <li><b>static restart</b> (fallback): the killed runner is replaced by a new runner process on the
 * same partitions; the time includes that JVM's start.</li>
 * </ul>
 */
final class Failover {
    private final Bench bench;
    private final List<Bench.RunningRunner> runners = new ArrayList<>();

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
        String why = schedulerUnavailable();
        boolean viaScheduler = why == null;
        if (viaScheduler) {
            d.put("mode", "scheduler: 1 scheduler + 2 attached runners; kill -9 one; time = kill -> every partition it held"
                    + " has a commit by another runner");
        } else {
            d.put("mode", "static restart: the killed runner is replaced by a new runner process on the same partitions;"
                    + " time = kill -> every partition has a commit by the new runner (includes JVM start)");
            res.note("failover: measured as a static restart (kill -9, start a new runner on the same partitions) because "
                    + why);
        }
        d.put("rate_mb_s", Results.round(rate)).put("kills", sizes.failoverKills());
        List<Double> times = new ArrayList<>();
        ArrayNode each = d.putArray("each");
        ChildProcess scheduler = null;
        int nextId = 0;
        try (Bench.SteadyProducer prod = bench.new SteadyProducer(topic)) {
            if (viaScheduler) {
                scheduler = startScheduler();
                runners.add(bench.startRunner("bench-runner-fo-" + nextId++, null, List.of()));
                runners.add(bench.startRunner("bench-runner-fo-" + nextId++, null, List.of()));
            } else {
                runners.add(bench.startRunner("bench-runner-fo-" + nextId++, table, List.of()));
            }
            for (Bench.RunningRunner r : runners) {
                r.awaitReady(Duration.ofSeconds(120));
                if (viaScheduler) {
                    awaitAttached(scheduler, r.proc().name, res);
                }
            }
            Thread load = new Thread(() -> {
                try {
                    prod.run(rate, 3600, n -> { });
                } catch (RuntimeException e) {
                    // ends when the producer is closed at the end of the stage
                }
            }, "bench-failover-load");
            load.setDaemon(true);
            load.start();
            awaitAllCommittedAfter(table, 0, Set.of(), allPartitions(), Duration.ofSeconds(180));
            for (int k = 1; k <= sizes.failoverKills(); k++) {
                Bench.sleep(Math.max(2, sizes.freshnessWarmupSeconds()) * 1000L);
                Bench.RunningRunner victim;
                Set<Integer> moved;
                if (viaScheduler) {
                    Map<Integer, String> owners = owners(table);
                    victim = runners.stream().filter(r -> owners.containsValue(r.proc().name)).findFirst()
                            .orElseThrow(() -> new BenchException("no live runner owns a partition of " + table + ": " + owners));
                    moved = new TreeSet<>();
                    owners.forEach((p, o) -> {
                        if (o.equals(victim.proc().name)) {
                            moved.add(p);
                        }
                    });
                } else {
                    victim = runners.get(0);
                    moved = allPartitions();
                }
                Map<Integer, Long> seqAtKill = new HashMap<>();
                for (int p : moved) {
                    seqAtKill.put(p, bench.catalog().head(table, p).map(CommitRecord::seq).orElse(0L));
                }
                long killAt = System.currentTimeMillis();
                victim.proc().kill9();
                victim.sampler().close();
                runners.remove(victim);
                Bench.RunningRunner replacement = bench.startRunner("bench-runner-fo-" + nextId++, viaScheduler ? null : table,
                        List.of());
                runners.add(replacement);
                Set<String> notBy = Set.of(victim.proc().name);
                Map<Integer, Long> back = awaitAllCommittedAfter(table, killAt, notBy, moved, Duration.ofSeconds(120));
                // the head may already be a later commit: take the first one after the kill by another runner
                for (int p : moved) {
                    for (CommitRecord c : bench.catalog().records(table, p, seqAtKill.get(p) + 1, Long.MAX_VALUE, 1000)) {
                        if (!notBy.contains(c.writer())) {
                            back.put(p, c.committedAt());
                            break;
                        }
                    }
                }
                long last = back.values().stream().mapToLong(Long::longValue).max().orElse(killAt);
                double s = (last - killAt) / 1000.0;
                times.add(s);
                ObjectNode e = each.addObject().put("killed", victim.proc().name).put("seconds", Results.round(s));
                ObjectNode per = e.putObject("partition_s");
                back.forEach((p, t) -> per.put(String.valueOf(p), Results.round((t - killAt) / 1000.0)));
                System.err.printf("bench: failover %d: partitions %s of %s committed again after %.2f s%n", k, moved,
                        victim.proc().name, s);
                if (viaScheduler) {
                    // the next victim's partitions need somewhere to go: the replacement must be attached
                    replacement.awaitReady(Duration.ofSeconds(120));
                    awaitAttached(scheduler, replacement.proc().name, res);
                }
            }
        } finally {
            for (Bench.RunningRunner r : runners) {
                r.close();
            }
            if (scheduler != null) {
                scheduler.stop(Duration.ofSeconds(15));
            }
        }
        times.sort(null);
        res.put("failover_p50_s", times.get((times.size() - 1) / 2));
        res.put("failover_max_s", times.get(times.size() - 1));
    }

    private Set<Integer> allPartitions() {
        Set<Integer> all = new TreeSet<>();
        for (int p = 0; p < bench.sizes().partitions(); p++) {
            all.add(p);
        }
        return all;
    }

    private Map<Integer, String> owners(String table) {
        return bench.catalog().assignment(table).map(Assignment::owners).map(LinkedHashMap::new).orElseGet(LinkedHashMap::new);
    }

    /**
     * Waits until the scheduler logs that runner {@code id} attached (its "runner ID: attached" line);
     * after 60 s goes on with a note (the log format may have changed).
     */
    private static void awaitAttached(ChildProcess scheduler, String id, Results res) {
        String needle = "runner " + id + ": attached";
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (Files.readString(scheduler.log).contains(needle)) {
                    return;
                }
            } catch (IOException ignored) {
                // not yet
            }
            Bench.sleep(100);
        }
        res.note("failover: the scheduler log never said '" + needle + "' within 60 s; going on");
    }

    /** Null when the scheduler mode can run, else why not. */
    private String schedulerUnavailable() {
        String missing = schedulerMissing(bench);
        if (missing != null) {
            return missing;
        }
        try {
            Path app;
            try (var files = Files.list(bench.runnerApp().resolve("app"))) {
                app = files.filter(f -> f.toString().endsWith(".jar")).findFirst().orElse(null);
            }
            if (app == null) {
                return "the runner is not built";
            }
            try (ZipFile z = new ZipFile(app.toFile())) {
                if (z.getEntry("io/tributary/runner/attach/AttachLoop.class") == null) {
                    return "the runner cannot attach to the scheduler yet (no io.tributary.runner.attach.AttachLoop)";
                }
            }
        } catch (IOException e) {
            return "cannot inspect the runner: " + e.getMessage();
        }
        return null;
    }

    /** Null when the scheduler is built, else why not. */
    static String schedulerMissing(Bench bench) {
        Path jar = bench.home().resolve("scheduler/target/quarkus-app/quarkus-run.jar");
        return Files.exists(jar) ? null : "the scheduler is not built (" + jar + " missing)";
    }

    private ChildProcess startScheduler() {
        return startScheduler(bench, "bench-scheduler", Map.of());
    }

    /** A scheduler process (no scaler: the bench starts the runners) with {@code extraEnv} over the stack's; waits until ready. */
    static ChildProcess startScheduler(Bench bench, String id, Map<String, String> extraEnv) {
        int grpc = Bench.freePort();
        int http = Bench.freePort();
        List<String> cmd = new ArrayList<>();
        cmd.add(ChildProcess.java());
        cmd.addAll(Bench.jvmOpts("TRIBUTARY_BENCH_SCHEDULER_OPTS", "-Xmx512m"));
        cmd.addAll(List.of("-jar", bench.home().resolve("scheduler/target/quarkus-app/quarkus-run.jar").toString(), "--id",
                id, "--grpc-port", String.valueOf(grpc), "--http-port", String.valueOf(http), "--advertise",
                "127.0.0.1"));
        Map<String, String> env = new HashMap<>(bench.env());
        env.putAll(extraEnv);
        ChildProcess s = ChildProcess.start(id, cmd, env, bench.work().resolve("logs/" + id + ".log"));
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            if (!s.alive()) {
                throw new BenchException("the scheduler exited during start; last lines of " + s.log + ":\n" + s.tail(25));
            }
            try {
                HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return s;
                }
            } catch (IOException ignored) {
                // not yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BenchException("interrupted");
            }
            Bench.sleep(200);
        }
        s.stop(Duration.ofSeconds(5));
        throw new BenchException("the scheduler was not ready within 120 s; last lines of " + s.log + ":\n" + s.tail(25));
    }

    /** Waits until each partition of {@code parts} has a head committed after {@code afterMillis} by a writer not in {@code notBy}. */
    private Map<Integer, Long> awaitAllCommittedAfter(String table, long afterMillis, Set<String> notBy, Set<Integer> parts,
            Duration timeout) {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        Map<Integer, Long> at = new HashMap<>();
        while (System.currentTimeMillis() < deadline) {
            for (int p : parts) {
                if (at.containsKey(p)) {
                    continue;
                }
                Optional<CommitRecord> h = bench.catalog().head(table, p);
                if (h.isPresent() && !h.get().isGenesis() && h.get().committedAt() > afterMillis
                        && !notBy.contains(h.get().writer())) {
                    at.put(p, h.get().committedAt());
                }
            }
            if (at.keySet().containsAll(parts)) {
                return at;
            }
            Bench.sleep(50);
        }
        throw new BenchException(table + ": only partitions " + at.keySet() + " of " + parts + " committed again within "
                + timeout.toSeconds() + " s");
    }
}
