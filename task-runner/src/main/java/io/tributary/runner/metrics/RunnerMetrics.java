package io.tributary.runner.metrics;

import io.tributary.runner.buffer.FlushReason;

import java.util.function.LongSupplier;

/**
 * What the data path reports, behind a small interface so the core runs without Quarkus or a
 * meter registry ({@link #NOOP}); {@link MicrometerRunnerMetrics} maps it to the Prometheus names.
 * Implementations are thread-safe.
 */
public interface RunnerMetrics {

    /** Per (table, partition) instruments, looked up once when a partition starts. */
    interface PartitionMetrics {
        void consumed(long records, long bytes);

        /** A commit landed: rows, dead letters, data parts, seconds from newest record to commit (or NaN). */
        void committed(long rows, long dlqRows, int parts, double freshnessSeconds);

        void conflict();
    }

    PartitionMetrics partition(String table, int partition);

    void flushed(String table, FlushReason reason);

    void commitLatency(String table, long nanos);

    /** Registers the global buffered-bytes gauge. */
    void bufferedBytes(LongSupplier bytes);

    /** {@code nanos} of thread CPU spent in {@code phase} (runner-wide); ignored unless overridden. */
    default void cpu(CpuPhase phase, long nanos) {
    }

    /**
     * Reports the calling thread's CPU since {@code since} (a {@link CpuPhase#threadCpuNanos()}) as {@code phase};
     * returns the thread's CPU time now, the start of the next phase.
     */
    default long cpuSince(CpuPhase phase, long since) {
        long now = CpuPhase.threadCpuNanos();
        cpu(phase, now - since);
        return now;
    }

    RunnerMetrics NOOP = new RunnerMetrics() {
        private final PartitionMetrics none = new PartitionMetrics() {
            @Override
            public void consumed(long records, long bytes) {
            }

            @Override
            public void committed(long rows, long dlqRows, int parts, double freshnessSeconds) {
            }

            @Override
            public void conflict() {
            }
        };

        @Override
        public PartitionMetrics partition(String table, int partition) {
            return none;
        }

        @Override
        public void flushed(String table, FlushReason reason) {
        }

        @Override
        public void commitLatency(String table, long nanos) {
        }

        @Override
        public void bufferedBytes(LongSupplier bytes) {
        }
    };
}
