package io.tributary.runner.decode;

import io.tributary.runner.buffer.ColumnVector;
import io.tributary.runner.buffer.PartitionBuffer;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonRowDecoderTest {

    private static RowSchema schema(RowSchema.Field... fields) {
        return new RowSchema(List.of(fields), false);
    }

    private static PartitionBuffer buffer(RowSchema s) {
        return new PartitionBuffer("t", 0, s, 0, 0, 4);
    }

    private static String decode(JsonRowDecoder d, PartitionBuffer b, String json) {
        String err = d.decode(json.getBytes(StandardCharsets.UTF_8), b);
        if (err == null) {
            b.endRow(b.rows(), 0, null, json.length());
        }
        return err;
    }

    @Test
    void decodesEveryType() {
        RowSchema s = schema(
                RowSchema.Field.of("s", "string", "$.s", false),
                RowSchema.Field.of("i", "int", "$.n.i", true),
                RowSchema.Field.of("l", "long", "$.l", true),
                RowSchema.Field.of("d", "double", "$.d", true),
                RowSchema.Field.of("b", "boolean", "$.b", true),
                RowSchema.Field.of("ts", "timestamp", "$.ts", true),
                RowSchema.Field.of("ms", "timestamp", "$.ms", true),
                RowSchema.Field.of("day", "date", "$.day", true),
                RowSchema.Field.of("amt", "decimal(12,2)", "$.amt", true),
                RowSchema.Field.of("big", "decimal(30,4)", "$.big", true),
                RowSchema.Field.of("j", "json", "$.j", true),
                RowSchema.Field.of("arr", "string", "$.a[1].x", true));
        JsonRowDecoder d = new JsonRowDecoder(s, 1 << 20);
        PartitionBuffer b = buffer(s);
        String json = "{\"s\":\"héllo \\u263A 😀\",\"n\":{\"i\":-7,\"skip\":[1,2,{\"z\":1}]},\"l\":9007199254740993,"
                + "\"d\":1.5e3,\"b\":true,\"ts\":\"2024-02-29T23:59:59.123+01:00\",\"ms\":1700000000123,"
                + "\"day\":\"2024-02-29\",\"amt\":\"12.5\",\"big\":-12345678901234567890.1234,"
                + "\"j\":{\"k\": [1, \"two\", null]},\"a\":[{\"x\":\"no\"},{\"x\":\"yes\"}]}";
        assertThat(decode(d, b, json)).isNull();
        assertThat(b.rows()).isEqualTo(1);
        ColumnVector.Binaries str = (ColumnVector.Binaries) b.columns()[0];
        assertThat(new String(str.data(), 0, str.end(0), StandardCharsets.UTF_8)).isEqualTo("héllo ☺ 😀");
        assertThat(((ColumnVector.Ints) b.columns()[1]).get(0)).isEqualTo(-7);
        assertThat(((ColumnVector.Longs) b.columns()[2]).get(0)).isEqualTo(9007199254740993L);
        assertThat(((ColumnVector.Doubles) b.columns()[3]).get(0)).isEqualTo(1500.0);
        assertThat(((ColumnVector.Booleans) b.columns()[4]).get(0)).isTrue();
        assertThat(((ColumnVector.Longs) b.columns()[5]).get(0))
                .isEqualTo(Instant.parse("2024-02-29T22:59:59.123Z").toEpochMilli());
        assertThat(((ColumnVector.Longs) b.columns()[6]).get(0)).isEqualTo(1700000000123L);
        assertThat(((ColumnVector.Ints) b.columns()[7]).get(0)).isEqualTo((int) LocalDate.of(2024, 2, 29).toEpochDay());
        assertThat(((ColumnVector.Longs) b.columns()[8]).get(0)).isEqualTo(1250L);
        ColumnVector.Binaries big = (ColumnVector.Binaries) b.columns()[9];
        byte[] fixed = java.util.Arrays.copyOfRange(big.data(), big.start(0), big.end(0));
        assertThat(fixed).hasSize(RowSchema.Field.decimalBytes(30));
        assertThat(new BigInteger(fixed)).isEqualTo(new BigInteger("-123456789012345678901234"));
        ColumnVector.Binaries j = (ColumnVector.Binaries) b.columns()[10];
        assertThat(new String(j.data(), j.start(0), j.end(0) - j.start(0), StandardCharsets.UTF_8))
                .isEqualTo("{\"k\": [1, \"two\", null]}");
        ColumnVector.Binaries arr = (ColumnVector.Binaries) b.columns()[11];
        assertThat(new String(arr.data(), arr.start(0), arr.end(0) - arr.start(0), StandardCharsets.UTF_8)).isEqualTo("yes");
    }

    @Test
    void missingAndNullNullableColumnsAreNull() {
        RowSchema s = schema(RowSchema.Field.of("a", "long", "$.a", true), RowSchema.Field.of("b", "string", "$.x.b", true),
                RowSchema.Field.of("j", "json", "$.j", true));
        JsonRowDecoder d = new JsonRowDecoder(s, 1 << 20);
        PartitionBuffer b = buffer(s);
        assertThat(decode(d, b, "{\"a\":null,\"x\":5,\"j\":null}")).isNull();
        assertThat(decode(d, b, "{}")).isNull();
        assertThat(decode(d, b, "{\"a\":3,\"j\":\"s\\\"q\"}")).isNull();
        assertThat(b.columns()[0].isNull(0)).isTrue();
        assertThat(b.columns()[1].isNull(0)).isTrue();
        assertThat(b.columns()[2].isNull(0)).isTrue();
        assertThat(b.columns()[0].isNull(1)).isTrue();
        assertThat(((ColumnVector.Longs) b.columns()[0]).get(2)).isEqualTo(3);
        ColumnVector.Binaries j = (ColumnVector.Binaries) b.columns()[2];
        assertThat(new String(j.data(), j.start(2), j.end(2) - j.start(2), StandardCharsets.UTF_8)).isEqualTo("\"s\\\"q\"");
    }

    @Test
    void everyBadRecordReasonNamesTheColumnOrPosition() {
        RowSchema s = schema(
                RowSchema.Field.of("id", "string", "$.id", false),
                RowSchema.Field.of("n", "int", "$.n", true),
                RowSchema.Field.of("l", "long", "$.l", true),
                RowSchema.Field.of("d", "double", "$.d", true),
                RowSchema.Field.of("b", "boolean", "$.b", true),
                RowSchema.Field.of("ts", "timestamp", "$.ts", true),
                RowSchema.Field.of("day", "date", "$.day", true),
                RowSchema.Field.of("amt", "decimal(5,2)", "$.amt", true));
        JsonRowDecoder d = new JsonRowDecoder(s, 200);
        PartitionBuffer b = buffer(s);
        assertThat(decode(d, b, "{\"id\":\"a\",")).startsWith("invalid JSON at line 1, column");
        assertThat(decode(d, b, "{\"id\":\"a\"} {}")).contains("trailing content").contains("line 1, column 12");
        assertThat(decode(d, b, "{\"id\":\"a\"} x")).startsWith("invalid JSON at line 1, column 12");
        assertThat(decode(d, b, "[1]")).contains("expected an object");
        assertThat(decode(d, b, "")).contains("invalid JSON");
        assertThat(decode(d, b, "{\"n\":1}")).isEqualTo("column 'id' ($.id): missing required value");
        assertThat(decode(d, b, "{\"id\":null}")).startsWith("column 'id' ($.id): null in a non-nullable column at line 1");
        assertThat(decode(d, b, "{\"id\":5}")).startsWith("column 'id' ($.id): expected string, got number 5 at line 1, column 7");
        assertThat(decode(d, b, "{\"id\":\"a\",\"n\":\"x\"}")).startsWith("column 'n' ($.n): expected int, got string x");
        assertThat(decode(d, b, "{\"id\":\"a\",\"n\":3000000000}")).startsWith("column 'n' ($.n): 3000000000 is out of range for int");
        assertThat(decode(d, b, "{\"id\":\"a\",\"n\":1.5}")).startsWith("column 'n' ($.n): expected int, got number 1.5");
        assertThat(decode(d, b, "{\"id\":\"a\",\"l\":99999999999999999999}")).startsWith("column 'l' ($.l):").contains("out of range for long");
        assertThat(decode(d, b, "{\"id\":\"a\",\"d\":true}")).startsWith("column 'd' ($.d): expected double, got boolean");
        assertThat(decode(d, b, "{\"id\":\"a\",\"b\":\"true\"}")).startsWith("column 'b' ($.b): expected boolean, got string");
        assertThat(decode(d, b, "{\"id\":\"a\",\"ts\":\"2024-01-01T00:00:00\"}")).startsWith("column 'ts' ($.ts): not an ISO-8601 timestamp with offset");
        assertThat(decode(d, b, "{\"id\":\"a\",\"ts\":{}}")).startsWith("column 'ts' ($.ts): expected timestamp, got an object");
        assertThat(decode(d, b, "{\"id\":\"a\",\"day\":\"2024-02-30\"}")).startsWith("column 'day' ($.day): invalid date");
        assertThat(decode(d, b, "{\"id\":\"a\",\"day\":\"24-1-1\"}")).startsWith("column 'day' ($.day): not a yyyy-mm-dd date");
        assertThat(decode(d, b, "{\"id\":\"a\",\"amt\":1.234}")).startsWith("column 'amt' ($.amt): 1.234 has more than 2 fraction digits");
        assertThat(decode(d, b, "{\"id\":\"a\",\"amt\":\"1234.5\"}")).startsWith("column 'amt' ($.amt): 1234.5 has more than 5 digits");
        assertThat(decode(d, b, "{\"id\":\"a\",\"amt\":\"abc\"}")).startsWith("column 'amt' ($.amt): \"abc\" is not a decimal number");
        assertThat(decode(d, b, "{\"id\":\"" + "x".repeat(300) + "\"}")).isEqualTo("record of 309 bytes exceeds max_record_bytes 200");
        assertThat(d.decode(null, b)).contains("tombstone");
        // none of those left anything behind
        assertThat(b.rows()).isZero();
        for (ColumnVector c : b.columns()) {
            assertThat(c.size()).isZero();
        }
        // and a good row still decodes after them
        assertThat(decode(d, b, "{\"id\":\"ok\",\"amt\":\"1.10\",\"day\":\"2020-01-01\"}")).isNull();
        assertThat(b.rows()).isEqualTo(1);
        assertThat(((ColumnVector.Longs) b.columns()[7]).get(0)).isEqualTo(110L);
    }

    @Test
    void duplicateKeysKeepTheFirstValueAndRowsStayAligned() {
        RowSchema s = schema(RowSchema.Field.of("a", "long", "$.a", true), RowSchema.Field.of("o", "json", "$.o", true),
                RowSchema.Field.of("ob", "long", "$.o.b", true));
        JsonRowDecoder d = new JsonRowDecoder(s, 1 << 20);
        PartitionBuffer b = buffer(s);
        assertThat(decode(d, b, "{\"a\":1,\"a\":2,\"o\":{\"b\":7,\"c\":[]}}")).isNull();
        assertThat(((ColumnVector.Longs) b.columns()[0]).get(0)).isEqualTo(1);
        ColumnVector.Binaries o = (ColumnVector.Binaries) b.columns()[1];
        assertThat(new String(o.data(), o.start(0), o.end(0) - o.start(0), StandardCharsets.UTF_8)).isEqualTo("{\"b\":7,\"c\":[]}");
        assertThat(((ColumnVector.Longs) b.columns()[2]).get(0)).isEqualTo(7);
        for (ColumnVector c : b.columns()) {
            assertThat(c.size()).isEqualTo(1);
        }
    }

    @Test
    void decimalFastPathAgreesWithBigDecimal() {
        java.util.Random r = new java.util.Random(7);
        String[] fixed = {"0", "-0", "1.", ".5", "0.05", "100", "1.250", "1.255", "99999999.99", "-99999999.99",
                "123456789.1", "00012.30", "1e3", "+4.2", "", "-", ".", "1.2.3", "999999999999999999", "12.345000"};
        java.util.List<String> cases = new java.util.ArrayList<>(java.util.List.of(fixed));
        for (int i = 0; i < 2000; i++) {
            StringBuilder sb = new StringBuilder();
            if (r.nextBoolean()) {
                sb.append('-');
            }
            sb.append(r.nextInt(1 + r.nextInt(1_000_000)));
            if (r.nextBoolean()) {
                sb.append('.').append(r.nextInt(10_000));
            }
            cases.add(sb.toString());
        }
        for (String c : cases) {
            for (int[] ps : new int[][] {{10, 2}, {12, 2}, {5, 0}, {18, 4}, {3, 3}}) {
                long fast = Decimals.fastUnscaled(c.toCharArray(), 0, c.length(), ps[0], ps[1]);
                Long exact;
                try {
                    java.math.BigDecimal d = new java.math.BigDecimal(c).setScale(ps[1], java.math.RoundingMode.UNNECESSARY);
                    exact = d.precision() > ps[0] && d.signum() != 0 ? null : d.unscaledValue().longValueExact();
                } catch (ArithmeticException | NumberFormatException e) {
                    exact = null;
                }
                if (fast != Long.MIN_VALUE) {
                    assertThat(exact).as("%s as decimal(%d,%d)", c, ps[0], ps[1]).isEqualTo(fast);
                }
            }
        }
    }
}
