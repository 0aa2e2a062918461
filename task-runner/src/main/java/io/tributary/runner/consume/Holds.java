package io.tributary.runner.consume;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Partitions paused at a record that cannot be decoded YET because the schema registry did not answer
 * (not a bad record: nothing becomes a dead letter). The consumer is sought back to that record and
 * the partition paused; it resumes after a backoff (1 s doubling to 30 s, reset by the next record
 * that decodes) and the record is decoded again. Poll thread only, like {@link Partitions}.
 */
final class Holds {
    private static final Logger LOG = Logger.getLogger(Holds.class);
    private static final long FIRST_BACKOFF_MS = 1_000;
    private static final long MAX_BACKOFF_MS = 30_000;

    private final String table;
    private final KafkaConsumer<byte[], ByteBuffer> consumer;
    private final Map<PartitionState, Long> until = new HashMap<>();
    private final Map<PartitionState, Long> backoff = new HashMap<>();

    Holds(String table, KafkaConsumer<byte[], ByteBuffer> consumer) {
        this.table = table;
        this.consumer = consumer;
    }

    /** Seeks {@code st} back to {@code offset} and pauses it until its backoff passes; status shows {@code why}. */
    void hold(PartitionState st, long offset, String why) {
        long wait = Math.min(MAX_BACKOFF_MS, backoff.getOrDefault(st, FIRST_BACKOFF_MS / 2) * 2);
        backoff.put(st, wait);
        until.put(st, System.nanoTime() + wait * 1_000_000L);
        consumer.seek(st.tp, offset);
        consumer.pause(List.of(st.tp));
        st.error = "waiting for the schema registry at offset " + offset + ": " + why;
        LOG.warnf("table %s partition %d: offset %d cannot be decoded yet (%s); paused, trying the same record again in"
                + " %d ms (nothing becomes a dead letter while the registry is away)", table, st.partition, offset, why,
                wait);
    }

    /** A record of {@code st} decoded: the next outage starts from the first backoff again. */
    void decoded(PartitionState st) {
        if (!backoff.isEmpty()) {
            backoff.remove(st);
        }
    }

    /** Resumes the held partitions whose backoff passed (unless the memory budget keeps everything paused). */
    void resumeDue(boolean memoryPaused, Map<Integer, PartitionState> owned) {
        if (until.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        for (Iterator<Map.Entry<PartitionState, Long>> it = until.entrySet().iterator(); it.hasNext();) {
            Map.Entry<PartitionState, Long> e = it.next();
            PartitionState st = e.getKey();
            if (owned.get(st.partition) != st || st.stopped) {
                it.remove();
                backoff.remove(st);
                continue;
            }
            if (e.getValue() - now <= 0) {
                it.remove();
                st.error = null;
                if (!memoryPaused && st.consuming) {
                    consumer.resume(List.of(st.tp));
                }
                LOG.infof("table %s partition %d: retrying the schema registry", table, st.partition);
            }
        }
    }

    /** {@code assigned} without the held partitions (what a budget resume may resume). */
    Set<TopicPartition> notHeld(Set<TopicPartition> assigned) {
        if (until.isEmpty()) {
            return assigned;
        }
        Set<TopicPartition> s = new HashSet<>(assigned);
        for (PartitionState st : until.keySet()) {
            s.remove(st.tp);
        }
        return s;
    }
}
