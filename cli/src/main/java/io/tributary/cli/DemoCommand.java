package io.tributary.cli;

import io.tributary.api.v1.CreateTableRequest;
import io.tributary.api.v1.GetStatusRequest;
import io.tributary.bench.load.EventGenerator;
import io.tributary.bench.load.LoadProducer;
import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.DynamoCatalog;
import io.tributary.catalog.Lease;
import io.tributary.catalog.TableDefinition;
import io.tributary.catalog.TableDefinitions;
import io.tributary.iceberg.ChainHeads;
import io.tributary.iceberg.IcebergCatalogs;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tributary demo}: the whole path on the local stack, start to proof. Starts the local
 * stack, a scheduler and two runners (child processes, logs in {@code .tributary/demo/}), creates
 * the sample table from {@code examples/clicks.yaml}, produces events with a few malformed ones,
 * shows progress until every offset is committed, then prints the counts, throughput, freshness,
 * the deep audit's verdict and a sample query; finally shuts everything down (unless --keep).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run everything locally and prove it landed exactly once.",
            "Starts the local stack, a scheduler and two runners (logs in .tributary/demo/), creates the sample table "
                + "(examples/clicks.yaml), produces 1,000,000 events with a few malformed ones, waits until everything is "
                + "committed, then prints rows, parts, dead letters, throughput, freshness, the deep audit's verdict and a "
                + "sample query; then waits until the Iceberg snapshot covers the chain heads and reads the Iceberg table back "
                + "with Iceberg's own reader (row count and the same sample query). Exit 0 only when the audit (chains, parts "
                + "and Iceberg) is exact and the Iceberg rows agree with the chain."})
public class DemoCommand implements Callable<Integer> {
    @Option(names = "--events", defaultValue = "1000000", paramLabel = "N", description = "Events to produce (default ${DEFAULT-VALUE})")
    long events;
    @Option(names = "--bad-ratio", defaultValue = "0.0001", paramLabel = "X", description = "Fraction of malformed events (default ${DEFAULT-VALUE})")
    double badRatio;
    @Option(names = "--partitions", defaultValue = "4", paramLabel = "P", description = "Partitions of the demo topic (default ${DEFAULT-VALUE})")
    int partitions;
    @Option(names = "--runners", defaultValue = "2", description = "Runners to start (default ${DEFAULT-VALUE})")
    int runners;
    @Option(names = "--keep", description = "Leave the stack, the scheduler and the runners running (stop them with `tributary demo --stop`).")
    boolean keep;
    @Option(names = "--stop", description = "Stop what a `demo --keep` left running (runners drain first), then the local stack.")
    boolean stop;
    @Option(names = "--timeout", defaultValue = "900", paramLabel = "SECONDS", description = "Give up when not all committed by then (default ${DEFAULT-VALUE})")
    long timeoutSeconds;

    private final PrintStream out = System.out;
    private final boolean tty = System.console() != null;
    private final List<ChildService> children = new ArrayList<>();

    /** {@code p} relative to the repo when it is inside it (the default), else as it is. */
    private static Path shown(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        return abs.startsWith(Home.repoRoot()) ? Home.repoRoot().relativize(abs) : abs;
    }

    static Path demoDir() {
        return Home.stateDir().resolve("demo");
    }

