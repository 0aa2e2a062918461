package io.tributary.runner.buffer;

import io.tributary.runner.decode.RowSchema;

import java.util.ArrayList;
import java.util.List;

/**
 * The rows of one Kafka partition for one future part: one {@link ColumnVector} per column, the
 * metadata columns ({@code _offset}, {@code _timestamp}, optional {@code _key}) and the dead letters
 * of the same offset range. Covers offsets {@code [startOffset, endOffset)}.
 *
 * <p>Owned by the partition's poll thread while it fills; once {@linkplain #seal sealed} it is handed
 * to exactly one flush task and never touched by the poll thread again.
 */
public final class PartitionBuffer {
    final String table;
    final int partition;
    final RowSchema schema;
    final long startOffset;
    /** Catalog generation of the partition when this buffer was opened; a stale buffer is dropped. */
    final long generation;
    private long firstRecordNanos = -1;

    final ColumnVector[] columns;
    final ColumnVector.Longs offsets;
    final ColumnVector.Longs timestamps;
    final ColumnVector.Binaries keys;
    final List<DeadLetter> deadLetters = new ArrayList<>();
    private long deadLetterBytes;
    private long skipped;
    private long lost; // bad records counted under the `skip` policy
    private int rows;
    private long endOffset;
    private long minTs = Long.MAX_VALUE;
    private long maxTs = Long.MIN_VALUE;
    private long inputBytes;
    private boolean sealed;
    private final long fixedRowBytes;
    /** Bytes per row of every column but the variable-length bytes ({@link #bytes()} in O(1)). */
    private final long perRowBytes;
    /** The variable-length columns (and {@code _key}), whose data bytes add to {@link #perRowBytes}. */
    private final ColumnVector.Binaries[] variable;

    /**
     * Rows a new buffer has room for before its columns first grow (by doubling). Small, because a runner
     * keeps one buffer per partition even when it is quiet: at 1,024 rows an 11-column buffer held ~160 KB
     * from the start, 160 MB for 1,000 partitions and again as much for the sealed ones waiting to be
     * flushed, none of it counted by the memory budget (which counts bytes held, not capacity).
     */
    public static final int INITIAL_ROWS = 32;

    public PartitionBuffer(String table, int partition, RowSchema schema, long startOffset, long generation, int capacity) {
        this(table, partition, schema, startOffset, generation, capacity, null);
    }

    /**
     * The buffer after {@code previous}, a part cut by size ({@code max_rows} / {@code max_bytes}), so the partition
     * is streaming: sized like it (its rows and each variable-length column's bytes, plus 1/8), so the next part
     * fills without its columns growing by doubling. Each doubling copies the column, and at tens of MB per part
     * those arrays are G1 humongous objects: over the bench's 2.2 GB drain the copies were 3 GB of the runner's
     * 17 GB allocated. Age and memory cuts, a quiet partition or a runner at its budget, start small
     * ({@link #INITIAL_ROWS}); so does a buffer whose schema changed.
     */
    public static PartitionBuffer sizedLike(PartitionBuffer previous, RowSchema schema, long startOffset,
            long generation) {
        if (previous.schema != schema) {
            return new PartitionBuffer(previous.table, previous.partition, schema, startOffset, generation, INITIAL_ROWS);
        }
        int rows = (int) Math.min(Integer.MAX_VALUE - 16, Math.max(INITIAL_ROWS, previous.rows + (long) previous.rows / 8));
        return new PartitionBuffer(previous.table, previous.partition, schema, startOffset, generation, rows, previous);
    }

    private PartitionBuffer(String table, int partition, RowSchema schema, long startOffset, long generation, int capacity,
            PartitionBuffer sizedLike) {
        this.table = table;
        this.partition = partition;
        this.schema = schema;
        this.startOffset = startOffset;
        this.endOffset = startOffset;
        this.generation = generation;
        this.columns = new ColumnVector[schema.size()];
        for (int i = 0; i < columns.length; i++) {
            RowSchema.Field f = schema.field(i);
            int dataBytes = sizedLike != null && sizedLike.columns[i] instanceof ColumnVector.Binaries b ? grown(b) : -1;
            columns[i] = switch (f.type().kind()) {
                case STRING, JSON -> binaries(f.nullable(), capacity, dataBytes);
                case INT, DATE -> new ColumnVector.Ints(f.nullable(), capacity);
                case LONG, TIMESTAMP -> new ColumnVector.Longs(f.nullable(), capacity);
                case DOUBLE -> new ColumnVector.Doubles(f.nullable(), capacity);
                case BOOLEAN -> new ColumnVector.Booleans(f.nullable(), capacity);
                case DECIMAL -> f.decimalAsLong()
                        ? new ColumnVector.Longs(f.nullable(), capacity)
                        : binaries(f.nullable(), capacity, dataBytes);
            };
        }
        this.offsets = new ColumnVector.Longs(false, capacity);
        this.timestamps = new ColumnVector.Longs(false, capacity);
        this.keys = schema.includeKey()
                ? binaries(true, capacity, sizedLike != null && sizedLike.keys != null ? grown(sizedLike.keys) : -1)
                : null;
        this.fixedRowBytes = 0;
        long perRow = 0;
        List<ColumnVector.Binaries> var = new ArrayList<>();
        for (ColumnVector c : allColumns()) {
            perRow += c.bytesPerRow();
            if (c instanceof ColumnVector.Binaries b) {
                var.add(b);
            }
        }
        this.perRowBytes = perRow;
        this.variable = var.toArray(new ColumnVector.Binaries[0]);
    }

