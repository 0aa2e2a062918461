package io.tributary.runner.metrics;

import io.tributary.runner.buffer.FlushReason;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The Prometheus names are a public contract: exactly these. */
class MicrometerRunnerMetricsTest {

    @Test
    void prometheusNamesAreExact() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MicrometerRunnerMetrics m = new MicrometerRunnerMetrics(registry);
        AtomicLong buffered = new AtomicLong(1234);
        m.bufferedBytes(buffered::get);
        RunnerMetrics.PartitionMetrics p = m.partition("clicks", 3);
        p.consumed(10, 2500);
        p.committed(9, 1, 1, 1.5);
        p.conflict();
        for (FlushReason r : FlushReason.values()) {
            m.flushed("clicks", r);
        }
        m.commitLatency("clicks", 25_000_000L);
        m.cpu(CpuPhase.DECODE, 1_500_000_000L);
        m.cpuSince(CpuPhase.FETCH, CpuPhase.threadCpuNanos());
        String text = registry.scrape();
        String[] lines = {
                "tributary_records_consumed_total{partition=\"3\",table=\"clicks\",?} 10.0",
                "tributary_bytes_consumed_total{partition=\"3\",table=\"clicks\",?} 2500.0",
                "tributary_rows_committed_total{partition=\"3\",table=\"clicks\",?} 9.0",
                "tributary_parts_committed_total{partition=\"3\",table=\"clicks\",?} 1.0",
                "tributary_dlq_records_total{partition=\"3\",table=\"clicks\",?} 1.0",
                "tributary_commit_conflicts_total{partition=\"3\",table=\"clicks\",?} 1.0",
                "tributary_freshness_seconds{partition=\"3\",table=\"clicks\",?} 1.5",
                "tributary_buffered_bytes 1234.0",
                "tributary_commit_latency_seconds_bucket{table=\"clicks\",le=\"[0-9.+Inf]+\",?} [0-9.]+",
                "tributary_commit_latency_seconds_count{table=\"clicks\",?} 1.0",
                "# TYPE tributary_commit_latency_seconds histogram",
                "tributary_cpu_seconds_total{phase=\"decode\",?} 1.5",
                "tributary_cpu_seconds_total{phase=\"encode\",?} 0.0",
                "tributary_cpu_seconds_total{phase=\"upload\",?} 0.0",
                "tributary_cpu_seconds_total{phase=\"commit\",?} 0.0",
                "# TYPE tributary_cpu_seconds_total counter"};
        for (String l : lines) {
            assertThat(text).containsPattern("(?m)^" + l.replace("{", "\\{").replace("}", "\\}") + "$");
        }
        for (String reason : new String[] {"rows", "bytes", "age", "memory", "revoke", "shutdown"}) {
            assertThat(text).containsPattern("(?m)^tributary_flush_total\\{reason=\"" + reason + "\",table=\"clicks\",?\\} 1.0$");
        }
        assertThat(text).containsPattern("(?m)^tributary_cpu_seconds_total\\{phase=\"fetch\",?\\} [0-9.E-]+$");
    }
}
