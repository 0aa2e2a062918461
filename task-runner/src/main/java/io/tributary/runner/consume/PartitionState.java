package io.tributary.runner.consume;

import io.tributary.runner.buffer.PartitionBuffer;
import io.tributary.runner.metrics.RunnerMetrics;

import io.tributary.catalog.CommitRecord;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;

/**
 * One owned partition of a {@link TableWorker}.
 *
 * <p>Ownership: {@link #buffer}, {@link #bufferBytes} and {@link #tail} belong to the table's poll
 * thread. The partition's flush chain ({@link #tail}: one task at a time, in seal order) writes
 * {@link #head} after each commit. {@link #generation} fences stale work: a flush task that finds
 * the catalog moved (conflict, unknown or failed commit) increments it, and every buffer opened under
 * an older generation is dropped without being written.
 */
final class PartitionState {
    final TopicPartition tp;
    final int partition;
    final RunnerMetrics.PartitionMetrics metrics;
    final AtomicLong generation = new AtomicLong();

    volatile long epoch;
    /** The chain head as last read or committed by this runner. */
    volatile CommitRecord head;
    volatile boolean stopped;
    volatile String error;
    volatile long lastCommitMillis;
    volatile long newestCommittedTs = -1;
    volatile long bufferedRows;

    PartitionBuffer buffer;
    long bufferBytes;
    CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
    /** Assigned to the consumer and not paused by a stop. */
    boolean consuming;
    /**
     * {@link System#nanoTime()} when this runner last cut a part of the partition (any reason), or
     * {@link #NEVER_CUT}; {@code flush.min_interval} delays an age cut until this is that long ago.
     */
    long lastCutNanos = NEVER_CUT;
    /** Behind by at least a part's worth of records when last looked at: age cuts wait ({@link AgeCuts}). */
    boolean behind;

    /** {@link #lastCutNanos} before the first cut: the first age cut waits for {@code max_age} only. */
    static final long NEVER_CUT = Long.MIN_VALUE;

    PartitionState(TopicPartition tp, long epoch, RunnerMetrics.PartitionMetrics metrics) {
        this.tp = tp;
        this.partition = tp.partition();
        this.epoch = epoch;
        this.metrics = metrics;
    }

    long committedOffset() {
        CommitRecord h = head;
        return h == null ? -1 : h.endOffset();
    }
}
