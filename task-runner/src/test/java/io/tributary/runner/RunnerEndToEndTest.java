package io.tributary.runner;

import io.tributary.runner.buffer.FlushReason;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.catalog.AuditReport;
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

/** 200,000 JSON records over 4 partitions, 1% malformed, through a real broker, dynalite and S3Mock. */
@ExtendWith(LocalStackExtension.class)
class RunnerEndToEndTest {

    @Test
    void everyRecordLandsExactlyOnceAsRowOrDeadLetter(LocalStack stack) throws Exception {
        String table = ItSupport.unique("e2e");
        String topic = table + "-in";
        int partitions = 4;
        ItSupport.createTopic(stack, topic, partitions);
        DynamoCatalog catalog = ItSupport.catalog(stack, stack.catalogTable());
        TableDefinition def = ItSupport.table(stack, table, topic, new TableDefinition.Flush(30_000, 64L << 20, 1_000),
                TableDefinition.Errors.DEFAULT);
        StoredTable stored = catalog.createTable(def, Map.of(0, 0L, 1, 0L, 2, 0L, 3, 0L));
        S3Client s3 = ItSupport.s3(stack);

        ItSupport.Produced produced = new ItSupport.Produced();
        ItSupport.produce(stack, topic, partitions, 0, 200_000, 100, produced);
        assertThat(produced.total()).isEqualTo(200_000);
        assertThat(produced.bad).isEqualTo(2_000);

        CountingMetrics metrics = new CountingMetrics();
        RunnerConfig config = RunnerConfig.defaults("e2e-runner").withMemoryBudget(256L << 20);
        try (TaskRunner runner = new TaskRunner(config, catalog, s3, metrics)) {
            runner.assignmentChanged(List.of(new AssignmentSource.TableAssignment(stored,
                    Map.of(0, 1L, 1, 1L, 2, 1L, 3, 1L))));
            Map<Integer, Long> end = ItSupport.endOffsets(stack, topic, partitions);
            ItSupport.await(Duration.ofMinutes(3), "all offsets committed",
                    () -> ItSupport.committed(catalog, table, partitions).equals(end));
        }

        ItSupport.Landed landed = ItSupport.readLanded(catalog, s3, stack.bucket(), table, Set.of(0, 1, 2, 3));
        ItSupport.assertExactlyOnce(produced, landed);
        AuditReport audit = catalog.audit(table);
        assertThat(audit.problems()).isEmpty();
        assertThat(audit.exact()).isTrue();
        assertThat(audit.rows()).isEqualTo(produced.good);
        assertThat(audit.dlqRows()).isEqualTo(produced.bad);
        assertThat(metrics.consumed.sum()).as("consumed = committed rows + DLQ rows")
                .isEqualTo(metrics.rows.sum() + metrics.dlq.sum()).isEqualTo(200_000);
        assertThat(metrics.conflicts.sum()).isZero();
        for (String key : landed.keys) {
            assertThat(key).matches("tables/" + table + "/(_dlq/)?dt=\\d{4}-\\d{2}-\\d{2}/p\\d-\\d+-\\d+-[0-9a-f]+\\.(parquet|jsonl\\.gz)");
        }
        System.out.printf("e2e: %d records, %d parts, %d commit records, flushes rows=%d age=%d shutdown=%d%n",
                landed.records, landed.parts, landed.records, metrics.flushes(FlushReason.ROWS),
                metrics.flushes(FlushReason.AGE), metrics.flushes(FlushReason.SHUTDOWN));
    }
}
