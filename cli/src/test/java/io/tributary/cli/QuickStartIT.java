package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Quick start by hand", command by command, through the packaged {@code ./tributary}
 * launcher at the repo root, with every default: no port flags or variables, no JVM options, no
 * endpoint variables (they come from {@code local.env}). The only setting is
 * {@code TRIBUTARY_STATE_DIR}, so the test's stack never meets a developer's {@code .tributary/};
 * every {@code TRIBUTARY_*}/{@code AWS_*} variable of the test JVM is removed from the children.
 *
 * <p>It proves: {@code table create} before any scheduler has run goes to the catalog directly and
 * a scheduler started later assigns the table; a scheduler and two runners start on one host
 * although all three default to HTTP port 8080 (the later ones fall back to free ports and say
 * so); {@code status --json} shows both runners with distinct HTTP addresses that answer
 * {@code /q/health}; records produced before the table existed ({@code start: earliest}) and
 * after, with malformed ones, land exactly once ({@code audit --deep --json}: exact, counts equal);
 * {@code query} counts every row once; SIGTERM stops everything; {@code local down} stops the stack.
 * Skipped (not failed) while the scheduler or runner app is not built.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class QuickStartIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long BEFORE = 12_000;
    private static final long AFTER = 8_000;
    private static final double BAD = 0.01;

    @TempDir
    Path state;
    private final List<Process> services = new ArrayList<>();
    private final Map<String, Path> logs = new LinkedHashMap<>();
    private Path repo;

    @BeforeEach
    void apps() {
        repo = Path.of(System.getProperty("tributary.repo.root", "..")).toAbsolutePath().normalize();
        for (String m : List.of("scheduler", "task-runner", "cli")) {
            Path jar = repo.resolve(m).resolve("target/quarkus-app/quarkus-run.jar");
            assumeTrue(Files.isRegularFile(jar), m + " app not built: " + jar);
        }
        assumeTrue(Files.isRegularFile(repo.resolve("infra/target/servers/kafka-broker.classpath")),
                "infra not built (the launcher would build it)");
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (int i = services.size() - 1; i >= 0; i--) {
            Process p = services.get(i);
            p.destroy();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        run("local", "down");
    }

    /** {@code ./tributary ARGS} in the repo root, as a user types it. */
    private ProcessBuilder launcher(String... args) {
        List<String> cmd = new ArrayList<>(List.of("./tributary"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(repo.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("TRIBUTARY_") || k.startsWith("AWS_"));
        env.put("TRIBUTARY_STATE_DIR", state.toString());
        return pb;
    }

    /** A long-running {@code ./tributary scheduler|runner …} (a terminal of its own in the README). */
    private Process service(String name, String... args) throws IOException {
        Path log = state.resolve(name + ".log");
        logs.put(name, log);
        Process p = launcher(args).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        services.add(p);
        return p;
    }

    private CliProcess.Result run(String... args) throws Exception {
        Path out = Files.createTempFile(state, "out", ".txt");
        Path err = Files.createTempFile(state, "err", ".txt");
        Process p = launcher(args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("./tributary " + String.join(" ", args) + " did not finish within 5 minutes");
        }
        return new CliProcess.Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private CliProcess.Result ok(String... args) throws Exception {
        CliProcess.Result r = run(args);
        assertThat(r.exitCode()).as("./tributary %s\nstdout: %s\nstderr: %s\n%s", String.join(" ", args), r.stdout(),
                r.stderr(), logs()).isZero();
        return r;
    }

    /** Polls {@code status --json} until {@code done} holds, or fails with the last status and the logs. */
    private JsonNode statusUntil(String what, Duration timeout, Predicate<JsonNode> done) throws Exception {
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

    private String logs() {
        StringBuilder sb = new StringBuilder();
        logs.forEach((n, f) -> sb.append("--- ").append(n).append(".log (tail)\n").append(ChildService.tail(f, 25))
                .append('\n'));
        return sb.toString();
    }

    private static long committed(JsonNode status, String table) {
        long sum = 0;
        for (JsonNode t : status.get("tables")) {
            if (t.get("name").asText().equals(table)) {
                for (JsonNode p : t.get("partitions")) {
                    sum += p.get("committed").asLong();
                }
            }
        }
        return sum;
    }

    @Test
    void theReadmeQuickStartAsWritten() throws Exception {
        assertThat(ok("local", "up").stdout()).contains("TRIBUTARY_KAFKA_BOOTSTRAP=");

        // records before the table exists (the topic is created here; start: earliest picks them up)
        CliProcess.Result p1 = ok("produce", "--topic", "clicks", "--count", Long.toString(BEFORE), "--bad-ratio",
                Double.toString(BAD), "--partitions", "3");
        assertThat(p1.stdout()).contains("produced 12,000 events (11,880 good, 120 malformed) to clicks (3 partitions)");

        // no scheduler has run: the CLI writes the table to the catalog itself
        CliProcess.Result created = ok("table", "create", "-f", "examples/clicks.yaml");
        assertThat(created.stdout()).contains("created table clicks (version 1, ACTIVE)")
                .contains("directly in the catalog").contains("no scheduler has run yet");
        CliProcess.Result dup = run("table", "create", "-f", "examples/clicks.yaml");
        assertThat(dup.exitCode()).isNotZero();
        assertThat(dup.stderr().strip()).doesNotContain("\n").contains("clicks");
        assertThat(ok("table", "list").stdout()).contains("clicks").contains("ACTIVE");

        // three terminals: a scheduler and two runners, no port settings (all default to HTTP 8080)
        service("scheduler", "scheduler");
        service("runner-1", "runner", "--id", "r1");
        service("runner-2", "runner", "--id", "r2");

        JsonNode ready = statusUntil("a leader and 2 runners with their HTTP addresses", Duration.ofMinutes(4),
                s -> s.get("runners").size() == 2 && s.get("tables").size() == 1);
        assertThat(ready.get("leader").asText()).matches("[^:]+:\\d+");
        Set<String> https = new HashSet<>();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        for (JsonNode r : ready.get("runners")) {
            String addr = r.get("http").asText();
            assertThat(addr).as("runner %s http", r.get("id")).matches("[^:]+:\\d+");
            https.add(addr);
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://" + addr + "/q/health"))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).as("GET http://%s/q/health: %s", addr, health.body()).isEqualTo(200);
        }
        assertThat(https).as("two runners, two HTTP addresses").hasSize(2);
        long fallbacks = logs.values().stream().map(f -> ChildService.tail(f, 400))
                .filter(t -> t.contains("port 8080 (the default) is in use on this host; listening on")).count();
        assertThat(fallbacks).as("at most one of the three takes 8080; the others say where they listen\n%s", logs())
                .isGreaterThanOrEqualTo(2);

        // with a scheduler running, table commands go through it
        assertThat(ok("table", "list").stdout()).contains("through the scheduler at");

        ok("produce", "--topic", "clicks", "--count", Long.toString(AFTER), "--bad-ratio", Double.toString(BAD), "--seed", "2");
        long total = BEFORE + AFTER;
        long bad = (long) Math.floor(BEFORE * BAD) + (long) Math.floor(AFTER * BAD);

        JsonNode done = statusUntil("all " + total + " offsets committed", Duration.ofMinutes(6),
                s -> committed(s, "clicks") == total);
        JsonNode table = done.get("tables").get(0);
        assertThat(table.get("name").asText()).isEqualTo("clicks");
        assertThat(table.get("state").asText()).isEqualTo("ACTIVE");
        assertThat(table.get("lag").asLong()).isZero();
        assertThat(table.get("partitions")).hasSize(3);
        Set<String> owners = new HashSet<>();
        for (JsonNode p : table.get("partitions")) {
            assertThat(p.get("end").asLong()).isEqualTo(p.get("committed").asLong());
            if (!p.get("owner").isNull()) {
                owners.add(p.get("owner").asText());
            }
        }
        assertThat(owners).isSubsetOf("r1", "r2").isNotEmpty();

        CliProcess.Result audit = ok("audit", "clicks", "--deep", "--json");
        JsonNode a = JSON.readTree(audit.stdout());
        assertThat(a.get("exact").asBoolean()).as(audit.stdout()).isTrue();
        assertThat(a.get("problems")).isEmpty();
        assertThat(a.get("rows").asLong()).isEqualTo(total - bad);
        assertThat(a.get("dlq_rows").asLong()).isEqualTo(bad);
        assertThat(a.at("/deep/rows_read").asLong()).isEqualTo(total - bad);
        assertThat(a.at("/deep/dlq_rows_read").asLong()).isEqualTo(bad);
        assertThat(a.get("partitions")).hasSize(3);

        CliProcess.Result q = ok("query", "clicks",
                "SELECT count(*) AS n, count(DISTINCT event_id) AS ids, count(DISTINCT (_partition, _offset)) AS offsets FROM clicks");
        assertThat(q.stdout()).containsPattern("(?m)^\\s*" + (total - bad) + "\\s+" + (total - bad) + "\\s+" + (total - bad) + "\\s*$");

        // stop each terminal (SIGTERM, as `kill` sends; Ctrl-C's SIGINT takes the same shutdown path: runners drain), then the stack
        for (int i = services.size() - 1; i >= 0; i--) {
            Process p = services.get(i);
            p.destroy();
            assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("service stops within 90 s of SIGTERM\n%s", logs()).isTrue();
        }
        services.clear();
        assertThat(ok("local", "down").stdout()).contains("stopped kafka");
    }
}
