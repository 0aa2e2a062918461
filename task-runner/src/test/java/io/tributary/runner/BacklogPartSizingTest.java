package io.tributary.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.DynamoCatalog;
import io.tributary.catalog.StoredTable;
import io.tributary.catalog.TableDefinition;
import io.tributary.infra.LocalStack;
import io.tributary.infra.LocalStackExtension;
import io.tributary.runner.buffer.FlushReason;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Part sizing under backlog: with {@code max_age: 100ms} and a backlog of six parts' worth of records, the runner
 * cuts the backlog by {@code max_rows} (six full parts, not one part per 100 ms), and once caught up a single new
 * record is still committed about {@code max_age} later. Real broker, S3 server and DynamoDB (dynalite).
 */
@ExtendWith(LocalStackExtension.class)
class BacklogPartSizingTest {
    private static final int MAX_ROWS = 5_000;
    private static final int BACKLOG = 6 * MAX_ROWS;

    @Test
    void backlogIsCutBySizeAndATrickleAfterwardsByAge(LocalStack stack) throws Exception {
        String table = ItSupport.unique("backlog");
        String topic = table + "-in";
        ItSupport.createTopic(stack, topic, 1);
        DynamoCatalog catalog = ItSupport.catalog(stack, stack.catalogTable());
        StoredTable stored = catalog.createTable(ItSupport.table(stack, table, topic,
                new TableDefinition.Flush(MAX_ROWS, 64L << 20, 100), TableDefinition.Errors.DEFAULT), Map.of(0, 0L));
        ItSupport.Produced produced = new ItSupport.Produced();
        ItSupport.produce(stack, topic, 1, 0, BACKLOG, 0, produced);
        CountingMetrics metrics = new CountingMetrics();
        try (TaskRunner runner = new TaskRunner(RunnerConfig.defaults("backlog-runner"), catalog, ItSupport.s3(stack),
                metrics)) {
            runner.assignmentChanged(List.of(new AssignmentSource.TableAssignment(stored,
                    Map.of(0, AssignmentSource.INHERIT_EPOCH))));
            ItSupport.await(Duration.ofMinutes(2), "the backlog committed", () -> headEnd(catalog, table) == BACKLOG);
            List<CommitRecord> backlogParts = parts(catalog, table);
            System.out.printf("backlog: %d records -> %d parts %s; cuts: rows %d, age %d, memory %d%n", BACKLOG,
                    backlogParts.size(), backlogParts.stream().map(CommitRecord::rows).toList(),
                    metrics.flushes(FlushReason.ROWS), metrics.flushes(FlushReason.AGE), metrics.flushes(FlushReason.MEMORY));
            // at max_age 100 ms alone a 2-core machine draining 30,000 records cuts a part every 100 ms
            assertThat(backlogParts).hasSize(BACKLOG / MAX_ROWS)
                    .allSatisfy(r -> assertThat(r.rows()).isEqualTo(MAX_ROWS));
            assertThat(metrics.flushes(FlushReason.ROWS)).isEqualTo(BACKLOG / MAX_ROWS);
            assertThat(metrics.flushes(FlushReason.AGE)).isZero();

            // caught up: one more record is cut by age, not held for max_rows
            long t0 = System.nanoTime();
            ItSupport.produce(stack, topic, 1, BACKLOG, BACKLOG + 1, 0, produced);
            ItSupport.await(Duration.ofSeconds(30), "the trickle record committed",
                    () -> headEnd(catalog, table) == BACKLOG + 1);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("trickle: one record committed %d ms after it was produced (max_age 100 ms)%n", ms);
            assertThat(ms).as("committed by its age cut, well within a few seconds").isLessThan(10_000);
            assertThat(metrics.flushes(FlushReason.AGE)).isEqualTo(1);
        }
        assertThat(catalog.audit(table).exact()).isTrue();
    }

    private static long headEnd(DynamoCatalog catalog, String table) {
        return catalog.head(table, 0).map(CommitRecord::endOffset).orElse(-1L);
    }

    private static List<CommitRecord> parts(DynamoCatalog catalog, String table) {
        return catalog.chain(table, 0).filter(r -> !r.isGenesis() && r.rows() > 0).toList();
    }
}