    private List<ColumnVector> allColumns() {
        List<ColumnVector> all = new ArrayList<>(List.of(columns));
        all.add(offsets);
        all.add(timestamps);
        if (keys != null) {
            all.add(keys);
        }
        return all;
    }

    private static int grown(ColumnVector.Binaries b) {
        return (int) Math.min(Integer.MAX_VALUE - 16, b.dataLength + (long) b.dataLength / 8);
    }

    private static ColumnVector.Binaries binaries(boolean nullable, int capacity, int dataBytes) {
        return dataBytes < 0 ? new ColumnVector.Binaries(nullable, capacity)
                : new ColumnVector.Binaries(nullable, capacity, Math.max(64, dataBytes));
    }

    public String table() {
        return table;
    }

    public int partition() {
        return partition;
    }

    public RowSchema schema() {
        return schema;
    }

    /** The first offset this buffer covers. */
    public long startOffset() {
        return startOffset;
    }

    /** The partition's generation when this buffer was opened (a stale buffer is dropped unwritten). */
    public long generation() {
        return generation;
    }

    /** The user columns, in definition order (the decoder appends into them). */
    public ColumnVector[] columns() {
        return columns;
    }

    public ColumnVector.Longs offsets() {
        return offsets;
    }

    public ColumnVector.Longs timestamps() {
        return timestamps;
    }

    /** The {@code _key} column, or null when the table does not keep keys. */
    public ColumnVector.Binaries keys() {
        return keys;
    }

    public List<DeadLetter> deadLetters() {
        return deadLetters;
    }

    /** Rows appended so far. */
    public int rows() {
        return rows;
    }

    /** Ends the row that the decoder just filled, with its Kafka metadata. */
    public void endRow(long offset, long timestamp, byte[] key, int valueBytes) {
        touch();
        offsets.append(offset);
        timestamps.append(timestamp);
        if (keys != null) {
            if (key == null) {
                keys.appendNull();
            } else {
                keys.append(key, 0, key.length);
            }
        }
        rows++;
        endOffset = offset + 1;
        inputBytes += valueBytes;
        if (timestamp < minTs) {
            minTs = timestamp;
        }
        if (timestamp > maxTs) {
            maxTs = timestamp;
        }
    }

    /** Rolls back the columns of a row that failed to decode. */
    public void abortRow() {
        for (ColumnVector c : columns) {
            c.truncate(rows);
        }
    }

    public void addDeadLetter(DeadLetter d) {
        touch();
        deadLetters.add(d);
        deadLetterBytes += d.bytes();
        endOffset = d.offset() + 1;
    }

    /** A bad record under the `skip` policy: counted, and its offset is covered by this buffer. */
    public void addSkipped(long offset) {
        touch();
        skipped++;
        endOffset = offset + 1;
    }

    /** Moves the end past offsets without rows (transaction markers, compacted records). */
    public void advanceEnd(long position) {
        if (position > endOffset) {
            endOffset = position;
        }
    }

    /** Makes this an empty range up to {@code logStart} whose offsets were lost at the source. */
    public void markLost(long logStart) {
        lost = logStart - startOffset;
        endOffset = logStart;
    }

    /** Offsets lost at the source (retention) in this range, 0 normally. */
    public long lost() {
        return lost;
    }

    public long endOffset() {
        return endOffset;
    }

    public boolean isEmpty() {
        return rows == 0 && deadLetters.isEmpty() && skipped == 0 && endOffset == startOffset;
    }

    /** Records covered (rows + dead letters + skipped). */
    public long records() {
        return rows + deadLetters.size() + skipped;
    }

    public long skipped() {
        return skipped;
    }

    public long minTimestamp() {
        return rows == 0 ? -1 : minTs;
    }

    public long maxTimestamp() {
        return rows == 0 ? -1 : maxTs;
    }

    public long inputBytes() {
        return inputBytes;
    }

    /**
     * Heap held by this buffer's values (used sizes, not capacities): the sum of its columns' {@link ColumnVector#bytes()}
     * and its dead letters'. Called once per record, so O(1): between records every column holds {@link #rows()}
     * values (a row that fails to decode is rolled back), so the fixed widths are a product.
     */
    public long bytes() {
        long b = perRowBytes * rows + deadLetterBytes + fixedRowBytes;
        for (ColumnVector.Binaries v : variable) {
            b += v.dataLength;
        }
        return b;
    }

    /** {@link #bytes()} the long way, column by column (for tests). */
    long bytesByColumn() {
        long b = deadLetterBytes + fixedRowBytes;
        for (ColumnVector c : allColumns()) {
            b += c.bytes();
        }
        return b;
    }

    public void seal() {
        sealed = true;
    }

    public boolean sealed() {
        return sealed;
    }

    private void touch() {
        if (firstRecordNanos < 0) {
            firstRecordNanos = System.nanoTime();
        }
    }

    /** Time since the first record arrived, 0 while empty. */
    public long ageNanos(long now) {
        return firstRecordNanos < 0 ? 0 : now - firstRecordNanos;
    }
}
