package io.tributary.runner.write;

import io.tributary.runner.buffer.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jboss.logging.Logger;

/**
 * The optional at-least-once mirror of a table's committed dead letters to its errors topic
 * ({@code errors.topic}). The dead-letter object in S3 is the record of truth; this is a
 * convenience for consumers that watch a topic, so a failure here is logged and never stops a
 * partition. Thread-safe: flush threads publish, the poll thread closes it.
 */
public final class DeadLetterTopic implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DeadLetterTopic.class);

    private final String table;
    private final String topic;
    private final String bootstrap;
    private final String clientId;
    private KafkaProducer<byte[], byte[]> producer;

    /** A mirror to {@code topic} (null: none) on {@code bootstrap}. */
    public DeadLetterTopic(String table, String topic, String bootstrap, String clientId) {
        this.table = table;
        this.topic = topic;
        this.bootstrap = bootstrap;
        this.clientId = clientId;
    }

    /** Sends the dead letters of one committed part (at least once; call after the commit). */
    public void publish(int partition, List<DeadLetter> letters) {
        if (topic == null || letters.isEmpty()) {
            return;
        }
        try {
            KafkaProducer<byte[], byte[]> p = producer();
            for (DeadLetter d : letters) {
                ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, null, d.timestamp(), d.key(), d.value());
                r.headers().add("tributary.source.partition", Integer.toString(d.partition()).getBytes(StandardCharsets.UTF_8));
                r.headers().add("tributary.source.offset", Long.toString(d.offset()).getBytes(StandardCharsets.UTF_8));
                r.headers().add("tributary.error", d.error().getBytes(StandardCharsets.UTF_8));
                p.send(r);
            }
            p.flush();
        } catch (RuntimeException e) {
            LOG.warnf("table %s partition %d: publishing %d dead letters to %s failed: %s (they are in the committed"
                    + " dead-letter object)", table, partition, letters.size(), topic, e);
        }
    }

    private synchronized KafkaProducer<byte[], byte[]> producer() {
        if (producer == null) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
    }
}
