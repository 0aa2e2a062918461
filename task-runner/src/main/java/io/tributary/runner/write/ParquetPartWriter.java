package io.tributary.runner.write;

import io.tributary.runner.decode.RowSchema;
import io.tributary.runner.buffer.ColumnVector;
import io.tributary.runner.buffer.PartitionBuffer;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ColumnWriter;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;

/**
 * Writes the rows of one sealed {@link PartitionBuffer} as one Parquet file: values go straight from
 * the column vectors into parquet-java's {@link ColumnWriteStore} (no record materialisation, no
 * Hadoop). Row groups are cut at {@code rowGroupBytes} of buffered page data. Runs on a flush thread;
 * an instance is not shared between threads.
 */
public final class ParquetPartWriter {
    private final CompressionCodecFactory codecs;
    private final CompressionCodecName codec;
    private final long rowGroupBytes;

    public ParquetPartWriter(CompressionCodecFactory codecs, CompressionCodecName codec, long rowGroupBytes) {
        this.codecs = codecs;
        this.codec = codec;
        this.rowGroupBytes = rowGroupBytes;
    }

    /** Parts written without a dictionary for a column whose dictionary last fell back, before trying again. */
    static final int DICTIONARY_RETRY_PARTS = 16;
    /** Timestamps are buffered in epoch millis and written as Iceberg's microseconds (DESIGN.md). */
    static final long MICROS_PER_MILLI = 1000L;

    /**
     * Per schema (a table's definition version; weak keys), the columns whose dictionary fell back to
     * plain encoding in a recent part, with how many more parts skip it. Building a dictionary for a
     * column that turns out to be (nearly) unique per row — ids, timestamps, prices — and then
     * throwing it away was 10–15 % of the flush threads' CPU in the benchmark's profile.
     */
    private static final Map<MessageType, Map<String, Integer>> SKIP_DICTIONARY =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    private static Map<String, Integer> skipDictionary(MessageType schema) {
        synchronized (SKIP_DICTIONARY) {
            return SKIP_DICTIONARY.computeIfAbsent(schema, k -> new java.util.concurrent.ConcurrentHashMap<>());
        }
    }

    /** Columns (dot paths) this schema currently writes without a dictionary because it fell back earlier. */
    static java.util.Set<String> dictionarySkipped(MessageType schema) {
        return java.util.Set.copyOf(skipDictionary(schema).keySet());
    }

    /**
     * Per-schema writer properties: dictionaries where values repeat, none for columns that are
     * unique per row ({@code _offset}, {@code _timestamp}), raw documents ({@code json}) or whose
     * dictionary fell back in a recent part; column statistics kept (readers prune on them), size
     * statistics and page checksums off (CPU).
     */
    private static ParquetProperties properties(MessageType schema, RowSchema rows) {
        ParquetProperties.Builder b = ParquetProperties.builder()
                .withWriterVersion(ParquetProperties.WriterVersion.PARQUET_1_0)
                .withDictionaryEncoding(true)
                .withPageSize(1 << 20)
                .withDictionaryPageSize(1 << 20)
                .withSizeStatisticsEnabled(false)
                .withPageWriteChecksumEnabled(false)
                .withDictionaryEncoding(PartSchema.OFFSET, false)
                .withDictionaryEncoding(PartSchema.TIMESTAMP, false);
        for (RowSchema.Field f : rows.fields()) {
            if (f.type().kind() == io.tributary.catalog.ColumnType.Kind.JSON) {
                b.withDictionaryEncoding(f.name(), false);
            }
        }
        Map<String, Integer> skip = skipDictionary(schema);
        for (String column : List.copyOf(skip.keySet())) {
            b.withDictionaryEncoding(column, false);
            // count this part; at 0 the next part tries a dictionary again (data may have changed)
            skip.computeIfPresent(column, (k, left) -> left <= 1 ? null : left - 1);
        }
        return b.build();
    }

    /**
     * Remembers the columns that had a dictionary enabled but wrote plain pages in this part (from its
     * footer): their dictionary fell back, either before the first page (no dictionary page at all)
     * or later.
     */
    private static void learnFallbacks(MessageType schema, ParquetProperties props,
            org.apache.parquet.hadoop.metadata.ParquetMetadata footer) {
        if (footer == null) {
            return;
        }
        Map<String, Integer> skip = skipDictionary(schema);
        for (org.apache.parquet.hadoop.metadata.BlockMetaData block : footer.getBlocks()) {
            for (org.apache.parquet.hadoop.metadata.ColumnChunkMetaData c : block.getColumns()) {
                org.apache.parquet.column.EncodingStats es = c.getEncodingStats();
                if (es != null && es.hasNonDictionaryEncodedPages()
                        && props.isDictionaryEnabled(schema.getColumnDescription(c.getPath().toArray()))) {
                    skip.put(c.getPath().toDotString(), DICTIONARY_RETRY_PARTS);
                }
            }
        }
    }

    /** Result of a write: rows and bytes of the file. */
    public record Written(long rows, long bytes) {
    }

