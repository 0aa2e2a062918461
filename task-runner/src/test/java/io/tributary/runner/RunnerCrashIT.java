package io.tributary.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.DynamoCatalog;
import io.tributary.catalog.TableDefinition;
import io.tributary.infra.LocalStack;
import io.tributary.infra.LocalStackExtension;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The runner as a child process, SIGKILLed at random moments three times while records flow, and
 * restarted; the final chain is exact (read back from S3) with no loss and no duplicate.
 */
@ExtendWith(LocalStackExtension.class)
class RunnerCrashIT {

    @Test
    void killedThreeTimesWhileRecordsFlowStillLandsExactlyOnce(LocalStack stack) throws Exception {
        String table = ItSupport.unique("crash");
        String topic = table + "-in";
        int partitions = 4;
        ItSupport.createTopic(stack, topic, partitions);
        DynamoCatalog catalog = ItSupport.catalog(stack, stack.catalogTable());
        catalog.createTable(ItSupport.table(stack, table, topic, new TableDefinition.Flush(3_000, 64L << 20, 300),
                TableDefinition.Errors.DEFAULT), Map.of(0, 0L, 1, 0L, 2, 0L, 3, 0L));
        ItSupport.Produced produced = new ItSupport.Produced();
        long total = 120_000;
        AtomicReference<Throwable> producerError = new AtomicReference<>();
        Thread producer = new Thread(() -> {
            try {
                for (long from = 0; from < total; from += 2_000) {
                    ItSupport.produce(stack, topic, partitions, from, from + 2_000, 100, produced);
                }
            } catch (Throwable t) {
                producerError.set(t);
            }
        }, "test-producer");
        producer.setDaemon(true);
        producer.start();

        Random random = new Random();
        long seed = random.nextLong();
        random.setSeed(seed);
        System.out.println("crash: seed " + seed);
        try {
            for (int crash = 1; crash <= 3; crash++) {
                long before = committedRecords(catalog, table, partitions);
                long progress = 2_000 + random.nextInt(10_000);
                try (RunnerProcess runner = RunnerProcess.start(stack, stack.catalogTable(), table + "-crash" + crash,
                        Map.of(), "--table", table, "--partitions", "0-3", "--id", "crash-runner-" + crash)) {
                    ItSupport.await(Duration.ofMinutes(3), "runner " + crash + " committed " + progress + " more offsets",
                            () -> committedRecords(catalog, table, partitions) >= before + progress || !runner.alive());
                    assertThat(runner.alive()).as("runner alive before the kill (log " + runner.log + ")").isTrue();
                    runner.kill();
                    System.out.printf("crash: SIGKILL %d after %d more committed offsets (now %d)%n", crash, progress,
                            committedRecords(catalog, table, partitions));
                }
            }
            producer.join(Duration.ofMinutes(3).toMillis());
            assertThat(producerError.get()).isNull();
            assertThat(produced.total()).isEqualTo(total);
            Map<Integer, Long> end = ItSupport.endOffsets(stack, topic, partitions);
            try (RunnerProcess runner = RunnerProcess.start(stack, stack.catalogTable(), table + "-final", Map.of(),
                    "--table", table, "--partitions", "0-3", "--id", "crash-runner-final")) {
                ItSupport.await(Duration.ofMinutes(3), "the final runner committed everything",
                        () -> ItSupport.committed(catalog, table, partitions).equals(end));
                assertThat(runner.terminate(Duration.ofSeconds(60))).isZero();
            }
        } finally {
            producer.interrupt();
        }
        ItSupport.Landed landed = ItSupport.readLanded(catalog, ItSupport.s3(stack), stack.bucket(), table,
                Set.of(0, 1, 2, 3));
        ItSupport.assertExactlyOnce(produced, landed);
        assertThat(catalog.audit(table).problems()).isEmpty();
        assertThat(catalog.audit(table).exact()).isTrue();
    }

    private static long committedRecords(DynamoCatalog catalog, String table, int partitions) {
        long sum = 0;
        for (int p = 0; p < partitions; p++) {
            sum += catalog.head(table, p).map(CommitRecord::endOffset).orElse(0L);
        }
        return sum;
    }
}
