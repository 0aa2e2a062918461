package io.tributary.runner;

import io.tributary.runner.metrics.RunnerMetrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.DynamoCatalog;
import io.tributary.catalog.PartObject;
import io.tributary.catalog.StoredTable;
import io.tributary.catalog.TableDefinition;
import io.tributary.infra.LocalStack;
import io.tributary.infra.LocalStackExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Error policies `skip` (counted, no object) and `fail` (land what came before, stop the partition). */
@ExtendWith(LocalStackExtension.class)
class ErrorPoliciesTest {
    private static final TableDefinition.Flush FLUSH = new TableDefinition.Flush(100_000, 64L << 20, 300);

    @Test
    void skipCountsBadRecordsWithoutDeadLetterObjects(LocalStack stack) throws Exception {
        String table = ItSupport.unique("skip");
        String topic = table + "-in";
        ItSupport.createTopic(stack, topic, 1);
        DynamoCatalog catalog = ItSupport.catalog(stack, stack.catalogTable());
        StoredTable stored = catalog.createTable(ItSupport.table(stack, table, topic, FLUSH,
                new TableDefinition.Errors(TableDefinition.ErrorPolicy.SKIP, null)), Map.of(0, 0L));
        ItSupport.Produced produced = new ItSupport.Produced();
        ItSupport.produce(stack, topic, 1, 0, 1_000, 10, produced);
        CountingMetrics metrics = new CountingMetrics();
        try (TaskRunner runner = new TaskRunner(RunnerConfig.defaults("skip-runner"), catalog, ItSupport.s3(stack), metrics)) {
            runner.assignmentChanged(List.of(new AssignmentSource.TableAssignment(stored, Map.of(0, AssignmentSource.INHERIT_EPOCH))));
            ItSupport.await(Duration.ofMinutes(1), "offset 1000 committed",
                    () -> ItSupport.committed(catalog, table, 1).get(0) == 1_000L);
        }
        List<CommitRecord> chain = catalog.chain(table, 0).toList();
        long rows = chain.stream().mapToLong(CommitRecord::rows).sum();
        assertThat(rows).isEqualTo(produced.good);
        assertThat(chain).flatMap(CommitRecord::objects).allMatch(o -> o.kind() == PartObject.Kind.DATA);
        assertThat(metrics.consumed.sum()).isEqualTo(1_000);
        assertThat(catalog.audit(table).exact()).isTrue();
    }

    @Test
    void failLandsWhatCameBeforeAndStopsThePartition(LocalStack stack) throws Exception {
        String table = ItSupport.unique("fail");
        String topic = table + "-in";
        ItSupport.createTopic(stack, topic, 1);
        DynamoCatalog catalog = ItSupport.catalog(stack, stack.catalogTable());
        StoredTable stored = catalog.createTable(ItSupport.table(stack, table, topic, FLUSH,
                new TableDefinition.Errors(TableDefinition.ErrorPolicy.FAIL, null)), Map.of(0, 0L));
        ItSupport.Produced produced = new ItSupport.Produced();
        ItSupport.produce(stack, topic, 1, 0, 500, 300, produced); // record 299 is the first bad one
        try (TaskRunner runner = new TaskRunner(RunnerConfig.defaults("fail-runner"), catalog, ItSupport.s3(stack),
                RunnerMetrics.NOOP)) {
            runner.assignmentChanged(List.of(new AssignmentSource.TableAssignment(stored, Map.of(0, AssignmentSource.INHERIT_EPOCH))));
            ItSupport.await(Duration.ofMinutes(1), "partition stopped and offsets before the bad record committed",
                    () -> !runner.status().isEmpty() && runner.status().get(0).stopped() && ItSupport.committed(catalog, table, 1).get(0) == 299L);
            assertThat(runner.status().get(0).error()).contains("offset 299").contains("policy fail")
                    .contains("invalid JSON");
        }
        assertThat(catalog.audit(table).rows()).isEqualTo(299);
    }
}
