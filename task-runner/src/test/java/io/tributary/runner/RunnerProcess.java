package io.tributary.runner;

import io.tributary.infra.LocalStack;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A runner as a child process ({@code java -jar target/quarkus-app/quarkus-run.jar ...}) with the
 * local stack's environment. Dies with the test JVM (shutdown hook) and is destroyed by tests in
 * finally blocks.
 */
final class RunnerProcess implements AutoCloseable {
    private final Process process;
    final int httpPort;
    final Path log;

    private RunnerProcess(Process process, int httpPort, Path log) {
        this.process = process;
        this.httpPort = httpPort;
        this.log = log;
    }

    static Path jar() {
        String p = System.getProperty("tributary.runner.jar");
        Path jar = p != null ? Path.of(p) : Path.of("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " does not exist: run `./mvnw -pl task-runner verify` (ITs run after"
                    + " package)");
        }
        return jar;
    }

    static RunnerProcess start(LocalStack stack, String catalogTable, String name, Map<String, String> extraEnv,
            String... args) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = Path.of("target", "runner-logs", name + ".log");
        Files.createDirectories(log.getParent());
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:+UseSerialGC", "-jar", jar().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(stack.env());
        pb.environment().put("TRIBUTARY_CATALOG_TABLE", catalogTable);
        pb.environment().put("TRIBUTARY_HTTP_PORT", Integer.toString(port));
        pb.environment().putAll(extraEnv);
        Process p = pb.start();
        RunnerProcess rp = new RunnerProcess(p, port, log);
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        return rp;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM; returns the exit code, or -1 if it did not exit in time. */
    int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /** GET of a local HTTP path (e.g. /q/metrics), or null while the server is not up. */
    String get(String path) {
        try {
            // HTTP/1.1 and a hard deadline: JDK 17's client once hung in send() past its request timeout (a scheduler IT)
      HttpResponse<String> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().sendAsync(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + httpPort + path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).get(20, java.util.concurrent.TimeUnit.SECONDS);
            return r.statusCode() == 200 ? r.body() : null;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Sum of a Prometheus counter/gauge over all label sets. */
    double metricSum(String name) {
        String body = get("/q/metrics");
        if (body == null) {
            return -1;
        }
        double sum = 0;
        for (String line : body.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
