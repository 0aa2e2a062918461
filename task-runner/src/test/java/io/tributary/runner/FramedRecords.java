package io.tributary.runner;

import io.tributary.infra.LocalStack;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.function.LongFunction;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Test producer of framed (schema-registry wire format) records: record i goes to partition
 * i % partitions; what was sent is remembered per (partition, offset) as the expected event id, or as
 * the expected dead-letter cause for a malformed record.
 */
final class FramedRecords {
    /** What one record should become. */
    record Expected(long i, String eventId, String deadLetterCause, String phase) {
        boolean bad() {
            return deadLetterCause != null;
        }
    }

    final Map<Integer, Map<Long, Expected>> sent = new ConcurrentHashMap<>();

    /** The Protobuf framing of the first message type: message indexes [0], written as the single byte 0. */
    static final byte[] FIRST_MESSAGE = {0};

    static byte[] frame(int id, byte[] prefix, byte[] payload) {
        return ByteBuffer.allocate(5 + prefix.length + payload.length).put((byte) 0).putInt(id).put(prefix).put(payload)
                .array();
    }

    /** The three malformed kinds, rotating: wrong magic byte, unknown schema id, truncated payload. */
    static Expected badKind(long i, String phase) {
        return switch ((int) (i % 3)) {
            case 0 -> new Expected(i, null, "wrong magic byte", phase);
            case 1 -> new Expected(i, null, "unknown schema id 987654", phase);
            default -> new Expected(i, null, "truncated|runs past the end", phase);
        };
    }

    static byte[] breakAs(Expected e, byte[] framed) {
        if (e.deadLetterCause().startsWith("wrong magic")) {
            byte[] b = framed.clone();
            b[0] = 9;
            return b;
        }
        if (e.deadLetterCause().startsWith("unknown schema id")) {
            byte[] b = framed.clone();
            ByteBuffer.wrap(b).putInt(1, 987654);
            return b;
        }
        return java.util.Arrays.copyOf(framed, framed.length - 1);
    }

    /**
     * Sends records {@code [from, to)}; {@code encode} gives the framed value of a good record i, and every
     * {@code badEvery}-th record is broken (one of three kinds).
     */
    void send(LocalStack stack, String topic, int partitions, long from, long to, int badEvery, String phase,
            LongFunction<byte[]> encode) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "600000");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "300000");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            List<Future<RecordMetadata>> futures = new ArrayList<>();
            List<Expected> what = new ArrayList<>();
            for (long i = from; i < to; i++) {
                byte[] value = encode.apply(i);
                Expected e = new Expected(i, "e" + i, null, phase);
                if (badEvery > 0 && i % badEvery == badEvery - 1) {
                    e = badKind(i / badEvery, phase);
                    value = breakAs(e, value);
                }
                futures.add(producer.send(new ProducerRecord<>(topic, (int) (i % partitions), System.currentTimeMillis(),
                        ("k" + i).getBytes(StandardCharsets.UTF_8), value)));
                what.add(e);
            }
            producer.flush();
            for (int k = 0; k < futures.size(); k++) {
                RecordMetadata md = futures.get(k).get();
                sent.computeIfAbsent(md.partition(), x -> new ConcurrentHashMap<>()).put(md.offset(), what.get(k));
            }
        }
    }

    /** Per partition: the end offset after everything sent so far. */
    Map<Integer, Long> ends() {
        Map<Integer, Long> m = new TreeMap<>();
        sent.forEach((p, offs) -> m.put(p, offs.keySet().stream().mapToLong(Long::longValue).max().orElse(-1) + 1));
        return m;
    }

    long good() {
        return sent.values().stream().flatMap(m -> m.values().stream()).filter(e -> !e.bad()).count();
    }

    long bad() {
        return sent.values().stream().flatMap(m -> m.values().stream()).filter(Expected::bad).count();
    }
}
