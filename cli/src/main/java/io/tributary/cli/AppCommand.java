package io.tributary.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code tributary runner} and {@code tributary scheduler}: the services as foreground processes.
 * The {@code ./tributary} launcher runs their jars directly; these commands do the same when the
 * CLI jar is run by itself, passing every argument through and the local.env endpoints in the env.
 */
abstract class AppCommand implements Callable<Integer> {
    @Unmatched
    List<String> args = new ArrayList<>();

    abstract String module();

    static Path appJar(String module) {
        return Home.repoRoot().resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
    }

    /** The app's jar, or a one-line error saying how to build it. */
    static Path requireJar(String module) {
        Path jar = appJar(module);
        if (!Files.isRegularFile(jar)) {
            throw new CliException(module + " is not built (" + jar + " is missing): run ./mvnw -B -DskipTests install");
        }
        return jar;
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    @Override
    public Integer call() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java(), "-jar", requireJar(module()).toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        Map<String, String> env = pb.environment();
        Home.env().forEach(env::putIfAbsent);
        Process p = pb.start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroy));
        return p.waitFor();
    }

    @Command(name = "runner", mixinStandardHelpOptions = true,
            description = {"Run a task runner in the foreground (Kafka -> Parquet parts in S3 -> commit).",
                "Arguments are passed to the runner app, e.g. --id ID (default <hostname>-<pid>); `./tributary runner --help` shows its own."})
    static class Runner extends AppCommand {
        String module() {
            return "task-runner";
        }
    }

    @Command(name = "scheduler", mixinStandardHelpOptions = true,
            description = {"Run a scheduler in the foreground (leader election, assignment, status; gRPC SchedulerService).",
                "Arguments are passed to the scheduler app, e.g. --scaler local; `./tributary scheduler --help` shows its own."})
    static class Scheduler extends AppCommand {
        String module() {
            return "scheduler";
        }
    }
}
