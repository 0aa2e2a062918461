package io.tributary.runner.decode.proto;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.StringValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import io.tributary.formats.proto.ProtoDescriptors;
import io.tributary.formats.proto.ProtoFile;
import io.tributary.formats.proto.ProtoParser;
import io.tributary.runner.buffer.ColumnVector;
import io.tributary.runner.buffer.PartitionBuffer;
import io.tributary.runner.decode.PayloadDecoder;
import io.tributary.runner.decode.RowSchema;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Payloads are written by Google's protobuf-java ({@link DynamicMessage} over descriptors built from
 * our parsed schema): an encoder independent of our decoder.
 */
class ProtoPayloadDecoderTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static final String SHOP = """
            syntax = "proto3";
            package shop.v1;

            import "google/protobuf/timestamp.proto";
            import "google/protobuf/wrappers.proto";
            import "google/protobuf/struct.proto";

            message Order {
              enum Status { STATUS_UNKNOWN = 0; PLACED = 1; SHIPPED = 2; }
              message Customer { string id = 1; string name = 2; Address address = 3; }
              message Address { string city = 1; string zip = 2; }

              string id = 1;
              int64 amount_cents = 2;
              Status status = 3;
              google.protobuf.Timestamp placed_at = 4;
              Customer customer = 5;
              repeated string tags = 6;
              repeated int32 quantities = 7;
              map<string, int64> counters = 8;
              repeated Line lines = 9;
              double ratio = 10;
              bool gift = 11;
              bytes blob = 12;
              optional int32 retries = 13;
              google.protobuf.StringValue note = 14;
              google.protobuf.Struct extra = 15;
              sint64 delta = 16;
              uint64 big = 17;
              fixed32 f32 = 18;
              sfixed64 sf64 = 19;
              float score = 20;
              int64 created_ms = 21;
              string day = 22;
              string when = 23;
              oneof target { string url = 24; int32 page_id = 25; }
              repeated int32 loose = 26 [packed = false];
              map<int32, Line> lines_by_no = 27;
              string amount_text = 28;
              int32 sample_id = 100000;
            }

            message Line { string sku = 1; int32 qty = 2; Order.Status status = 3; }

            message Envelope {
              message Inner { string code = 1; int64 n = 2; }
              Inner inner = 1;
            }
            """;

    private static final ProtoFile FILE = ProtoParser.parse(SHOP);
    private static final Descriptors.FileDescriptor FD = ProtoDescriptors.build(FILE);
    private static final Descriptors.Descriptor ORDER = FD.findMessageTypeByName("Order");
    private static final Descriptors.Descriptor LINE = FD.findMessageTypeByName("Line");

    // ---------------------------------------------------------------- helpers

    private static RowSchema.Field col(String name, String type, String path, boolean nullable) {
        return RowSchema.Field.of(name, type, path, nullable);
    }

    private static RowSchema schema(RowSchema.Field... fields) {
        return new RowSchema(List.of(fields), false);
    }

    private static PartitionBuffer buffer(RowSchema s) {
        return new PartitionBuffer("t", 0, s, 0, 0, 4);
    }

    /** Magic byte 0, schema id, then Confluent's message indexes (zig-zag count, zig-zag indexes). */
    static byte[] frame(int id, int[] indexes, byte[] message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(id >>> 24);
        out.write(id >>> 16);
        out.write(id >>> 8);
        out.write(id);
        if (indexes.length == 1 && indexes[0] == 0) {
            out.write(0);
        } else {
            zigzag(out, indexes.length);
            for (int i : indexes) {
                zigzag(out, i);
            }
        }
        out.writeBytes(message);
        return out.toByteArray();
    }

    private static void zigzag(ByteArrayOutputStream out, int v) {
        long z = ((long) v << 1) ^ (v >> 31);
        while ((z & ~0x7FL) != 0) {
            out.write((int) ((z & 0x7F) | 0x80));
            z >>>= 7;
        }
        out.write((int) z);
    }

    private static String decode(PayloadDecoder d, PartitionBuffer b, byte[] framed) {
        String err = d.decode(framed, 5, b);
        if (err == null) {
            b.endRow(b.rows(), 0, null, framed.length);
        }
        return err;
    }

    private static String text(PartitionBuffer b, int col, int row) {
        ColumnVector.Binaries v = (ColumnVector.Binaries) b.columns()[col];
        return v.isNull(row) ? null : new String(v.data(), v.start(row), v.end(row) - v.start(row), StandardCharsets.UTF_8);
    }

    private static JsonNode json(PartitionBuffer b, int col, int row) throws Exception {
        return JSON.readTree(text(b, col, row));
    }

    private static long longAt(PartitionBuffer b, int col, int row) {
        return ((ColumnVector.Longs) b.columns()[col]).get(row);
    }

    private static int intAt(PartitionBuffer b, int col, int row) {
        return ((ColumnVector.Ints) b.columns()[col]).get(row);
    }

    private static Descriptors.FieldDescriptor f(Descriptors.Descriptor d, String name) {
        return d.findFieldByName(name);
    }

    private static DynamicMessage line(String sku, int qty, String status) {
        return DynamicMessage.newBuilder(LINE)
                .setField(f(LINE, "sku"), sku)
                .setField(f(LINE, "qty"), qty)
                .setField(f(LINE, "status"), f(LINE, "status").getEnumType().findValueByName(status))
                .build();
    }

    private static DynamicMessage fullOrder() {
        Descriptors.Descriptor customer = ORDER.findNestedTypeByName("Customer");
        Descriptors.Descriptor address = ORDER.findNestedTypeByName("Address");
        Descriptors.FieldDescriptor counters = f(ORDER, "counters");
        Descriptors.Descriptor entry = counters.getMessageType();
        Descriptors.FieldDescriptor byNo = f(ORDER, "lines_by_no");
        Descriptors.Descriptor byNoEntry = byNo.getMessageType();
        return DynamicMessage.newBuilder(ORDER)
                .setField(f(ORDER, "id"), "o-1 \"quoted\" ☺")
                .setField(f(ORDER, "amount_cents"), -12345L)
                .setField(f(ORDER, "status"), f(ORDER, "status").getEnumType().findValueByName("SHIPPED"))
                .setField(f(ORDER, "placed_at"), Timestamp.newBuilder().setSeconds(1_700_000_000L).setNanos(987_654_321).build())
                .setField(f(ORDER, "customer"), DynamicMessage.newBuilder(customer)
                        .setField(f(customer, "id"), "c-9")
                        .setField(f(customer, "name"), "Ada")
                        .setField(f(customer, "address"), DynamicMessage.newBuilder(address)
                                .setField(f(address, "city"), "Utrecht").build())
                        .build())
                .addRepeatedField(f(ORDER, "tags"), "a")
                .addRepeatedField(f(ORDER, "tags"), "b\nc")
                .addRepeatedField(f(ORDER, "quantities"), 1)
                .addRepeatedField(f(ORDER, "quantities"), -2)
                .addRepeatedField(f(ORDER, "quantities"), 300)
                .addRepeatedField(counters, DynamicMessage.newBuilder(entry)
                        .setField(f(entry, "key"), "views").setField(f(entry, "value"), 7L).build())
                .addRepeatedField(counters, DynamicMessage.newBuilder(entry)
                        .setField(f(entry, "key"), "clicks").setField(f(entry, "value"), 0L).build())
                .addRepeatedField(f(ORDER, "lines"), line("sku-1", 2, "PLACED"))
                .addRepeatedField(f(ORDER, "lines"), line("sku-2", 0, "STATUS_UNKNOWN"))
                .setField(f(ORDER, "ratio"), 0.25)
                .setField(f(ORDER, "gift"), true)
                .setField(f(ORDER, "blob"), ByteString.copyFrom(new byte[] {1, 2, 3, (byte) 0xff}))
                .setField(f(ORDER, "retries"), 0)
                .setField(f(ORDER, "note"), StringValue.of("leave at door"))
                .setField(f(ORDER, "extra"), Struct.newBuilder()
                        .putFields("s", Value.newBuilder().setStringValue("x").build())
                        .putFields("n", Value.newBuilder().setNumberValue(1.5).build())
                        .putFields("b", Value.newBuilder().setBoolValue(true).build())
                        .putFields("z", Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build())
                        .putFields("l", Value.newBuilder().setListValue(ListValue.newBuilder()
                                .addValues(Value.newBuilder().setNumberValue(1))
                                .addValues(Value.newBuilder().setStringValue("two"))).build())
                        .build())
                .setField(f(ORDER, "delta"), -5L)
                .setField(f(ORDER, "big"), -1L) // 2^64-1
                .setField(f(ORDER, "f32"), -1) // 2^32-1
                .setField(f(ORDER, "sf64"), Long.MIN_VALUE)
                .setField(f(ORDER, "score"), 1.1f)
                .setField(f(ORDER, "created_ms"), 1_700_000_000_123L)
                .setField(f(ORDER, "day"), "2024-02-29")
                .setField(f(ORDER, "when"), "2024-02-29T23:59:59.123+01:00")
                .setField(f(ORDER, "page_id"), 77)
                .addRepeatedField(f(ORDER, "loose"), 5)
                .addRepeatedField(f(ORDER, "loose"), 6)
                .addRepeatedField(byNo, DynamicMessage.newBuilder(byNoEntry)
                        .setField(f(byNoEntry, "key"), 3).setField(f(byNoEntry, "value"), line("sku-3", 1, "PLACED")).build())
                .setField(f(ORDER, "amount_text"), "12.50")
                .setField(f(ORDER, "sample_id"), 42)
                .build();
    }

    // ---------------------------------------------------------------- tests

    @Test
    void decodesScalarsEnumsTimestampsAndNestedFields() {
        RowSchema s = schema(
                col("id", "string", "$.id", false),
                col("amount", "long", "$.amount_cents", true),
                col("status", "string", "$.status", true),
                col("placed_at", "timestamp", "$.placed_at", true),
                col("customer_id", "string", "$.customer.id", true),
                col("customer_city", "string", "$.customer.address.city", true),
                col("customer_zip", "string", "$.customer.address.zip", true),
                col("ratio", "double", "$.ratio", true),
                col("gift", "boolean", "$.gift", true),
                col("blob", "string", "$.blob", true),
                col("retries", "int", "$.retries", true),
                col("note", "string", "$.note", true),
                col("delta", "long", "$.delta", true),
                col("big", "long", "$.big", true),
                col("f32", "long", "$.f32", true),
                col("sf64", "long", "$.sf64", true),
                col("score", "double", "$.score", true),
                col("created", "timestamp", "$.created_ms", true),
                col("day", "date", "$.day", true),
                col("when", "timestamp", "$.when", true),
                col("url", "string", "$.url", true),
                col("page_id", "int", "$.page_id", true),
                col("amount_dec", "decimal(10,2)", "$.amount_text", true),
                col("amount_as_dec", "decimal(30,2)", "$.amount_cents", true),
                col("status_no", "int", "$.status", true),
                col("placed_day", "date", "$.placed_at", true),
                col("sample", "long", "$.sample_id", true),
                col("camel", "long", "$.amountCents", true));
        PayloadDecoder d = ProtoDecoders.compile(SHOP, s, true, null, "schema id 7");
        PartitionBuffer b = buffer(s);
        assertThat(decode(d, b, frame(7, new int[] {0}, fullOrder().toByteArray()))).isNull();
        assertThat(b.rows()).isEqualTo(1);
        assertThat(text(b, 0, 0)).isEqualTo("o-1 \"quoted\" ☺");
        assertThat(longAt(b, 1, 0)).isEqualTo(-12345L);
        assertThat(text(b, 2, 0)).isEqualTo("SHIPPED");
        assertThat(longAt(b, 3, 0)).isEqualTo(1_700_000_000_987L);
        assertThat(text(b, 4, 0)).isEqualTo("c-9");
        assertThat(text(b, 5, 0)).isEqualTo("Utrecht");
        assertThat(text(b, 6, 0)).isEqualTo(""); // address present, zip absent: proto3 default
        assertThat(((ColumnVector.Doubles) b.columns()[7]).get(0)).isEqualTo(0.25);
        assertThat(((ColumnVector.Booleans) b.columns()[8]).get(0)).isTrue();
        assertThat(text(b, 9, 0)).isEqualTo(Base64.getEncoder().encodeToString(new byte[] {1, 2, 3, (byte) 0xff}));
        assertThat(b.columns()[10].isNull(0)).isFalse();
        assertThat(intAt(b, 10, 0)).isEqualTo(0); // proto3 optional set to 0: present
        assertThat(text(b, 11, 0)).isEqualTo("leave at door");
        assertThat(longAt(b, 12, 0)).isEqualTo(-5L);
        assertThat(longAt(b, 13, 0)).isEqualTo(-1L); // uint64 2^64-1 wraps
        assertThat(longAt(b, 14, 0)).isEqualTo(4_294_967_295L);
        assertThat(longAt(b, 15, 0)).isEqualTo(Long.MIN_VALUE);
        assertThat(((ColumnVector.Doubles) b.columns()[16]).get(0)).isEqualTo((double) 1.1f);
        assertThat(longAt(b, 17, 0)).isEqualTo(1_700_000_000_123L);
        assertThat(intAt(b, 18, 0)).isEqualTo((int) LocalDate.of(2024, 2, 29).toEpochDay());
        assertThat(longAt(b, 19, 0)).isEqualTo(Instant.parse("2024-02-29T22:59:59.123Z").toEpochMilli());
        assertThat(b.columns()[20].isNull(0)).isTrue(); // the other oneof member
        assertThat(intAt(b, 21, 0)).isEqualTo(77);
        assertThat(longAt(b, 22, 0)).isEqualTo(1250L);
        ColumnVector.Binaries dec = (ColumnVector.Binaries) b.columns()[23];
        byte[] fixed = Arrays.copyOfRange(dec.data(), dec.start(0), dec.end(0));
        assertThat(new BigDecimal(new java.math.BigInteger(fixed), 2)).isEqualByComparingTo("-12345");
        assertThat(intAt(b, 24, 0)).isEqualTo(2);
        assertThat(intAt(b, 25, 0)).isEqualTo((int) LocalDate.of(2023, 11, 14).toEpochDay());
        assertThat(longAt(b, 26, 0)).isEqualTo(42L);
        assertThat(longAt(b, 27, 0)).isEqualTo(-12345L); // addressed by JSON name
    }

    @Test
    void rendersRepeatedMapsMessagesAndStructsAsJson() throws Exception {
        RowSchema s = schema(
                col("tags", "json", "$.tags", true),
                col("quantities", "json", "$.quantities", true),
                col("counters", "json", "$.counters", true),
                col("lines", "json", "$.lines", true),
                col("customer", "json", "$.customer", true),
                col("extra", "json", "$.extra", true),
                col("placed_at", "json", "$.placed_at", true),
                col("note", "json", "$.note", true),
                col("status", "json", "$.status", true),
                col("blob", "json", "$.blob", true),
                col("big", "json", "$.big", true),
                col("loose", "json", "$.loose", true),
                col("lines_by_no", "json", "$.lines_by_no", true),
                col("all", "json", "$", true),
                col("customer_name", "string", "$.customer.name", true));
        PayloadDecoder d = ProtoDecoders.compile(SHOP, s, true, null, "schema id 7");
        PartitionBuffer b = buffer(s);
        assertThat(decode(d, b, frame(7, new int[] {0}, fullOrder().toByteArray()))).isNull();
        assertThat(json(b, 0, 0)).isEqualTo(JSON.readTree("[\"a\",\"b\\nc\"]"));
        assertThat(json(b, 1, 0)).isEqualTo(JSON.readTree("[1,-2,300]"));
        assertThat(json(b, 2, 0)).isEqualTo(JSON.readTree("{\"views\":7,\"clicks\":0}"));
        assertThat(json(b, 3, 0)).isEqualTo(JSON.readTree("[{\"sku\":\"sku-1\",\"qty\":2,\"status\":\"PLACED\"},"
                + "{\"sku\":\"sku-2\"}]")); // absent proto3 defaults are omitted, as protobuf's JSON printer does
        assertThat(json(b, 4, 0)).isEqualTo(JSON.readTree("{\"id\":\"c-9\",\"name\":\"Ada\",\"address\":{\"city\":\"Utrecht\"}}"));
        assertThat(json(b, 5, 0)).isEqualTo(JSON.readTree("{\"s\":\"x\",\"n\":1.5,\"b\":true,\"z\":null,\"l\":[1,\"two\"]}"));
        assertThat(json(b, 6, 0).asText()).isEqualTo("2023-11-14T22:13:20.987654321Z");
        assertThat(json(b, 7, 0).asText()).isEqualTo("leave at door");
        assertThat(json(b, 8, 0).asText()).isEqualTo("SHIPPED");
        assertThat(json(b, 9, 0).asText()).isEqualTo("AQID/w==");
        assertThat(text(b, 10, 0)).isEqualTo("18446744073709551615");
        assertThat(json(b, 11, 0)).isEqualTo(JSON.readTree("[5,6]"));
        assertThat(json(b, 12, 0)).isEqualTo(JSON.readTree("{\"3\":{\"sku\":\"sku-3\",\"qty\":1,\"status\":\"PLACED\"}}"));
        JsonNode all = json(b, 13, 0);
        assertThat(all.get("id").asText()).isEqualTo("o-1 \"quoted\" ☺");
        assertThat(all.get("amount_cents").asLong()).isEqualTo(-12345L);
        assertThat(all.get("sf64").asLong()).isEqualTo(Long.MIN_VALUE);
        assertThat(all.get("score").asDouble()).isEqualTo(1.1);
        assertThat(all.get("page_id").asInt()).isEqualTo(77);
        assertThat(all.get("f32").asLong()).isEqualTo(4_294_967_295L);
        assertThat(all.get("quantities")).isEqualTo(JSON.readTree("[1,-2,300]"));
        assertThat(all.has("url")).isFalse();
        assertThat(text(b, 14, 0)).isEqualTo("Ada");
    }

    @Test
    void absentFieldsTakeProto3DefaultsOrNull() throws Exception {
        RowSchema s = schema(
                col("id", "string", "$.id", false),
                col("amount", "long", "$.amount_cents", false),
                col("status", "string", "$.status", false),
                col("gift", "boolean", "$.gift", false),
                col("ratio", "double", "$.ratio", false),
                col("retries", "int", "$.retries", true),
                col("placed_at", "timestamp", "$.placed_at", true),
                col("customer_id", "string", "$.customer.id", true),
                col("tags", "json", "$.tags", false),
                col("counters", "json", "$.counters", false),
                col("note", "string", "$.note", true),
                col("url", "string", "$.url", true),
                col("when", "timestamp", "$.when", true),
                col("removed", "long", "$.no_such_field", true),
                col("below_scalar", "string", "$.id.x", true),
                col("status_json", "json", "$.status", true));
        PayloadDecoder d = ProtoDecoders.compile(SHOP, s, true, null, "schema id 7");
        PartitionBuffer b = buffer(s);
        assertThat(decode(d, b, frame(7, new int[] {0}, new byte[0]))).isNull();
        assertThat(text(b, 0, 0)).isEqualTo("");
        assertThat(longAt(b, 1, 0)).isZero();
        assertThat(text(b, 2, 0)).isEqualTo("STATUS_UNKNOWN");
        assertThat(((ColumnVector.Booleans) b.columns()[3]).get(0)).isFalse();
        assertThat(((ColumnVector.Doubles) b.columns()[4]).get(0)).isZero();
        for (int c = 5; c <= 7; c++) {
            assertThat(b.columns()[c].isNull(0)).as("column %d", c).isTrue();
        }
        assertThat(text(b, 8, 0)).isEqualTo("[]");
        assertThat(text(b, 9, 0)).isEqualTo("{}");
        for (int c = 10; c <= 14; c++) {
            assertThat(b.columns()[c].isNull(0)).as("column %d", c).isTrue();
        }
        assertThat(json(b, 15, 0).asText()).isEqualTo("STATUS_UNKNOWN");
    }

    @Test
    void absentRequiredValueIsABadRecordAndTheBufferIsUnchanged() {
        RowSchema s = schema(
                col("id", "string", "$.id", false),
                col("tags", "json", "$.tags", true),
                col("placed_at", "timestamp", "$.placed_at", false));
        PayloadDecoder d = ProtoDecoders.compile(SHOP, s, true, null, "schema id 7");
        PartitionBuffer b = buffer(s);
        DynamicMessage ok = fullOrder();
        DynamicMessage missing = DynamicMessage.newBuilder(ORDER).setField(f(ORDER, "id"), "o-2")
                .addRepeatedField(f(ORDER, "tags"), "t").build();
        assertThat(decode(d, b, frame(7, new int[] {0}, ok.toByteArray()))).isNull();
        assertThat(decode(d, b, frame(7, new int[] {0}, missing.toByteArray())))
                .isEqualTo("column 'placed_at' ($.placed_at): missing required value (schema id 7, message shop.v1.Order)");
        assertThat(b.rows()).isEqualTo(1);
        for (ColumnVector v : b.columns()) {
            assertThat(v.size()).isEqualTo(1);
        }
        assertThat(decode(d, b, frame(7, new int[] {0}, ok.toByteArray()))).isNull();
        assertThat(b.rows()).isEqualTo(2);
        assertThat(text(b, 0, 1)).isEqualTo("o-1 \"quoted\" ☺");
        assertThat(text(b, 1, 1)).isEqualTo("[\"a\",\"b\\nc\"]");
    }

    @Test
    void lastOccurrenceWinsNestedMessagesMergeAndRepeatedConcatenate() throws Exception {
        RowSchema s = schema(
                col("id", "string", "$.id", true),
                col("customer_id", "string", "$.customer.id", true),
                col("customer_name", "string", "$.customer.name", true),
                col("tags", "json", "$.tags", true),
                col("status", "string", "$.status", true));
        Descriptors.Descriptor customer = ORDER.findNestedTypeByName("Customer");
        DynamicMessage first = DynamicMessage.newBuilder(ORDER)
                .setField(f(ORDER, "id"), "first")
                .setField(f(ORDER, "status"), f(ORDER, "status").getEnumType().findValueByName("PLACED"))
                .setField(f(ORDER, "customer"), DynamicMessage.newBuilder(customer)
                        .setField(f(customer, "id"), "c-1").setField(f(customer, "name"), "Ada").build())
                .addRepeatedField(f(ORDER, "tags"), "a")
                .build();
        DynamicMessage second = DynamicMessage.newBuilder(ORDER)
                .setField(f(ORDER, "id"), "second")
                .setField(f(ORDER, "customer"), DynamicMessage.newBuilder(customer)
                        .setField(f(customer, "id"), "c-2").build())
                .addRepeatedField(f(ORDER, "tags"), "b")
                .build();
        ByteArrayOutputStream concat = new ByteArrayOutputStream();
        concat.writeBytes(first.toByteArray());
        concat.writeBytes(second.toByteArray());
        byte[] payload = concat.toByteArray();
        DynamicMessage merged = DynamicMessage.parseFrom(ORDER, payload); // protobuf-java's own reading

        PayloadDecoder d = ProtoDecoders.compile(SHOP, s, false, "Order", "schema file shop.proto");
        PartitionBuffer b = buffer(s);
        assertThat(d.decode(payload, 0, b)).isNull();
        b.endRow(0, 0, null, payload.length);
        assertThat(text(b, 0, 0)).isEqualTo("second").isEqualTo(merged.getField(f(ORDER, "id")));
        assertThat(text(b, 1, 0)).isEqualTo("c-2");
        assertThat(text(b, 2, 0)).isEqualTo("Ada"); // merged from the first occurrence
        assertThat(json(b, 3, 0)).isEqualTo(JSON.readTree("[\"a\",\"b\"]"));
        assertThat(text(b, 4, 0)).isEqualTo("PLACED");
    }

    @Test
    void picksTheMessageTypeByItsIndexPath() {
        RowSchema s = schema(col("code", "string", "$.code", true), col("n", "long", "$.n", true),
                col("sku", "string", "$.sku", true));
        PayloadDecoder d = ProtoDecoders.compile(SHOP, s, true, null, "schema id 9");
        PartitionBuffer b = buffer(s);
        Descriptors.Descriptor inner = FD.findMessageTypeByName("Envelope").findNestedTypeByName("Inner");
        byte[] innerMsg = DynamicMessage.newBuilder(inner).setField(f(inner, "code"), "X1").setField(f(inner, "n"), 5L)
                .build().toByteArray();
        assertThat(FILE.messageAt(new int[] {2, 0}).fullName()).isEqualTo("shop.v1.Envelope.Inner");
        assertThat(decode(d, b, frame(9, new int[] {2, 0}, innerMsg))).isNull();
        assertThat(decode(d, b, frame(9, new int[] {1}, line("sku-7", 1, "PLACED").toByteArray()))).isNull();
        assertThat(decode(d, b, frame(9, new int[] {2, 0}, innerMsg))).isNull(); // cached plan
        assertThat(text(b, 0, 0)).isEqualTo("X1");
        assertThat(longAt(b, 1, 0)).isEqualTo(5L);
        assertThat(b.columns()[2].isNull(0)).isTrue();
        assertThat(b.columns()[0].isNull(1)).isTrue();
        assertThat(text(b, 2, 1)).isEqualTo("sku-7");
        assertThat(text(b, 0, 2)).isEqualTo("X1");
        assertThat(decode(d, b, frame(9, new int[] {5}, innerMsg)))
                .isEqualTo("protobuf payload (schema id 9): message indexes [5] name no message in schema id 9 at byte 0");
        assertThat(decode(d, b, frame(9, new int[] {2, 3}, innerMsg))).contains("message indexes [2, 3] name no message");
        assertThat(b.rows()).isEqualTo(3);
    }

    @Test
    void unframedUsesTheNamedMessageOrTheFirst() {
        RowSchema s = schema(col("sku", "string", "$.sku", true), col("id", "string", "$.id", true));
        byte[] lineBytes = line("sku-1", 3, "PLACED").toByteArray();
        PartitionBuffer b = buffer(s);
        PayloadDecoder byName = ProtoDecoders.compile(SHOP, s, false, "shop.v1.Line", "schema file shop.proto");
        assertThat(byName.decode(lineBytes, 0, b)).isNull();
        b.endRow(0, 0, null, lineBytes.length);
        assertThat(text(b, 0, 0)).isEqualTo("sku-1");
        PayloadDecoder first = ProtoDecoders.compile(SHOP, s, false, null, "schema file shop.proto");
        byte[] order = DynamicMessage.newBuilder(ORDER).setField(f(ORDER, "id"), "o-5").build().toByteArray();
        assertThat(first.decode(order, 0, b)).isNull();
        b.endRow(1, 0, null, order.length);
        assertThat(text(b, 1, 1)).isEqualTo("o-5");
        assertThat(ProtoDecoders.compile(SHOP, s, false, "Nope", "schema file shop.proto").decode(order, 0, b))
                .startsWith("schema file shop.proto has no message 'Nope' (messages: shop.v1.Order, ");
    }

    @Test
    void schemaEvolution() {
        String v1 = """
                syntax = "proto3";
                message Click { string id = 1; int64 user = 2; string page = 3; }
                """;
        String v2 = """
                syntax = "proto3";
                message Click {
                  string id = 1;
                  int64 user = 2;
                  reserved 3;                       // page removed
                  message Geo { double lat = 1; }
                  Geo geo = 4;                      // added
                  repeated string tags = 5 [json_name = "labels"];
                  map<string, string> attrs = 6;
                }
                """;
        Descriptors.FileDescriptor fd2 = ProtoDescriptors.build(ProtoParser.parse(v2));
        Descriptors.Descriptor click2 = fd2.findMessageTypeByName("Click");
        Descriptors.Descriptor geo = click2.findNestedTypeByName("Geo");
        Descriptors.Descriptor attrs = f(click2, "attrs").getMessageType();
        byte[] newer = DynamicMessage.newBuilder(click2)
                .setField(f(click2, "id"), "k1")
                .setField(f(click2, "user"), 9L)
                .setField(f(click2, "geo"), DynamicMessage.newBuilder(geo).setField(f(geo, "lat"), 1.5).build())
                .addRepeatedField(f(click2, "tags"), "t")
                .addRepeatedField(f(click2, "attrs"), DynamicMessage.newBuilder(attrs)
                        .setField(f(attrs, "key"), "k").setField(f(attrs, "value"), "v").build())
                .build().toByteArray();
        RowSchema s = schema(col("id", "string", "$.id", false), col("user", "long", "$.user", true),
                col("page", "string", "$.page", true));
        // a newer writer than the table's schema: unknown fields 4..6 are skipped
        PayloadDecoder old = ProtoDecoders.compile(v1, s, false, null, "schema file click.proto");
        PartitionBuffer b = buffer(s);
        assertThat(old.decode(newer, 0, b)).isNull();
        b.endRow(0, 0, null, newer.length);
        assertThat(text(b, 0, 0)).isEqualTo("k1");
        assertThat(longAt(b, 1, 0)).isEqualTo(9L);
        assertThat(text(b, 2, 0)).isEqualTo(""); // v1 says page is a proto3 string: absent reads as ""
        // decoded with the writer's own schema (the registry case): page no longer exists -> null
        PayloadDecoder own = ProtoDecoders.compile(v2, s, true, null, "schema id 12");
        assertThat(decode(own, b, frame(12, new int[] {0}, newer))).isNull();
        assertThat(text(b, 0, 1)).isEqualTo("k1");
        assertThat(b.columns()[2].isNull(1)).isTrue();
    }

    @Test
    void wireErrorsNameTheBytePosition() {
        RowSchema s = schema(col("id", "string", "$.id", true), col("amount", "long", "$.amount_cents", true),
                col("lines", "json", "$.lines", true));
        PayloadDecoder d = ProtoDecoders.compile(SHOP, s, true, null, "schema id 7");
        PartitionBuffer b = buffer(s);
        // field 2 (int64) sent as length-delimited: tag (2<<3)|2 = 0x12 at payload byte 1 (after the index byte)
        byte[] wrongType = {0x12, 0x01, 0x41};
        assertThat(decode(d, b, frame(7, new int[] {0}, wrongType))).isEqualTo("protobuf payload (schema id 7): field"
                + " 'amount_cents' (number 2, int64) has wire type 2 (length-delimited), expected 0 (varint) at byte 1");
        byte[] full = fullOrder().toByteArray();
        String truncated = decode(d, b, frame(7, new int[] {0}, Arrays.copyOf(full, full.length - 3)));
        assertThat(truncated).startsWith("protobuf payload (schema id 7): truncated: ").contains(" at byte ");
        // a varint cut short: field 2 tag then a continuation byte and nothing more
        assertThat(decode(d, b, frame(7, new int[] {0}, new byte[] {0x10, (byte) 0x80})))
                .isEqualTo("protobuf payload (schema id 7): truncated: a varint runs past the end of the payload"
                        + " (1 bytes left) at byte 2");
        // a string whose length runs past the end (worded as the Avro decoder's)
        assertThat(decode(d, b, frame(7, new int[] {0}, new byte[] {0x0a, 0x05, 'a', 'b'})))
                .isEqualTo("protobuf payload (schema id 7): truncated: a length of 5 runs past the end of the payload"
                        + " (2 bytes left) at byte 2");
        // a length that runs past the end of the enclosing message: a line (field 9, 4 bytes, rendered for
        // the json column) whose sku (field 1) announces 9 bytes; amount_cents (field 2) follows
        assertThat(decode(d, b, frame(7, new int[] {0}, new byte[] {0x4a, 0x04, 0x0a, 0x09, 'a', 'b', 0x10, 0x01})))
                .isEqualTo("protobuf payload (schema id 7): truncated: a length of 9 runs past the end of the"
                        + " enclosing message (2 bytes left) at byte 4");
        // a double (fixed64, field 10) with 3 of its 8 bytes
        assertThat(decode(d, b, frame(7, new int[] {0}, new byte[] {0x51, 1, 2, 3})))
                .isEqualTo("protobuf payload (schema id 7): truncated: a fixed64 (8 bytes) runs past the end of the"
                        + " payload (3 bytes left) at byte 2");
        // a fixed32 (field 18) with 1 of its 4 bytes
        assertThat(decode(d, b, frame(7, new int[] {0}, new byte[] {(byte) 0x95, 0x01, 1})))
                .isEqualTo("protobuf payload (schema id 7): truncated: a fixed32 (4 bytes) runs past the end of the"
                        + " payload (1 bytes left) at byte 3");
        // skipped unknown fields are bounded the same way: field 99 as fixed64, then as a varint
        assertThat(decode(d, b, frame(7, new int[] {0}, new byte[] {(byte) 0x99, 0x06, 1, 2})))
                .isEqualTo("protobuf payload (schema id 7): truncated: a fixed64 (8 bytes) runs past the end of the"
                        + " payload (2 bytes left) at byte 3");
        assertThat(decode(d, b, frame(7, new int[] {0}, new byte[] {(byte) 0x98, 0x06, (byte) 0xff})))
                .isEqualTo("protobuf payload (schema id 7): truncated: a varint runs past the end of the payload"
                        + " (1 bytes left) at byte 3");
        // a cut inside the message indexes
        assertThat(d.decode(new byte[] {0, 0, 0, 0, 7, (byte) 0x80}, 5, b))
                .isEqualTo("protobuf payload (schema id 7): truncated: a varint runs past the end of the payload"
                        + " (1 bytes left) at byte 0");
        // a length prefix that does not fit in 63 bits is no truncation
        assertThat(decode(d, b, frame(7, new int[] {0}, new byte[] {0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff,
                (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01})))
                .isEqualTo("protobuf payload (schema id 7): negative length -1 at byte 2");
        // an unknown field with an invalid wire type
        assertThat(decode(d, b, frame(7, new int[] {0}, new byte[] {(byte) 0xF7, 0x01})))
                .startsWith("protobuf payload (schema id 7): invalid wire type 7");
        // a bad line inside the json column: its sku (field 1, string) as a varint
        assertThat(decode(d, b, frame(7, new int[] {0}, new byte[] {0x4a, 0x02, 0x08, 0x01})))
                .isEqualTo("protobuf payload (schema id 7): field 'sku' (number 1, string) has wire type 0 (varint),"
                        + " expected 2 (length-delimited) at byte 3");
        assertThat(b.rows()).isZero();
        for (ColumnVector v : b.columns()) {
            assertThat(v.size()).isZero();
        }
    }

    @Test
    void incompatibleTypesAreRefusedNamingTheColumnAndTheWritersType() {
        RowSchema s = schema(col("id", "long", "$.id", true));
        PayloadDecoder d = ProtoDecoders.compile(SHOP, s, true, null, "schema id 7");
        PartitionBuffer b = buffer(s);
        assertThat(decode(d, b, frame(7, new int[] {0}, fullOrder().toByteArray())))
                .isEqualTo("column 'id' ($.id): schema id 7, message shop.v1.Order has string shop.v1.Order.id, which"
                        + " cannot fill a long column");
        RowSchema t = schema(col("lines", "string", "$.lines", true));
        assertThat(ProtoDecoders.compile(SHOP, t, false, null, "schema file shop.proto")
                .decode(fullOrder().toByteArray(), 0, buffer(t))).endsWith("which cannot fill a string column (use type json)");
        RowSchema u = schema(col("first_tag", "string", "$.tags[0]", true));
        assertThat(ProtoDecoders.compile(SHOP, u, false, null, "schema file shop.proto")
                .decode(fullOrder().toByteArray(), 0, buffer(u))).contains("array indexes in paths are not supported");
        RowSchema v = schema(col("amount", "int", "$.amount_cents", true));
        byte[] big = DynamicMessage.newBuilder(ORDER).setField(f(ORDER, "amount_cents"), 1L << 40).build().toByteArray();
        PartitionBuffer vb = buffer(v);
        assertThat(ProtoDecoders.compile(SHOP, v, false, null, "schema file shop.proto").decode(big, 0, vb))
                .startsWith("column 'amount' ($.amount_cents): 1099511627776 is out of range for int");
        assertThat(vb.columns()[0].size()).isZero();
    }

    @Test
    void invalidSchemaRefusesEveryRecord() {
        RowSchema s = schema(col("id", "string", "$.id", true));
        PayloadDecoder d = ProtoDecoders.compile("syntax = \"proto3\";\nmessage A {\n  Nope x = 1;\n}\n", s, true, null,
                "schema id 3");
        assertThat(d.decode(new byte[] {0, 0, 0, 0, 3, 0}, 5, buffer(s)))
                .isEqualTo("schema id 3 is not a valid .proto schema: line 3: unknown type 'Nope' (not a scalar type, nor a"
                        + " message or enum in scope A)");
    }

    @Test
    void timestampsFloorToMillisAndUnknownEnumNumbersAreText() throws Exception {
        RowSchema s = schema(col("ts", "timestamp", "$.placed_at", true), col("status", "string", "$.status", true),
                col("status_json", "json", "$.status", true));
        PayloadDecoder d = ProtoDecoders.compile(SHOP, s, false, null, "schema file shop.proto");
        PartitionBuffer b = buffer(s);
        byte[] msg = DynamicMessage.newBuilder(ORDER)
                .setField(f(ORDER, "placed_at"), Timestamp.newBuilder().setSeconds(-1).setNanos(1).build())
                .setField(f(ORDER, "status"), f(ORDER, "status").getEnumType().findValueByNumberCreatingIfUnknown(42))
                .build().toByteArray();
        assertThat(d.decode(msg, 0, b)).isNull();
        b.endRow(0, 0, null, msg.length);
        assertThat(longAt(b, 0, 0)).isEqualTo(-1000L); // -0.999999999 s floors to -1000 ms
        assertThat(text(b, 1, 0)).isEqualTo("42");
        assertThat(json(b, 2, 0).asInt()).isEqualTo(42);
    }

    @Test
    void proto2PresenceAndUnpackedRepeated() throws Exception {
        String p2 = """
                syntax = "proto2";
                package legacy;
                message Item {
                  required string id = 1;
                  optional int32 count = 2;
                  repeated int32 codes = 3;
                  repeated int32 packed_codes = 4 [packed = true];
                  optional Kind kind = 5;
                  enum Kind { BOOK = 1; DVD = 2; }
                }
                """;
        ProtoFile f2 = ProtoParser.parse(p2);
        Descriptors.Descriptor item = ProtoDescriptors.build(f2).findMessageTypeByName("Item");
        byte[] msg = DynamicMessage.newBuilder(item)
                .setField(f(item, "id"), "i-1")
                .addRepeatedField(f(item, "codes"), 1).addRepeatedField(f(item, "codes"), 2)
                .addRepeatedField(f(item, "packed_codes"), 3).addRepeatedField(f(item, "packed_codes"), 4)
                .build().toByteArray();
        RowSchema s = schema(col("id", "string", "$.id", false), col("count", "int", "$.count", true),
                col("codes", "json", "$.codes", true), col("packed", "json", "$.packed_codes", true),
                col("kind", "string", "$.kind", true));
        PayloadDecoder d = ProtoDecoders.compile(p2, s, false, "Item", "schema file item.proto");
        PartitionBuffer b = buffer(s);
        assertThat(d.decode(msg, 0, b)).isNull();
        b.endRow(0, 0, null, msg.length);
        assertThat(text(b, 0, 0)).isEqualTo("i-1");
        assertThat(b.columns()[1].isNull(0)).isTrue(); // proto2 optional: presence, so null rather than 0
        assertThat(json(b, 2, 0)).isEqualTo(JSON.readTree("[1,2]"));
        assertThat(json(b, 3, 0)).isEqualTo(JSON.readTree("[3,4]"));
        assertThat(b.columns()[4].isNull(0)).isTrue();
    }
}
