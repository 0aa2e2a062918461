package io.tributary.runner;

import io.tributary.runner.buffer.FlushReason;


import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.catalog.DynamoCatalog;
import io.tributary.catalog.StoredTable;
import io.tributary.catalog.TableDefinition;
import io.tributary.infra.LocalStack;
import io.tributary.infra.LocalStackExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.S3Client;

/** A small budget over 64 partitions: buffered bytes never exceed it by more than one record batch. */
@ExtendWith(LocalStackExtension.class)
class MemoryBudgetTest {

    @Test
    void bufferedBytesStayWithinTheBudget(LocalStack stack) throws Exception {
        String table = ItSupport.unique("mem");
        String topic = table + "-in";
        int partitions = 64;
        ItSupport.createTopic(stack, topic, partitions);
        DynamoCatalog catalog = ItSupport.catalog(stack, stack.catalogTable());
        Map<Integer, Long> genesis = new HashMap<>();
        Map<Integer, Long> epochs = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            genesis.put(p, 0L);
            epochs.put(p, 1L);
        }
        // only the memory budget can cut parts: rows, bytes and age limits are far away
        StoredTable stored = catalog.createTable(ItSupport.table(stack, table, topic,
                new TableDefinition.Flush(1_000_000, 512L << 20, 600_000), TableDefinition.Errors.DEFAULT), genesis);
        S3Client s3 = ItSupport.s3(stack);
        ItSupport.Produced produced = new ItSupport.Produced();
        ItSupport.produce(stack, topic, partitions, 0, 64_000, 0, produced);

        long budget = 2L << 20;
        CountingMetrics metrics = new CountingMetrics();
        RunnerConfig config = RunnerConfig.defaults("mem-runner").withMemoryBudget(budget);
        Map<Integer, Long> end = ItSupport.endOffsets(stack, topic, partitions);
        long peak;
        long largestBatch;
        try (TaskRunner runner = new TaskRunner(config, catalog, s3, metrics)) {
            runner.assignmentChanged(List.of(new AssignmentSource.TableAssignment(stored, epochs)));
            // the age limit is 10 minutes: only memory pressure and shutdown flush; wait for everything
            // but the tail to be consumed, then stop (shutdown flushes the rest)
            ItSupport.await(Duration.ofMinutes(3), "all records consumed", () -> metrics.consumed.sum() >= 64_000);
            peak = runner.memory().peak();
            largestBatch = runner.memory().largestPollBatch();
        }
        ItSupport.await(Duration.ofSeconds(30), "all offsets committed",
                () -> ItSupport.committed(catalog, table, partitions).equals(end));
        System.out.printf("memory: budget=%d peak=%d largest poll batch=%d memory flushes=%d shutdown flushes=%d%n",
                budget, peak, largestBatch, metrics.flushes(FlushReason.MEMORY), metrics.flushes(FlushReason.SHUTDOWN));
        assertThat(metrics.flushes(FlushReason.MEMORY)).isPositive();
        assertThat(peak).as("peak buffered bytes").isLessThanOrEqualTo(budget + largestBatch);
        assertThat(peak).as("peak buffered bytes (one decoded record over at most)").isLessThanOrEqualTo(budget + 4096);
        Set<Integer> all = new TreeSet<>(genesis.keySet());
        ItSupport.Landed landed = ItSupport.readLanded(catalog, s3, stack.bucket(), table, all);
        ItSupport.assertExactlyOnce(produced, landed);
        assertThat(catalog.audit(table).problems()).isEmpty();
    }
}
