package io.tributary.runner.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.catalog.FieldIds;
import io.tributary.catalog.TableDefinition;
import io.tributary.runner.MemoryOutputFile;
import io.tributary.runner.Parts;
import io.tributary.runner.buffer.PartitionBuffer;
import io.tributary.runner.decode.JsonRowDecoder;
import io.tributary.runner.decode.RowSchema;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;
import org.junit.jupiter.api.Test;

/** Parts carry the Iceberg field ids of the table definition in their footer schema. */
class PartSchemaFieldIdsTest {

    private static Map<String, Integer> ids(MessageType schema) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (Type t : schema.getFields()) {
            out.put(t.getName(), t.getId() == null ? null : t.getId().intValue());
        }
        return out;
    }

    private static MessageType writeAndReadFooter(TableDefinition def) throws Exception {
        RowSchema rs = RowSchema.of(def);
        MessageType schema = PartSchema.of(def.name(), rs);
        PartitionBuffer buf = new PartitionBuffer(def.name(), 0, rs, 0, 0, 16);
        JsonRowDecoder dec = new JsonRowDecoder(rs, 1 << 20);
        for (int r = 0; r < 10; r++) {
            String json = "{\"event_id\":\"e" + r + "\",\"ts\":" + (1_700_000_000_000L + r) + ",\"country\":\"DE\"}";
            assertThat(dec.decode(json.getBytes(StandardCharsets.UTF_8), buf)).isNull();
            buf.endRow(r, 1_700_000_000_000L + r, ("k" + r).getBytes(StandardCharsets.UTF_8), json.length());
        }
        MemoryOutputFile out = new MemoryOutputFile();
        new ParquetPartWriter(new AirCompressorCodecFactory(), CompressionCodecName.ZSTD, 1 << 20)
                .write(buf, schema, out, Map.of());
        Parts.Read read = Parts.read(out.bytes.toByteArray());
        assertThat(read.rows()).hasSize(10);
        assertThat(read.rows().get(3).getString("event_id", 0)).isEqualTo("e3");
        return read.footer().getFileMetaData().getSchema();
    }

    @Test
    void positionalIdsOfANewTableAreInTheFooter() throws Exception {
        TableDefinition def = TableDefinition.builder("clicks").source("h:1", "clicks").output("bucket")
                .column("event_id", "string").column("ts", "timestamp").column("amount", "decimal(12,2)")
                .metadata(List.of("_partition", "_offset", "_timestamp", "_key")).build();
        MessageType footer = writeAndReadFooter(def);
        assertThat(ids(footer)).containsExactly(Map.entry("event_id", 1), Map.entry("ts", 2), Map.entry("amount", 3),
                Map.entry("_partition", 4), Map.entry("_offset", 5), Map.entry("_timestamp", 6), Map.entry("_key", 7));
        // the timestamp types are MICROS (Iceberg timestamptz)
        assertThat(footer.getType("ts").getLogicalTypeAnnotation())
                .isEqualTo(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS));
        assertThat(footer.getType("_timestamp").getLogicalTypeAnnotation())
                .isEqualTo(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS));
    }

    @Test
    void evolvedIdsAreInTheFooter() throws Exception {
        TableDefinition v1 = TableDefinition.builder("clicks").source("h:1", "clicks").output("bucket")
                .column("event_id", "string").column("user_id", "long").column("ts", "timestamp")
                .metadata(List.of("_partition", "_offset", "_timestamp", "_key")).build();
        // drop user_id, add country: the catalog stores evolved ids
        TableDefinition v2 = TableDefinition.builder("clicks").source("h:1", "clicks").output("bucket")
                .column("event_id", "string").column("ts", "timestamp").column("country", "string")
                .metadata(List.of("_partition", "_offset", "_timestamp", "_key")).build();
        v2 = v2.withFieldIds(FieldIds.evolve(v1.fieldIds(), v2));
        MessageType footer = writeAndReadFooter(v2);
        assertThat(ids(footer)).containsExactly(Map.entry("event_id", 1), Map.entry("ts", 3), Map.entry("country", 8),
                Map.entry("_partition", 4), Map.entry("_offset", 5), Map.entry("_timestamp", 6), Map.entry("_key", 7));
    }

    @Test
    void aMetadataColumnTheDefinitionDoesNotListHasNoId() {
        TableDefinition def = TableDefinition.builder("clicks").source("h:1", "clicks").output("bucket")
                .column("event_id", "string").metadata(List.of("_offset")).build();
        MessageType schema = PartSchema.of("clicks", RowSchema.of(def));
        assertThat(schema.getType("event_id").getId().intValue()).isEqualTo(1);
        assertThat(schema.getType("_offset").getId().intValue()).isEqualTo(2);
        assertThat(schema.getType("_partition").getId()).isNull();
        assertThat(schema.getType("_timestamp").getId()).isNull();
    }
}
