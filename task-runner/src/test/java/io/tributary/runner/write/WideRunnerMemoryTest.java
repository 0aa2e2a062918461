package io.tributary.runner.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.runner.buffer.PartitionBuffer;
import io.tributary.runner.decode.JsonRowDecoder;
import io.tributary.runner.decode.RowSchema;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a runner owning many partitions holds on the heap before any data arrives (the bench's wide stage ran a
 * runner with 1,000 partitions out of a 384 MiB heap with a 128 MiB budget): a quiet partition's buffer and a
 * small part's upload must cost kilobytes, not the ~160 KB and 8 MiB they did.
 */
class WideRunnerMemoryTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** The bench table's 11 columns (strings, longs, a timestamp, a decimal, an int, a double, a boolean, a date, json). */
    private static RowSchema benchSchema() {
        return new RowSchema(List.of(
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
                RowSchema.Field.of("url", "string", "$.url", true)), false);
    }

    @Test
    void aThousandQuietPartitionBuffersTakeAFewMegabytes() {
        RowSchema s = benchSchema();
        List<PartitionBuffer> keep = new ArrayList<>();
        new PartitionBuffer("warm", 0, s, 0, 0, PartitionBuffer.INITIAL_ROWS); // class loading out of the measure
        long before = THREADS.getCurrentThreadAllocatedBytes();
        for (int p = 0; p < 1000; p++) {
            keep.add(new PartitionBuffer("wide", p, s, 0, 0, PartitionBuffer.INITIAL_ROWS));
        }
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        System.out.printf("1,000 empty partition buffers: %,d bytes allocated%n", allocated);
        assertThat(keep).hasSize(1000);
        assertThat(allocated).as("1,000 empty buffers (was ~160 MB at 1,024 rows each)").isLessThan(16L << 20);
    }

    private static void fill(JsonRowDecoder dec, PartitionBuffer buf, int from, int n) {
        for (int r = from; r < from + n; r++) {
            String json = "{\"event_id\":\"e" + r + "\",\"user\":{\"id\":" + r + ",\"country\":\"DE\"},\"ts\":\"2026-12-06T10:00:00Z\","
                    + "\"amount\":12.34,\"session\":7,\"price\":1.5,\"is_mobile\":true,\"day\":\"2026-12-06\","
                    + "\"attrs\":{\"k\":" + r + "},\"url\":\"https://example.com/p/" + r + "\"}";
            assertThat(dec.decode(json.getBytes(StandardCharsets.UTF_8), buf)).isNull();
            buf.endRow(r, 1_700_000_000_000L + r, null, json.length());
        }
    }

    @Test
    void aPartCutBySizeIsFollowedByABufferThatFillsWithoutGrowing() {
        RowSchema s = benchSchema();
        JsonRowDecoder dec = new JsonRowDecoder(s, 1 << 20);
        int n = 20_000;
        PartitionBuffer first = new PartitionBuffer("t", 0, s, 0, 0, PartitionBuffer.INITIAL_ROWS);
        fill(dec, first, 0, n);
        PartitionBuffer next = PartitionBuffer.sizedLike(first, s, n, 0);
        var url = (io.tributary.runner.buffer.ColumnVector.Binaries) next.columns()[10];
        var user = (io.tributary.runner.buffer.ColumnVector.Longs) next.columns()[1];
        byte[] urlData = url.data();
        long[] userValues = user.values();
        long[] offsets = next.offsets().values();
        // the same rows again (values a few bytes longer at most): no column is copied into a bigger array
        fill(dec, next, n, n);
        assertThat(next.rows()).isEqualTo(n);
        assertThat(url.data()).isSameAs(urlData);
        assertThat(user.values()).isSameAs(userValues);
        assertThat(next.offsets().values()).isSameAs(offsets);
        assertThat(offsets.length).as("rows + 1/8").isEqualTo(n + n / 8);
        // a quiet partition (age cut) or a changed schema starts small, as before
        assertThat(PartitionBuffer.sizedLike(first, benchSchema(), n, 0).offsets().values())
                .hasSize(PartitionBuffer.INITIAL_ROWS);
    }

    @Test
    void buffersStillGrowToWhatTheyHold() {
        RowSchema s = benchSchema();
        PartitionBuffer buf = new PartitionBuffer("t", 0, s, 0, 0, PartitionBuffer.INITIAL_ROWS);
        JsonRowDecoder dec = new JsonRowDecoder(s, 1 << 20);
        int n = 5_000;
        fill(dec, buf, 0, n);
        assertThat(buf.rows()).isEqualTo(n);
    }

    @Test
    void aSmallPartsUploadBufferStartsSmallAndGrowsToThePartSize() throws Exception {
        int partSize = 8 << 20;
        new S3ObjectUpload(null, "b", "warm", "x", partSize);
        long before = THREADS.getCurrentThreadAllocatedBytes();
        S3ObjectUpload up = new S3ObjectUpload(null, "b", "k", "application/vnd.apache.parquet", partSize);
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).as("one upload's buffer before any byte (was the 8 MiB part size)").isLessThan(1L << 20);
        up.write(new byte[20_000], 0, 20_000);
        assertThat(up.bufferCapacity()).isEqualTo(S3ObjectUpload.INITIAL_BUFFER_BYTES);
        byte[] mib = new byte[1 << 20];
        for (int i = 0; i < 5; i++) {
            up.write(mib, 0, mib.length);
        }
        // still under the part size: grown by doubling, nothing sent (no S3 client was needed)
        assertThat(up.bufferCapacity()).isEqualTo(partSize);
        assertThat(up.getPos()).isEqualTo(20_000 + 5L * (1 << 20));
    }

    @Test
    void aFlushThreadsNextUploadTakesTheBufferOfItsLastOne() throws Exception {
        int partSize = 8 << 20;
        S3ObjectUpload first = new S3ObjectUpload(null, "b", "first", "x", partSize);
        byte[] mib = new byte[1 << 20];
        for (int i = 0; i < 6; i++) {
            first.write(mib, 0, mib.length);
        }
        assertThat(first.bufferCapacity()).isEqualTo(partSize);
        first.abort(); // nothing sent: a small object's upload needs no request to give up
        assertThat(first.bufferCapacity()).isZero();

        long before = THREADS.getCurrentThreadAllocatedBytes();
        S3ObjectUpload next = new S3ObjectUpload(null, "b", "next", "x", partSize);
        assertThat(THREADS.getCurrentThreadAllocatedBytes() - before).as("no new buffer").isLessThan(64 << 10);
        assertThat(next.bufferCapacity()).isEqualTo(partSize);
        next.write(new byte[] {7, 8, 9}, 0, 3);
        assertThat(next.getPos()).as("a taken buffer starts empty").isEqualTo(3);

        // another thread (another flush thread) does not see this thread's buffer
        int[] other = new int[1];
        Thread t = new Thread(() -> other[0] = new S3ObjectUpload(null, "b", "o", "x", partSize).bufferCapacity());
        t.start();
        t.join();
        assertThat(other[0]).isEqualTo(S3ObjectUpload.INITIAL_BUFFER_BYTES);
        // one buffer waits per thread at most: the first's was taken, so a third upload starts small
        assertThat(new S3ObjectUpload(null, "b", "third", "x", partSize).bufferCapacity())
                .isEqualTo(S3ObjectUpload.INITIAL_BUFFER_BYTES);
    }
}
