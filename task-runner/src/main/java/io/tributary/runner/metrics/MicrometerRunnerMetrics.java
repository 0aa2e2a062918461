package io.tributary.runner.metrics;

import io.tributary.runner.buffer.FlushReason;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * {@link RunnerMetrics} on Micrometer. In Prometheus form the names are exactly
 * {@code tributary_records_consumed_total}, {@code tributary_bytes_consumed_total},
 * {@code tributary_rows_committed_total}, {@code tributary_parts_committed_total},
 * {@code tributary_dlq_records_total}, {@code tributary_commit_latency_seconds} (histogram),
 * {@code tributary_flush_total{reason}}, {@code tributary_buffered_bytes},
 * {@code tributary_freshness_seconds}, {@code tributary_commit_conflicts_total} and
 * {@code tributary_cpu_seconds_total{phase}} (thread CPU of each {@link CpuPhase}, runner-wide).
 */
public final class MicrometerRunnerMetrics implements RunnerMetrics {
    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Timer> latency = new ConcurrentHashMap<>();
    private final Counter[] cpu = new Counter[CpuPhase.values().length];

    public MicrometerRunnerMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (CpuPhase p : CpuPhase.values()) {
            cpu[p.ordinal()] = Counter.builder("tributary.cpu.seconds").tags("phase", p.label())
                    .description("thread CPU time of the runner's data path, by phase")
                    .register(registry);
        }
    }

    @Override
    public PartitionMetrics partition(String table, int partition) {
        Tags tags = Tags.of("table", table, "partition", Integer.toString(partition));
        Counter records = Counter.builder("tributary.records.consumed").tags(tags).register(registry);
        Counter bytes = Counter.builder("tributary.bytes.consumed").tags(tags).register(registry);
        Counter rows = Counter.builder("tributary.rows.committed").tags(tags).register(registry);
        Counter parts = Counter.builder("tributary.parts.committed").tags(tags).register(registry);
        Counter dlq = Counter.builder("tributary.dlq.records").tags(tags).register(registry);
        Counter conflicts = Counter.builder("tributary.commit.conflicts").tags(tags).register(registry);
        AtomicLong freshnessMillis = new AtomicLong(-1000);
        Gauge.builder("tributary.freshness.seconds", freshnessMillis, a -> a.get() / 1000.0).tags(tags)
                .strongReference(true).register(registry);
        return new PartitionMetrics() {
            @Override
            public void consumed(long n, long b) {
                records.increment(n);
                bytes.increment(b);
            }

            @Override
            public void committed(long r, long d, int p, double freshnessSeconds) {
                rows.increment(r);
                dlq.increment(d);
                parts.increment(p);
                if (!Double.isNaN(freshnessSeconds)) {
                    freshnessMillis.set(Math.round(freshnessSeconds * 1000));
                }
            }

            @Override
            public void conflict() {
                conflicts.increment();
            }
        };
    }

    @Override
    public void flushed(String table, FlushReason reason) {
        Counter.builder("tributary.flush").tags("table", table, "reason", reason.label()).register(registry).increment();
    }

    @Override
    public void commitLatency(String table, long nanos) {
        latency.computeIfAbsent(table, t -> Timer.builder("tributary.commit.latency").tags("table", t)
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60)).register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void cpu(CpuPhase phase, long nanos) {
        if (nanos > 0) {
            cpu[phase.ordinal()].increment(nanos / 1e9);
        }
    }

    @Override
    public void bufferedBytes(LongSupplier bytes) {
        Gauge.builder("tributary.buffered.bytes", bytes, s -> (double) s.getAsLong()).strongReference(true)
                .register(registry);
    }
}
