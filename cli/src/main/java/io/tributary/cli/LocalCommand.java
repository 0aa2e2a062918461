package io.tributary.cli;

import io.tributary.infra.LocalStack;
import io.tributary.infra.LocalStackException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tributary local up|down|status}: the local stack (real Kafka broker, dynalite, S3Mock)
 * as background processes with their data under {@code .tributary/}.
 */
@Command(name = "local", mixinStandardHelpOptions = true,
        description = "Run the local stack (Kafka KRaft broker, DynamoDB-API and S3-API servers) in the background.",
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

        @Override
        public Integer call() {
            Map<String, String> env = up(new LocalStack.Ports(kafkaPort, kafkaControllerPort, dynamodbPort, s3Port));
            env.forEach((k, v) -> System.out.println(k + "=" + v));
            return 0;
        }

        /**
         * Starts (or adopts) the stack, writes local.env and creates the catalog table if absent, so
         * every command works right after it. Returns the endpoints.
         */
        static Map<String, String> up(LocalStack.Ports ports) {
            LocalStack stack = LocalStack.detached(stackDir(), ports);
            try {
                stack.startAll();
            } catch (LocalStackException e) {
                throw new CliException("local up failed: " + e.getMessage());
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
            stack.stopAll();
            for (var e : pids.entrySet()) {
                boolean alive = ProcessHandle.of(e.getValue()).map(ProcessHandle::isAlive).orElse(false);
                if (alive) {
                    throw new CliException("local down: " + e.getKey().id() + " (pid " + e.getValue() + ") is still running");
                }
                System.out.println("stopped " + e.getKey().id() + " (pid " + e.getValue() + ")");
            }
            if (pids.isEmpty()) {
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
            description = "Show which servers run; exit 0 when all three run, 3 otherwise.")
    static class Status implements Callable<Integer> {
        @Override
        public Integer call() {
            LocalStack stack = LocalStack.detached(stackDir(), LocalStack.Ports.any());
            Map<LocalStack.Server, String> status = stack.status();
            for (LocalStack.Server s : LocalStack.Server.values()) {
                System.out.printf("%-9s %s%n", s.id(), status.getOrDefault(s, "stopped"));
            }
            return status.size() == LocalStack.Server.values().length ? 0 : 3;
        }
    }
}
