package io.tributary.runner.bench;

import io.tributary.runner.buffer.PartitionBuffer;
import io.tributary.runner.decode.RowDecoders;
import io.tributary.runner.decode.RowDecoder;
import io.tributary.runner.decode.RowSchema;
import io.tributary.runner.write.AirCompressorCodecFactory;
import io.tributary.runner.write.ParquetPartWriter;
import io.tributary.runner.write.PartSchema;
import io.tributary.runner.RunnerConfig;

import io.tributary.catalog.TableDefinition;
import io.tributary.catalog.TableDefinitions;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;

/**
 * The ceiling (bench item 1): the runner's own decoder of the table's format ({@code JsonRowDecoder},
 * or the Avro/Protobuf decoder of an unframed {@code schema:} table) into a
 * {@code PartitionBuffer}, then its {@code ParquetPartWriter} into a discarding file, in this thread,
 * with no Kafka and no S3. Reports MB (10^6 bytes) of input JSON per CPU-second of this thread,
 * median over the measured passes after a warm-up, split into decode and encode.
 *
 * <pre>
 * java -cp 'task-runner/target/quarkus-app/lib/main/*:task-runner/target/quarkus-app/app/*' \
 *   io.tributary.runner.bench.CeilingMain --table table.yaml --events events.jsonl|events.bin \
 *   [--warmup-cpu-s 8] [--warmup-passes 3] [--passes 5] [--max-rows 500000] [--max-bytes 67108864] [--row-group-bytes N (default: the runner's)]
 * </pre>
 * Prints progress to stderr and one {@code RESULT {json}} line to stdout.
 */
public final class CeilingMain {
    private CeilingMain() {
    }

