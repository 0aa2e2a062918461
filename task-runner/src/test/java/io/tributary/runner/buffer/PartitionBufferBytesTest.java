package io.tributary.runner.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.runner.decode.JsonRowDecoder;
import io.tributary.runner.decode.RowSchema;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link PartitionBuffer#bytes()} (O(1), once per record) equals the column-by-column sum it replaced, through
 * rows with nulls, rows that fail to decode half-way and are rolled back, dead letters, keys, and a successor sized
 * like its predecessor.
 */
class PartitionBufferBytesTest {
    private static final RowSchema SCHEMA = new RowSchema(List.of(
            RowSchema.Field.of("event_id", "string", "$.event_id", false),
            RowSchema.Field.of("user_id", "long", "$.user.id", true),
            RowSchema.Field.of("ts", "timestamp", "$.ts", true),
            RowSchema.Field.of("amount", "decimal(30,2)", "$.amount", true),
            RowSchema.Field.of("session", "int", "$.session", true),
            RowSchema.Field.of("price", "double", "$.price", true),
            RowSchema.Field.of("ok", "boolean", "$.ok", true),
            RowSchema.Field.of("attrs", "json", "$.attrs", true)), true);

    private static String record(Random r, int i) {
        StringBuilder b = new StringBuilder("{\"event_id\":\"e").append(i).append('"');
        if (r.nextBoolean()) {
            b.append(",\"user\":{\"id\":").append(r.nextInt(1000)).append('}');
        }
        if (r.nextBoolean()) {
            b.append(",\"ts\":").append(1_700_000_000_000L + i);
        }
        if (r.nextBoolean()) {
            b.append(",\"amount\":").append(r.nextInt(100_000)).append(".25");
        }
        if (r.nextInt(10) == 0) {
            b.append(",\"session\":\"not a number\""); // fails after event_id was appended: rolled back
        } else if (r.nextBoolean()) {
            b.append(",\"session\":").append(r.nextInt(50));
        }
        if (r.nextBoolean()) {
            b.append(",\"price\":").append(r.nextDouble());
        }
        if (r.nextBoolean()) {
            b.append(",\"ok\":").append(r.nextBoolean());
        }
        if (r.nextBoolean()) {
            b.append(",\"attrs\":{\"k\":[").append(i).append(",\"x\"]}");
        }
        return b.append('}').toString();
    }

    @Test
    void constantTimeBytesEqualsTheSumOfTheColumns() {
        Random r = new Random(15);
        JsonRowDecoder dec = new JsonRowDecoder(SCHEMA, 1 << 20);
        PartitionBuffer buf = new PartitionBuffer("t", 0, SCHEMA, 0, 0, PartitionBuffer.INITIAL_ROWS);
        int bad = 0;
        for (int i = 0; i < 5_000; i++) {
            byte[] v = record(r, i).getBytes(StandardCharsets.UTF_8);
            byte[] key = r.nextBoolean() ? ("k" + i).getBytes(StandardCharsets.UTF_8) : null;
            String err = dec.decode(v, buf);
            if (err == null) {
                buf.endRow(i, 1_700_000_000_000L + i, key, v.length);
            } else {
                bad++;
                buf.addDeadLetter(new DeadLetter(0, i, 0, key, v, err));
            }
            assertThat(buf.bytes()).as("record %d", i).isEqualTo(buf.bytesByColumn());
        }
        assertThat(bad).as("some records were rolled back into dead letters").isGreaterThan(100);
        assertThat(buf.rows()).isEqualTo(5_000 - bad);

        PartitionBuffer next = PartitionBuffer.sizedLike(buf, SCHEMA, 5_000, 0);
        assertThat(next.bytes()).isZero().isEqualTo(next.bytesByColumn());
        assertThat(dec.decode(record(r, 1).getBytes(StandardCharsets.UTF_8), next)).isNull();
        next.endRow(5_000, 0, null, 10);
        assertThat(next.bytes()).isPositive().isEqualTo(next.bytesByColumn());
    }
}
