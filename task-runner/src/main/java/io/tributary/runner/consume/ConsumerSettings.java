package io.tributary.runner.consume;

import io.tributary.runner.RunnerConfig;
import io.tributary.runner.TableContext;
import java.nio.ByteBuffer;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;

/**
 * The consumer settings of a table's poll thread: manual offsets (DynamoDB is the truth; group offsets are a
 * best-effort mirror), read_committed, no reset (a missing offset is decided by the catalog), and fetch sizes that
 * fit the memory budget: a response holds at most an eighth of the budget (at most 50 MB), 4 MiB of it per partition,
 * and a poll returns up to 10,000 records (the raw drain's settings: a backlog's fetch took ~10 % less CPU than with
 * 2,000 records and 1 MiB per partition; a budget or age cut still waits at most one poll's decoding, a few ms).
 */
final class ConsumerSettings {
    private ConsumerSettings() {
    }

    /**
     * The table's consumer: keys as arrays, values as views of the fetched response ({@code ByteBufferDeserializer}
     * copies nothing), which the poll thread decodes in place before its next poll.
     */
    static KafkaConsumer<byte[], ByteBuffer> consumer(RunnerConfig c, TableContext ctx) {
        return new KafkaConsumer<>(of(c, ctx), new ByteArrayDeserializer(), new ByteBufferDeserializer());
    }

    static Properties of(RunnerConfig c, TableContext ctx) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ctx.bootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "tributary-" + ctx.table());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, c.runnerId() + "-" + ctx.table());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
        long fetchMax = Math.max(1 << 20, Math.min(50L << 20, c.memoryBudgetBytes() / 8));
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Long.toString(fetchMax));
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Long.toString(Math.min(4L << 20, fetchMax)));
        return p;
    }
}
