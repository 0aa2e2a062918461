package io.tributary.runner;

import io.tributary.runner.consume.TableWorker;
import io.tributary.runner.metrics.RunnerMetrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.catalog.DynamoCatalog;
import io.tributary.catalog.StoredTable;
import io.tributary.catalog.TableDefinition;
import io.tributary.infra.LocalStack;
import io.tributary.infra.LocalStackExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.S3Client;

/** Two runners wrongly given the same partitions at once: the chain stays exact. */
@ExtendWith(LocalStackExtension.class)
class TwoRunnersTest {
    private static final TableDefinition.Flush FLUSH = new TableDefinition.Flush(2_000, 64L << 20, 200);

    @Test
    void sameEpochRunnersRaceAndBothResumeFromTheWinnersHead(LocalStack stack) throws Exception {
        String table = ItSupport.unique("race");
        String topic = table + "-in";
        ItSupport.createTopic(stack, topic, 2);
        DynamoCatalog catalog = ItSupport.catalog(stack, stack.catalogTable());
        StoredTable stored = catalog.createTable(ItSupport.table(stack, table, topic, FLUSH, TableDefinition.Errors.DEFAULT),
                Map.of(0, 0L, 1, 0L));
        S3Client s3 = ItSupport.s3(stack);
        ItSupport.Produced produced = new ItSupport.Produced();
        CountingMetrics ma = new CountingMetrics();
        CountingMetrics mb = new CountingMetrics();
        try (TaskRunner a = new TaskRunner(RunnerConfig.defaults("runner-a"), catalog, s3, ma);
                TaskRunner b = new TaskRunner(RunnerConfig.defaults("runner-b"), catalog, s3, mb)) {
            a.assignmentChanged(List.of(new AssignmentSource.TableAssignment(stored, Map.of(0, 1L, 1, 1L))));
            b.assignmentChanged(List.of(new AssignmentSource.TableAssignment(stored, Map.of(0, 1L, 1, 1L))));
            for (int round = 0; round < 10; round++) {
                ItSupport.produce(stack, topic, 2, round * 5_000L, (round + 1) * 5_000L, 50, produced);
            }
            Map<Integer, Long> end = ItSupport.endOffsets(stack, topic, 2);
            ItSupport.await(Duration.ofMinutes(3), "all offsets committed",
                    () -> ItSupport.committed(catalog, table, 2).equals(end));
            assertThat(a.status()).noneMatch(TableWorker.PartitionStatus::stopped);
            assertThat(b.status()).noneMatch(TableWorker.PartitionStatus::stopped);
        }
        ItSupport.Landed landed = ItSupport.readLanded(catalog, s3, stack.bucket(), table, Set.of(0, 1));
        ItSupport.assertExactlyOnce(produced, landed);
        assertThat(catalog.audit(table).problems()).isEmpty();
        System.out.printf("race: conflicts a=%d b=%d, commit records %d%n", ma.conflicts.sum(), mb.conflicts.sum(),
                landed.records);
    }

    @Test
    void lowerEpochRunnerStopsWhenAHigherEpochOwnerCommits(LocalStack stack) throws Exception {
        String table = ItSupport.unique("fence");
        String topic = table + "-in";
        ItSupport.createTopic(stack, topic, 2);
        DynamoCatalog catalog = ItSupport.catalog(stack, stack.catalogTable());
        StoredTable stored = catalog.createTable(ItSupport.table(stack, table, topic, FLUSH, TableDefinition.Errors.DEFAULT),
                Map.of(0, 0L, 1, 0L));
        S3Client s3 = ItSupport.s3(stack);
        ItSupport.Produced produced = new ItSupport.Produced();
        try (TaskRunner old = new TaskRunner(RunnerConfig.defaults("runner-old"), catalog, s3, RunnerMetrics.NOOP);
                TaskRunner neu = new TaskRunner(RunnerConfig.defaults("runner-new"), catalog, s3, RunnerMetrics.NOOP)) {
            old.assignmentChanged(List.of(new AssignmentSource.TableAssignment(stored, Map.of(0, 1L, 1, 1L))));
            ItSupport.produce(stack, topic, 2, 0, 10_000, 0, produced);
            ItSupport.await(Duration.ofMinutes(1), "the old owner committed something",
                    () -> ItSupport.committed(catalog, table, 2).values().stream().allMatch(v -> v > 0));
            neu.assignmentChanged(List.of(new AssignmentSource.TableAssignment(stored, Map.of(0, 2L, 1, 2L))));
            long next = 10_000;
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (!old.status().stream().allMatch(TableWorker.PartitionStatus::stopped)) {
                assertThat(System.nanoTime()).as("old runner fenced in time").isLessThan(deadline);
                ItSupport.produce(stack, topic, 2, next, next + 1_000, 0, produced);
                next += 1_000;
            }
            assertThat(old.status()).allSatisfy(s -> assertThat(s.error()).contains("epoch"));
            ItSupport.produce(stack, topic, 2, next, next + 5_000, 0, produced);
            Map<Integer, Long> end = ItSupport.endOffsets(stack, topic, 2);
            ItSupport.await(Duration.ofMinutes(2), "all offsets committed by the new owner",
                    () -> ItSupport.committed(catalog, table, 2).equals(end));
            assertThat(neu.status()).noneMatch(TableWorker.PartitionStatus::stopped);
            for (int p = 0; p < 2; p++) {
                assertThat(catalog.head(table, p).orElseThrow().epoch()).isEqualTo(2);
            }
        }
        ItSupport.Landed landed = ItSupport.readLanded(catalog, s3, stack.bucket(), table, Set.of(0, 1));
        ItSupport.assertExactlyOnce(produced, landed);
        assertThat(catalog.audit(table).problems()).isEmpty();
    }
}
