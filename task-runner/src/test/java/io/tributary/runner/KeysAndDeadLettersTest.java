package io.tributary.runner;

import io.tributary.runner.write.S3PartWriter;
import io.tributary.runner.write.DeadLetterWriter;


import io.tributary.runner.buffer.DeadLetter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.catalog.ObjectKeys;
import io.tributary.catalog.PartObject;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** S3 key layout, dead-letter file format, command-line parsing. */
class KeysAndDeadLettersTest {

    @Test
    void partAndDeadLetterKeysFollowTheLayout() {
        String suffix = S3PartWriter.randomSuffix();
        assertThat(suffix).matches("[0-9a-f]+").hasSizeGreaterThanOrEqualTo(16);
        assertThat(S3PartWriter.randomSuffix()).isNotEqualTo(suffix);
        // dt is the UTC date of the newest record: 23:30 at -02:00 is the next day in UTC
        long newest = Instant.parse("2024-05-01T01:30:00Z").toEpochMilli();
        LocalDate dt = S3PartWriter.utcDate(newest);
        assertThat(dt).isEqualTo(LocalDate.of(2024, 5, 1));
        String data = ObjectKeys.data("tables", "clicks", dt, 7, 100, 250, suffix);
        assertThat(data).isEqualTo("tables/clicks/dt=2024-05-01/p7-100-250-" + suffix + ".parquet");
        String dlq = ObjectKeys.dlq("tables", "clicks", dt, 7, 100, 250, suffix);
        assertThat(dlq).isEqualTo("tables/clicks/_dlq/dt=2024-05-01/p7-100-250-" + suffix + ".jsonl.gz");
        assertThat(ObjectKeys.mismatch("tables", "clicks", PartObject.Kind.DATA, data, 7, 100, 250)).isNull();
        assertThat(ObjectKeys.mismatch("tables", "clicks", PartObject.Kind.DLQ, dlq, 7, 100, 250)).isNull();
        assertThat(S3PartWriter.utcDate(Instant.parse("2024-12-31T23:59:59.999Z").toEpochMilli()))
                .isEqualTo(LocalDate.of(2024, 12, 31));
    }

    @Test
    void deadLettersAreGzipJsonLines() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new DeadLetterWriter().write(List.of(
                new DeadLetter(3, 42, 1700000000000L, "k".getBytes(StandardCharsets.UTF_8),
                        "{bad".getBytes(StandardCharsets.UTF_8), "invalid JSON at line 1, column 5 (byte 4): x"),
                new DeadLetter(3, 43, 1700000000001L, null, null, "null value (tombstone): expected a JSON object")), out);
        List<String> lines;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(new ByteArrayInputStream(out.toByteArray())), StandardCharsets.UTF_8))) {
            lines = r.lines().toList();
        }
        assertThat(lines).hasSize(2);
        JsonNode a = ItSupport.JSON.readTree(lines.get(0));
        assertThat(a.fieldNames()).toIterable().containsExactly("partition", "offset", "timestamp", "key_b64",
                "value_b64", "error");
        assertThat(a.get("partition").asInt()).isEqualTo(3);
        assertThat(a.get("offset").asLong()).isEqualTo(42);
        assertThat(a.get("timestamp").asLong()).isEqualTo(1700000000000L);
        assertThat(new String(Base64.getDecoder().decode(a.get("key_b64").asText()), StandardCharsets.UTF_8)).isEqualTo("k");
        assertThat(new String(Base64.getDecoder().decode(a.get("value_b64").asText()), StandardCharsets.UTF_8))
                .isEqualTo("{bad");
        assertThat(a.get("error").asText()).startsWith("invalid JSON at line 1");
        JsonNode b = ItSupport.JSON.readTree(lines.get(1));
        assertThat(b.get("key_b64").isNull()).isTrue();
        assertThat(b.get("value_b64").isNull()).isTrue();
    }

    @Test
    void commandLine() {
        assertThat(StaticAssignmentSource.parsePartitions("0-3")).containsExactly(0, 1, 2, 3);
        assertThat(StaticAssignmentSource.parsePartitions("0,2,5-6")).containsExactly(0, 2, 5, 6);
        assertThatThrownBy(() -> StaticAssignmentSource.parsePartitions("3-1")).hasMessageContaining("bad partition range");
        assertThatThrownBy(() -> StaticAssignmentSource.parsePartitions("x")).hasMessageContaining("bad partition 'x'");
        assertThat(RunnerMain.parse("--table", "t", "--partitions", "0-3", "--id=r1"))
                .containsEntry("table", "t").containsEntry("partitions", "0-3").containsEntry("id", "r1");
        assertThatThrownBy(() -> RunnerMain.parse("--nope", "1")).hasMessageContaining("unknown option --nope");
        assertThatThrownBy(() -> RunnerMain.parse("--table")).hasMessageContaining("--table needs a value");
        assertThat(RunnerConfig.defaultRunnerId()).endsWith("-" + ProcessHandle.current().pid());
    }
}
