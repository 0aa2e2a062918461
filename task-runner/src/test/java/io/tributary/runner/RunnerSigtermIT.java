package io.tributary.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.catalog.DynamoCatalog;
import io.tributary.catalog.TableDefinition;
import io.tributary.infra.LocalStack;
import io.tributary.infra.LocalStackExtension;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** SIGTERM drains: after a graceful stop nothing is left uncommitted. Also checks /q/metrics and /q/health. */
@ExtendWith(LocalStackExtension.class)
class RunnerSigtermIT {

    @Test
    void sigtermFlushesAndCommitsEverythingThenExitsZero(LocalStack stack) throws Exception {
        String table = ItSupport.unique("term");
        String topic = table + "-in";
        ItSupport.createTopic(stack, topic, 4);
        DynamoCatalog catalog = ItSupport.catalog(stack, stack.catalogTable());
        // nothing but shutdown can cut a part: age 10 min, rows/bytes far away
        catalog.createTable(ItSupport.table(stack, table, topic, new TableDefinition.Flush(1_000_000, 512L << 20, 600_000),
                new TableDefinition.Errors(TableDefinition.ErrorPolicy.DLQ, table + "-errors")),
                Map.of(0, 0L, 1, 0L, 2, 0L, 3, 0L));
        ItSupport.Produced produced = new ItSupport.Produced();
        ItSupport.produce(stack, topic, 4, 0, 20_000, 100, produced);
        Map<Integer, Long> end = ItSupport.endOffsets(stack, topic, 4);

        try (RunnerProcess runner = RunnerProcess.start(stack, stack.catalogTable(), table + "-r1",
                Map.of("TRIBUTARY_RUNNER_SHUTDOWN_GRACE", "60s"), "--table", table, "--partitions", "0-3", "--id",
                "term-runner")) {
            ItSupport.await(Duration.ofMinutes(2), "runner consumed everything (metrics)",
                    () -> runner.metricSum("tributary_records_consumed_total") >= 20_000);
            assertThat(ItSupport.committed(catalog, table, 4).values()).as("nothing committed before SIGTERM")
                    .allMatch(v -> v == 0);
            String metrics = runner.get("/q/metrics");
            for (String name : new String[] {"tributary_records_consumed_total", "tributary_bytes_consumed_total",
                    "tributary_buffered_bytes", "tributary_freshness_seconds"}) {
                assertThat(metrics).contains(name);
            }
            assertThat(runner.metricSum("tributary_buffered_bytes")).isPositive();
            assertThat(runner.get("/q/health")).contains("\"status\": \"UP\"").contains("tributary-runner");

            int exit = runner.terminate(Duration.ofSeconds(90));
            assertThat(exit).as("exit code after SIGTERM (log " + runner.log + ")").isZero();
        }
        assertThat(ItSupport.committed(catalog, table, 4)).as("head end_offset == log end offset").isEqualTo(end);
        ItSupport.Landed landed = ItSupport.readLanded(catalog, ItSupport.s3(stack), stack.bucket(), table,
                Set.of(0, 1, 2, 3));
        ItSupport.assertExactlyOnce(produced, landed);
        assertThat(catalog.audit(table).problems()).isEmpty();
        assertThat(landed.records).as("one shutdown commit per partition").isEqualTo(4);
        assertThat(landed.parts).isEqualTo(4);
        long mirrored = ItSupport.endOffsets(stack, table + "-errors", 1).get(0);
        assertThat(mirrored).as("dead letters mirrored to the errors topic (at least once)")
                .isGreaterThanOrEqualTo(produced.bad);
    }
}
