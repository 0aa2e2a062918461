package io.tributary.runner.write;

import io.tributary.runner.Parts;
import io.tributary.runner.MemoryOutputFile;

import io.tributary.runner.decode.JsonRowDecoder;
import io.tributary.runner.decode.RowSchema;
import io.tributary.runner.buffer.PartitionBuffer;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ParquetPartWriterTest {

    @org.junit.jupiter.api.Test
    void aColumnWhoseDictionaryFellBackIsWrittenPlainInTheNextParts() throws Exception {
        RowSchema s = new RowSchema(List.of(
                RowSchema.Field.of("id", "string", "$.id", false),
                RowSchema.Field.of("country", "string", "$.country", true)), false);
        MessageType schema = PartSchema.of("dict_fallback_" + System.nanoTime(), s); // its own hints
        String[] countries = {"DE", "FR", "US", "JP", "BR"};
        int n = 60_000; // ~2.6 MB of unique ids: more than the 1 MiB dictionary page, so "id" falls back
        int retry = ParquetPartWriter.DICTIONARY_RETRY_PARTS;
        for (int part = 0; part <= retry + 1; part++) {
            PartitionBuffer buf = new PartitionBuffer("t", 0, s, (long) part * n, 0, 1024);
            JsonRowDecoder dec = new JsonRowDecoder(s, 1 << 20);
            for (int r = 0; r < n; r++) {
                String json = "{\"id\":\"evt-" + part + "-" + r + "-0123456789abcdef\",\"country\":\""
                        + countries[r % countries.length] + "\"}";
                assertThat(dec.decode(json.getBytes(StandardCharsets.UTF_8), buf)).isNull();
                buf.endRow((long) part * n + r, 1_700_000_000_000L + r, null, json.length());
            }
            MemoryOutputFile out = new MemoryOutputFile();
            new ParquetPartWriter(new AirCompressorCodecFactory(), CompressionCodecName.ZSTD, 32L << 20)
                    .write(buf, schema, out, Map.of());
            if (part == 0 || part == retry + 1) {
                // this part tried a dictionary for id and it fell back: the next parts skip it
                assertThat(ParquetPartWriter.dictionarySkipped(schema)).as("after part %d", part).containsExactly("id");
            } else if (part == retry) {
                // skipped for `retry` parts: the next part tries a dictionary again (the data may have changed)
                assertThat(ParquetPartWriter.dictionarySkipped(schema)).as("after part %d", part).isEmpty();
            } else {
                assertThat(ParquetPartWriter.dictionarySkipped(schema)).as("after part %d", part).containsExactly("id");
            }
            Parts.Read read = Parts.read(out.bytes.toByteArray());
            assertThat(read.dictionaryUse("id")).as("part %d: id pages are plain", part).containsExactly(false, true);
            assertThat(read.dictionaryUse("country")).as("part %d: country keeps its dictionary", part)
                    .containsExactly(true, false);
            List<Group> rows = read.rows();
            assertThat(rows).hasSize(n);
            for (int r = 0; r < n; r += 997) {
                assertThat(rows.get(r).getString("id", 0)).isEqualTo("evt-" + part + "-" + r + "-0123456789abcdef");
                assertThat(rows.get(r).getString("country", 0)).isEqualTo(countries[r % countries.length]);
                assertThat(rows.get(r).getLong("_offset", 0)).isEqualTo((long) part * n + r);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = CompressionCodecName.class, names = {"ZSTD", "SNAPPY", "UNCOMPRESSED"})
    void everyTypeRoundTrips(CompressionCodecName codec) throws Exception {
        RowSchema s = new RowSchema(List.of(
                RowSchema.Field.of("s", "string", "$.s", false),
                RowSchema.Field.of("i", "int", "$.i", true),
                RowSchema.Field.of("l", "long", "$.l", true),
                RowSchema.Field.of("d", "double", "$.d", true),
                RowSchema.Field.of("b", "boolean", "$.b", true),
                RowSchema.Field.of("ts", "timestamp", "$.ts", true),
                RowSchema.Field.of("day", "date", "$.day", true),
                RowSchema.Field.of("amt", "decimal(12,2)", "$.amt", true),
                RowSchema.Field.of("big", "decimal(38,10)", "$.big", true),
                RowSchema.Field.of("j", "json", "$.j", true)), true);
        PartitionBuffer buf = new PartitionBuffer("events", 3, s, 100, 0, 8);
        JsonRowDecoder dec = new JsonRowDecoder(s, 1 << 20);
        int n = 5000;
        for (int r = 0; r < n; r++) {
            String json = r % 7 == 0
                    ? "{\"s\":\"row" + r + "\"}"
                    : "{\"s\":\"row" + r + "\",\"i\":" + r + ",\"l\":" + (r * 1_000_000_007L) + ",\"d\":" + (r / 4.0)
                            + ",\"b\":" + (r % 2 == 0) + ",\"ts\":\"2024-03-01T10:00:00.5" + (r % 10) + "Z\""
                            + ",\"day\":\"2024-03-0" + (1 + r % 9) + "\",\"amt\":\"-" + r + ".25\""
                            + ",\"big\":\"1234567890123456789012345678." + r + "\",\"j\":{\"r\":" + r + "}}";
            String err = dec.decode(json.getBytes(StandardCharsets.UTF_8), buf);
            assertThat(err).isNull();
            buf.endRow(100 + 2L * r, 1_700_000_000_000L + r, r % 3 == 0 ? null : ("k" + r).getBytes(StandardCharsets.UTF_8),
                    json.length());
        }
        MessageType schema = PartSchema.of("events", s);
        MemoryOutputFile out = new MemoryOutputFile();
        ParquetPartWriter w = new ParquetPartWriter(new AirCompressorCodecFactory(), codec, 64 * 1024);
        ParquetPartWriter.Written written = w.write(buf, schema, out, Map.of("tributary.table", "events"));
        byte[] bytes = out.bytes.toByteArray();
        assertThat(written.bytes()).isEqualTo(bytes.length);
        assertThat(written.rows()).isEqualTo(n);

        Parts.Read read = Parts.read(bytes);
        assertThat(read.metadata()).containsEntry("tributary.table", "events");
        MessageType rs = read.schema();
        assertThat(rs.getType("_partition").asPrimitiveType().getPrimitiveTypeName()).isEqualTo(PrimitiveType.PrimitiveTypeName.INT32);
        assertThat(rs.getType("_offset").asPrimitiveType().getPrimitiveTypeName()).isEqualTo(PrimitiveType.PrimitiveTypeName.INT64);
        assertThat(rs.getType("_timestamp").getLogicalTypeAnnotation())
                .isEqualTo(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS));
        assertThat(rs.getType("_key").getLogicalTypeAnnotation()).isEqualTo(LogicalTypeAnnotation.stringType());
        assertThat(rs.getType("j").getLogicalTypeAnnotation()).isEqualTo(LogicalTypeAnnotation.stringType());
        assertThat(rs.getType("day").getLogicalTypeAnnotation()).isEqualTo(LogicalTypeAnnotation.dateType());
        assertThat(rs.getType("amt").asPrimitiveType().getPrimitiveTypeName()).isEqualTo(PrimitiveType.PrimitiveTypeName.INT64);
        assertThat(rs.getType("big").asPrimitiveType().getPrimitiveTypeName())
                .isEqualTo(PrimitiveType.PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY);
        assertThat(rs.getType("s").isRepetition(org.apache.parquet.schema.Type.Repetition.REQUIRED)).isTrue();

        List<Group> rows = read.rows();
        assertThat(rows).hasSize(n);
        for (int r = 0; r < n; r++) {
            Group g = rows.get(r);
            assertThat(g.getString("s", 0)).isEqualTo("row" + r);
            assertThat(g.getInteger("_partition", 0)).isEqualTo(3);
            assertThat(g.getLong("_offset", 0)).isEqualTo(100 + 2L * r);
            assertThat(g.getLong("_timestamp", 0)).isEqualTo((1_700_000_000_000L + r) * 1000);
            if (r % 3 == 0) {
                assertThat(g.getFieldRepetitionCount("_key")).isZero();
            } else {
                assertThat(g.getString("_key", 0)).isEqualTo("k" + r);
            }
            if (r % 7 == 0) {
                for (String c : List.of("i", "l", "d", "b", "ts", "day", "amt", "big", "j")) {
                    assertThat(g.getFieldRepetitionCount(c)).as(c).isZero();
                }
                continue;
            }
            assertThat(g.getInteger("i", 0)).isEqualTo(r);
            assertThat(g.getLong("l", 0)).isEqualTo(r * 1_000_000_007L);
            assertThat(g.getDouble("d", 0)).isEqualTo(r / 4.0);
            assertThat(g.getBoolean("b", 0)).isEqualTo(r % 2 == 0);
            assertThat(g.getLong("ts", 0)).isEqualTo(Instant.parse("2024-03-01T10:00:00.5" + (r % 10) + "Z").toEpochMilli() * 1000);
            assertThat(g.getInteger("day", 0)).isEqualTo((int) LocalDate.of(2024, 3, 1 + r % 9).toEpochDay());
            assertThat(g.getLong("amt", 0)).isEqualTo(new BigDecimal("-" + r + ".25").unscaledValue().longValueExact());
            BigDecimal big = new BigDecimal(new BigInteger(g.getBinary("big", 0).getBytes()), 10);
            assertThat(big).isEqualByComparingTo(new BigDecimal("1234567890123456789012345678." + r));
            assertThat(g.getString("j", 0)).isEqualTo("{\"r\":" + r + "}");
        }
    }
}
