package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Avro and Protobuf topics through the packaged {@code ./tributary} launcher and the local stack's
 * real schema registry: {@code produce --format avro|protobuf} registers the click schema and sends
 * framed records; {@code table create --from-registry --dry-run} prints a YAML whose columns come from
 * the registered schema; {@code create -f examples/clicks-avro.yaml}, a table created straight from
 * the registry ({@code --from-registry --name}) and one whose subject does not exist (a warning, not
 * an error: records carry their schema ids) all land the same Avro topic, and
 * {@code examples/clicks-protobuf.yaml} the Protobuf one; {@code audit --deep --json} is exact for
 * each with rows = good events and {@code dlq_rows} = malformed ones (truncated payloads, unknown
 * schema ids, wrong magic bytes). Skipped (not failed) while an app is not built.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class FormatsCliIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long COUNT = 2_000;
    private static final double BAD = 0.01;
    /** Every table reads a whole topic of COUNT records. */
    private static final List<String> TABLES = List.of("clicks_avro", "clicks_derived", "clicks_nosubject", "clicks_proto");

    @TempDir
    Path state;
    private Launcher cli;

    @BeforeEach
    void apps() {
        cli = Launcher.assumingBuilt(state, "scheduler", "task-runner", "cli", "infra/registry-app");
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
    void avroAndProtobufThroughTheRegistry() throws Exception {
        String up = cli.ok("local", "up").stdout();
        assertThat(up).contains("TRIBUTARY_SCHEMA_REGISTRY_URL=");
        long bad = (long) Math.floor(COUNT * BAD);

        CliProcess.Result produced = cli.ok("produce", "--format", "avro", "--topic", "clicks_avro", "--count", Long.toString(COUNT),
                "--bad-ratio", Double.toString(BAD), "--partitions", "2");
        assertThat(produced.stdout()).contains("produced 2,000 events (1,980 good, 20 malformed) to clicks_avro (2 partitions)"
                + " as avro (subject clicks_avro-value, schema id ");

        // the YAML derived from the registered schema: printed only, nothing created
        CliProcess.Result dry = cli.ok("table", "create", "--from-registry", "clicks_avro-value", "--dry-run");
        assertThat(dry.stdout()).contains("from subject clicks_avro-value version 1 (schema id ").contains("format: avro")
                .contains("url: ${TRIBUTARY_SCHEMA_REGISTRY_URL}").contains("subject: clicks_avro-value")
                .containsPattern("name: user_id, +type: long, +path: \\$\\.user\\.id")
                .containsPattern("name: amount, +type: \"decimal\\(12,2\\)\"").containsPattern("name: day, +type: date")
                .containsPattern("name: attrs_clicks, +type: int");
        assertThat(cli.ok("table", "list").stdout()).contains("no tables");

        // the example file; a table straight from the registry; one whose subject does not exist (a warning)
        CliProcess.Result example = cli.ok("table", "create", "-f", "examples/clicks-avro.yaml");
        assertThat(example.stdout()).contains("created table clicks_avro (version 1, ACTIVE)");
        assertThat(example.stderr()).doesNotContain("warning");
        Path derivedFile = state.resolve("derived.yaml");
        CliProcess.Result derived = cli.ok("table", "create", "--from-registry", "clicks_avro-value", "--name", "clicks_derived",
                "-o", derivedFile.toString());
        assertThat(derived.stdout()).contains("created table clicks_derived (version 1, ACTIVE) from subject clicks_avro-value")
                .contains("definition written to " + derivedFile);
        Path noSubject = state.resolve("nosubject.yaml");
        Files.writeString(noSubject, Files.readString(cli.repo.resolve("examples/clicks-avro.yaml"))
                .replace("name: clicks_avro\n", "name: clicks_nosubject\n").replace("subject: clicks_avro-value", "subject: nope-value"));
        CliProcess.Result warned = cli.ok("table", "create", "-f", noSubject.toString());
        assertThat(warned.stdout()).contains("created table clicks_nosubject");
        assertThat(warned.stderr().strip()).doesNotContain("\n").startsWith("tributary: warning: no subject 'nope-value'");
        assertThat(cli.ok("table", "describe", "clicks_avro").stdout())
                .containsPattern("(?m)^format: avro, registry http://127\\.0\\.0\\.1:\\d+/apis/ccompat/v7 subject clicks_avro-value$");

        // Protobuf: registered, derived (its columns come from the .proto the registry holds), the example created
        CliProcess.Result proto = cli.ok("produce", "--format", "protobuf", "--topic", "clicks_proto", "--count",
                Long.toString(COUNT), "--bad-ratio", Double.toString(BAD), "--partitions", "1");
        assertThat(proto.stdout()).contains("produced 2,000 events (1,980 good, 20 malformed) to clicks_proto (1 partitions)"
                + " as protobuf (subject clicks_proto-value, schema id ");
        assertThat(cli.ok("table", "create", "--from-registry", "clicks_proto-value", "--dry-run").stdout())
                .contains("PROTOBUF, message tributary.examples.Click").contains("format: protobuf")
                .containsPattern("name: ts, +type: timestamp, +path: \\$\\.ts").containsPattern("name: user_id, +type: long");
        assertThat(cli.ok("table", "create", "-f", "examples/clicks-protobuf.yaml").stdout())
                .contains("created table clicks_proto (version 1, ACTIVE)");

        cli.service("scheduler", "scheduler");
        cli.service("runner-1", "runner", "--id", "r1");
        cli.statusUntil("every table committed to the end", Duration.ofMinutes(8),
                s -> TABLES.stream().allMatch(t -> committed(s, t) == COUNT));

        for (String t : TABLES) {
            CliProcess.Result audit = cli.ok("audit", t, "--deep", "--json");
            JsonNode a = JSON.readTree(audit.stdout());
            assertThat(a.get("exact").asBoolean()).as(t + ": " + audit.stdout()).isTrue();
            assertThat(a.get("problems")).as(t).isEmpty();
            assertThat(a.get("rows").asLong()).as(t).isEqualTo(COUNT - bad);
            assertThat(a.get("dlq_rows").asLong()).as(t).isEqualTo(bad);
            assertThat(a.at("/deep/rows_read").asLong()).as(t).isEqualTo(COUNT - bad);
        }
        for (String t : List.of("clicks_avro", "clicks_proto")) {
            CliProcess.Result q = cli.ok("query", t, "SELECT count(DISTINCT event_id) AS ids, count(user_id) AS users,"
                    + " count(*) FILTER (WHERE amount >= 0 AND day IS NOT NULL AND ts IS NOT NULL"
                    + " AND CAST(attrs AS VARCHAR) LIKE '%clicks%') AS complete FROM " + t);
            assertThat(q.stdout()).as(t).containsPattern("(?m)^\\s*" + (COUNT - bad) + "\\s+" + (COUNT - bad) + "\\s+"
                    + (COUNT - bad) + "\\s*$");
        }
        // a new definition version while the scheduler and runner run: a column added; later records land with it
        Path v2 = state.resolve("clicks-avro-v2.yaml");
        Files.writeString(v2, Files.readString(cli.repo.resolve("examples/clicks-avro.yaml")).replace("columns:\n",
                "columns:\n  - { name: session_key, type: string, path: $.user.country }\n"));
        assertThat(cli.ok("table", "update", "-f", v2.toString(), "--dry-run").stdout())
                .contains("table clicks_avro is at version 1; ").contains("would columns added: session_key");
        assertThat(cli.ok("table", "update", "-f", v2.toString()).stdout())
                .contains("updated table clicks_avro (version 2, ACTIVE) from ").contains("columns added: session_key");
        cli.ok("produce", "--format", "avro", "--topic", "clicks_avro", "--count", "200", "--seed", "2", "--partitions", "2");
        cli.statusUntil("clicks_avro committed the records produced after the update", Duration.ofMinutes(4),
                s -> committed(s, "clicks_avro") == COUNT + 200);
        assertThat(cli.ok("query", "clicks_avro", "SELECT count(*) FILTER (WHERE session_key IS NOT NULL) AS with_column,"
                + " count(*) AS all_rows FROM clicks_avro").stdout())
                .containsPattern("(?m)^\\s*200\\s+" + (COUNT - bad + 200) + "\\s*$");
    }
}
