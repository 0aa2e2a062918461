package io.tributary.runner;

import io.tributary.catalog.RequestCosts;
import java.time.Duration;

/**
 * Settings of one runner process (the data path's knobs; table-specific settings come from the
 * table definition).
 *
 * @param runnerId          this runner's id; the {@code writer} of its commit records
 * @param memoryBudgetBytes global budget for buffered rows (active and flushing); over it the
 *                          largest buffers are flushed early and partitions paused
 * @param maxRecordBytes    larger Kafka values are dead letters
 * @param flushThreads      threads that write parts and commit
 * @param shutdownGrace     how long a graceful stop may take to flush and commit
 * @param pollTimeout       Kafka poll timeout
 * @param uploadPartBytes   S3 multipart part size; smaller objects use one PutObject. The default is the request
 *                          cost projection's {@code RequestCosts.SINGLE_PUT_MAX_BYTES}, 16 MiB: a part cut by the
 *                          budget under backlog, ~10 MB of Parquet, is one request, not create + 2 parts + complete
 * @param rowGroupBytes     Parquet row group cut
 * @param defaultBootstrap  Kafka bootstrap servers when a table definition has none
 * @param defaultBucket     S3 bucket when a table definition has none
 */
public record RunnerConfig(String runnerId, long memoryBudgetBytes, long maxRecordBytes, int flushThreads,
        Duration shutdownGrace, Duration pollTimeout, int uploadPartBytes, long rowGroupBytes, String defaultBootstrap,
        String defaultBucket) {

    public static RunnerConfig defaults(String runnerId) {
        return new RunnerConfig(runnerId, Math.max(64L << 20, Runtime.getRuntime().maxMemory() / 3), 8L << 20,
                Math.max(2, Runtime.getRuntime().availableProcessors()), Duration.ofSeconds(30), Duration.ofMillis(100),
                (int) RequestCosts.SINGLE_PUT_MAX_BYTES, 32L << 20, null, null);
    }

    RunnerConfig withMemoryBudget(long bytes) {
        return new RunnerConfig(runnerId, bytes, maxRecordBytes, flushThreads, shutdownGrace, pollTimeout, uploadPartBytes,
                rowGroupBytes, defaultBootstrap, defaultBucket);
    }

    RunnerConfig withDefaults(String bootstrap, String bucket) {
        return new RunnerConfig(runnerId, memoryBudgetBytes, maxRecordBytes, flushThreads, shutdownGrace, pollTimeout,
                uploadPartBytes, rowGroupBytes, bootstrap, bucket);
    }

    RunnerConfig withShutdownGrace(Duration grace) {
        return new RunnerConfig(runnerId, memoryBudgetBytes, maxRecordBytes, flushThreads, grace, pollTimeout,
                uploadPartBytes, rowGroupBytes, defaultBootstrap, defaultBucket);
    }

    /** {@code <hostname>-<pid>}. */
    static String defaultRunnerId() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "localhost";
            }
        }
        return host + "-" + ProcessHandle.current().pid();
    }
}
