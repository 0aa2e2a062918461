package io.tributary.runner;

import io.tributary.runner.buffer.FlushReason;
import io.tributary.runner.metrics.RunnerMetrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/** Test metrics: totals only. */
final class CountingMetrics implements RunnerMetrics {
    final LongAdder consumed = new LongAdder();
    final LongAdder consumedBytes = new LongAdder();
    final LongAdder rows = new LongAdder();
    final LongAdder dlq = new LongAdder();
    final LongAdder parts = new LongAdder();
    final LongAdder conflicts = new LongAdder();
    final Map<FlushReason, LongAdder> flushes = new ConcurrentHashMap<>();
    volatile LongSupplier buffered;

    @Override
    public PartitionMetrics partition(String table, int partition) {
        return new PartitionMetrics() {
            @Override
            public void consumed(long records, long bytes) {
                consumed.add(records);
                consumedBytes.add(bytes);
            }

            @Override
            public void committed(long r, long d, int p, double freshnessSeconds) {
                rows.add(r);
                dlq.add(d);
                parts.add(p);
            }

            @Override
            public void conflict() {
                conflicts.increment();
            }
        };
    }

    @Override
    public void flushed(String table, FlushReason reason) {
        flushes.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    @Override
    public void commitLatency(String table, long nanos) {
    }

    @Override
    public void bufferedBytes(LongSupplier bytes) {
        buffered = bytes;
    }

    long flushes(FlushReason r) {
        LongAdder a = flushes.get(r);
        return a == null ? 0 : a.sum();
    }
}