    public static void main(String[] argv) throws Throwable {
        Args a = new Args(argv);
        TableDefinition def = TableDefinitions.fromYaml(Files.readString(Path.of(a.get("table"))), System.getenv());
        Path eventsFile = Path.of(a.get("events"));
        byte[][] events = eventsFile.toString().endsWith(".bin") ? readFramed(eventsFile) : readLines(eventsFile);
        long inputBytes = 0;
        for (byte[] e : events) {
            inputBytes += e.length;
        }
        double warmupCpuS = a.getDouble("warmup-cpu-s", 8);
        int passes = (int) a.getLong("passes", 5);
        long maxRows = a.getLong("max-rows", def.flush().maxRows());
        long maxBytes = a.getLong("max-bytes", def.flush().maxBytes());
        long rowGroupBytes = a.getLong("row-group-bytes", runnerRowGroupBytes());
        CompressionCodecName codec = CompressionCodecName.valueOf(
                a.get("codec", def.output().compression().toString()).toUpperCase(java.util.Locale.ROOT));

        RowSchema rowSchema = RowSchema.of(def);
        MessageType schema = PartSchema.of(def.name(), rowSchema);
        RowDecoder decoder = RowDecoders.forTable(def, rowSchema, 16L << 20);
        ParquetPartWriter writer = new ParquetPartWriter(new AirCompressorCodecFactory(), codec, rowGroupBytes);
        Pass p = new Pass(def.name(), rowSchema, schema, decoder, writer, events, (int) Math.min(maxRows, Integer.MAX_VALUE),
                maxBytes);

        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long warmStart = mx.getCurrentThreadCpuTime();
        int warm = 0;
        int minWarm = (int) a.getLong("warmup-passes", 3);
        while (warm < minWarm || (mx.getCurrentThreadCpuTime() - warmStart) / 1e9 < warmupCpuS) {
            p.run();
            warm++;
            System.err.printf("ceiling: warm-up pass %d: %.1f MB/cpu-s%n", warm, inputBytes / 1e6 / (p.decodeNs + p.encodeNs) * 1e9);
        }
        double[] total = new double[passes];
        double[] decode = new double[passes];
        double[] encode = new double[passes];
        long parts = 0;
        long outBytes = 0;
        long rows = 0;
        long bad = 0;
        long peakBufferBytes = 0;
        for (int i = 0; i < passes; i++) {
            p.run();
            total[i] = inputBytes / 1e6 / ((p.decodeNs + p.encodeNs) / 1e9);
            decode[i] = inputBytes / 1e6 / (p.decodeNs / 1e9);
            encode[i] = inputBytes / 1e6 / (p.encodeNs / 1e9);
            parts = p.parts;
            outBytes = p.outBytes;
            rows = p.rows;
            bad = p.bad;
            peakBufferBytes = Math.max(peakBufferBytes, p.peakBufferBytes);
            System.err.printf("ceiling: pass %d: %.1f MB/cpu-s (decode %.1f, encode %.1f)%n", i + 1, total[i], decode[i], encode[i]);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("ceiling_mb_per_cpu_s", median(total));
        r.put("decode_mb_per_cpu_s", median(decode));
        r.put("encode_mb_per_cpu_s", median(encode));
        r.put("ceiling_min", Arrays.stream(total).min().orElse(0));
        r.put("ceiling_max", Arrays.stream(total).max().orElse(0));
        r.put("rows_per_cpu_s", rows / ((p.decodeNs + p.encodeNs) / 1e9));
        r.put("events", events.length);
        r.put("input_bytes", inputBytes);
        r.put("avg_event_bytes", inputBytes / (double) events.length);
        r.put("parts_per_pass", parts);
        r.put("parquet_bytes_per_pass", outBytes);
        r.put("compression_ratio", inputBytes / (double) Math.max(1, outBytes));
        r.put("bad_records", bad);
        r.put("warmup_passes", warm);
        r.put("passes", passes);
        r.put("codec", codec.toString());
        r.put("max_rows", maxRows);
        r.put("max_bytes", maxBytes);
        r.put("row_group_bytes", rowGroupBytes);
        r.put("peak_buffer_bytes", peakBufferBytes);
        r.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        System.out.println("RESULT " + Json.object(r));
    }

    /** One pass over all events: decode into buffers, write a part whenever the flush policy says. */
    private static final class Pass {
        final String table;
        final RowSchema rowSchema;
        final MessageType schema;
        final RowDecoder decoder;
        final ParquetPartWriter writer;
        final byte[][] events;
        final int maxRows;
        final long maxBytes;
        long decodeNs;
        long encodeNs;
        long parts;
        long outBytes;
        long rows;
        long bad;
        long peakBufferBytes;
        private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();

        Pass(String table, RowSchema rowSchema, MessageType schema, RowDecoder decoder, ParquetPartWriter writer, byte[][] events, int maxRows,
                long maxBytes) {
            this.table = table;
            this.rowSchema = rowSchema;
            this.schema = schema;
            this.decoder = decoder;
            this.writer = writer;
            this.events = events;
            this.maxRows = maxRows;
            this.maxBytes = maxBytes;
        }

        void run() throws IOException {
            decodeNs = 0;
            encodeNs = 0;
            parts = 0;
            outBytes = 0;
            rows = 0;
            bad = 0;
            long ts = System.currentTimeMillis();
            long offset = 0;
            int capacity = Math.min(maxRows, 1 << 16);
            long t0 = mx.getCurrentThreadCpuTime();
            PartitionBuffer buf = new PartitionBuffer(table, 0, rowSchema, offset, 0L, capacity);
            for (int i = 0; i < events.length; i++) {
                byte[] e = events[i];
                String err = decoder.decode(e, buf);
                if (err == null) {
                    buf.endRow(offset, ts + (offset >> 6), null, e.length);
                    rows++;
                } else {
                    bad++;
                }
                offset++;
                int n = buf.rows();
                if (n >= maxRows || ((n & 1023) == 0 && n > 0 && buf.bytes() >= maxBytes)
                        || (i == events.length - 1 && n > 0)) {
                    long bb = buf.bytes();
                    peakBufferBytes = Math.max(peakBufferBytes, bb);
                    long t1 = mx.getCurrentThreadCpuTime();
                    decodeNs += t1 - t0;
                    DiscardOutputFile out = new DiscardOutputFile();
                    writer.write(buf, schema, out, Map.of());
                    parts++;
                    outBytes += out.bytes;
                    t0 = mx.getCurrentThreadCpuTime();
                    encodeNs += t0 - t1;
                    buf = new PartitionBuffer(table, 0, rowSchema, offset, 0L, capacity);
                }
            }
            decodeNs += mx.getCurrentThreadCpuTime() - t0;
        }
    }

    /** The runner's default row group cut (RunnerConfig.defaults), so the ceiling writes parts like the runner. */
    static long runnerRowGroupBytes() {
        return RunnerConfig.defaults("bench").rowGroupBytes();
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length == 0 ? Double.NaN : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** Binary events ({@code .bin}): each a 4-byte big-endian length, then that many bytes. */
    static byte[][] readFramed(Path file) throws IOException {
        List<byte[]> out = new ArrayList<>();
        try (java.io.DataInputStream in = new java.io.DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 20))) {
            while (true) {
                int n;
                try {
                    n = in.readInt();
                } catch (java.io.EOFException e) {
                    break;
                }
                byte[] b = new byte[n];
                in.readFully(b);
                out.add(b);
            }
        }
        return out.toArray(new byte[0][]);
    }

    static byte[][] readLines(Path file) throws IOException {
        List<byte[]> out = new ArrayList<>();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream(512);
            int b;
            while ((b = in.read()) >= 0) {
                if (b == '\n') {
                    if (line.size() > 0) {
                        out.add(line.toByteArray());
                    }
                    line.reset();
                } else {
                    line.write(b);
                }
            }
            if (line.size() > 0) {
                out.add(line.toByteArray());
            }
        }
        return out.toArray(new byte[0][]);
    }
}
