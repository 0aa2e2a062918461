package io.tributary.cli;

import io.tributary.infra.LocalStack;
import io.tributary.infra.LocalStackException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tributary local up|down|status}: the local stack (real Kafka broker, dynalite, S3Mock and a
 * schema registry, Apicurio Registry with the Confluent-compatible API) as background processes with
 * their data under {@code .tributary/}.
 */
@Command(name = "local", mixinStandardHelpOptions = true,
        description = "Run the local stack (Kafka KRaft broker, DynamoDB-API and S3-API servers, schema registry) in the background.",
        subcommands = {LocalCommand.Up.class, LocalCommand.Down.class, LocalCommand.Status.class})
public class LocalCommand {

    static Path stackDir() {
        return Home.stateDir().resolve("stack");
    }

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = "Start the servers (idempotent), print their endpoints as KEY=value and write .tributary/local.env.")
    static class Up implements Callable<Integer> {
        @Option(names = "--kafka-port", description = "Kafka broker port (default: a free one, then the same on restart)")
        int kafkaPort;
        @Option(names = "--kafka-controller-port", description = "Kafka KRaft controller port")
        int kafkaControllerPort;
        @Option(names = "--dynamodb-port", description = "DynamoDB-API (dynalite) port")
        int dynamodbPort;
        @Option(names = "--s3-port", description = "S3-API (S3Mock) port")
        int s3Port;
        @Option(names = "--schema-registry-port", description = "Schema registry (Apicurio Registry, Confluent-compatible API) port")
        int schemaRegistryPort;
        @Option(names = "--no-schema-registry", description = "Do not start the schema registry (it needs Java 21+).")
        boolean noSchemaRegistry;

        @Override
        public Integer call() {
            Map<String, String> env = up(new LocalStack.Ports(kafkaPort, kafkaControllerPort, dynamodbPort, s3Port,
                    schemaRegistryPort), !noSchemaRegistry);
            env.forEach((k, v) -> System.out.println(k + "=" + v));
            return 0;
        }

        /** {@link #up(LocalStack.Ports, boolean)} without the schema registry (the demo does not use it). */
        static Map<String, String> up(LocalStack.Ports ports) {
            return up(ports, false);
        }

        /**
         * Starts (or adopts) the stack, writes local.env and creates the catalog table if absent, so
         * every command works right after it. With {@code schemaRegistry}, the schema registry runs too
         * and local.env has TRIBUTARY_SCHEMA_REGISTRY_URL. Returns the endpoints.
         */
        static Map<String, String> up(LocalStack.Ports ports, boolean schemaRegistry) {
            LocalStack stack = LocalStack.detached(stackDir(), ports);
            try {
                stack.startAll();
            } catch (LocalStackException e) {
                throw new CliException("local up failed: " + e.getMessage());
            }
            if (schemaRegistry) {
                try {
                    stack.startSchemaRegistry();
                } catch (LocalStackException e) {
                    throw new CliException("local up: the schema registry did not start: " + e.getMessage()
                            + "\n(Kafka, DynamoDB and S3 run; `tributary local up --no-schema-registry` goes on without it)");
                }
            }
            Map<String, String> env = stack.env();
            Home.writeEnvFile(Home.localEnvFile(), env);
            try (CatalogAccess c = new CatalogAccess(env)) {
                c.call(cat -> {
                    cat.createCatalogTableIfAbsent();
                    return null;
                });
            }
            return env;
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true,
            description = "Stop the servers; data stays under .tributary/ unless --purge.")
    static class Down implements Callable<Integer> {
        @Option(names = "--purge", description = "Also delete the data (topics, catalog, objects).")
        boolean purge;

        @Override
        public Integer call() {
            LocalStack stack = LocalStack.detached(stackDir(), LocalStack.Ports.any());
            Map<LocalStack.Server, Long> pids = stack.pids();
            java.util.OptionalLong registryPid = stack.schemaRegistryPid();
            stack.stopAll();
            if (registryPid.isPresent()) {
                long pid = registryPid.getAsLong();
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    throw new CliException("local down: schema-registry (pid " + pid + ") is still running");
                }
                System.out.println("stopped schema-registry (pid " + pid + ")");
            }
            for (var e : pids.entrySet()) {
                boolean alive = ProcessHandle.of(e.getValue()).map(ProcessHandle::isAlive).orElse(false);
                if (alive) {
                    throw new CliException("local down: " + e.getKey().id() + " (pid " + e.getValue() + ") is still running");
                }
                System.out.println("stopped " + e.getKey().id() + " (pid " + e.getValue() + ")");
            }
            if (pids.isEmpty() && registryPid.isEmpty()) {
                System.out.println("nothing was running");
            }
            try {
                java.nio.file.Files.deleteIfExists(Home.localEnvFile());
            } catch (java.io.IOException e) {
                throw new CliException("cannot remove " + Home.localEnvFile() + ": " + e.getMessage());
            }
            if (purge) {
                deleteTree(stackDir());
                System.out.println("purged " + stackDir());
            }
            return 0;
        }

        private static void deleteTree(Path dir) {
            if (!java.nio.file.Files.exists(dir)) {
                return;
            }
            try (var walk = java.nio.file.Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (java.io.IOException e) {
                throw new CliException("cannot purge " + dir + ": " + e.getMessage());
            }
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show which servers run; exit 0 when Kafka, DynamoDB and S3 run (the schema registry is optional), 3 otherwise.")
    static class Status implements Callable<Integer> {
        @Override
        public Integer call() {
            LocalStack stack = LocalStack.detached(stackDir(), LocalStack.Ports.any());
            Map<LocalStack.Server, String> status = stack.status();
            for (LocalStack.Server s : LocalStack.Server.values()) {
                System.out.printf("%-9s %s%n", s.id(), status.getOrDefault(s, "stopped"));
            }
            System.out.printf("%-9s %s%n", "schema-registry", stack.schemaRegistryStatus().orElse("stopped"));
            return status.size() == LocalStack.Server.values().length ? 0 : 3;
        }
    }
}
