package io.tributary.runner.metrics;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/**
 * The phases of the data path whose CPU the runner measures ({@code tributary_cpu_seconds_total{phase}}),
 * each as the thread CPU time of the thread doing it, at a coarse grain (one poll, one decoded batch, one
 * part), never per record. Together with the JIT and GC threads they account for the runner's CPU.
 */
public enum CpuPhase {
    /** {@code KafkaConsumer.poll} on the poll thread. */
    FETCH,
    /** Decoding a poll batch into the partitions' column buffers (poll thread). */
    DECODE,
    /** Parquet encoding and compression of a part and its dead-letter file (flush thread). */
    ENCODE,
    /** The S3 requests that upload a part (flush thread). */
    UPLOAD,
    /** The catalog's conditional commit and what surrounds it on the flush thread. */
    COMMIT;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final boolean ENABLED = THREADS.isCurrentThreadCpuTimeSupported();

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The calling thread's CPU time in ns (0 where the JVM cannot measure it); differences are what count. */
    public static long threadCpuNanos() {
        return ENABLED ? THREADS.getCurrentThreadCpuTime() : 0;
    }
}
