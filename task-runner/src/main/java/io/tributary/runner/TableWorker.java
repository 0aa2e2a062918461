package io.tributary.runner;

import io.tributary.catalog.Catalog;
import io.tributary.catalog.CommitOutcome;
import io.tributary.catalog.CommitOutcomeUnknownException;
import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.PartObject;
import io.tributary.catalog.TableDefinition;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jboss.logging.Logger;

/**
 * The data path of one table in one runner: one Kafka consumer and the thread that owns it.
 *
 * <h2>Lifecycle and threads (like a Kafka Connect SinkTask)</h2>
 * <ul>
 * <li>{@link #start()} starts the <b>poll thread</b>, the only thread that touches the consumer, the
 * decoder and the filling buffers. It {@code assign()}s partitions (never subscribes), seeks each to
 * its chain head's {@code endOffset}, polls, decodes into per-partition column buffers and seals a
 * buffer when it reaches max rows, max bytes or max age, or when the runner's memory budget is
 * exceeded (then the largest buffers are sealed and all partitions paused until under).</li>
 * <li>{@link #assign(Map)} may be called from any thread: the new partition -> epoch map is handed to
 * the poll thread, which starts new partitions and revokes (seals, commits, forgets) missing ones.</li>
 * <li>A sealed buffer becomes a task on the bounded <b>flush executor</b>, chained per partition so
 * commits stay in order: write the Parquet part and the dead-letter file to S3, then ONE conditional
 * commit through the {@link Catalog}. On a conflict the task deletes its own objects and the
 * partition restarts from the winner's head (or stops if the winner's epoch is higher); on an unknown
 * outcome the objects are kept and the partition restarts from the catalog head. Flush tasks talk to
 * the poll thread only through its event queue.</li>
 * <li>{@link #stop()} ends polling, seals every buffer, waits up to the shutdown grace for the
 * commits, commits the Kafka group offsets and closes the consumer.</li>
 * </ul>
 */
final class TableWorker {
    private static final Logger LOG = Logger.getLogger(TableWorker.class);

    /** What a worker needs from the runner; shared by all workers. */
    record Shared(RunnerConfig config, Catalog catalog, S3PartWriter writer, ExecutorService flushExecutor,
            RunnerMetrics metrics, MemoryBudget memory) {
    }

    private final Shared shared;
    private final TableContext ctx;
    private final JsonRowDecoder decoder;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final Map<Integer, PartitionState> parts = new HashMap<>();
    private final ConcurrentLinkedQueue<Runnable> events = new ConcurrentLinkedQueue<>();
    private final Map<TopicPartition, OffsetAndMetadata> offsetsToCommit = new HashMap<>();
    private final Thread thread;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile Throwable failure;
    private volatile KafkaProducer<byte[], byte[]> errorsProducer;
    private boolean memoryPaused;
    /** Partitions whose start failed for a transient reason (catalog or Kafka unreachable): partition -> epoch. */
    private final Map<Integer, Long> retryEpochs = new HashMap<>();
    private final Map<Integer, Long> retryAtNanos = new HashMap<>();
    private static final long RETRY_NANOS = Duration.ofSeconds(5).toNanos();
    private final Set<TopicPartition> assigned = new HashSet<>();

