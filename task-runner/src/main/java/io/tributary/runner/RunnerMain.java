package io.tributary.runner;

import io.tributary.runner.metrics.MicrometerRunnerMetrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.tributary.catalog.Catalog;
import io.tributary.catalog.DynamoCatalog;
import io.tributary.catalog.ListenPorts;
import io.tributary.catalog.TableDefinitions;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Entry point: {@code java -jar quarkus-run.jar --table T --partitions 0-3 [--id ID] [--epoch N]}.
 * A thin adapter: reads settings, builds the {@link TaskRunner} through its constructor with the
 * clients Quarkus configured, feeds it a {@link StaticAssignmentSource} and waits. SIGTERM/SIGINT
 * stop polling, flush and commit within the shutdown grace, then exit 0.
 */
@QuarkusMain
public class RunnerMain implements QuarkusApplication {
    private static final Logger LOG = Logger.getLogger(RunnerMain.class);
    static final String USAGE = "usage: runner [--id RUNNER_ID] (attaches to the scheduler)\n"
            + "       runner --table TABLE[,TABLE...] [--partitions 0-3|all] [--id RUNNER_ID] [--epoch N] (static)\n"
            + "  [--http-port P]: default 8080, or a free port when 8080 is taken on this host";

    @Inject
    S3Client s3;
    @Inject
    DynamoDbClient dynamo;
    @Inject
    MeterRegistry registry;
    @Inject
    RunnerSettings settings;
    @Inject
    RunnerHolder holder;

    public static void main(String... args) {
        try {
            System.setProperty("quarkus.http.port", Integer.toString(httpPort(args)));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
        Quarkus.run(RunnerMain.class, args);
    }

    /**
     * The HTTP port ({@code /q/health}, {@code /q/metrics}): {@code --http-port}, else
     * {@code -Dquarkus.http.port}, else {@code TRIBUTARY_HTTP_PORT} (taken = an error; 0 = a free
     * port), else 8080 — or a free port when 8080 is taken on this host (a second runner on a laptop).
     */
    static int httpPort(String... args) {
        String asked = null;
        String source = "TRIBUTARY_HTTP_PORT";
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--http-port") && i + 1 < args.length) {
                asked = args[i + 1];
                source = "--http-port";
            } else if (args[i].startsWith("--http-port=")) {
                asked = args[i].substring("--http-port=".length());
                source = "--http-port";
            }
        }
        if (asked == null && System.getProperty("quarkus.http.port") != null) {
            asked = System.getProperty("quarkus.http.port");
            source = "-Dquarkus.http.port";
        }
        if (asked == null) {
            asked = System.getenv("TRIBUTARY_HTTP_PORT");
        }
        ListenPorts.Choice c = ListenPorts.choose("runner", "HTTP", asked, source, 8080);
        if (c.note() != null) {
            System.err.println(c.note());
        }
        return c.port();
    }

    @Override
    public int run(String... args) {
        Map<String, String> a;
        try {
            a = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            return 2;
        }
        RunnerSettings.Runner r = settings.runner();
        String id = a.getOrDefault("id", r.id().filter(s -> !s.isBlank()).orElse(RunnerConfig.defaultRunnerId()));
        RunnerConfig defaults = RunnerConfig.defaults(id);
        RunnerConfig config = new RunnerConfig(id,
                r.memoryBudget().map(TableDefinitions::parseSize).orElse(defaults.memoryBudgetBytes()),
                TableDefinitions.parseSize(r.maxRecordBytes()),
                r.flushThreads().orElse(defaults.flushThreads()), r.shutdownGrace(), defaults.pollTimeout(),
                defaults.uploadPartBytes(), defaults.rowGroupBytes(), settings.kafkaBootstrap().orElse(null),
                settings.bucket().orElse(null));
        long epoch = a.containsKey("epoch") ? Long.parseLong(a.get("epoch")) : AssignmentSource.INHERIT_EPOCH;

        Catalog catalog = new DynamoCatalog(dynamo, settings.catalogTable());
        TaskRunner runner = new TaskRunner(config, catalog, s3, new MicrometerRunnerMetrics(registry));
        holder.set(runner);
        Signals.onTerminate(() -> Quarkus.asyncExit(0));
        LOG.infof("runner %s: table %s partitions %s, memory budget %d bytes, %d flush threads, grace %s", id,
                a.getOrDefault("table", "(assigned by the scheduler)"), a.getOrDefault("partitions", "all"),
                config.memoryBudgetBytes(), config.flushThreads(),
                config.shutdownGrace());
        if (!a.containsKey("table")) {
            // No static assignment: attach to the scheduler leader (found through the catalog lease).
            String token = System.getenv("TRIBUTARY_AUTH_RUNNER_TOKEN");
            boolean tls = Boolean.parseBoolean(System.getenv().getOrDefault("TRIBUTARY_SCHEDULER_TLS", "false"));
            io.tributary.runner.attach.AttachLoop attach = new io.tributary.runner.attach.AttachLoop(catalog,
                    new AttachBridge(runner, r.maxPartitions(), httpAddress()), io.tributary.runner.attach.AttachLoop.Settings.defaults(
                            String.valueOf(RunnerMain.class.getPackage().getImplementationVersion()), token, tls,
                            System.getenv("TRIBUTARY_SCHEDULER_CA")));
            try {
                attach.start();
                Quarkus.waitForExit();
            } finally {
                runner.close(); // flush and commit while still attached
                attach.close(); // then leave: the scheduler moves the partitions at once
            }
            return runner.healthy() ? 0 : 1;
        }
        try (StaticAssignmentSource source = new StaticAssignmentSource(catalog, a.get("table"), a.get("partitions"),
                epoch)) {
            source.start(runner);
            Quarkus.waitForExit();
        } catch (RuntimeException e) {
            LOG.errorf(e, "runner %s: cannot start: %s", id, e.getMessage());
            runner.close();
            return 1;
        }
        runner.close();
        return runner.healthy() ? 0 : 1;
    }

    /** {@code TRIBUTARY_ADVERTISE_HOST} (else this host's address) and the HTTP port chosen in main(). */
    private static String httpAddress() {
        String host = System.getenv("TRIBUTARY_ADVERTISE_HOST");
        if (host == null || host.isBlank()) {
            host = ListenPorts.hostAddress();
        }
        return host + ":" + org.eclipse.microprofile.config.ConfigProvider.getConfig().getValue("quarkus.http.port",
                String.class);
    }

    static Map<String, String> parse(String... args) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String k = args[i];
            if (!k.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + k + "'");
            }
            String v;
            int eq = k.indexOf('=');
            if (eq > 0) {
                v = k.substring(eq + 1);
                k = k.substring(0, eq);
            } else {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(k + " needs a value");
                }
                v = args[++i];
            }
            String key = k.substring(2);
            switch (key) {
                case "table", "partitions", "id", "epoch" -> out.put(key, v);
                case "http-port" -> { } // read by main() before Quarkus starts
                default -> throw new IllegalArgumentException("unknown option " + k);
            }
        }
        if (out.containsKey("epoch")) {
            try {
                Long.parseLong(out.get("epoch"));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--epoch must be a number");
            }
        }
        return out;
    }
}
