package io.tributary.runner.consume;

import io.tributary.catalog.Catalog;
import io.tributary.catalog.CommitRecord;
import io.tributary.runner.AssignmentSource;
import io.tributary.runner.TableContext;
import io.tributary.runner.buffer.FlushReason;
import io.tributary.runner.buffer.MemoryBudget;
import io.tributary.runner.buffer.PartitionBuffer;
import io.tributary.runner.commit.Committer;
import io.tributary.runner.metrics.RunnerMetrics;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * The partitions one table worker owns and their lifecycle on the consumer: start (read the chain
 * head, claim with a higher epoch, seek to the head's end offset, record a retention gap), seal
 * (by rows/bytes while appending, by age ({@link AgeCuts}) or the memory budget between polls, on revoke and at
 * shutdown), restart after a flush that did not commit, retry after a transient failure, revoke
 * and stop. Every method runs on the table's poll thread, the only thread that touches the
 * consumer and the filling buffers; other threads read {@link #snapshot()}.
 */
final class Partitions {
    private static final Logger LOG = Logger.getLogger(Partitions.class);
    private static final long RETRY_NANOS = Duration.ofSeconds(5).toNanos();

    private final TableContext ctx;
    private final Catalog catalog;
    private final Committer committer;
    private final RunnerMetrics metrics;
    private final MemoryBudget memory;
    private final KafkaConsumer<byte[], ByteBuffer> consumer;
    private final FlushChain flushes;
    private final BooleanSupplier stopping;
    private final Map<Integer, PartitionState> parts = new HashMap<>();
    private final Set<TopicPartition> assigned = new HashSet<>();
    /** Partitions whose start failed for a transient reason (catalog or Kafka unreachable): partition -> epoch. */
    private final Map<Integer, Long> retryEpochs = new HashMap<>();
    private final Map<Integer, Long> retryAtNanos = new HashMap<>();
    private volatile List<PartitionState> snapshot = List.of();
    private boolean memoryPaused;
    private final Holds holds;
    private final AgeCuts ageCuts;

    Partitions(TableContext ctx, Catalog catalog, Committer committer, RunnerMetrics metrics, MemoryBudget memory,
            KafkaConsumer<byte[], ByteBuffer> consumer, FlushChain flushes, BooleanSupplier stopping) {
        this.ctx = ctx;
        this.catalog = catalog;
        this.committer = committer;
        this.metrics = metrics;
        this.memory = memory;
        this.consumer = consumer;
        this.flushes = flushes;
        this.stopping = stopping;
        this.holds = new Holds(ctx.table(), consumer);
        this.ageCuts = new AgeCuts(ctx, consumer);
    }

    /** Pauses {@code st} at {@code offset} because the schema registry did not answer; see {@link Holds}. */
    void holdForRegistry(PartitionState st, long offset, String why) {
        holds.hold(st, offset, why);
    }

    /** A record of {@code st} decoded (ends a registry backoff). */
    void decoded(PartitionState st) {
        holds.decoded(st);
    }

    /** Resumes partitions held for the registry whose backoff passed. */
    void resumeDueHolds() {
        holds.resumeDue(memoryPaused, parts);
    }

    /** The owned partitions as last published (any thread). */
    List<PartitionState> snapshot() {
        return snapshot;
    }

    PartitionState get(int partition) {
        return parts.get(partition);
    }

    Collection<PartitionState> all() {
        return parts.values();
    }

    /** True when the consumer has nothing assigned (the loop then only waits for events). */
    boolean noneConsuming() {
        return assigned.isEmpty();
    }

    /** Applies the complete desired partition -> epoch map: revokes missing ones, starts new ones. */
    void apply(Map<Integer, Long> epochs) {
        retryEpochs.keySet().removeIf(p -> !epochs.containsKey(p));
        retryAtNanos.keySet().retainAll(retryEpochs.keySet());
        for (Map.Entry<Integer, Long> e : epochs.entrySet()) {
            retryEpochs.computeIfPresent(e.getKey(), (k, v) -> e.getValue());
        }
        for (PartitionState st : List.copyOf(parts.values())) {
            if (!epochs.containsKey(st.partition)) {
                revoke(st);
            }
        }
        for (Map.Entry<Integer, Long> e : epochs.entrySet()) {
            PartitionState st = parts.get(e.getKey());
            if (st == null && !retryEpochs.containsKey(e.getKey())) {
                start(e.getKey(), e.getValue());
            } else if (st != null && e.getValue() != AssignmentSource.INHERIT_EPOCH && e.getValue() > st.epoch) {
                LOG.infof("table %s partition %d: epoch %d -> %d", ctx.table(), st.partition, st.epoch, e.getValue());
                st.epoch = e.getValue();
            }
        }
    }

    /** Revokes {@code partitions} (the revoke handshake); returns the flush chains to wait for. */
    List<CompletableFuture<Void>> revoke(Set<Integer> partitions) {
        List<CompletableFuture<Void>> tails = new ArrayList<>();
        for (Integer p : partitions) {
            retryEpochs.remove(p);
            retryAtNanos.remove(p);
            PartitionState st = parts.get(p);
            if (st != null) {
                revoke(st);
                tails.add(st.tail);
            }
        }
        return tails;
    }

    private void start(int partition, long epoch) {
        TopicPartition tp = new TopicPartition(ctx.definition().source().topic(), partition);
        PartitionState st = new PartitionState(tp, epoch, metrics.partition(ctx.table(), partition));
        parts.put(partition, st);
        snapshot = List.copyOf(parts.values());
        Optional<CommitRecord> head;
        try {
            head = catalog.head(ctx.table(), partition);
        } catch (RuntimeException e) {
            retryLater(st, epoch, "cannot read the chain head: " + e);
            return;
        }
        if (head.isEmpty()) {
            stop(st, "no commit chain (no genesis record); add the partition to the table first");
            return;
        }
        CommitRecord h = head.get();
        st.head = h;
        if (epoch == AssignmentSource.INHERIT_EPOCH) {
            st.epoch = Math.max(0, h.epoch());
        } else if (h.epoch() > epoch) {
            stop(st, "the chain head seq " + h.seq() + " was written with epoch " + h.epoch() + ", higher than ours ("
                    + epoch + ")");
            return;
        } else if (h.epoch() < epoch) {
            Committer.Claim c = committer.claim(ctx, partition, h, st.epoch);
            if (c instanceof Committer.Fenced f) {
                stop(st, f.why());
                return;
            } else if (c instanceof Committer.Unreachable u) {
                retryLater(st, st.epoch, u.why());
                return;
            }
            h = ((Committer.Claimed) c).head();
            st.head = h;
        }
        assigned.add(tp);
        consumer.assign(assigned);
        st.consuming = true;
        if (memoryPaused) {
            consumer.pause(List.of(tp));
        }
        try {
            positionAt(st, h.endOffset());
        } catch (RuntimeException e) {
            retryLater(st, epoch, "cannot position on the log: " + e);
            return;
        }
        LOG.infof("table %s partition %d: started at seq %d, offset %d, epoch %d", ctx.table(), partition, h.seq(),
                h.endOffset(), st.epoch);
    }

    /** Seeks the partition to {@code offset} after checking it against the log (retention, recreated topic). */
    private void positionAt(PartitionState st, long offset) {
        long logStart = consumer.beginningOffsets(List.of(st.tp), Duration.ofSeconds(30)).get(st.tp);
        long logEnd = consumer.endOffsets(List.of(st.tp), Duration.ofSeconds(30)).get(st.tp);
        if (offset > logEnd) {
            stop(st, "committed end_offset " + offset + " is beyond the log end offset " + logEnd + " of " + st.tp
                    + ": the topic was probably deleted and recreated; create a new table or set an explicit start"
                    + " offset");
            return;
        }
        long start = offset;
        if (offset < logStart) {
            long lost = logStart - offset;
            LOG.warnf("table %s partition %d: offsets %d..%d were deleted by retention before they were landed;"
                    + " committing a record with lost=%d and continuing at %d", ctx.table(), st.partition, offset,
                    logStart, lost, logStart);
            PartitionBuffer gap = newBuffer(st, offset, st.generation.get());
            gap.markLost(logStart);
            flushes.chain(st, gap, 0);
            start = logStart;
        }
        consumer.seek(st.tp, start);
        st.buffer = newBuffer(st, start, st.generation.get());
        st.bufferBytes = 0;
    }

    /**
     * A buffer continuing a sealed one keeps its generation: if a flush task has since found the
     * catalog moved, the continuation is as stale as its predecessor and is dropped too.
     */
    private PartitionBuffer newBuffer(PartitionState st, long start, long generation) {
        return new PartitionBuffer(ctx.table(), st.partition, ctx.rowSchema(), start, generation, PartitionBuffer.INITIAL_ROWS);
    }

    // ------------------------------------------------------------------ sealing

    /** Seals the buffers due for an age cut (see {@link AgeCuts}: not while the partition is behind). */
    void sealAged() {
        for (PartitionState st : ageCuts.due(parts.values())) {
            sealAtPosition(st, FlushReason.AGE);
        }
    }

    /** Over the runner's memory budget: pause everything and seal the largest buffers; resume when under. */
    void enforceBudget() {
        if (memory.over()) {
            if (!memoryPaused) {
                memoryPaused = true;
                consumer.pause(assigned);
                LOG.debugf("table %s: buffered %d bytes > budget %d; pausing and flushing the largest buffers",
                        ctx.table(), memory.used(), memory.budget());
            }
            long active = 0;
            for (PartitionState st : parts.values()) {
                active += st.bufferBytes;
            }
            while (active > memory.budget() / 2) {
                PartitionState largest = null;
                for (PartitionState st : parts.values()) {
                    if (st.buffer != null && st.bufferBytes > 0 && (largest == null || st.bufferBytes > largest.bufferBytes)) {
                        largest = st;
                    }
                }
                if (largest == null) {
                    break;
                }
                active -= largest.bufferBytes;
                sealAtPosition(largest, FlushReason.MEMORY);
            }
        } else if (memoryPaused && memory.used() <= memory.budget() * 9 / 10) {
            memoryPaused = false;
            consumer.resume(holds.notHeld(assigned));
            LOG.debugf("table %s: buffered %d bytes, under budget again; resuming", ctx.table(), memory.used());
        }
    }

    /** Seals between polls: the range ends at the consumer position (past markers and compacted gaps). */
    void sealAtPosition(PartitionState st, FlushReason reason) {
        PartitionBuffer b = st.buffer;
        if (b == null) {
            return;
        }
        if (st.consuming) {
            try {
                b.advanceEnd(consumer.position(st.tp, Duration.ofSeconds(10)));
            } catch (RuntimeException e) {
                LOG.debugf("table %s partition %d: position unknown (%s); ending the part at its last record",
                        ctx.table(), st.partition, e);
            }
        }
        if (!b.isEmpty()) {
            seal(st, reason);
        }
    }

    /** Hands the filling buffer to the flush chain and opens the next one where it ended. */
    void seal(PartitionState st, FlushReason reason) {
        PartitionBuffer b = st.buffer;
        b.seal();
        st.lastCutNanos = System.nanoTime();
        if (reason != null) {
            metrics.flushed(ctx.table(), reason);
        }
        long bytes = st.bufferBytes;
        st.bufferBytes = 0;
        st.bufferedRows = 0;
        st.buffer = reason == FlushReason.ROWS || reason == FlushReason.BYTES
                ? PartitionBuffer.sizedLike(b, ctx.rowSchema(), b.endOffset(), b.generation())
                : newBuffer(st, b.endOffset(), b.generation());
        flushes.chain(st, b, bytes);
    }

    /** Shutdown: seals every live buffer and pauses the consumer. */
    void sealAllForShutdown() {
        for (PartitionState st : parts.values()) {
            if (!st.stopped && st.buffer != null) {
                sealAtPosition(st, FlushReason.SHUTDOWN);
            }
        }
        if (!assigned.isEmpty()) {
            consumer.pause(assigned);
        }
    }

    // ------------------------------------------------------------------ revoke, stop, restart, retry

    private void revoke(PartitionState st) {
        if (!st.stopped && st.buffer != null) {
            sealAtPosition(st, FlushReason.REVOKE);
        }
        release(st);
        unassign(st);
        parts.remove(st.partition);
        snapshot = List.copyOf(parts.values());
        LOG.infof("table %s partition %d: revoked; committing what was buffered", ctx.table(), st.partition);
    }

    private void unassign(PartitionState st) {
        if (assigned.remove(st.tp)) {
            consumer.assign(assigned);
        }
        st.consuming = false;
    }

    /** Stops the partition for good (until assigned again); {@code error} is reported in status. */
    void stop(PartitionState st, String error) {
        st.stopped = true;
        st.error = error;
        release(st);
        st.buffer = null;
        unassign(st);
        LOG.errorf("table %s partition %d: STOPPED: %s. The partition stays stopped until it is assigned again.",
                ctx.table(), st.partition, error);
    }

    /** Drops the filling buffer's bytes from the budget. */
    void release(PartitionState st) {
        if (st.bufferBytes != 0) {
            memory.add(-st.bufferBytes);
            st.bufferBytes = 0;
        }
        st.bufferedRows = 0;
    }

    /** After a failed/conflicting/unknown commit: drop the buffer and continue from the catalog head. */
    void restart(PartitionState st, CommitRecord knownHead, String why) {
        if (st.stopped || parts.get(st.partition) != st) {
            return;
        }
        release(st);
        st.buffer = null;
        if (stopping.getAsBoolean()) {
            return;
        }
        CommitRecord h = knownHead;
        try {
            if (h == null) {
                h = catalog.head(ctx.table(), st.partition).orElseThrow();
            }
        } catch (RuntimeException e) {
            retryLater(st, st.epoch, "cannot re-read the chain head after " + why + ": " + e);
            return;
        }
        st.head = h;
        if (h.epoch() > st.epoch) {
            stop(st, "fenced: the chain head seq " + h.seq() + " was written by " + h.writer() + " with epoch "
                    + h.epoch() + " > ours (" + st.epoch + ")");
            return;
        }
        LOG.infof("table %s partition %d: %s; restarting from seq %d, offset %d", ctx.table(), st.partition, why,
                h.seq(), h.endOffset());
        try {
            positionAt(st, h.endOffset());
        } catch (RuntimeException e) {
            retryLater(st, st.epoch, "cannot position on the log: " + e);
        }
    }

    /**
     * A transient failure (catalog or Kafka unreachable) while starting or restarting: forget the
     * partition's state and start it again from the catalog head in a few seconds.
     */
    private void retryLater(PartitionState st, long epoch, String why) {
        st.generation.incrementAndGet();
        release(st);
        st.buffer = null;
        unassign(st);
        if (parts.get(st.partition) == st) {
            parts.remove(st.partition);
            snapshot = List.copyOf(parts.values());
        }
        retryEpochs.put(st.partition, epoch);
        retryAtNanos.put(st.partition, System.nanoTime() + RETRY_NANOS);
        LOG.warnf("table %s partition %d: %s; starting it again from the catalog head in %d s", ctx.table(),
                st.partition, why, RETRY_NANOS / 1_000_000_000L);
    }

    /** Starts the partitions whose retry is due. */
    void startDueRetries() {
        if (retryAtNanos.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        for (Integer p : List.copyOf(retryAtNanos.keySet())) {
            if (retryAtNanos.get(p) - now <= 0) {
                retryAtNanos.remove(p);
                Long epoch = retryEpochs.remove(p);
                if (epoch != null && !parts.containsKey(p)) {
                    start(p, epoch);
                }
            }
        }
    }

    /** The log no longer holds a partition's position (retention ran past it): seal and reposition. */
    void outOfRange(Map<TopicPartition, Long> out) {
        for (Map.Entry<TopicPartition, Long> e : out.entrySet()) {
            PartitionState st = parts.get(e.getKey().partition());
            if (st == null || st.stopped || st.buffer == null) {
                continue;
            }
            try {
                long at = consumer.position(st.tp);
                sealAtPosition(st, null);
                positionAt(st, Math.max(at, st.buffer.startOffset()));
            } catch (RuntimeException ex) {
                retryLater(st, st.epoch, "out of range and cannot reposition: " + ex);
            }
        }
    }
}
