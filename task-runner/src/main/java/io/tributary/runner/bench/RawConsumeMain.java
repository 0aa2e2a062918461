package io.tributary.runner.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;

/**
 * The raw consume ceiling (bench item 2): a plain {@link KafkaConsumer} ({@code assign()}, byte
 * array keys and values read where they were fetched ({@code ByteBufferDeserializer}, as the runner reads them),
 * read_committed, the same kafka-clients as the runner) drains the topic from the
 * beginning to its end offsets and touches every value. Reports MB of values per CPU-second of
 * this whole process (utime+stime from /proc/self/stat, so the client's network thread counts)
 * and of the polling thread alone, over the drain only (JVM start excluded).
 *
 * <pre>
 * java -cp '...runner classpath...' io.tributary.runner.bench.RawConsumeMain --bootstrap HOST:PORT --topic T
 * </pre>
 */
public final class RawConsumeMain {
    private RawConsumeMain() {
    }

    public static void main(String[] argv) throws IOException {
        Args a = new Args(argv);
        String topic = a.get("topic");
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, a.get("bootstrap"));
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteBufferDeserializer.class.getName());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, a.get("max-poll-records", "10000"));
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, a.get("fetch-max-bytes", String.valueOf(64 << 20)));
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, a.get("max-partition-fetch-bytes", String.valueOf(8 << 20)));
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "tributary-bench-raw");
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (KafkaConsumer<byte[], ByteBuffer> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (PartitionInfo pi : c.partitionsFor(topic, Duration.ofSeconds(30))) {
                tps.add(new TopicPartition(topic, pi.partition()));
            }
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps, Duration.ofSeconds(30));
            long procCpu0 = procCpuTicks();
            long thr0 = mx.getCurrentThreadCpuTime();
            long wall0 = System.nanoTime();
            long bytes = 0;
            long records = 0;
            long checksum = 0;
            while (true) {
                ConsumerRecords<byte[], ByteBuffer> rs = c.poll(Duration.ofMillis(500));
                for (ConsumerRecord<byte[], ByteBuffer> r : rs) {
                    ByteBuffer v = r.value();
                    if (v != null) {
                        bytes += v.remaining();
                        checksum += v.get(v.position() + (v.remaining() >> 1));
                    }
                    records++;
                }
                boolean done = true;
                for (TopicPartition tp : tps) {
                    if (c.position(tp) < end.get(tp)) {
                        done = false;
                        break;
                    }
                }
                if (done) {
                    break;
                }
            }
            double wallS = (System.nanoTime() - wall0) / 1e9;
            double thrS = (mx.getCurrentThreadCpuTime() - thr0) / 1e9;
            double procS = (procCpuTicks() - procCpu0) / (double) clockTicks();
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("raw_consume_mb_per_cpu_s", bytes / 1e6 / procS);
            r.put("raw_consume_mb_per_thread_cpu_s", bytes / 1e6 / thrS);
            r.put("raw_consume_wall_mb_s", bytes / 1e6 / wallS);
            r.put("records", records);
            r.put("bytes", bytes);
            r.put("process_cpu_s", procS);
            r.put("thread_cpu_s", thrS);
            r.put("wall_s", wallS);
            r.put("partitions", tps.size());
            r.put("checksum", checksum);
            System.out.println("RESULT " + Json.object(r));
        }
    }

    /** utime + stime of this process, in clock ticks. */
    static long procCpuTicks() throws IOException {
        String s = Files.readString(Path.of("/proc/self/stat"));
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    static long clockTicks() {
        return Long.getLong("clk.tck", 100);
    }
}
