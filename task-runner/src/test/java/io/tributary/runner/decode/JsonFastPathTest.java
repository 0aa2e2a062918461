package io.tributary.runner.decode;

import io.tributary.runner.buffer.ColumnVector;
import io.tributary.runner.buffer.PartitionBuffer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fast path against Jackson: the same documents through a decoder with it and one without must give
 * the same answer (row or the same error) and the same column values, byte for byte.
 */
class JsonFastPathTest {

    private static final RowSchema SCHEMA = new RowSchema(List.of(
            RowSchema.Field.of("event_id", "string", "$.event_id", false),
            RowSchema.Field.of("user_id", "long", "$.user.id", true),
            RowSchema.Field.of("country", "string", "$.user.country", true),
            RowSchema.Field.of("ts", "timestamp", "$.ts", true),
            RowSchema.Field.of("amount", "decimal(12,2)", "$.amount", true),
            RowSchema.Field.of("session", "int", "$.session", true),
            RowSchema.Field.of("price", "double", "$.price", true),
            RowSchema.Field.of("is_mobile", "boolean", "$.is_mobile", true),
            RowSchema.Field.of("day", "date", "$.day", true),
            RowSchema.Field.of("attrs", "json", "$.attrs", true),
            RowSchema.Field.of("ref", "string", "$.attrs.ref", true),
            RowSchema.Field.of("url", "string", "$.url", true),
            RowSchema.Field.of("second", "long", "$.list[1]", true),
            RowSchema.Field.of("big", "decimal(30,4)", "$.big", true),
            RowSchema.Field.of("raw", "json", "$.raw", true)), false);

    private static final String CLICK = "{\"event_id\":\"e0000000000000001-06c8a94e\",\"user\":{\"id\":555700,\"country\":\"AU\"},"
            + "\"ts\":\"2026-12-06T17:33:28.579Z\",\"amount\":7624.78,\"session\":343553,\"price\":52.24,\"is_mobile\":false,"
            + "\"day\":\"2026-12-06\",\"attrs\":{\"ref\":\"partner\",\"ab\":\"A\",\"clicks\":19},"
            + "\"url\":\"https://shop.example.com/search?q=65886?utm=cpc\"}";

    /** Values a field may take: every type, the edges of each grammar, and what the fast path hands to Jackson. */
    private static final String[] VALUES = {
        "null", "true", "false", "0", "-0", "7", "-12", "01", "1.", ".5", "+1", "1.5", "-0.0", "19.99", "52.24", "1e3", "1E-2",
        "2.5e+3", "123456789", "2147483647", "2147483648", "-2147483649", "9007199254740993", "999999999999999999",
        "9223372036854775807", "99999999999999999999", "0.1234567890123456789", "123456.78901234567", "1234.5", "1.234",
        "\"\"", "\"x\"", "\"AU\"", "\"héllo\"", "\"😀 ok\"", "\"a\\\"b\"", "\"\\u263A\"", "\"\\ud83d\\ude00\"", "\"\\ud800\"",
        "\"tab\\there\"", "\"\\x\"", "\"12.50\"", "\" 12.5\"", "\"1e2\"", "\"abc\"",
        "\"2024-02-29T23:59:59.123+01:00\"", "\"2024-02-29T23:59:59Z\"", "\"2024-02-30T00:00:00Z\"", "\"2024-01-01T00:00:00\"",
        "\"2024-01-01T24:00:00Z\"", "\"2024-01-01 00:00:00Z\"", "\"2024-01-01T00:00:00.123456789-0530\"", "\"1700000000123\"",
        "\"-5\"", "\"-\"", "\"12345678901234567890\"", "\"2024-02-29\"", "\"2023-02-29\"", "\"0000-01-01\"", "\"24-1-1\"",
        "1700000000123", "{}", "[]", "{\"ref\":\"x\",\"n\":[1,2,{\"z\":null}]}", "{\"ref\":5}", "[1,2,3]", "[\"a\",7]",
        "{\"ref\" : \"sp\" , \"k\":true }", "tru", "nul", "falsey", "[1,]", "{\"a\":1,}", "{\"a\"1}",
    };

    private static final String[] KEYS = {"event_id", "user", "ts", "amount", "session", "price", "is_mobile", "day", "attrs",
        "url", "list", "big", "raw", "other", "ev\\u0065nt_id", "héllo"};

    @Test
    void theClickEventTakesTheFastPath() {
        JsonPathTrie.Node root = JsonPathTrie.build(SCHEMA.fields().toArray(new RowSchema.Field[0]));
        JsonFastPath fast = new JsonFastPath(SCHEMA.fields().toArray(new RowSchema.Field[0]), root);
        PartitionBuffer b = new PartitionBuffer("t", 0, SCHEMA, 0, 0, 4);
        byte[] click = CLICK.getBytes(StandardCharsets.UTF_8);
        assertThat(fast.decode(click, 0, click.length, b)).isTrue();
        byte[] escaped = CLICK.replace("\"AU\"", "\"A\\u0055\"").getBytes(StandardCharsets.UTF_8);
        assertThat(fast.decode(escaped, 0, escaped.length, b)).isFalse();
    }

