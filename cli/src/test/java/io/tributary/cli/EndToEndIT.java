package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
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
 * The whole path through the packaged apps, as a user drives it: {@code local up}, a scheduler and
 * two runners (their quarkus-run.jar files, like the launcher), {@code table create -f
 * examples/clicks.yaml}, {@code produce} (before and after the table exists, with malformed
 * records), {@code status --json} until everything is committed, {@code audit --deep --json}
 * (exact, counts equal), {@code query}, {@code local down}. Skipped (not failed) while the
 * scheduler or runner app is not built, e.g. before the scheduler module joins the root pom.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class EndToEndIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long BEFORE = 12_000;
    private static final long AFTER = 8_000;
    private static final double BAD = 0.01;

    @TempDir
    Path state;
    private final List<Process> services = new ArrayList<>();
    private Path repo;
    private Map<String, String> stackEnv = new LinkedHashMap<>();

    static Path appJar(Path repo, String module) {
        return repo.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
    }

    @BeforeEach
    void apps() {
        repo = Path.of(System.getProperty("tributary.repo.root", "..")).toAbsolutePath().normalize();
        assumeTrue(Files.isRegularFile(appJar(repo, "scheduler")), "scheduler app not built: " + appJar(repo, "scheduler"));
        assumeTrue(Files.isRegularFile(appJar(repo, "task-runner")), "runner app not built: " + appJar(repo, "task-runner"));
    }

    @AfterEach
    void stopEverything() throws Exception {
        // runners first (SIGTERM: they drain), then the scheduler; SIGKILL what does not stop
        for (int i = services.size() - 1; i >= 0; i--) {
            Process p = services.get(i);
            p.destroy();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        CliProcess.run(state, Map.of(), "local", "down");
    }

    private Process service(String name, String module, List<String> jvm, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvm);
        cmd.add("-jar");
        cmd.add(appJar(repo, module).toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(state.resolve(name + ".log").toFile());
        pb.environment().putAll(stackEnv);
        Process p = pb.start();
        services.add(p);
        return p;
    }

    private CliProcess.Result cli(String... args) throws Exception {
        return CliProcess.run(state, Map.of(), args);
    }

    private CliProcess.Result ok(String... args) throws Exception {
        CliProcess.Result r = cli(args);
        assertThat(r.exitCode()).as("tributary %s\nstdout: %s\nstderr: %s\n%s", String.join(" ", args), r.stdout(), r.stderr(),
                logs()).isZero();
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
            CliProcess.Result r = cli("status", "--json");
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
        for (String n : List.of("scheduler", "runner-1", "runner-2")) {
            sb.append("--- ").append(n).append(".log (tail)\n").append(ChildService.tail(state.resolve(n + ".log"), 25)).append('\n');
        }
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
    void kafkaToParquetExactlyOnceThroughTheRealCli() throws Exception {
        CliProcess.Result up = ok("local", "up");
        up.stdout().lines().filter(l -> l.contains("=")).forEach(l -> stackEnv.put(l.substring(0, l.indexOf('=')),
                l.substring(l.indexOf('=') + 1)));
        assertThat(stackEnv).containsKeys("TRIBUTARY_KAFKA_BOOTSTRAP", "TRIBUTARY_DYNAMODB_ENDPOINT", "TRIBUTARY_S3_ENDPOINT");

        service("scheduler", "scheduler", List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
                "--id", "it-scheduler", "--grpc-port", "0", "--http-port", "0");
        service("runner-1", "task-runner", List.of("-XX:+UseSerialGC", "-Xmx512m", "-Dquarkus.http.port=0"), "--id", "it-runner-1");
        service("runner-2", "task-runner", List.of("-XX:+UseSerialGC", "-Xmx512m", "-Dquarkus.http.port=0"), "--id", "it-runner-2");

        // records before the table exists (start: earliest picks them up) ...
        CliProcess.Result p1 = ok("produce", "--topic", "clicks", "--count", Long.toString(BEFORE), "--bad-ratio", Double.toString(BAD),
                "--partitions", "3");
        assertThat(p1.stdout()).contains("produced 12,000 events (11,880 good, 120 malformed) to clicks (3 partitions)");

        JsonNode ready = statusUntil("a leader and 2 runners", Duration.ofMinutes(4), s -> s.get("runners").size() == 2);
        assertThat(ready.get("leader").asText()).matches("[^:]+:\\d+");

        CliProcess.Result created = ok("table", "create", "-f", repo.resolve("examples/clicks.yaml").toString());
        assertThat(created.stdout()).contains("created table clicks (version 1, ACTIVE)");
        CliProcess.Result dup = cli("table", "create", "-f", repo.resolve("examples/clicks.yaml").toString());
        assertThat(dup.exitCode()).isNotZero();
        assertThat(dup.stderr().strip()).doesNotContain("\n").contains("clicks");
        assertThat(ok("table", "list").stdout()).contains("clicks").contains("ACTIVE");

        // ... and after
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
        assertThat(owners).isSubsetOf("it-runner-1", "it-runner-2").isNotEmpty();

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

        // runners drain on SIGTERM, then the scheduler stops; then the stack
        for (int i = services.size() - 1; i >= 0; i--) {
            Process p = services.get(i);
            p.destroy();
            assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("service stops within 90 s of SIGTERM\n%s", logs()).isTrue();
        }
        services.clear();
        CliProcess.Result down = ok("local", "down");
        assertThat(down.stdout()).contains("stopped kafka");
    }
}
