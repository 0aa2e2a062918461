package io.tributary.runner;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.tributary.catalog.Catalog;
import io.tributary.catalog.DynamoCatalog;
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
            + "       runner --table TABLE [--partitions 0-3|all] [--id RUNNER_ID] [--epoch N] (static)";

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
        Quarkus.run(RunnerMain.class, args);
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
                    new AttachBridge(runner, r.maxPartitions()), io.tributary.runner.attach.AttachLoop.Settings.defaults(
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
