package io.tributary.runner.decode.avro;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.runner.buffer.ColumnVector;
import io.tributary.runner.buffer.PartitionBuffer;
import io.tributary.runner.decode.FramedRowDecoder;
import io.tributary.runner.decode.PayloadDecoder;
import io.tributary.runner.decode.RowSchema;
import io.tributary.formats.registry.RegistrySchema;
import io.tributary.formats.registry.RegistryUnavailableException;
import io.tributary.formats.registry.UnknownSchemaException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** Payloads are written by Apache Avro's own GenericDatumWriter; our decoder must read them into columns. */
class AvroPayloadDecoderTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static final String CLICK_V1 = """
            {"type":"record","name":"Click","namespace":"demo","fields":[
              {"name":"event_id","type":"string"},
              {"name":"user","type":{"type":"record","name":"User","fields":[
                 {"name":"id","type":"long"},{"name":"country","type":["null","string"],"default":null}]}},
              {"name":"ts","type":{"type":"long","logicalType":"timestamp-micros"}},
              {"name":"amount","type":["null",{"type":"bytes","logicalType":"decimal","precision":12,"scale":2}],"default":null},
              {"name":"big","type":{"type":"fixed","name":"Big","size":16,"logicalType":"decimal","precision":30,"scale":4}},
              {"name":"day","type":{"type":"int","logicalType":"date"}},
              {"name":"kind","type":{"type":"enum","name":"Kind","symbols":["VIEW","CLICK","BUY"]}},
              {"name":"score","type":"float"},
              {"name":"ok","type":"boolean"},
              {"name":"n","type":"int"},
              {"name":"blob","type":"bytes"},
              {"name":"tags","type":{"type":"array","items":"string"}},
              {"name":"attrs","type":{"type":"map","values":["null","long","string"]}}
            ]}""";

    private static RowSchema clickColumns() {
        return new RowSchema(List.of(
                RowSchema.Field.of("event_id", "string", "$.event_id", false),
                RowSchema.Field.of("user_id", "long", "$.user.id", false),
                RowSchema.Field.of("country", "string", "$.user.country", true),
                RowSchema.Field.of("ts", "timestamp", "$.ts", false),
                RowSchema.Field.of("amount", "decimal(12,2)", "$.amount", true),
                RowSchema.Field.of("big", "decimal(30,4)", "$.big", true),
                RowSchema.Field.of("day", "date", "$.day", true),
                RowSchema.Field.of("kind", "string", "$.kind", true),
                RowSchema.Field.of("score", "double", "$.score", true),
                RowSchema.Field.of("ok", "boolean", "$.ok", true),
                RowSchema.Field.of("n", "long", "$.n", true),
                RowSchema.Field.of("blob", "string", "$.blob", true),
                RowSchema.Field.of("tags", "json", "$.tags", true),
                RowSchema.Field.of("attrs", "json", "$.attrs", true),
                RowSchema.Field.of("user", "json", "$.user", true),
                RowSchema.Field.of("absent", "string", "$.not_there", true)), false);
    }

    static byte[] write(Schema schema, GenericRecord r) {
        try {
            GenericData data = new GenericData();
            data.addLogicalTypeConversion(new Conversions.DecimalConversion());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(schema, data).write(r, enc);
            enc.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] frame(int id, byte[] payload) {
        return ByteBuffer.allocate(5 + payload.length).put((byte) 0).putInt(id).put(payload).array();
    }

    private static GenericRecord click(Schema s, String id, String country, BigDecimal amount) {
        GenericRecord user = new GenericData.Record(s.getField("user").schema());
        user.put("id", 42L);
        user.put("country", country);
        GenericRecord r = new GenericData.Record(s);
        r.put("event_id", id);
        r.put("user", user);
        r.put("ts", Instant.parse("2026-12-06T10:15:30.123456Z").toEpochMilli() * 1000 + 456);
        r.put("amount", amount);
        r.put("big", new GenericData.Fixed(s.getField("big").schema(),
                fixed16(new BigInteger("-123456789012345678901234"))));
        r.put("day", (int) LocalDate.of(2024, 2, 29).toEpochDay());
        r.put("kind", new GenericData.EnumSymbol(s.getField("kind").schema(), "BUY"));
        r.put("score", 1.5f);
        r.put("ok", true);
        r.put("n", -7);
        r.put("blob", ByteBuffer.wrap(new byte[] {1, 2, (byte) 0xff}));
        r.put("tags", List.of("a", "b\"q"));
        Map<String, Object> attrs = new HashMap<>();
        attrs.put("k", 5L);
        r.put("attrs", attrs);
        return r;
    }

    private static byte[] fixed16(BigInteger v) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[16];
        java.util.Arrays.fill(out, 0, 16 - raw.length, (byte) (v.signum() < 0 ? 0xff : 0));
        System.arraycopy(raw, 0, out, 16 - raw.length, raw.length);
        return out;
    }

    private static String text(PartitionBuffer b, int col, int row) {
        ColumnVector.Binaries v = (ColumnVector.Binaries) b.columns()[col];
        return v.isNull(row) ? null : new String(v.data(), v.start(row), v.end(row) - v.start(row), StandardCharsets.UTF_8);
    }

    private static String decode(PayloadDecoder d, PartitionBuffer b, byte[] payload) {
        String err = d.decode(payload, 0, b);
        if (err == null) {
            b.endRow(b.rows(), 0, null, payload.length);
        }
        return err;
    }

    @Test
    void decodesEveryTypeStraightIntoColumns() throws Exception {
        Schema s = new Schema.Parser().parse(CLICK_V1);
        RowSchema rows = clickColumns();
        PayloadDecoder d = AvroPayloadDecoder.compile(CLICK_V1, rows, "schema id 1");
        PartitionBuffer b = new PartitionBuffer("t", 0, rows, 0, 0, 4);
        assertThat(decode(d, b, write(s, click(s, "e1", "DE", new BigDecimal("12.50"))))).isNull();
        assertThat(decode(d, b, write(s, click(s, "e2", null, null)))).isNull();
        assertThat(b.rows()).isEqualTo(2);
        assertThat(text(b, 0, 0)).isEqualTo("e1");
        assertThat(((ColumnVector.Longs) b.columns()[1]).get(0)).isEqualTo(42L);
        assertThat(text(b, 2, 0)).isEqualTo("DE");
        assertThat(b.columns()[2].isNull(1)).isTrue();
        assertThat(((ColumnVector.Longs) b.columns()[3]).get(0))
                .isEqualTo(Instant.parse("2026-12-06T10:15:30.123Z").toEpochMilli());
        assertThat(((ColumnVector.Longs) b.columns()[4]).get(0)).isEqualTo(1250L);
        assertThat(b.columns()[4].isNull(1)).isTrue();
        ColumnVector.Binaries big = (ColumnVector.Binaries) b.columns()[5];
        assertThat(new BigInteger(java.util.Arrays.copyOfRange(big.data(), big.start(0), big.end(0))))
                .isEqualTo(new BigInteger("-123456789012345678901234"));
        assertThat(((ColumnVector.Ints) b.columns()[6]).get(0)).isEqualTo((int) LocalDate.of(2024, 2, 29).toEpochDay());
        assertThat(text(b, 7, 0)).isEqualTo("BUY");
        assertThat(((ColumnVector.Doubles) b.columns()[8]).get(0)).isEqualTo(1.5);
        assertThat(((ColumnVector.Booleans) b.columns()[9]).get(0)).isTrue();
        assertThat(((ColumnVector.Longs) b.columns()[10]).get(0)).isEqualTo(-7L);
        assertThat(text(b, 11, 0)).isEqualTo(java.util.Base64.getEncoder().encodeToString(new byte[] {1, 2, (byte) 0xff}));
        assertThat(JSON.readTree(text(b, 12, 0))).isEqualTo(JSON.readTree("[\"a\",\"b\\\"q\"]"));
        assertThat(JSON.readTree(text(b, 13, 0))).isEqualTo(JSON.readTree("{\"k\":5}"));
        JsonNode user = JSON.readTree(text(b, 14, 0));
        assertThat(user.get("id").asLong()).isEqualTo(42L);
        assertThat(user.get("country").asText()).isEqualTo("DE");
        assertThat(b.columns()[15].isNull(0)).isTrue();
    }

    @Test
    void newerAndOlderWriterSchemasResolveByName() {
        // v2 adds a field (ignored until the table has a column) and removes country (default null)
        String v2 = """
                {"type":"record","name":"Click","namespace":"demo","fields":[
                  {"name":"session","type":"string","default":""},
                  {"name":"event_id","type":"string"},
                  {"name":"user","type":{"type":"record","name":"User","fields":[{"name":"id","type":"int"}]}},
                  {"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}}
                ]}""";
        Schema s2 = new Schema.Parser().parse(v2);
        RowSchema rows = new RowSchema(List.of(
                RowSchema.Field.of("event_id", "string", "$.event_id", false),
                RowSchema.Field.of("user_id", "long", "$.user.id", false),
                RowSchema.Field.of("country", "string", "$.user.country", true),
                RowSchema.Field.of("ts", "timestamp", "$.ts", false)), false);
        PayloadDecoder d = AvroPayloadDecoder.compile(v2, rows, "schema id 2");
        PartitionBuffer b = new PartitionBuffer("t", 0, rows, 0, 0, 4);
        GenericRecord user = new GenericData.Record(s2.getField("user").schema());
        user.put("id", 7);
        GenericRecord r = new GenericData.Record(s2);
        r.put("session", "s-1");
        r.put("event_id", "e9");
        r.put("user", user);
        r.put("ts", 1_700_000_000_123L);
        assertThat(decode(d, b, write(s2, r))).isNull();
        assertThat(text(b, 0, 0)).isEqualTo("e9");
        assertThat(((ColumnVector.Longs) b.columns()[1]).get(0)).isEqualTo(7L);
        assertThat(b.columns()[2].isNull(0)).isTrue();
        assertThat(((ColumnVector.Longs) b.columns()[3]).get(0)).isEqualTo(1_700_000_000_123L);
    }

    @Test
    void badPayloadsAreDeadLettersNamingTheCause() {
        Schema s = new Schema.Parser().parse(CLICK_V1);
        RowSchema rows = clickColumns();
        PayloadDecoder d = AvroPayloadDecoder.compile(CLICK_V1, rows, "schema id 1");
        PartitionBuffer b = new PartitionBuffer("t", 0, rows, 0, 0, 4);
        byte[] good = write(s, click(s, "e1", "DE", new BigDecimal("1.00")));
        assertThat(decode(d, b, java.util.Arrays.copyOf(good, good.length - 3))).contains("truncated").contains("schema id 1");
        byte[] longer = java.util.Arrays.copyOf(good, good.length + 2);
        assertThat(decode(d, b, longer)).contains("2 bytes left over");
        assertThat(b.rows()).isZero();
        for (ColumnVector c : b.columns()) {
            assertThat(c.size()).isZero(); // the buffer is unchanged
        }
        // a writer type that cannot fill the column: the message names the column and the type
        String wrong = "{\"type\":\"record\",\"name\":\"C\",\"fields\":[{\"name\":\"event_id\",\"type\":\"long\"}]}";
        RowSchema one = new RowSchema(List.of(RowSchema.Field.of("event_id", "string", "$.event_id", false)), false);
        PayloadDecoder dw = AvroPayloadDecoder.compile(wrong, one, "schema id 9");
        PartitionBuffer b1 = new PartitionBuffer("t", 0, one, 0, 0, 4);
        assertThat(dw.decode(new byte[] {2}, 0, b1)).isEqualTo("column 'event_id' ($.event_id): schema id 9 has long,"
                + " which cannot fill a string column");
        assertThat(AvroPayloadDecoder.compile("{not json", one, "schema id 3").decode(new byte[] {2}, 0, b1))
                .startsWith("schema id 3 is not a valid Avro schema");
        // a required column the writer schema lacks
        String lacks = "{\"type\":\"record\",\"name\":\"C\",\"fields\":[{\"name\":\"x\",\"type\":\"long\"}]}";
        assertThat(AvroPayloadDecoder.compile(lacks, one, "schema id 4").decode(new byte[] {2}, 0, b1))
                .isEqualTo("column 'event_id' ($.event_id): missing required value (schema id 4)");
    }

    @Test
    void framingErrorsUnknownIdsAndRegistryOutages() {
        Schema s = new Schema.Parser().parse(CLICK_V1);
        RowSchema rows = clickColumns();
        Map<Integer, String> registry = new HashMap<>(Map.of(1, CLICK_V1));
        boolean[] down = {false};
        FramedRowDecoder d = new FramedRowDecoder("avro", id -> {
            if (down[0]) {
                throw new RegistryUnavailableException("connection refused", null);
            }
            String text = registry.get(id);
            if (text == null) {
                throw new UnknownSchemaException("unknown schema id " + id + " (404)");
            }
            return RegistrySchema.byId(id, "AVRO", text);
        }, st -> AvroPayloadDecoder.compile(st.text(), rows, "schema id " + st.id()), 1 << 20);
        PartitionBuffer b = new PartitionBuffer("t", 0, rows, 0, 0, 4);
        byte[] payload = write(s, click(s, "e1", "DE", null));
        assertThat(d.decode(new byte[] {0, 0, 0}, b)).startsWith("truncated frame: 3 bytes");
        assertThat(d.decode(frame(1, payload), b)).isNull();
        b.endRow(0, 0, null, 1);
        byte[] wrongMagic = frame(1, payload);
        wrongMagic[0] = 7;
        assertThat(d.decode(wrongMagic, b)).isEqualTo("wrong magic byte 0x07: expected 0x00 (schema-registry wire format)");
        assertThat(d.decode(frame(99, payload), b)).startsWith("unknown schema id 99");
        // an id not seen yet while the registry is down: not a bad record, the caller retries
        down[0] = true;
        Assertions.assertThrows(RegistryUnavailableException.class, () -> d.decode(frame(2, payload), b));
        // a cached id keeps decoding while the registry is down
        assertThat(d.decode(frame(1, payload), b)).isNull();
        b.endRow(1, 0, null, 1);
        down[0] = false;
        registry.put(2, CLICK_V1);
        assertThat(d.decode(frame(2, payload), b)).isNull();
        b.endRow(2, 0, null, 1);
        assertThat(b.rows()).isEqualTo(3);
        // a PROTOBUF schema under an avro table
        registry.put(3, "syntax = \"proto3\"; message M { string a = 1; }");
        FramedRowDecoder typed = new FramedRowDecoder("avro", id -> RegistrySchema.byId(id, "PROTOBUF", registry.get(id)),
                st -> AvroPayloadDecoder.compile(st.text(), rows, "x"), 1 << 20);
        assertThat(typed.decode(frame(3, payload), b)).isEqualTo("schema id 3 is a PROTOBUF schema; this table's format is avro");
    }

    @Test
    void unusedFieldsOfEveryShapeAreSkipped() {
        // only event_id is a column: every other field (records, arrays, maps, unions, fixed) must be skipped exactly
        Schema s = new Schema.Parser().parse(CLICK_V1);
        RowSchema one = new RowSchema(List.of(RowSchema.Field.of("n", "int", "$.n", false)), false);
        PayloadDecoder d = AvroPayloadDecoder.compile(CLICK_V1, one, "schema id 1");
        PartitionBuffer b = new PartitionBuffer("t", 0, one, 0, 0, 4);
        assertThat(decode(d, b, write(s, click(s, "e1", "DE", new BigDecimal("3.10"))))).isNull();
        assertThat(((ColumnVector.Ints) b.columns()[0]).get(0)).isEqualTo(-7);
    }

    @Test
    void logicalTypesOfTimestampsConvertToMillis() {
        String v = """
                {"type":"record","name":"T","fields":[
                  {"name":"a","type":{"type":"long","logicalType":"timestamp-millis"}},
                  {"name":"b","type":{"type":"long","logicalType":"timestamp-nanos"}},
                  {"name":"c","type":"string"}]}""";
        Schema s = new Schema.Parser().parse(v);
        RowSchema rows = new RowSchema(List.of(RowSchema.Field.of("a", "timestamp", "$.a", false),
                RowSchema.Field.of("b", "timestamp", "$.b", false), RowSchema.Field.of("c", "timestamp", "$.c", false)), false);
        PayloadDecoder d = AvroPayloadDecoder.compile(v, rows, "schema id 5");
        PartitionBuffer b = new PartitionBuffer("t", 0, rows, 0, 0, 4);
        GenericRecord r = new GenericData.Record(s);
        r.put("a", 1_700_000_000_123L);
        r.put("b", 1_700_000_000_123_456_789L);
        r.put("c", "2026-12-06T10:15:30.5Z");
        assertThat(decode(d, b, write(s, r))).isNull();
        assertThat(((ColumnVector.Longs) b.columns()[0]).get(0)).isEqualTo(1_700_000_000_123L);
        assertThat(((ColumnVector.Longs) b.columns()[1]).get(0)).isEqualTo(1_700_000_000_123L);
        assertThat(((ColumnVector.Longs) b.columns()[2]).get(0)).isEqualTo(Instant.parse("2026-12-06T10:15:30.5Z").toEpochMilli());
        r.put("c", "yesterday");
        assertThat(decode(d, b, write(s, r))).startsWith("column 'c' ($.c):");
        assertThat(LogicalTypes.timestampNanos()).isNotNull();
    }
}
