package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The packaged {@code ./tributary} launcher at the repo root, driven the way a user drives it from
 * terminals: one-shot commands ({@link #run}, {@link #ok}) and long-running services ({@link #service},
 * a terminal of their own in the README). The children see no {@code TRIBUTARY_*}/{@code AWS_*}
 * variable of the test JVM except {@code TRIBUTARY_STATE_DIR}, so a test's stack never meets a
 * developer's {@code .tributary/}. {@link #close} stops the services (SIGTERM, then SIGKILL) in reverse
 * order and runs {@code local down}.
 */
final class Launcher implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    final Path repo;
    final Path state;
    private final List<Process> services = new ArrayList<>();
    private final Map<String, Path> logs = new LinkedHashMap<>();

    /** Skips (not fails) the calling test while an app it needs is not built; then a launcher on {@code state}. */
    static Launcher assumingBuilt(Path state, String... apps) {
        Path repo = Path.of(System.getProperty("tributary.repo.root", "..")).toAbsolutePath().normalize();
        for (String m : apps) {
            Path jar = repo.resolve(m).resolve("target/quarkus-app/quarkus-run.jar");
            assumeTrue(Files.isRegularFile(jar), m + " app not built: " + jar);
        }
        assumeTrue(Files.isRegularFile(repo.resolve("infra/target/servers/kafka-broker.classpath")),
                "infra not built (the launcher would build it)");
        return new Launcher(repo, state);
    }

    private Launcher(Path repo, Path state) {
        this.repo = repo;
        this.state = state;
    }

    /** {@code ./tributary ARGS} in the repo root, with {@code extra} variables on top of the clean environment. */
    ProcessBuilder builder(Map<String, String> extra, String... args) {
        List<String> cmd = new ArrayList<>(List.of("./tributary"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(repo.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("TRIBUTARY_") || k.startsWith("AWS_"));
        env.put("TRIBUTARY_STATE_DIR", state.toString());
        env.putAll(extra);
        return pb;
    }

    /** A long-running {@code ./tributary scheduler|runner …}, its output in {@code <state>/<name>.log}. */
    Process service(String name, String... args) throws IOException {
        return service(name, Map.of(), args);
    }

    Process service(String name, Map<String, String> extra, String... args) throws IOException {
        Path log = state.resolve(name + ".log");
        logs.put(name, log);
        Process p = builder(extra, args).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        services.add(p);
        return p;
    }

    /** The services started so far, oldest first. */
    List<Process> services() {
        return services;
    }

    /** The services' log files by name. */
    Map<String, Path> logFiles() {
        return logs;
    }

    /** A one-shot command; fails the test if it runs past 5 minutes. */
    CliProcess.Result run(String... args) throws Exception {
        Path out = Files.createTempFile(state, "out", ".txt");
        Path err = Files.createTempFile(state, "err", ".txt");
        Process p = builder(Map.of(), args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("./tributary " + String.join(" ", args) + " did not finish within 5 minutes");
        }
        return new CliProcess.Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /** {@link #run}, asserting exit code 0 (the failure shows both streams and the services' logs). */
    CliProcess.Result ok(String... args) throws Exception {
        CliProcess.Result r = run(args);
        assertThat(r.exitCode()).as("./tributary %s\nstdout: %s\nstderr: %s\n%s", String.join(" ", args), r.stdout(),
                r.stderr(), logs()).isZero();
        return r;
    }

    /**
     * Polls {@code status --json} every second until {@code done} holds; fails at once when a service
     * exits, or at the deadline with the last status, both with the services' logs.
     */
    JsonNode statusUntil(String what, Duration timeout, Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            for (Process p : services) {
                assertThat(p.isAlive()).as("a service exited while waiting for %s\n%s", what, logs()).isTrue();
            }
            CliProcess.Result r = run("status", "--json");
            last = r.stdout() + r.stderr();
            if (r.exitCode() == 0) {
                JsonNode s = JSON.readTree(r.stdout());
                if (done.test(s)) {
                    return s;
                }
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("timed out waiting for " + what + "; last status: " + last + "\n" + logs());
    }

    /** The last lines of every service's log, for failure messages. */
    String logs() {
        StringBuilder sb = new StringBuilder();
        logs.forEach((n, f) -> sb.append("--- ").append(n).append(".log (tail)\n").append(ChildService.tail(f, 25))
                .append('\n'));
        return sb.toString();
    }

    @Override
    public void close() throws Exception {
        for (int i = services.size() - 1; i >= 0; i--) {
            Process p = services.get(i);
            p.destroy();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        services.clear();
        run("local", "down");
    }
}
