package io.tributary.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.DynamoCatalog;
import io.tributary.catalog.PartObject;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A table's committed output read back independently: the data parts with DuckDB ({@code read_parquet}
 * over every committed part, {@code union_by_name} across definition versions), the dead-letter objects
 * as the gzip JSON lines they are.
 */
final class LandedRows {
    /** One landed row: the chosen columns, by name (null when absent from that part or null). */
    record Row(int partition, long offset, Map<String, Object> values) {
    }

    final Map<Integer, Map<Long, List<Row>>> rows = new HashMap<>();
    final Map<Integer, Map<Long, List<String>>> deadLetters = new HashMap<>();

    static LandedRows read(DynamoCatalog catalog, S3Client s3, String bucket, String table, int partitions, Path dir,
            List<String> columns) throws Exception {
        LandedRows l = new LandedRows();
        List<String> parts = new ArrayList<>();
        Files.createDirectories(dir);
        for (int p = 0; p < partitions; p++) {
            for (CommitRecord r : catalog.chain(table, p).toList()) {
                for (PartObject o : r.objects()) {
                    byte[] bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(o.key())).asByteArray();
                    if (o.kind() == PartObject.Kind.DATA) {
                        Path f = dir.resolve("part-" + parts.size() + ".parquet");
                        Files.write(f, bytes);
                        parts.add(f.toString());
                    } else {
                        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                                new GZIPInputStream(new ByteArrayInputStream(bytes)), StandardCharsets.UTF_8))) {
                            String line;
                            while ((line = in.readLine()) != null) {
                                JsonNode j = ItSupport.JSON.readTree(line);
                                assertThat(j.get("partition").asInt()).isEqualTo(p);
                                l.deadLetters.computeIfAbsent(p, x -> new HashMap<>())
                                        .computeIfAbsent(j.get("offset").asLong(), x -> new ArrayList<>())
                                        .add(j.get("error").asText());
                            }
                        }
                    }
                }
            }
        }
        if (parts.isEmpty()) {
            return l;
        }
        StringBuilder files = new StringBuilder();
        for (String f : parts) {
            files.append(files.length() == 0 ? "" : ", ").append('\'').append(f.replace("'", "''")).append('\'');
        }
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement st = db.createStatement();
                ResultSet rs = st.executeQuery("SELECT _partition, _offset, " + String.join(", ", columns)
                        + " FROM read_parquet([" + files + "], union_by_name = true)")) {
            while (rs.next()) {
                int p = rs.getInt(1);
                long off = rs.getLong(2);
                Map<String, Object> v = new HashMap<>();
                for (int c = 0; c < columns.size(); c++) {
                    v.put(columns.get(c), rs.getObject(3 + c));
                }
                l.rows.computeIfAbsent(p, x -> new HashMap<>()).computeIfAbsent(off, x -> new ArrayList<>())
                        .add(new Row(p, off, v));
            }
        }
        return l;
    }

    /**
     * Every good record sent landed as exactly one row with its event id, every malformed one as exactly
     * one dead letter whose error names its cause (one of the {@code |}-separated texts), and nothing else landed.
     */
    void assertExactlyOnce(FramedRecords sent) {
        long rowsSeen = 0;
        long dlSeen = 0;
        for (Map.Entry<Integer, Map<Long, FramedRecords.Expected>> e : sent.sent.entrySet()) {
            int p = e.getKey();
            for (Map.Entry<Long, FramedRecords.Expected> r : e.getValue().entrySet()) {
                long off = r.getKey();
                FramedRecords.Expected x = r.getValue();
                List<Row> got = rows.getOrDefault(p, Map.of()).get(off);
                List<String> dl = deadLetters.getOrDefault(p, Map.of()).get(off);
                if (x.bad()) {
                    assertThat(got).as("rows of malformed p%d@%d (%s)", p, off, x).isNull();
                    assertThat(dl).as("dead letters of p%d@%d (%s)", p, off, x).hasSize(1);
                    String err = dl.get(0);
                    assertThat(java.util.Arrays.stream(x.deadLetterCause().split("\\|")).anyMatch(err::contains))
                            .as("error of p%d@%d: %s names %s", p, off, err, x.deadLetterCause()).isTrue();
                    dlSeen++;
                } else {
                    assertThat(dl).as("dead letters of good p%d@%d (%s)", p, off, x).isNull();
                    assertThat(got).as("rows of p%d@%d (%s)", p, off, x).hasSize(1);
                    assertThat(got.get(0).values().get("event_id")).isEqualTo(x.eventId());
                    rowsSeen++;
                }
            }
        }
        long allRows = rows.values().stream().flatMap(m -> m.values().stream()).mapToLong(List::size).sum();
        long allDl = deadLetters.values().stream().flatMap(m -> m.values().stream()).mapToLong(List::size).sum();
        assertThat(allRows).as("rows landed").isEqualTo(rowsSeen).isEqualTo(sent.good());
        assertThat(allDl).as("dead letters landed").isEqualTo(dlSeen).isEqualTo(sent.bad());
    }

    Row row(int partition, long offset) {
        return rows.get(partition).get(offset).get(0);
    }
}