    public Written write(PartitionBuffer buf, MessageType schema, OutputFile out, Map<String, String> extraMetadata)
            throws IOException {
        ParquetProperties props = properties(schema, buf.schema());
        ParquetFileWriter fw = new ParquetFileWriter(out, schema, ParquetFileWriter.Mode.CREATE, rowGroupBytes, 0,
                null, props);
        boolean ok = false;
        CompressionCodecFactory.BytesInputCompressor compressor = codecs.getCompressor(codec);
        try {
            fw.start();
            ColumnDescriptor[] descs = schema.getColumns().toArray(new ColumnDescriptor[0]);
            int n = buf.rows();
            int userCols = buf.columns().length;
            int row = 0;
            int group = 0;
            if (n == 0) {
                throw new IllegalArgumentException("a part needs at least one row");
            }
            while (row < n) {
                ColumnChunkPageWriteStore pages = new ColumnChunkPageWriteStore(compressor, schema, props.getAllocator(),
                        props.getColumnIndexTruncateLength(), props.getPageWriteChecksumEnabled(), null, group);
                ColumnWriteStore store = props.newColumnWriteStore(schema, pages, pages);
                ColumnWriter[] w = new ColumnWriter[descs.length];
                for (int i = 0; i < descs.length; i++) {
                    w[i] = store.getColumnWriter(descs[i]);
                }
                int first = row;
                while (row < n) {
                    // column by column over a block of rows: one type switch per column and block, tight
                    // loops per type, instead of a switch per value (11 % of the encode CPU row by row).
                    // Pages are still cut by endRecord's size checks, at block granularity.
                    int stop = Math.min(n, row + BLOCK_ROWS);
                    for (int c = 0; c < userCols; c++) {
                        writeValues(buf.columns()[c], buf.schema().field(c), row, stop, w[c]);
                    }
                    writeMetadata(buf, row, stop, w, userCols);
                    for (int r = row; r < stop; r++) {
                        store.endRecord();
                    }
                    row = stop;
                    if (store.getBufferedSize() >= rowGroupBytes) {
                        break;
                    }
                }
                fw.startBlock(row - first);
                store.flush();
                pages.flushToFileWriter(fw);
                fw.endBlock();
                store.close();
                pages.close();
                group++;
            }
            Map<String, String> meta = new LinkedHashMap<>(extraMetadata);
            fw.end(meta);
            learnFallbacks(schema, props, fw.getFooter());
            ok = true;
            return new Written(n, fw.getPos());
        } finally {
            compressor.release();
            if (!ok) {
                fw.abort();
            }
        }
    }

    /** Rows per block of {@link #write}: the row-group size check runs once per block. */
    static final int BLOCK_ROWS = 1024;

    private static void writeMetadata(PartitionBuffer buf, int from, int to, ColumnWriter[] w, int userCols) {
        ColumnWriter part = w[userCols];
        ColumnWriter off = w[userCols + 1];
        ColumnWriter ts = w[userCols + 2];
        long[] offsets = buf.offsets().values();
        long[] timestamps = buf.timestamps().values();
        for (int r = from; r < to; r++) {
            part.write(buf.partition(), 0, 0);
        }
        for (int r = from; r < to; r++) {
            off.write(offsets[r], 0, 0);
        }
        for (int r = from; r < to; r++) {
            ts.write(timestamps[r] * MICROS_PER_MILLI, 0, 0);
        }
        ColumnVector.Binaries keys = buf.keys();
        if (keys != null) {
            writeBinaries(keys, from, to, w[userCols + 3], 1);
        }
    }

    /** Rows {@code [from, to)} of one user column. */
    private static void writeValues(ColumnVector col, RowSchema.Field f, int from, int to, ColumnWriter w) {
        int def = f.nullable() ? 1 : 0;
        switch (f.type().kind()) {
            case STRING, JSON -> writeBinaries((ColumnVector.Binaries) col, from, to, w, def);
            case INT, DATE -> {
                int[] v = ((ColumnVector.Ints) col).values();
                for (int r = from; r < to; r++) {
                    if (col.isNull(r)) {
                        w.writeNull(0, 0);
                    } else {
                        w.write(v[r], 0, def);
                    }
                }
            }
            case LONG, TIMESTAMP, DECIMAL -> {
                if (f.type().kind() == io.tributary.catalog.ColumnType.Kind.DECIMAL && !f.decimalAsLong()) {
                    writeBinaries((ColumnVector.Binaries) col, from, to, w, def);
                    return;
                }
                long scale = f.type().kind() == io.tributary.catalog.ColumnType.Kind.TIMESTAMP ? MICROS_PER_MILLI : 1;
                long[] v = ((ColumnVector.Longs) col).values();
                for (int r = from; r < to; r++) {
                    if (col.isNull(r)) {
                        w.writeNull(0, 0);
                    } else {
                        w.write(v[r] * scale, 0, def);
                    }
                }
            }
            case DOUBLE -> {
                double[] v = ((ColumnVector.Doubles) col).values();
                for (int r = from; r < to; r++) {
                    if (col.isNull(r)) {
                        w.writeNull(0, 0);
                    } else {
                        w.write(v[r], 0, def);
                    }
                }
            }
            case BOOLEAN -> {
                boolean[] v = ((ColumnVector.Booleans) col).values();
                for (int r = from; r < to; r++) {
                    if (col.isNull(r)) {
                        w.writeNull(0, 0);
                    } else {
                        w.write(v[r], 0, def);
                    }
                }
            }
        }
    }

    private static void writeBinaries(ColumnVector.Binaries b, int from, int to, ColumnWriter w, int def) {
        byte[] data = b.data();
        int start = b.start(from);
        for (int r = from; r < to; r++) {
            int end = b.end(r);
            if (b.isNull(r)) {
                w.writeNull(0, 0);
            } else {
                w.write(Binary.fromConstantByteArray(data, start, end - start), 0, def);
            }
            start = end;
        }
    }
}
