package io.tributary.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises a JFR recording of the runner: share of {@code jdk.ExecutionSample}s by top frame
 * (hot methods) and by the code the sample is in (first frame in a known library, walking down
 * from the top), which says where the CPU goes: JSON decoding, Parquet encoding, compression,
 * Kafka fetch, S3/HTTP, GC is not sampled here (see the JVM's GC metrics).
 */
final class Profile {
    private Profile() {
    }

    private static final Map<String, String> BUCKETS = new LinkedHashMap<>();

    static {
        BUCKETS.put("io.airlift.compress", "zstd/snappy compression (aircompressor)");
        BUCKETS.put("com.fasterxml.jackson", "JSON parsing (Jackson)");
        BUCKETS.put("io.tributary.runner.JsonRowDecoder", "JSON -> columns (JsonRowDecoder)");
        BUCKETS.put("io.tributary.runner.TimeParsing", "JSON -> columns (JsonRowDecoder)");
        BUCKETS.put("io.tributary.runner.ColumnVector", "column buffers");
        BUCKETS.put("io.tributary.runner.PartitionBuffer", "column buffers");
        BUCKETS.put("io.tributary.runner.ParquetPartWriter", "Parquet encoding (parquet-java)");
        BUCKETS.put("org.apache.parquet", "Parquet encoding (parquet-java)");
        BUCKETS.put("org.apache.kafka", "Kafka consumer");
        BUCKETS.put("software.amazon.awssdk", "AWS SDK (S3 upload, DynamoDB commit)");
        BUCKETS.put("io.tributary", "runner (other)");
        BUCKETS.put("java.math", "BigDecimal (decimal columns)");
        BUCKETS.put("sun.nio", "network / file I/O");
        BUCKETS.put("java.util.zip", "CRC / zip");
    }

    static void summarize(Path jfr, ObjectNode into) {
        Map<String, Integer> top = new HashMap<>();
        Map<String, Integer> buckets = new HashMap<>();
        int total = 0;
        try (RecordingFile f = new RecordingFile(jfr)) {
            while (f.hasMoreEvents()) {
                RecordedEvent e = f.readEvent();
                if (!e.getEventType().getName().equals("jdk.ExecutionSample")) {
                    continue;
                }
                RecordedStackTrace st = e.getStackTrace();
                if (st == null || st.getFrames().isEmpty()) {
                    continue;
                }
                total++;
                List<RecordedFrame> frames = st.getFrames();
                RecordedFrame f0 = frames.get(0);
                top.merge(f0.getMethod().getType().getName() + "." + f0.getMethod().getName(), 1, Integer::sum);
                String bucket = "other (JDK, Quarkus, ...)";
                outer:
                for (RecordedFrame fr : frames) {
                    String cls = fr.getMethod().getType().getName();
                    for (var b : BUCKETS.entrySet()) {
                        if (cls.startsWith(b.getKey())) {
                            bucket = b.getValue();
                            break outer;
                        }
                    }
                }
                buckets.merge(bucket, 1, Integer::sum);
            }
        } catch (IOException e) {
            into.put("jfr_error", e.getMessage());
            return;
        }
        into.put("jfr_file", jfr.toString());
        into.put("jfr_execution_samples", total);
        final int n = Math.max(1, total);
        ArrayNode hot = into.putArray("hot_methods");
        top.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(20)
                .forEach(x -> hot.addObject().put("frame", x.getKey()).put("share", Results.round(x.getValue() / (double) n)));
        ObjectNode by = into.putObject("by_package");
        buckets.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(x -> by.put(x.getKey(), Results.round(x.getValue() / (double) n)));
    }
}