    @Test
    void sameRowsAndSameErrorsAsJackson() {
        SplittableRandom r = new SplittableRandom(11);
        List<byte[]> docs = new ArrayList<>();
        for (int i = 0; i < 40_000; i++) {
            byte[] doc = document(r);
            docs.add(r.nextInt(4) == 0 ? mutate(doc, r) : doc);
        }
        docs.add(CLICK.getBytes(StandardCharsets.UTF_8));
        docs.add(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'});
        docs.add("{\"event_id\":\"x\"}  \n".getBytes(StandardCharsets.UTF_8));
        docs.add("  {\"event_id\":\"x\"} x".getBytes(StandardCharsets.UTF_8));
        docs.add("{\"event_id\":\"x\",\"event_id\":5}".getBytes(StandardCharsets.UTF_8));

        JsonRowDecoder withFast = new JsonRowDecoder(SCHEMA, 1 << 20, true);
        JsonRowDecoder jackson = new JsonRowDecoder(SCHEMA, 1 << 20, false);
        PartitionBuffer a = new PartitionBuffer("t", 0, SCHEMA, 0, 0, 16);
        PartitionBuffer b = new PartitionBuffer("t", 0, SCHEMA, 0, 0, 16);
        RowSchema.Field[] fields = SCHEMA.fields().toArray(new RowSchema.Field[0]);
        JsonFastPath fast = new JsonFastPath(fields, JsonPathTrie.build(fields));
        PartitionBuffer scratch = new PartitionBuffer("t", 0, SCHEMA, 0, 0, 16);
        // the runner decodes each value where the Kafka client fetched it: inside a bigger array, between bytes that
        // would change the answer if read (the next record, the end of the previous one)
        JsonRowDecoder inPlaceFast = new JsonRowDecoder(SCHEMA, 1 << 20, true);
        JsonRowDecoder inPlaceJackson = new JsonRowDecoder(SCHEMA, 1 << 20, false);
        PartitionBuffer c = new PartitionBuffer("t", 0, SCHEMA, 0, 0, 16);
        PartitionBuffer d = new PartitionBuffer("t", 0, SCHEMA, 0, 0, 16);
        byte[][] around = {"".getBytes(StandardCharsets.UTF_8), "{\"event_id\":\"".getBytes(StandardCharsets.UTF_8),
            "9}".getBytes(StandardCharsets.UTF_8), ",\"x\":[1]} {".getBytes(StandardCharsets.UTF_8), new byte[] {'"', 0, '\\'}};
        int rows = 0;
        int fastRows = 0;
        for (byte[] doc : docs) {
            String ea = withFast.decode(doc, a);
            String eb = jackson.decode(doc, b);
            assertThat(ea).as("%s", new String(doc, StandardCharsets.UTF_8)).isEqualTo(eb);
            byte[] before = around[r.nextInt(around.length)];
            byte[] after = around[r.nextInt(around.length)];
            byte[] fetched = new byte[before.length + doc.length + after.length];
            System.arraycopy(before, 0, fetched, 0, before.length);
            System.arraycopy(doc, 0, fetched, before.length, doc.length);
            System.arraycopy(after, 0, fetched, before.length + doc.length, after.length);
            assertThat(inPlaceFast.decode(fetched, before.length, doc.length, c)).as("in place: %s",
                    new String(doc, StandardCharsets.UTF_8)).isEqualTo(eb);
            assertThat(inPlaceJackson.decode(fetched, before.length, doc.length, d)).as("in place, Jackson: %s",
                    new String(doc, StandardCharsets.UTF_8)).isEqualTo(eb);
            if (fast.decode(doc, 0, doc.length, scratch)) {
                assertThat(eb).as("fast path took %s", new String(doc, StandardCharsets.UTF_8)).isNull();
                fastRows++;
            }
            scratch.abortRow();
            if (ea == null) {
                a.endRow(rows, 0, null, doc.length);
                b.endRow(rows, 0, null, doc.length);
                c.endRow(rows, 0, null, doc.length);
                d.endRow(rows, 0, null, doc.length);
                rows++;
            }
            for (int col = 0; col < SCHEMA.size(); col++) {
                assertThat(a.columns()[col].size()).as("column %d after %s", col, new String(doc, StandardCharsets.UTF_8))
                        .isEqualTo(rows);
                assertThat(c.columns()[col].size()).as("in place: column %d", col).isEqualTo(rows);
            }
        }
        assertThat(rows).isGreaterThan(2_000); // the documents are not all bad
        assertThat(fastRows).as("rows the fast path took of %d", rows).isGreaterThan(rows / 2);
        for (int col = 0; col < SCHEMA.size(); col++) {
            for (int row = 0; row < rows; row++) {
                String expected = render(b.columns()[col], row);
                assertThat(render(a.columns()[col], row)).as("column %s row %d", SCHEMA.field(col).name(), row)
                        .isEqualTo(expected);
                assertThat(render(c.columns()[col], row)).as("in place: column %s row %d", SCHEMA.field(col).name(), row)
                        .isEqualTo(expected);
                assertThat(render(d.columns()[col], row)).as("in place, Jackson: column %s row %d",
                        SCHEMA.field(col).name(), row).isEqualTo(expected);
            }
        }
    }

    private static String render(ColumnVector v, int row) {
        if (v.isNull(row)) {
            return "null";
        }
        if (v instanceof ColumnVector.Longs l) {
            return "L" + l.get(row);
        } else if (v instanceof ColumnVector.Ints i) {
            return "I" + i.get(row);
        } else if (v instanceof ColumnVector.Doubles d) {
            return "D" + Double.doubleToRawLongBits(d.get(row));
        } else if (v instanceof ColumnVector.Booleans bo) {
            return "B" + bo.get(row);
        }
        ColumnVector.Binaries b = (ColumnVector.Binaries) v;
        return "S" + java.util.HexFormat.of().formatHex(b.data(), b.start(row), b.end(row));
    }

    /** A click-like object: mostly the right keys with right-typed values, sometimes anything from VALUES. */
    private static byte[] document(SplittableRandom r) {
        StringBuilder sb = new StringBuilder(CLICK.length() + 64);
        if (r.nextInt(50) == 0) {
            sb.append(" \t\r\n");
        }
        sb.append('{');
        int n = r.nextInt(16);
        List<String> keys = new ArrayList<>(List.of(KEYS));
        boolean first = true;
        if (r.nextInt(10) > 0) { // usually the required id first
            sb.append("\"event_id\":\"e").append(r.nextInt(1_000_000)).append('"');
            first = false;
        }
        for (int k = 0; k < n; k++) {
            String key = keys.get(r.nextInt(keys.size()));
            if (!first) {
                sb.append(r.nextInt(30) == 0 ? " , " : ",");
            }
            first = false;
            sb.append('"').append(key).append('"').append(r.nextInt(30) == 0 ? " : " : ":");
            sb.append(r.nextInt(3) == 0 ? VALUES[r.nextInt(VALUES.length)] : typical(key, r));
        }
        sb.append('}');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String typical(String key, SplittableRandom r) {
        return switch (key) {
            case "user" -> "{\"id\":" + r.nextInt(10_000_000) + ",\"country\":\"" + (r.nextBoolean() ? "DE" : "ü") + "\"}";
            case "ts" -> "\"2026-12-06T17:" + (10 + r.nextInt(50)) + ":28." + r.nextInt(10) + "Z\"";
            case "amount" -> r.nextInt(100_000) + "." + r.nextInt(100);
            case "session" -> String.valueOf(r.nextInt());
            case "price" -> r.nextInt(1000) + "." + r.nextInt(1000);
            case "is_mobile" -> String.valueOf(r.nextBoolean());
            case "day" -> "\"2026-" + String.format("%02d-%02d", 1 + r.nextInt(12), 1 + r.nextInt(31)) + "\"";
            case "attrs" -> "{\"ref\":\"direct\",\"ab\":\"B\",\"clicks\":" + r.nextInt(30) + "}";
            case "list" -> "[" + r.nextInt(9) + "," + (r.nextLong() >> r.nextInt(64)) + "]";
            case "big" -> "-12345678901234567890.1234";
            default -> "\"https://shop.example.com/p/" + r.nextInt(100_000) + "?utm=email\"";
        };
    }

    /** One to three random edits with bytes that matter to a JSON scanner. */
    private static byte[] mutate(byte[] doc, SplittableRandom r) {
        byte[] interesting = {'"', '\\', '{', '}', '[', ']', ',', ':', '0', '-', '.', 'e', ' ', '\n', 0, 0x1F, 0x7F,
            (byte) 0xC3, (byte) 0xA9, (byte) 0xC0, (byte) 0xED, (byte) 0xA0, (byte) 0xF0, (byte) 0x9F, (byte) 0xF8, (byte) 0x80};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(doc);
        byte[] d = out.toByteArray();
        for (int k = 1 + r.nextInt(3); k > 0; k--) {
            int at = r.nextInt(d.length + 1);
            byte x = interesting[r.nextInt(interesting.length)];
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            switch (r.nextInt(4)) {
                case 0 -> { // truncate
                    o.write(d, 0, at);
                }
                case 1 -> { // insert
                    o.write(d, 0, at);
                    o.write(x);
                    o.write(d, at, d.length - at);
                }
                case 2 -> { // delete
                    o.write(d, 0, at);
                    if (at < d.length) {
                        o.write(d, at + 1, d.length - at - 1);
                    }
                }
                default -> { // replace
                    o.write(d, 0, at);
                    if (at < d.length) {
                        o.write(x);
                        o.write(d, at + 1, d.length - at - 1);
                    }
                }
            }
            d = o.toByteArray();
        }
        return d;
    }
}
