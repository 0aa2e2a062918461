package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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
    private Launcher cli;

    @BeforeEach
    void apps() {
        cli = Launcher.assumingBuilt(state, "scheduler", "task-runner", "cli");
    }

    @AfterEach
    void stopEverything() throws Exception {
        if (cli != null) {
            cli.close();
        }
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
        assertThat(cli.ok("local", "up").stdout()).contains("TRIBUTARY_KAFKA_BOOTSTRAP=");

        // records before the table exists (the topic is created here; start: earliest picks them up)
        CliProcess.Result p1 = cli.ok("produce", "--topic", "clicks", "--count", Long.toString(BEFORE), "--bad-ratio",
                Double.toString(BAD), "--partitions", "3");
        assertThat(p1.stdout()).contains("produced 12,000 events (11,880 good, 120 malformed) to clicks (3 partitions)");

        // no scheduler has run: the CLI writes the table to the catalog itself
        CliProcess.Result created = cli.ok("table", "create", "-f", "examples/clicks.yaml");
        assertThat(created.stdout()).contains("created table clicks (version 1, ACTIVE)")
                .contains("directly in the catalog").contains("no scheduler has run yet");
        CliProcess.Result dup = cli.run("table", "create", "-f", "examples/clicks.yaml");
        assertThat(dup.exitCode()).isNotZero();
        assertThat(dup.stderr().strip()).doesNotContain("\n").contains("clicks");
        assertThat(cli.ok("table", "list").stdout()).contains("clicks").contains("ACTIVE");

        // three terminals: a scheduler and two runners, no port settings (all default to HTTP 8080)
        cli.service("scheduler", "scheduler");
        cli.service("runner-1", "runner", "--id", "r1");
        cli.service("runner-2", "runner", "--id", "r2");

        JsonNode ready = cli.statusUntil("a leader and 2 runners with their HTTP addresses", Duration.ofMinutes(4),
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
        long fallbacks = cli.logFiles().values().stream().map(f -> ChildService.tail(f, 400))
                .filter(t -> t.contains("port 8080 (the default) is in use on this host; listening on")).count();
        assertThat(fallbacks).as("at most one of the three takes 8080; the others say where they listen\n%s", cli.logs())
                .isGreaterThanOrEqualTo(2);

        // with a scheduler running, table commands go through it
        assertThat(cli.ok("table", "list").stdout()).contains("through the scheduler at");

        cli.ok("produce", "--topic", "clicks", "--count", Long.toString(AFTER), "--bad-ratio", Double.toString(BAD), "--seed", "2");
        long total = BEFORE + AFTER;
        long bad = (long) Math.floor(BEFORE * BAD) + (long) Math.floor(AFTER * BAD);

        JsonNode done = cli.statusUntil("all " + total + " offsets committed", Duration.ofMinutes(6),
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

        CliProcess.Result audit = cli.ok("audit", "clicks", "--deep", "--json");
        JsonNode a = JSON.readTree(audit.stdout());
        assertThat(a.get("exact").asBoolean()).as(audit.stdout()).isTrue();
        assertThat(a.get("problems")).isEmpty();
        assertThat(a.get("rows").asLong()).isEqualTo(total - bad);
        assertThat(a.get("dlq_rows").asLong()).isEqualTo(bad);
        assertThat(a.at("/deep/rows_read").asLong()).isEqualTo(total - bad);
        assertThat(a.at("/deep/dlq_rows_read").asLong()).isEqualTo(bad);
        assertThat(a.get("partitions")).hasSize(3);

        CliProcess.Result q = cli.ok("query", "clicks",
                "SELECT count(*) AS n, count(DISTINCT event_id) AS ids, count(DISTINCT (_partition, _offset)) AS offsets FROM clicks");
        assertThat(q.stdout()).containsPattern("(?m)^\\s*" + (total - bad) + "\\s+" + (total - bad) + "\\s+" + (total - bad) + "\\s*$");

        // stop each terminal (SIGTERM, as `kill` sends; Ctrl-C's SIGINT takes the same shutdown path: runners drain), then the stack
        for (int i = cli.services().size() - 1; i >= 0; i--) {
            Process p = cli.services().get(i);
            p.destroy();
            assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("service stops within 90 s of SIGTERM\n%s", cli.logs()).isTrue();
        }
        cli.services().clear();
        assertThat(cli.ok("local", "down").stdout()).contains("stopped kafka");
    }
}
