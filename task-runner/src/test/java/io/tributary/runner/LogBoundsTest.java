package io.tributary.runner;

import io.tributary.runner.consume.TableWorker;
import io.tributary.runner.metrics.RunnerMetrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.catalog.AuditReport;
import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.DynamoCatalog;
import io.tributary.catalog.StoredTable;
import io.tributary.catalog.TableDefinition;
import io.tributary.infra.LocalStack;
import io.tributary.infra.LocalStackExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.S3Client;

/** The committed head against the log: below log start (retention) and above log end (recreated topic). */
@ExtendWith(LocalStackExtension.class)
class LogBoundsTest {
    private static final TableDefinition.Flush FLUSH = new TableDefinition.Flush(100_000, 64L << 20, 300);

    @Test
    void headBelowLogStartCommitsALostRecordAndContinues(LocalStack stack) throws Exception {
        String table = ItSupport.unique("lost");
        String topic = table + "-in";
        ItSupport.createTopic(stack, topic, 1);
        DynamoCatalog catalog = ItSupport.catalog(stack, stack.catalogTable());
        StoredTable stored = catalog.createTable(ItSupport.table(stack, table, topic, FLUSH, TableDefinition.Errors.DEFAULT),
                Map.of(0, 0L));
        ItSupport.Produced produced = new ItSupport.Produced();
        ItSupport.produce(stack, topic, 1, 0, 1_000, 0, produced);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap()))) {
            admin.deleteRecords(Map.of(new TopicPartition(topic, 0), RecordsToDelete.beforeOffset(400))).all().get();
        }
        S3Client s3 = ItSupport.s3(stack);
        try (TaskRunner runner = new TaskRunner(RunnerConfig.defaults("lost-runner"), catalog, s3, RunnerMetrics.NOOP)) {
            runner.assignmentChanged(List.of(new AssignmentSource.TableAssignment(stored, Map.of(0, AssignmentSource.INHERIT_EPOCH))));
            ItSupport.await(Duration.ofMinutes(1), "offset 1000 committed",
                    () -> ItSupport.committed(catalog, table, 1).get(0) == 1_000L);
        }
        List<CommitRecord> chain = catalog.chain(table, 0).toList();
        CommitRecord gap = chain.get(1);
        assertThat(gap.startOffset()).isZero();
        assertThat(gap.endOffset()).isEqualTo(400);
        assertThat(gap.lost()).isEqualTo(400);
        assertThat(gap.rows()).isZero();
        assertThat(gap.objects()).isEmpty();
        AuditReport audit = catalog.audit(table);
        assertThat(audit.exact()).isTrue();
        assertThat(audit.lost()).isEqualTo(400);
        assertThat(audit.rows()).isEqualTo(600);
    }

    @Test
    void headBeyondLogEndStopsThePartitionWithAClearError(LocalStack stack) throws Exception {
        String table = ItSupport.unique("recreated");
        String topic = table + "-in";
        ItSupport.createTopic(stack, topic, 1);
        DynamoCatalog catalog = ItSupport.catalog(stack, stack.catalogTable());
        StoredTable stored = catalog.createTable(ItSupport.table(stack, table, topic, FLUSH, TableDefinition.Errors.DEFAULT),
                Map.of(0, 5_000L));
        try (TaskRunner runner = new TaskRunner(RunnerConfig.defaults("end-runner"), catalog, ItSupport.s3(stack),
                RunnerMetrics.NOOP)) {
            runner.assignmentChanged(List.of(new AssignmentSource.TableAssignment(stored, Map.of(0, AssignmentSource.INHERIT_EPOCH))));
            ItSupport.await(Duration.ofMinutes(1), "partition stopped",
                    () -> runner.status().stream().anyMatch(TableWorker.PartitionStatus::stopped));
            assertThat(runner.status().get(0).error()).contains("beyond the log end offset 0")
                    .contains("deleted and recreated");
            assertThat(runner.healthy()).isTrue();
        }
        assertThat(catalog.head(table, 0).orElseThrow().seq()).isZero();
    }
}