    @Override
    public Integer call() throws Exception {
        if (stop) {
            return stopKept();
        }
        validate();
        Path root = Home.repoRoot();
        Path yaml = root.resolve("examples/clicks.yaml");
        Path runnerJar = AppCommand.requireJar("task-runner");
        Path schedulerJar = AppCommand.requireJar("scheduler");
        if (!Files.isRegularFile(yaml)) {
            throw new CliException(yaml + " is missing (the demo's table definition)");
        }
        Thread hook = new Thread(this::stopChildren, "demo-shutdown");
        if (!keep) {
            Runtime.getRuntime().addShutdownHook(hook);
        }
        boolean stackWasRunning = io.tributary.infra.LocalStack.detached(LocalCommand.stackDir(),
                io.tributary.infra.LocalStack.Ports.any()).status().size() == io.tributary.infra.LocalStack.Server.values().length;
        boolean ok = false;
        try {
            ok = run(yaml, runnerJar, schedulerJar);
        } finally {
            if (!keep) {
                step("shutting down: runners drain (SIGTERM), scheduler stops" + (stackWasRunning ? "" : ", local down"));
                stopChildren();
                if (stackWasRunning) {
                    out.println("  the local stack was running before the demo: left running (`tributary local down` stops it)");
                } else {
                    new LocalCommand.Down().call();
                }
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // already shutting down
                }
            } else {
                writePids();
                out.println();
                out.println("left running (--keep): scheduler and runners (pids in " + demoDir().resolve("pids")
                        + "), the local stack; logs in " + demoDir());
                out.println("try: ./tributary status   ./tributary query <table> \"SELECT count(*) FROM <table>\"   ./tributary demo --stop");
            }
        }
        return ok ? 0 : AuditCommand.NOT_EXACT;
    }

    void validate() {
        if (events < 1) {
            throw new CliException("--events must be >= 1, got " + events);
        }
        if (!(badRatio >= 0 && badRatio <= 1)) {
            throw new CliException("--bad-ratio must be between 0 and 1, got " + badRatio);
        }
        if (partitions < 1 || runners < 1) {
            throw new CliException("--partitions and --runners must be >= 1");
        }
        if (keep && stop) {
            throw new CliException("--keep and --stop exclude each other");
        }
    }

    private static String port() {
        return Integer.toString(io.tributary.catalog.ListenPorts.reserve());
    }

    private boolean run(Path yaml, Path runnerJar, Path schedulerJar) throws Exception {
        long t0 = System.nanoTime();
        step("starting the local stack (Kafka KRaft broker, DynamoDB-API, S3-API)");
        Map<String, String> stackEnv = LocalCommand.Up.up(io.tributary.infra.LocalStack.Ports.any());
        Map<String, String> env = Home.env();
        env.putAll(stackEnv);
        out.printf("  kafka %s, dynamodb %s, s3 %s%n", stackEnv.get("TRIBUTARY_KAFKA_BOOTSTRAP"),
                stackEnv.get("TRIBUTARY_DYNAMODB_ENDPOINT"), stackEnv.get("TRIBUTARY_S3_ENDPOINT"));

        Files.createDirectories(demoDir());
        step("starting a scheduler and " + runners + " runners (logs in " + shown(demoDir()) + ")");
        List<String> jvm = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
        // Every child gets its own reserved port (never port 0: two children binding 0 at once can meet).
        ChildService scheduler = ChildService.start("scheduler", schedulerJar, jvm,
                List.of("--id", "demo-scheduler", "--grpc-port", port(), "--http-port", port()), stackEnv,
                demoDir().resolve("scheduler.log"));
        children.add(scheduler);
        for (int i = 1; i <= runners; i++) {
            children.add(ChildService.start("runner-" + i, runnerJar, List.of("-XX:+UseParallelGC"),
                    List.of("--id", "demo-runner-" + i, "--http-port", port()), stackEnv,
                    demoDir().resolve("runner-" + i + ".log")));
        }
        String leader = waitForLeader(env, scheduler);
        out.println("  scheduler leader at " + leader);
        try (SchedulerClient sc = SchedulerClient.connect(leader, env)) {
            waitForRunners(sc);
            out.println("  " + runners + " runners attached");

            TableDefinition base = TableCommand.readDefinition(yaml, env);
            String name;
            try (CatalogAccess c = new CatalogAccess(env)) {
                name = freeName(c.catalog, base.name());
            }
            TableDefinition def = base.toBuilder().name(name)
                    .source(new TableDefinition.Source(base.source().bootstrap(), name, base.source().start())).build();
            LoadProducer lp = new LoadProducer(stackEnv.get("TRIBUTARY_KAFKA_BOOTSTRAP"));
            int parts = lp.ensureTopic(name, partitions);
            var info = sc.call("CreateTable", s -> s.createTable(CreateTableRequest.newBuilder()
                    .setDefinitionJson(TableDefinitions.toJson(def)).build()));
            step("created table " + TableCommand.describe(info) + " from examples/clicks.yaml, topic " + name + " ("
                    + parts + " partitions)");
            requireIceberg(env);
            out.print("  ");
            TableCommand.Create.createIceberg(env, def);

            long bad = EventGenerator.badCount(events, badRatio);
            step(String.format("producing %,d events (%,d malformed) and landing them", events, bad));
            AtomicLong acked = new AtomicLong();
            AtomicReference<Object> produced = new AtomicReference<>();
            long produceStart = System.nanoTime();
            Thread producer = new Thread(() -> {
                try {
                    produced.set(lp.produce(name, events, 0, new EventGenerator(42, badRatio), acked::set));
                } catch (RuntimeException e) {
                    produced.set(e);
                }
            }, "demo-producer");
            producer.setDaemon(true);
            producer.start();
            long landedNanos = watchProgress(env, name, parts, acked, produced, produceStart);
            producer.join();
            LoadProducer.Stats ps = (LoadProducer.Stats) produced.get();
            double landSeconds = (landedNanos - produceStart) / 1e9;

            step("waiting for the Iceberg snapshot to cover the chain heads (the scheduler leader publishes every "
                    + def.iceberg().commitIntervalMillis() / 1000.0 + " s)");
            IcebergWait published = waitForIceberg(env, name);
            out.printf("  Iceberg table %s: snapshot %d covers the chain heads %s (waited %.1f s)%n",
                    published.id, published.snapshotId, published.heads, published.waitedNanos / 1e9);

            step("auditing (deep: reading every committed part and dead-letter object back from S3, and the Iceberg snapshot)");
            AuditCommand.Outcome audit = AuditCommand.audit(env, name, true, null);
            DeepAudit.Result d = audit.deep();
            long rows = audit.report().rows();
            long dlq = audit.report().dlqRows();
            boolean countsOk = rows + dlq == ps.sent() && dlq == ps.bad();
            out.println();
            out.printf("  events produced    %,d (%,d malformed) in %.1f s (%,.0f events/s)%n", ps.sent(), ps.bad(),
                    ps.elapsedNanos() / 1e9, ps.eventsPerSecond());
            out.printf("  rows committed     %,d in %,d Parquet parts (%,d commit records, %.1f MiB)%n", rows, d.dataObjects,
                    audit.report().records(), d.bytes / 1048576.0);
            out.printf("  dead letters       %,d (in %,d DLQ objects)%n", dlq, d.dlqObjects);
            out.printf("  rows + dead letters == produced: %s%n", countsOk ? "yes" : "NO");
            out.printf("  throughput         %,.0f rows/s end to end (%,d events landed %.1f s after the first was sent)%n",
                    ps.sent() / landSeconds, ps.sent(), landSeconds);
            long p50 = d.freshnessQuantile(0.5);
            long p99 = d.freshnessQuantile(0.99);
            if (p50 >= 0) {
                out.printf("  freshness          p50 %.2f s, p99 %.2f s (commit time minus Kafka record timestamp, per row)%n",
                        p50 / 1000.0, p99 / 1000.0);
            }
            out.printf("  audit (deep)       %s%n", audit.exact() ? "EXACT: every chain contiguous, every offset landed at most once, counts equal"
                    : "NOT EXACT");
            if (audit.iceberg() != null) {
                var ice = audit.iceberg();
                out.printf("  audit (iceberg)    %s%n", ice.exact()
                        ? String.format("EXACT: snapshot %d holds exactly the %,d committed parts (%,d rows) up to its chain heads",
                                ice.snapshotId(), ice.files(), ice.rows())
                        : "NOT EXACT");
            } else if (audit.icebergNote() != null) {
                out.printf("  audit (iceberg)    %s%n", audit.icebergNote());
            }
            for (String p : audit.problems()) {
                out.println("    PROBLEM: " + p);
            }
            String sql = "SELECT country, count(*) AS events, sum(amount) AS amount, round(avg(price), 2) AS avg_price, "
                    + "round(100.0 * avg(is_mobile::INT), 1) AS mobile_pct FROM " + name
                    + " GROUP BY country ORDER BY events DESC, country LIMIT 5";
            out.println();
            out.println("$ tributary query " + name + " \"" + sql + "\"");
            out.print(QueryCommand.run(env, name, sql, 10));

            step("reading the Iceberg table " + published.id + " with Iceberg's own reader (IcebergGenerics)");
            boolean icebergOk = icebergAgrees(env, name, sql, rows);
            out.println();
            boolean ok = audit.exact() && countsOk && icebergOk;
            out.printf("demo %s in %.0f s%n", ok ? "done: exactly once, proven (chains, parts and Iceberg)" : "FAILED",
                    (System.nanoTime() - t0) / 1e9);
            return ok;
        }
    }

    /** The local stack must name an Iceberg catalog, or the scheduler child has nothing to publish to. */
    private static void requireIceberg(Map<String, String> env) {
        try (IcebergCatalogs catalogs = new IcebergCatalogs(env)) {
            if (!catalogs.enabled()) {
                throw new CliException("the local stack's environment names no Iceberg catalog ("
                        + IcebergCatalogs.ENV_CATALOG + " / " + IcebergCatalogs.ENV_JDBC_URI + " missing from "
                        + Home.localEnvFile() + "; LocalStack.env() writes them): the demo cannot prove the Iceberg side");
            }
        }
    }

    record IcebergWait(String id, long snapshotId, java.util.SortedMap<Integer, Long> heads, long waitedNanos) {
    }

    /**
     * Polls (bounded) until the Iceberg table's current chain heads reach every partition's chain
     * head: the scheduler leader's publisher has added every committed part. Fails with what is
     * missing (no Iceberg table, no snapshot, or heads behind) and where to look.
     */
    private IcebergWait waitForIceberg(Map<String, String> env, String table) throws Exception {
        long start = System.nanoTime();
        long deadline = start + Math.min(timeoutSeconds, 120) * 1_000_000_000L;
        try (CatalogAccess c = new CatalogAccess(env); IcebergCatalogs catalogs = new IcebergCatalogs(env)) {
            TableDefinition def = c.call(cat -> cat.getTable(table)).orElseThrow().definition();
            String id = IcebergView.identifier(catalogs, def).toString();
            java.util.SortedMap<Integer, Long> chain = new java.util.TreeMap<>();
            for (int p : c.call(cat -> cat.partitions(table))) {
                chain.put(p, c.call(cat -> cat.head(table, p)).map(CommitRecord::seq).orElse(0L));
            }
            String state = "no Iceberg table " + id;
            while (true) {
                Optional<org.apache.iceberg.Table> t = IcebergView.load(catalogs, def);
                if (t.isPresent()) {
                    t.get().refresh();
                    ChainHeads heads = ChainHeads.of(t.get());
                    boolean covered = chain.entrySet().stream().allMatch(e -> heads.head(e.getKey()) >= e.getValue());
                    if (covered) {
                        return new IcebergWait(id, t.get().currentSnapshot() == null ? -1 : t.get().currentSnapshot().snapshotId(),
                                new java.util.TreeMap<>(heads.heads()), System.nanoTime() - start);
                    }
                    state = heads.snapshotId() < 0 ? "Iceberg table " + id + " exists but has no published snapshot"
                            : "Iceberg table " + id + " snapshot " + heads.snapshotId() + " has heads " + heads.heads();
                }
                for (ChildService ch : children) {
                    if (ch.name.equals("scheduler") && !ch.alive()) {
                        throw new CliException("the scheduler exited (code " + ch.process.exitValue() + ") before publishing; last lines of "
                                + ch.log + ":\n" + ch.tail(15));
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new CliException(String.format("Iceberg publication did not cover the chain heads %s within %d s: %s."
                            + " The scheduler leader publishes only when it runs the Iceberg publisher (PublicationService, the"
                            + " scheduler module's wiring) with %s set in its environment; see %s", chain,
                            (System.nanoTime() - start) / 1_000_000_000L, state, IcebergCatalogs.ENV_CATALOG,
                            shown(demoDir().resolve("scheduler.log"))));
                }
                Thread.sleep(500);
            }
        }
    }

    /** One group of the sample query. */
    static final class Group {
        long events;
        java.math.BigDecimal amount;
        double priceSum;
        long priceCount;
        long mobileSum;
        long mobileCount;
    }

    /**
     * Reads every row of the Iceberg table through Iceberg's reader, prints its row count and the
     * sample query computed over those rows, and says whether both agree with the chain (rows
     * committed) and with the query over the committed parts (DuckDB).
     */
    private boolean icebergAgrees(Map<String, String> env, String table, String sql, long rowsCommitted) throws Exception {
        try (CatalogAccess c = new CatalogAccess(env); IcebergCatalogs catalogs = new IcebergCatalogs(env)) {
            TableDefinition def = c.call(cat -> cat.getTable(table)).orElseThrow().definition();
            org.apache.iceberg.Table t = IcebergView.load(catalogs, def).orElseThrow();
            t.refresh();
            long n = 0;
            Map<String, Group> groups = new java.util.HashMap<>();
            try (org.apache.iceberg.io.CloseableIterable<org.apache.iceberg.data.Record> rows =
                    org.apache.iceberg.data.IcebergGenerics.read(t).select("country", "amount", "price", "is_mobile").build()) {
                for (org.apache.iceberg.data.Record r : rows) {
                    n++;
                    Group g = groups.computeIfAbsent((String) r.getField("country"), k -> new Group());
                    g.events++;
                    if (r.getField("amount") instanceof java.math.BigDecimal a) {
                        g.amount = g.amount == null ? a : g.amount.add(a);
                    }
                    if (r.getField("price") instanceof Double d) {
                        g.priceSum += d;
                        g.priceCount++;
                    }
                    if (r.getField("is_mobile") instanceof Boolean b) {
                        g.mobileSum += b ? 1 : 0;
                        g.mobileCount++;
                    }
                }
            }
            List<Map.Entry<String, Group>> top = new ArrayList<>(groups.entrySet());
            top.sort(java.util.Comparator.<Map.Entry<String, Group>>comparingLong(e -> -e.getValue().events)
                    .thenComparing(Map.Entry::getKey, java.util.Comparator.nullsLast(java.util.Comparator.naturalOrder())));
            top = top.subList(0, Math.min(5, top.size()));
            boolean countOk = n == rowsCommitted;
            out.printf("  Iceberg rows       %,d in snapshot %d (rows committed %,d): %s%n", n,
                    t.currentSnapshot() == null ? -1 : t.currentSnapshot().snapshotId(), rowsCommitted, countOk ? "equal" : "NOT EQUAL");
            out.println("  the sample query over the Iceberg rows:");
            TextTable tt = new TextTable("country", "events", "amount", "avg_price", "mobile_pct").right(1, 2, 3, 4);
            List<List<Object>> duck = QueryCommand.values(env, table, sql);
            boolean same = duck.size() == top.size();
            for (int i = 0; i < top.size(); i++) {
                Group g = top.get(i).getValue();
                Double avgPrice = g.priceCount == 0 ? null : Math.round(g.priceSum / g.priceCount * 100) / 100.0;
                Double mobile = g.mobileCount == 0 ? null : Math.round(1000.0 * g.mobileSum / g.mobileCount) / 10.0;
                tt.row(top.get(i).getKey() == null ? "NULL" : top.get(i).getKey(), g.events,
                        g.amount == null ? "NULL" : g.amount.toPlainString(), avgPrice == null ? "NULL" : avgPrice,
                        mobile == null ? "NULL" : mobile);
                if (same) {
                    List<Object> d = duck.get(i);
                    same = java.util.Objects.equals(top.get(i).getKey(), d.get(0))
                            && ((Number) d.get(1)).longValue() == g.events
                            && (g.amount == null ? d.get(2) == null
                                    : d.get(2) != null && new java.math.BigDecimal(d.get(2).toString()).compareTo(g.amount) == 0)
                            && close(avgPrice, d.get(3), 0.0101) && close(mobile, d.get(4), 0.101);
                }
            }
            out.print(tt.render("  "));
            out.printf("  Iceberg query == query over the committed parts: %s%n", same ? "yes" : "NO");
            return countOk && same;
        }
    }

    /** Equal within {@code tol} (rounded averages summed in a different order), or both null. */
    private static boolean close(Double a, Object b, double tol) {
        if (a == null || b == null) {
            return a == null && b == null;
        }
        return Math.abs(a - ((Number) b).doubleValue()) <= tol;
    }

    /** Shows a single updating progress line until every produced offset is committed; returns that time. */
    private long watchProgress(Map<String, String> env, String table, int parts, AtomicLong acked,
            AtomicReference<Object> produced, long start) throws Exception {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        long lastChange = System.nanoTime();
        long lastLanded = -1;
        long lastPrint = 0;
        long[] hist = new long[8];
        long[] histT = new long[8];
        int tick = 0;
        try (CatalogAccess c = new CatalogAccess(env)) {
            while (true) {
                Object p = produced.get();
                if (p instanceof RuntimeException e) {
                    throw new CliException("producing failed: " + e.getMessage());
                }
                long landed = 0;
                for (int i = 0; i < parts; i++) {
                    int part = i;
                    Optional<CommitRecord> h = c.call(cat -> cat.head(table, part));
                    landed += h.map(CommitRecord::endOffset).orElse(0L);
                }
                long now = System.nanoTime();
                hist[tick % hist.length] = landed;
                histT[tick % hist.length] = now;
                int oldest = tick < hist.length - 1 ? 0 : (tick + 1) % hist.length;
                double rate = now == histT[oldest] ? 0 : (landed - hist[oldest]) * 1e9 / (now - histT[oldest]);
                tick++;
                long sent = acked.get();
                boolean done = p instanceof LoadProducer.Stats s && landed >= s.sent();
                if (tty) {
                    out.print("\r" + progressLine(landed, sent, rate, now - start) + "\033[K");
                    out.flush();
                } else if (done || now - lastPrint > 5_000_000_000L) {
                    lastPrint = now;
                    out.println("  " + progressLine(landed, sent, rate, now - start));
                }
                if (done) {
                    if (tty) {
                        out.println();
                    }
                    return now;
                }
                if (landed != lastLanded) {
                    lastLanded = landed;
                    lastChange = now;
                }
                for (ChildService ch : children) {
                    if (!ch.alive()) {
                        throw new CliException(ch.name + " exited (code " + ch.process.exitValue() + "); last lines of "
                                + ch.log + ":\n" + ch.tail(15));
                    }
                }
                if (now > deadline || now - lastChange > 120_000_000_000L) {
                    throw new CliException(String.format("not all committed: %,d of %,d offsets after %d s (no progress for %d s); see %s",
                            landed, sent, (now - start) / 1_000_000_000L, (now - lastChange) / 1_000_000_000L, demoDir()));
                }
                Thread.sleep(500);
            }
        }
    }

    private String progressLine(long landed, long sent, double rate, long elapsedNanos) {
        int width = 30;
        double frac = Math.min(1.0, landed / (double) events);
        int full = (int) Math.round(frac * width);
        return String.format("[%s%s] %3.0f%%  landed %,d / %,d  %,.0f rows/s  lag %,d  %.0fs", "#".repeat(full),
                ".".repeat(width - full), frac * 100, landed, events, Math.max(0, rate), Math.max(0, sent - landed),
                elapsedNanos / 1e9);
    }

    private String waitForLeader(Map<String, String> env, ChildService scheduler) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        try (CatalogAccess c = new CatalogAccess(env)) {
            while (true) {
                Optional<Lease> l = c.call(DynamoCatalog::currentLease);
                if (l.isPresent() && l.get().isLive(System.currentTimeMillis()) && !l.get().address().isBlank()) {
                    return l.get().address();
                }
                if (!scheduler.alive()) {
                    throw new CliException("the scheduler exited (code " + scheduler.process.exitValue() + "); last lines of "
                            + scheduler.log + ":\n" + scheduler.tail(15));
                }
                if (System.nanoTime() > deadline) {
                    throw new CliException("no scheduler became leader within 120 s; last lines of " + scheduler.log + ":\n"
                            + scheduler.tail(15));
                }
                Thread.sleep(250);
            }
        }
    }

    private void waitForRunners(SchedulerClient sc) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (true) {
            int attached;
            try {
                attached = sc.call("GetStatus", s -> s.getStatus(GetStatusRequest.getDefaultInstance())).getRunnersCount();
            } catch (CliException e) {
                attached = -1;
            }
            if (attached >= runners) {
                return;
            }
            for (ChildService ch : children) {
                if (!ch.alive()) {
                    throw new CliException(ch.name + " exited (code " + ch.process.exitValue() + "); last lines of " + ch.log
                            + ":\n" + ch.tail(15));
                }
            }
            if (System.nanoTime() > deadline) {
                throw new CliException("only " + Math.max(0, attached) + " of " + runners + " runners attached within 120 s; see "
                        + demoDir());
            }
            Thread.sleep(250);
        }
    }

    /** The base name if free, else base_2, base_3, ... (table names are never reused). */
    static String freeName(DynamoCatalog catalog, String base) {
        if (catalog.getTable(base).isEmpty()) {
            return base;
        }
        for (int i = 2; ; i++) {
            String n = base + "_" + i;
            if (catalog.getTable(n).isEmpty()) {
                return n;
            }
        }
    }

    private void step(String s) {
        out.println("==> " + s);
    }

    private synchronized void stopChildren() {
        // runners first (they drain: flush + commit), then the scheduler
        for (int i = children.size() - 1; i >= 0; i--) {
            ChildService ch = children.get(i);
            boolean wasAlive = ch.alive();
            long t = System.nanoTime();
            boolean clean = ch.stop(ch.name.startsWith("runner") ? 60 : 30);
            if (wasAlive) {
                out.printf("  %s stopped (%s, exit %d, %.1f s)%n", ch.name, clean ? "SIGTERM" : "SIGKILL after the grace period",
                        ch.process.exitValue(), (System.nanoTime() - t) / 1e9);
            }
        }
        children.clear();
    }

    private void writePids() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (ChildService ch : children) {
            sb.append(ch.name).append(' ').append(ch.pid()).append('\n');
        }
        Files.writeString(demoDir().resolve("pids"), sb.toString());
    }

    private int stopKept() throws Exception {
        Path pids = demoDir().resolve("pids");
        if (Files.exists(pids)) {
            List<String> lines = Files.readAllLines(pids);
            // runners first
            lines.sort((a, b) -> Boolean.compare(a.startsWith("scheduler"), b.startsWith("scheduler")));
            for (String l : lines) {
                String[] f = l.trim().split("\\s+");
                if (f.length != 2) {
                    continue;
                }
                Optional<ProcessHandle> h = ProcessHandle.of(Long.parseLong(f[1]));
                if (h.isPresent() && h.get().isAlive()) {
                    h.get().destroy();
                    try {
                        h.get().onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (java.util.concurrent.TimeoutException e) {
                        h.get().destroyForcibly();
                    }
                    out.println("stopped " + f[0] + " (pid " + f[1] + ")");
                }
            }
            Files.delete(pids);
        }
        return new LocalCommand.Down().call();
    }
}