    TableWorker(Shared shared, TableContext ctx) {
        this.shared = shared;
        this.ctx = ctx;
        this.topic = ctx.definition().source().topic();
        this.decoder = new JsonRowDecoder(ctx.rowSchema(), shared.config().maxRecordBytes());
        this.consumer = new KafkaConsumer<>(consumerProps(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "tributary-poll-" + ctx.table());
    }

    private Properties consumerProps() {
        RunnerConfig c = shared.config();
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ctx.bootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "tributary-" + ctx.table());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, c.runnerId() + "-" + ctx.table());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        long fetchMax = Math.max(1 << 20, Math.min(50L << 20, c.memoryBudgetBytes() / 8));
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Long.toString(fetchMax));
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Long.toString(Math.min(1L << 20, fetchMax)));
        return p;
    }

    String table() {
        return ctx.table();
    }

    void start() {
        thread.start();
    }

    /** The complete desired partitions of this table with their epochs (any thread). */
    void assign(Map<Integer, Long> epochs) {
        Map<Integer, Long> copy = Map.copyOf(epochs);
        events.add(() -> applyAssignment(copy));
    }

    /**
     * Revokes some partitions (any thread), for the scheduler's revoke handshake: the poll thread
     * seals their buffers and forgets them; the future completes when their flush chains are done
     * (parts written, commits settled). Partitions not owned complete at once.
     */
    CompletableFuture<Void> revoke(Set<Integer> partitions) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        post(() -> {
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
            CompletableFuture.allOf(tails.toArray(new CompletableFuture[0])).whenComplete((v, e) -> done.complete(null));
        });
        return done;
    }

    /** Graceful stop (any thread): returns when drained or the grace period is over. */
    void stop() {
        stopping = true; // the poll loop notices within one poll timeout
    }

    boolean awaitStopped(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** False once the poll thread died of an error. */
    boolean healthy() {
        return failure == null && (thread.isAlive() || stopping);
    }

    Throwable failure() {
        return failure;
    }

    /** Status of the partitions (any thread; values may be slightly stale). */
    List<PartitionStatus> status() {
        List<PartitionStatus> out = new ArrayList<>();
        for (PartitionState st : List.copyOf(snapshot)) {
            out.add(new PartitionStatus(ctx.table(), st.partition, st.epoch, st.committedOffset(), st.bufferedRows,
                    st.stopped, st.error, st.lastCommitMillis, st.newestCommittedTs));
        }
        return out;
    }

    /** A partition's state for heartbeats and the health check. */
    record PartitionStatus(String table, int partition, long epoch, long committedOffset, long bufferedRows,
            boolean stopped, String error, long lastCommitMillis, long newestCommittedTs) {
    }

    private volatile List<PartitionState> snapshot = List.of();

    // ------------------------------------------------------------------ poll thread

    private void run() {
        try {
            while (!stopping) {
                runEvents();
                startDueRetries();
                if (assigned.isEmpty()) {
                    sleepForEvents();
                    continue;
                }
                sealAged();
                enforceBudget();
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = consumer.poll(shared.config().pollTimeout());
                } catch (WakeupException e) {
                    continue;
                } catch (OffsetOutOfRangeException e) {
                    handleOutOfRange(e.offsetOutOfRangePartitions());
                    continue;
                }
                if (!records.isEmpty()) {
                    append(records);
                }
                commitOffsetsAsync();
            }
            drain();
        } catch (Throwable t) {
            failure = t;
            LOG.errorf(t, "table %s: poll thread failed; its partitions stop here and restart from the catalog head",
                    ctx.table());
        } finally {
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debugf("table %s: consumer close: %s", ctx.table(), e);
            }
            KafkaProducer<byte[], byte[]> p = errorsProducer;
            if (p != null) {
                p.close(Duration.ofSeconds(5));
            }
            finished.countDown();
        }
    }

    private void sleepForEvents() {
        long until = System.nanoTime() + shared.config().pollTimeout().toNanos();
        while (events.isEmpty() && !stopping && System.nanoTime() < until) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopping = true;
            }
        }
    }

    private void runEvents() {
        Runnable r;
        while ((r = events.poll()) != null) {
            r.run();
        }
    }

    /** Runs {@code r} on the poll thread. */
    private void post(Runnable r) {
        events.add(r);
    }

    private void applyAssignment(Map<Integer, Long> epochs) {
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
                startPartition(e.getKey(), e.getValue(), CompletableFuture.completedFuture(null));
            } else if (st != null && e.getValue() != AssignmentSource.INHERIT_EPOCH && e.getValue() > st.epoch) {
                LOG.infof("table %s partition %d: epoch %d -> %d", ctx.table(), st.partition, st.epoch, e.getValue());
                st.epoch = e.getValue();
            }
        }
    }

    private void startPartition(int partition, long epoch, CompletableFuture<Void> after) {
        TopicPartition tp = new TopicPartition(topic, partition);
        PartitionState st = new PartitionState(tp, epoch, shared.metrics().partition(ctx.table(), partition));
        st.tail = after;
        parts.put(partition, st);
        snapshot = List.copyOf(parts.values());
        Optional<CommitRecord> head;
        try {
            head = shared.catalog().head(ctx.table(), partition);
        } catch (RuntimeException e) {
            retryLater(st, epoch, "cannot read the chain head: " + e);
            return;
        }
        if (head.isEmpty()) {
            stopPartition(st, "no commit chain (no genesis record); add the partition to the table first");
            return;
        }
        CommitRecord h = head.get();
        st.head = h;
        if (epoch == AssignmentSource.INHERIT_EPOCH) {
            st.epoch = Math.max(0, h.epoch());
        } else if (h.epoch() > epoch) {
            stopPartition(st, "the chain head seq " + h.seq() + " was written with epoch " + h.epoch()
                    + ", higher than ours (" + epoch + ")");
            return;
        } else if (h.epoch() < epoch) {
            h = claim(st, h);
            if (h == null) {
                return;
            }
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

    /**
     * Takes over a partition with a higher epoch: commits an empty record (no offsets, no objects)
     * carrying our epoch, so the previous owner's next commit conflicts with a higher epoch and it
     * stops at once (DESIGN.md: fencing of work). Returns the new head, or null if stopped.
     */
    private CommitRecord claim(PartitionState st, CommitRecord h) {
        for (int attempt = 0; attempt < 20; attempt++) {
            CommitRecord next = h.successor().writer(shared.config().runnerId()).epoch(st.epoch)
                    .schemaVersion(ctx.schemaVersion()).build();
            try {
                CommitOutcome out = shared.catalog().commit(h, next);
                switch (out.status()) {
                    case COMMITTED -> {
                        CommitRecord rec = ((CommitOutcome.Committed) out).record();
                        LOG.infof("table %s partition %d seq %d: claimed with epoch %d (previous epoch %d by %s)",
                                ctx.table(), st.partition, rec.seq(), st.epoch, h.epoch(), h.writer());
                        return rec;
                    }
                    case CONFLICT -> h = ((CommitOutcome.Conflict) out).currentHead();
                    case NOT_COMMITTED -> h = shared.catalog().head(ctx.table(), st.partition).orElseThrow();
                }
            } catch (CommitOutcomeUnknownException e) {
                try {
                    h = shared.catalog().head(ctx.table(), st.partition).orElseThrow();
                } catch (RuntimeException e2) {
                    retryLater(st, st.epoch, "claim outcome unknown and the head cannot be read: " + e2);
                    return null;
                }
                if (h.commitId().equals(next.commitId())) {
                    return h;
                }
            } catch (RuntimeException e) {
                retryLater(st, st.epoch, "cannot claim the partition with epoch " + st.epoch + ": " + e);
                return null;
            }
            if (h.epoch() > st.epoch) {
                stopPartition(st, "the chain head seq " + h.seq() + " was written by " + h.writer() + " with epoch "
                        + h.epoch() + " > ours (" + st.epoch + ")");
                return null;
            }
            if (h.epoch() == st.epoch) {
                return h;
            }
        }
        stopPartition(st, "could not claim the partition with epoch " + st.epoch + " after 20 attempts");
        return null;
    }

    /** Seeks the partition to {@code offset} after checking it against the log (retention, recreated topic). */
    private void positionAt(PartitionState st, long offset) {
        long logStart = consumer.beginningOffsets(List.of(st.tp), Duration.ofSeconds(30)).get(st.tp);
        long logEnd = consumer.endOffsets(List.of(st.tp), Duration.ofSeconds(30)).get(st.tp);
        if (offset > logEnd) {
            stopPartition(st, "committed end_offset " + offset + " is beyond the log end offset " + logEnd + " of "
                    + st.tp + ": the topic was probably deleted and recreated; create a new table or set an"
                    + " explicit start offset");
            return;
        }
        long start = offset;
        if (offset < logStart) {
            long lost = logStart - offset;
            LOG.warnf("table %s partition %d: offsets %d..%d were deleted by retention before they were landed;"
                    + " committing a record with lost=%d and continuing at %d", ctx.table(), st.partition, offset,
                    logStart, lost, logStart);
            PartitionBuffer gap = newBuffer(st, offset);
            gap.markLost(logStart);
            chain(st, gap, 0);
            start = logStart;
        }
        consumer.seek(st.tp, start);
        st.buffer = newBuffer(st, start);
        st.bufferBytes = 0;
    }

    /** A buffer of the partition's current generation (after start/restart). */
    private PartitionBuffer newBuffer(PartitionState st, long start) {
        return newBuffer(st, start, st.generation.get());
    }

    /**
     * A buffer continuing a sealed one keeps its generation: if a flush task has since found the
     * catalog moved, the continuation is as stale as its predecessor and is dropped too.
     */
    private PartitionBuffer newBuffer(PartitionState st, long start, long generation) {
        return new PartitionBuffer(ctx.table(), st.partition, ctx.rowSchema(), start, generation, 1024);
    }

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

    private void stopPartition(PartitionState st, String error) {
        st.stopped = true;
        st.error = error;
        release(st);
        st.buffer = null;
        unassign(st);
        LOG.errorf("table %s partition %d: STOPPED: %s. The partition stays stopped until it is assigned again.",
                ctx.table(), st.partition, error);
    }

    /** Drops the filling buffer's bytes from the budget. */
    private void release(PartitionState st) {
        if (st.bufferBytes != 0) {
            shared.memory().add(-st.bufferBytes);
            st.bufferBytes = 0;
        }
        st.bufferedRows = 0;
    }

    /** After a failed/conflicting/unknown commit: drop the buffer and continue from the catalog head. */
    private void restart(PartitionState st, CommitRecord knownHead, String why) {
        if (st.stopped || parts.get(st.partition) != st) {
            return;
        }
        release(st);
        st.buffer = null;
        if (stopping) {
            return;
        }
        CommitRecord h = knownHead;
        try {
            if (h == null) {
                h = shared.catalog().head(ctx.table(), st.partition).orElseThrow();
            }
        } catch (RuntimeException e) {
            retryLater(st, st.epoch, "cannot re-read the chain head after " + why + ": " + e);
            return;
        }
        st.head = h;
        if (h.epoch() > st.epoch) {
            stopPartition(st, "fenced: the chain head seq " + h.seq() + " was written by " + h.writer() + " with epoch "
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

    private void startDueRetries() {
        if (retryAtNanos.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        for (Integer p : List.copyOf(retryAtNanos.keySet())) {
            if (retryAtNanos.get(p) - now <= 0) {
                retryAtNanos.remove(p);
                Long epoch = retryEpochs.remove(p);
                if (epoch != null && !parts.containsKey(p)) {
                    startPartition(p, epoch, CompletableFuture.completedFuture(null));
                }
            }
        }
    }

    private void handleOutOfRange(Map<TopicPartition, Long> out) {
        for (Map.Entry<TopicPartition, Long> e : out.entrySet()) {
            PartitionState st = parts.get(e.getKey().partition());
            if (st == null || st.stopped || st.buffer == null) {
                continue;
            }
            try {
                long at = consumer.position(st.tp);
                sealAtPosition(st, null);
                positionAt(st, Math.max(at, st.buffer.startOffset));
            } catch (RuntimeException ex) {
                retryLater(st, st.epoch, "out of range and cannot reposition: " + ex);
            }
        }
    }

    private void append(ConsumerRecords<byte[], byte[]> records) {
        MemoryBudget memory = shared.memory();
        long before = memory.used();
        boolean over = false;
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
            if (over) {
                consumer.seek(tp, list.get(0).offset());
                continue;
            }
            PartitionState st = parts.get(tp.partition());
            if (st == null || st.stopped || st.buffer == null) {
                continue;
            }
            long n = 0;
            long bytes = 0;
            for (int i = 0; i < list.size(); i++) {
                ConsumerRecord<byte[], byte[]> rec = list.get(i);
                byte[] value = rec.value();
                n++;
                bytes += value == null ? 0 : value.length;
                if (!appendRecord(st, rec)) {
                    break; // the partition stopped (error policy `fail`)
                }
                if (memory.over() && i + 1 < list.size()) {
                    consumer.seek(tp, list.get(i + 1).offset());
                    over = true;
                    break;
                }
                over = memory.over();
            }
            st.metrics.consumed(n, bytes);
        }
        memory.pollBatch(Math.max(0, memory.used() - before));
        if (over) {
            enforceBudget();
        }
    }

    /** Appends one record; false if the partition stopped. */
    private boolean appendRecord(PartitionState st, ConsumerRecord<byte[], byte[]> rec) {
        PartitionBuffer buf = st.buffer;
        byte[] value = rec.value();
        String err = decoder.decode(value, buf);
        if (err == null) {
            buf.endRow(rec.offset(), rec.timestamp(), rec.key(), value == null ? 0 : value.length);
        } else {
            TableDefinition.ErrorPolicy policy = ctx.errorPolicy();
            if (policy == TableDefinition.ErrorPolicy.FAIL) {
                if (!buf.isEmpty()) {
                    seal(st, null); // land what came before the bad record
                }
                stopPartition(st, "record at offset " + rec.offset() + " cannot be decoded (policy fail): " + err);
                return false;
            } else if (policy == TableDefinition.ErrorPolicy.SKIP) {
                buf.addSkipped(rec.offset());
                LOG.debugf("table %s partition %d offset %d skipped: %s", ctx.table(), st.partition, rec.offset(), err);
            } else {
                buf.addDeadLetter(new DeadLetter(st.partition, rec.offset(), rec.timestamp(), rec.key(), value, err));
            }
        }
        long now = buf.bytes();
        shared.memory().add(now - st.bufferBytes);
        st.bufferBytes = now;
        st.bufferedRows = buf.records();
        TableDefinition.Flush f = ctx.flush();
        if (buf.records() >= f.maxRows()) {
            seal(st, FlushReason.ROWS);
        } else if (now >= f.maxBytes()) {
            seal(st, FlushReason.BYTES);
        }
        return true;
    }

    private void sealAged() {
        long now = System.nanoTime();
        long maxAge = ctx.flush().maxAgeMillis() * 1_000_000L;
        for (PartitionState st : parts.values()) {
            PartitionBuffer b = st.buffer;
            if (b != null && !b.isEmpty() && b.ageNanos(now) >= maxAge) {
                sealAtPosition(st, FlushReason.AGE);
            }
        }
    }

    private void enforceBudget() {
        MemoryBudget memory = shared.memory();
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
            consumer.resume(assigned);
            LOG.debugf("table %s: buffered %d bytes, under budget again; resuming", ctx.table(), memory.used());
        }
    }

    /** Seals between polls: the range ends at the consumer position (past markers and compacted gaps). */
    private void sealAtPosition(PartitionState st, FlushReason reason) {
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

    private void seal(PartitionState st, FlushReason reason) {
        PartitionBuffer b = st.buffer;
        b.seal();
        if (reason != null) {
            shared.metrics().flushed(ctx.table(), reason);
        }
        long bytes = st.bufferBytes;
        st.bufferBytes = 0;
        st.bufferedRows = 0;
        st.buffer = newBuffer(st, b.endOffset(), b.generation);
        chain(st, b, bytes);
    }

    /** Queues a sealed buffer behind the partition's earlier ones; {@code bytes} are released when done. */
    private void chain(PartitionState st, PartitionBuffer b, long bytes) {
        st.tail = st.tail.thenRunAsync(() -> flush(st, b, bytes), shared.flushExecutor());
    }

    private void commitOffsetsAsync() {
        if (offsetsToCommit.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> m = new HashMap<>(offsetsToCommit);
        offsetsToCommit.clear();
        consumer.commitAsync(m, (offsets, e) -> {
            if (e != null) {
                LOG.debugf("table %s: group offset commit failed (best effort, DynamoDB is the truth): %s", ctx.table(), e);
            }
        });
    }

    /** Shutdown: seal everything, wait for the commits within the grace period, commit group offsets. */
    private void drain() {
        long deadline = System.nanoTime() + shared.config().shutdownGrace().toNanos();
        runEvents();
        for (PartitionState st : parts.values()) {
            if (!st.stopped && st.buffer != null) {
                sealAtPosition(st, FlushReason.SHUTDOWN);
            }
        }
        if (!assigned.isEmpty()) {
            consumer.pause(assigned);
        }
        List<CompletableFuture<Void>> tails = new ArrayList<>();
        for (PartitionState st : parts.values()) {
            tails.add(st.tail);
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(tails.toArray(new CompletableFuture[0]));
        while (!all.isDone() && System.nanoTime() < deadline) {
            runEvents();
            try {
                all.get(50, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // keep waiting
            } catch (Exception e) {
                break;
            }
        }
        runEvents();
        if (!all.isDone()) {
            LOG.warnf("table %s: shutdown grace over with commits still running; they finish or are resolved by the"
                    + " next owner from the catalog", ctx.table());
        }
        if (!offsetsToCommit.isEmpty()) {
            try {
                consumer.commitSync(new HashMap<>(offsetsToCommit), Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debugf("table %s: final group offset commit failed: %s", ctx.table(), e);
            }
        }
        for (PartitionState st : parts.values()) {
            release(st);
        }
        LOG.infof("table %s: stopped; %d partitions committed up to %s", ctx.table(), parts.size(), committedOffsets());
    }

    private Map<Integer, Long> committedOffsets() {
        Map<Integer, Long> m = new TreeMap<>();
        for (PartitionState st : parts.values()) {
            m.put(st.partition, st.committedOffset());
        }
        return m;
    }

    // ------------------------------------------------------------------ flush threads

    /** Writes and commits one sealed buffer. Runs on the flush executor, one task per partition at a time. */
    private void flush(PartitionState st, PartitionBuffer buf, long bytes) {
        try {
            if (buf.generation != st.generation.get()) {
                return; // the partition restarted since this buffer was opened: its range is re-read
            }
            CommitRecord head = st.head;
            if (head == null || head.endOffset() != buf.startOffset) {
                st.generation.incrementAndGet();
                post(() -> restart(st, null, "buffer starts at " + buf.startOffset + " but the head ends at "
                        + (head == null ? "?" : head.endOffset())));
                return;
            }
            S3PartWriter.Written written;
            try {
                written = shared.writer().write(ctx, buf, ctx.errorPolicy() == TableDefinition.ErrorPolicy.DLQ);
            } catch (Exception e) {
                st.generation.incrementAndGet();
                LOG.warnf("table %s partition %d seq %d: writing objects failed (%s); nothing was committed, restarting"
                        + " from the catalog head", ctx.table(), st.partition, head.seq() + 1, e.toString());
                post(() -> restart(st, null, "object write failed"));
                return;
            }
            long dlqRows = 0;
            int dataParts = 0;
            for (PartObject o : written.objects()) {
                if (o.kind() == PartObject.Kind.DLQ) {
                    dlqRows += o.rows();
                } else {
                    dataParts++;
                }
            }
            CommitRecord.Builder b = head.successor().endOffset(buf.endOffset()).rows(buf.rows()).dlqRows(dlqRows)
                    .bytes(written.bytes()).objects(written.objects()).writer(shared.config().runnerId()).epoch(st.epoch)
                    .schemaVersion(ctx.schemaVersion());
            if (buf.rows() > 0) {
                b.minTs(buf.minTimestamp()).maxTs(buf.maxTimestamp());
            }
            if (buf.lost() > 0) {
                b.lost(buf.lost());
            }
            CommitRecord next = b.build();
            long t0 = System.nanoTime();
            CommitOutcome outcome;
            try {
                outcome = shared.catalog().commit(head, next);
            } catch (CommitOutcomeUnknownException e) {
                st.generation.incrementAndGet();
                LOG.warnf("table %s partition %d seq %d: commit outcome unknown (%s); keeping objects %s, restarting from"
                        + " the catalog head", ctx.table(), st.partition, next.seq(), e.getMessage(), written.keys());
                post(() -> restart(st, null, "commit outcome unknown"));
                return;
            }
            shared.metrics().commitLatency(ctx.table(), System.nanoTime() - t0);
            switch (outcome.status()) {
                case COMMITTED -> {
                    CommitRecord rec = ((CommitOutcome.Committed) outcome).record();
                    st.head = rec;
                    st.lastCommitMillis = rec.committedAt();
                    double freshness = Double.NaN;
                    if (rec.maxTs() != null) {
                        st.newestCommittedTs = rec.maxTs();
                        freshness = (rec.committedAt() - rec.maxTs()) / 1000.0;
                    }
                    st.metrics.committed(rec.rows(), rec.dlqRows(), dataParts, freshness);
                    long end = rec.endOffset();
                    post(() -> offsetsToCommit.put(st.tp, new OffsetAndMetadata(end)));
                    LOG.debugf("table %s partition %d seq %d: committed [%d, %d) rows=%d dlq=%d objects=%s", ctx.table(),
                            st.partition, rec.seq(), rec.startOffset(), rec.endOffset(), rec.rows(), rec.dlqRows(),
                            written.keys());
                    publishDeadLetters(buf);
                }
                case CONFLICT -> {
                    st.generation.incrementAndGet();
                    st.metrics.conflict();
                    shared.writer().delete(ctx.bucket(), written.keys());
                    CommitRecord cur = ((CommitOutcome.Conflict) outcome).currentHead();
                    LOG.warnf("table %s partition %d seq %d: commit conflict with %s (epoch %d, ours %d); deleted our"
                            + " objects, %s", ctx.table(), st.partition, next.seq(), cur.writer(), cur.epoch(), st.epoch,
                            cur.epoch() > st.epoch ? "stopping the partition" : "continuing from its head");
                    post(() -> restart(st, cur, "conflict at seq " + next.seq()));
                }
                case NOT_COMMITTED -> {
                    CommitOutcome.NotCommitted n = (CommitOutcome.NotCommitted) outcome;
                    st.generation.incrementAndGet();
                    LOG.warnf("table %s partition %d seq %d: not committed (%s); keeping objects, restarting from the"
                            + " catalog head", ctx.table(), st.partition, next.seq(), n.reason());
                    post(() -> restart(st, null, "not committed"));
                }
            }
        } catch (Throwable t) {
            st.generation.incrementAndGet();
            LOG.errorf(t, "table %s partition %d: flush failed; restarting from the catalog head", ctx.table(),
                    st.partition);
            post(() -> restart(st, null, "flush failed: " + t));
        } finally {
            if (bytes != 0) {
                shared.memory().add(-bytes);
            }
        }
    }

    /** Mirrors the committed dead letters to the table's errors topic (at least once). */
    private void publishDeadLetters(PartitionBuffer buf) {
        String errorsTopic = ctx.errorsTopic();
        if (errorsTopic == null || buf.deadLetters.isEmpty()) {
            return;
        }
        try {
            KafkaProducer<byte[], byte[]> p = producer();
            for (DeadLetter d : buf.deadLetters) {
                ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(errorsTopic, null, d.timestamp(), d.key(), d.value());
                r.headers().add("tributary.source.partition", Integer.toString(d.partition()).getBytes(StandardCharsets.UTF_8));
                r.headers().add("tributary.source.offset", Long.toString(d.offset()).getBytes(StandardCharsets.UTF_8));
                r.headers().add("tributary.error", d.error().getBytes(StandardCharsets.UTF_8));
                p.send(r);
            }
            p.flush();
        } catch (RuntimeException e) {
            LOG.warnf("table %s partition %d: publishing %d dead letters to %s failed: %s (they are in the committed"
                    + " dead-letter object)", ctx.table(), buf.partition, buf.deadLetters.size(), errorsTopic, e);
        }
    }

    private synchronized KafkaProducer<byte[], byte[]> producer() {
        if (errorsProducer == null) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, ctx.bootstrap());
            p.put(ProducerConfig.CLIENT_ID_CONFIG, shared.config().runnerId() + "-" + ctx.table() + "-errors");
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            errorsProducer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        }
        return errorsProducer;
    }

}
