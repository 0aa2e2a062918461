package io.tributary.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.InMemoryCatalog;
import io.tributary.catalog.StoredTable;
import io.tributary.catalog.TableDefinition;
import io.tributary.infra.LocalStack;
import io.tributary.infra.LocalStackExtension;
import io.tributary.runner.buffer.FlushReason;
import io.tributary.runner.metrics.RunnerMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code flush.min_interval}: a slow trickle at {@code max_age: 100ms, min_interval: 2s} is cut into parts no
 * closer than 2 s apart; {@code max_rows} still cuts at once. A real broker and S3 server, the in-memory catalog.
 */
@ExtendWith(LocalStackExtension.class)
class FlushMinIntervalTest {
    private static final long MIN_INTERVAL_MS = 2_000;

    @Test
    void slowTrickleIsCutNoCloserThanTheMinimumInterval(LocalStack stack) throws Exception {
        String table = ItSupport.unique("minint");
        String topic = table + "-in";
        ItSupport.createTopic(stack, topic, 1);
        InMemoryCatalog catalog = new InMemoryCatalog();
        StoredTable stored = catalog.createTable(ItSupport.table(stack, table, topic,
                new TableDefinition.Flush(100_000, 64L << 20, 100, MIN_INTERVAL_MS), TableDefinition.Errors.DEFAULT),
                Map.of(0, 0L));
        SealTimes metrics = new SealTimes();
        int records = 45;
        long producingMs;
        try (TaskRunner runner = new TaskRunner(RunnerConfig.defaults("minint-runner"), catalog, ItSupport.s3(stack),
                metrics); KafkaProducer<byte[], byte[]> producer = producer(stack)) {
            runner.assignmentChanged(List.of(new AssignmentSource.TableAssignment(stored,
                    Map.of(0, AssignmentSource.INHERIT_EPOCH))));
            // one record every 150 ms for ~7 s: at max_age 100 ms alone that would be ~45 parts
            long t0 = System.nanoTime();
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, 0, System.currentTimeMillis(), null, ItSupport.value(i, 0))).get();
                Thread.sleep(150);
            }
            producingMs = (System.nanoTime() - t0) / 1_000_000;
            ItSupport.await(Duration.ofMinutes(1), "all " + records + " records committed",
                    () -> catalog.head(table, 0).map(CommitRecord::endOffset).orElse(-1L) == records);
        }
        List<CommitRecord> parts = catalog.chain(table, 0).filter(r -> !r.isGenesis()).toList();
        List<Long> ageCuts = metrics.times(FlushReason.AGE);
        System.out.printf("min_interval: %d records over %d ms -> %d parts (age cuts %d, shutdown %d), cut gaps %s ms%n",
                records, producingMs, parts.size(), ageCuts.size(), metrics.count(FlushReason.SHUTDOWN), gaps(ageCuts));

        assertThat(parts.stream().mapToLong(CommitRecord::rows).sum()).isEqualTo(records);
        assertThat(metrics.count(FlushReason.ROWS) + metrics.count(FlushReason.BYTES) + metrics.count(FlushReason.MEMORY))
                .isZero();
        assertThat(ageCuts).hasSizeGreaterThanOrEqualTo(2);
        // the guarantee, measured where the cut is made: age cuts of one partition >= min_interval apart
        assertThat(gaps(ageCuts)).allSatisfy(g -> assertThat(g).isGreaterThanOrEqualTo(MIN_INTERVAL_MS - 5));
        // the parts as committed: about one per 2 s instead of one per record (commit times also carry each
        // upload's latency, the first one's class loading included, so their gaps are printed, not asserted)
        assertThat((long) parts.size()).isLessThanOrEqualTo(producingMs / MIN_INTERVAL_MS + 2);
        System.out.printf("min_interval: commit gaps %s ms%n", gaps(parts.stream().map(CommitRecord::committedAt).toList()));
        assertThat(catalog.audit(table).exact()).isTrue();
    }

    @Test
    void maxRowsStillCutsAtOnce(LocalStack stack) throws Exception {
        String table = ItSupport.unique("minrows");
        String topic = table + "-in";
        ItSupport.createTopic(stack, topic, 1);
        InMemoryCatalog catalog = new InMemoryCatalog();
        StoredTable stored = catalog.createTable(ItSupport.table(stack, table, topic,
                new TableDefinition.Flush(10, 64L << 20, 100, MIN_INTERVAL_MS), TableDefinition.Errors.DEFAULT),
                Map.of(0, 0L));
        ItSupport.Produced produced = new ItSupport.Produced();
        ItSupport.produce(stack, topic, 1, 0, 50, 0, produced);
        SealTimes metrics = new SealTimes();
        try (TaskRunner runner = new TaskRunner(RunnerConfig.defaults("minrows-runner"), catalog, ItSupport.s3(stack),
                metrics)) {
            runner.assignmentChanged(List.of(new AssignmentSource.TableAssignment(stored,
                    Map.of(0, AssignmentSource.INHERIT_EPOCH))));
            ItSupport.await(Duration.ofMinutes(1), "50 records committed",
                    () -> catalog.head(table, 0).map(CommitRecord::endOffset).orElse(-1L) == 50L);
        }
        List<Long> rowCuts = metrics.times(FlushReason.ROWS);
        System.out.printf("min_interval with max_rows 10: row cuts at %s ms%n", gaps(rowCuts));
        assertThat(rowCuts).hasSize(5);
        assertThat(rowCuts.get(4) - rowCuts.get(0)).as("five row cuts, not five minimum intervals")
                .isLessThan(MIN_INTERVAL_MS);
        assertThat(metrics.count(FlushReason.AGE)).isZero();
        List<CommitRecord> parts = catalog.chain(table, 0).filter(r -> !r.isGenesis()).toList();
        assertThat(parts).hasSize(5).allSatisfy(r -> assertThat(r.rows()).isEqualTo(10));
    }

    private static KafkaProducer<byte[], byte[]> producer(LocalStack stack) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "300000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "600000");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static List<Long> gaps(List<Long> times) {
        List<Long> out = new ArrayList<>();
        for (int i = 1; i < times.size(); i++) {
            out.add(times.get(i) - times.get(i - 1));
        }
        return out;
    }

    /** {@link CountingMetrics} plus when each cut was made (ms on the monotonic clock). */
    private static final class SealTimes implements RunnerMetrics {
        private final CountingMetrics counts = new CountingMetrics();
        private final ConcurrentLinkedQueue<Map.Entry<FlushReason, Long>> cuts = new ConcurrentLinkedQueue<>();

        @Override
        public PartitionMetrics partition(String table, int partition) {
            return counts.partition(table, partition);
        }

        @Override
        public void flushed(String table, FlushReason reason) {
            cuts.add(Map.entry(reason, System.nanoTime() / 1_000_000));
            counts.flushed(table, reason);
        }

        @Override
        public void commitLatency(String table, long nanos) {
        }

        @Override
        public void bufferedBytes(LongSupplier bytes) {
        }

        List<Long> times(FlushReason reason) {
            return cuts.stream().filter(e -> e.getKey() == reason).map(Map.Entry::getValue).toList();
        }

        long count(FlushReason reason) {
            return counts.flushes(reason);
        }
    }
}
