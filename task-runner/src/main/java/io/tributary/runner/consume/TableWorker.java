package io.tributary.runner.consume;

import io.tributary.catalog.Catalog;
import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.TableDefinition;
import io.tributary.runner.RunnerConfig;
import io.tributary.runner.TableContext;
import io.tributary.runner.buffer.DeadLetter;
import io.tributary.runner.buffer.FlushReason;
import io.tributary.runner.buffer.MemoryBudget;
import io.tributary.runner.buffer.PartitionBuffer;
import io.tributary.runner.commit.Committer;
import io.tributary.runner.decode.RowDecoder;
import io.tributary.runner.decode.RowDecoders;
import io.tributary.formats.registry.RegistryUnavailableException;
import io.tributary.runner.metrics.CpuPhase;
import io.tributary.runner.metrics.RunnerMetrics;
import io.tributary.runner.write.DeadLetterTopic;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
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
 * commit through the {@link Committer}. On a conflict the task deletes its own objects and the
 * partition restarts from the winner's head (or stops if the winner's epoch is higher); on an unknown
 * outcome the objects are kept and the partition restarts from the catalog head. Flush tasks talk to
 * the poll thread only through its event queue.</li>
 * <li>{@link #stop()} ends polling, seals every buffer, waits up to the shutdown grace for the
 * commits, commits the Kafka group offsets and closes the consumer.</li>
 * </ul>
 *
 * <p>The loop reads top to bottom: run events, start due retries, seal aged buffers, enforce the
 * memory budget, poll, decode and append ({@link RowDecoder} into the partition's buffer; a schema
 * registry that does not answer pauses the partition at that record, see {@code Holds}), seal full
 * buffers, commit group offsets. {@link Partitions} owns the partitions' lifecycle on the consumer,
 * {@link FlushChain} the flush side.
 */
public final class TableWorker {
    private static final Logger LOG = Logger.getLogger(TableWorker.class);

    /** What a worker needs from the runner; shared by all workers. */
    public record Shared(RunnerConfig config, Catalog catalog, Committer committer, ExecutorService flushExecutor,
            RunnerMetrics metrics, MemoryBudget memory) {
    }

    private final Shared shared;
    private final TableContext ctx;
    private final RowDecoder decoder;
    private final KafkaConsumer<byte[], ByteBuffer> consumer;
    private final DeadLetterTopic deadLetterTopic;
    private final Partitions partitions;
    private final BudgetShare budget;
    private final ConcurrentLinkedQueue<Runnable> events = new ConcurrentLinkedQueue<>();
    private final Map<TopicPartition, OffsetAndMetadata> offsetsToCommit = new HashMap<>();
    private final Thread thread;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile Throwable failure;

    public TableWorker(Shared shared, TableContext ctx) {
        this.shared = shared;
        this.ctx = ctx;
        this.decoder = RowDecoders.forTable(ctx.definition(), ctx.rowSchema(), shared.config().maxRecordBytes());
        this.consumer = ConsumerSettings.consumer(shared.config(), ctx);
        this.deadLetterTopic = new DeadLetterTopic(ctx.table(), ctx.errorsTopic(), ctx.bootstrap(),
                shared.config().runnerId() + "-" + ctx.table() + "-errors");
        FlushChain flushes = new FlushChain(ctx, shared.committer(), shared.flushExecutor(), shared.memory(),
                deadLetterTopic, new FlushChain.Restarts() {
                    @Override
                    public void restart(PartitionState st, CommitRecord head, String why) {
                        post(() -> partitions.restart(st, head, why));
                    }

                    @Override
                    public void committed(PartitionState st, long endOffset) {
                        post(() -> offsetsToCommit.put(st.tp, new OffsetAndMetadata(endOffset)));
                    }
                });
        this.partitions = new Partitions(ctx, shared.catalog(), shared.committer(), shared.metrics(), shared.memory(),
                consumer, flushes, () -> stopping);
        this.budget = new BudgetShare(shared.memory());
        this.thread = new Thread(this::run, "tributary-poll-" + ctx.table());
    }

    public String table() {
        return ctx.table();
    }

    public void start() {
        thread.start();
    }

    /** The complete desired partitions of this table with their epochs (any thread). */
    public void assign(Map<Integer, Long> epochs) {
        Map<Integer, Long> copy = Map.copyOf(epochs);
        post(() -> partitions.apply(copy));
    }

    /**
     * Revokes some partitions (any thread), for the scheduler's revoke handshake: the poll thread
     * seals their buffers and forgets them; the future completes when their flush chains are done
     * (parts written, commits settled). Partitions not owned complete at once.
     */
    public CompletableFuture<Void> revoke(Set<Integer> revoked) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        post(() -> {
            List<CompletableFuture<Void>> tails = partitions.revoke(revoked);
            CompletableFuture.allOf(tails.toArray(new CompletableFuture[0])).whenComplete((v, e) -> done.complete(null));
        });
        return done;
    }

    /** Graceful stop (any thread): returns when drained or the grace period is over. */
    public void stop() {
        stopping = true; // the poll loop notices within one poll timeout
    }

    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** False once the poll thread died of an error. */
    public boolean healthy() {
        return failure == null && (thread.isAlive() || stopping);
    }

    public Throwable failure() {
        return failure;
    }

    /** Status of the partitions (any thread; values may be slightly stale). */
    public List<PartitionStatus> status() {
        List<PartitionStatus> out = new ArrayList<>();
        for (PartitionState st : partitions.snapshot()) {
            out.add(new PartitionStatus(ctx.table(), st.partition, st.epoch, st.committedOffset(), st.bufferedRows,
                    st.stopped, st.error, st.lastCommitMillis, st.newestCommittedTs));
        }
        return out;
    }

    /** A partition's state for heartbeats and the health check. */
    public record PartitionStatus(String table, int partition, long epoch, long committedOffset, long bufferedRows,
            boolean stopped, String error, long lastCommitMillis, long newestCommittedTs) {
    }

    // ------------------------------------------------------------------ poll thread

    private void run() {
        try {
            while (!stopping) {
                runEvents();
                partitions.startDueRetries();
                partitions.resumeDueHolds();
                if (partitions.noneConsuming()) {
                    sleepForEvents();
                    continue;
                }
                partitions.sealAged();
                partitions.enforceBudget();
                ConsumerRecords<byte[], ByteBuffer> records;
                long cpu = CpuPhase.threadCpuNanos();
                try {
                    records = consumer.poll(shared.config().pollTimeout());
                } catch (WakeupException e) {
                    continue;
                } catch (OffsetOutOfRangeException e) {
                    partitions.outOfRange(e.offsetOutOfRangePartitions());
                    continue;
                }
                cpu = shared.metrics().cpuSince(CpuPhase.FETCH, cpu);
                if (!records.isEmpty()) {
                    append(records);
                    shared.metrics().cpuSince(CpuPhase.DECODE, cpu);
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
            deadLetterTopic.close();
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

    private void append(ConsumerRecords<byte[], ByteBuffer> records) {
        MemoryBudget memory = shared.memory();
        long before = memory.used();
        boolean over = false;
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<byte[], ByteBuffer>> list = records.records(tp);
            if (over) {
                consumer.seek(tp, list.get(0).offset());
                continue;
            }
            PartitionState st = partitions.get(tp.partition());
            if (st == null || st.stopped || st.buffer == null) {
                continue;
            }
            long n = 0;
            long bytes = 0;
            for (int i = 0; i < list.size(); i++) {
                ConsumerRecord<byte[], ByteBuffer> rec = list.get(i);
                ByteBuffer value = rec.value();
                n++;
                bytes += value == null ? 0 : value.remaining();
                if (!appendRecord(st, rec)) {
                    break; // the partition stopped (error policy `fail`) or waits for the schema registry
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
        budget.settle();
        memory.pollBatch(Math.max(0, memory.used() - before));
        if (over) {
            partitions.enforceBudget();
        }
    }

    /** Appends one record; false if the partition stopped. */
    private boolean appendRecord(PartitionState st, ConsumerRecord<byte[], ByteBuffer> rec) {
        PartitionBuffer buf = st.buffer;
        ByteBuffer v = rec.value();
        if (v != null && !v.hasArray()) { // never for the client's heap buffers, which are decoded where fetched
            v = ByteBuffer.allocate(v.remaining()).put(v.duplicate()).flip();
        }
        byte[] value = v == null ? null : v.array();
        int offset = v == null ? 0 : v.arrayOffset() + v.position();
        int length = v == null ? 0 : v.remaining();
        String err;
        try {
            err = decoder.decode(value, offset, length, buf);
        } catch (RegistryUnavailableException e) {
            budget.settle();
            partitions.holdForRegistry(st, rec.offset(), e.getMessage());
            return false; // the rest of this batch is fetched again after the hold
        }
        if (err == null) {
            buf.endRow(rec.offset(), rec.timestamp(), rec.key(), length);
            partitions.decoded(st);
        } else {
            TableDefinition.ErrorPolicy policy = ctx.errorPolicy();
            if (policy == TableDefinition.ErrorPolicy.FAIL) {
                budget.settle();
                if (!buf.isEmpty()) {
                    partitions.seal(st, null); // land what came before the bad record
                }
                partitions.stop(st, "record at offset " + rec.offset() + " cannot be decoded (policy fail): " + err);
                return false;
            } else if (policy == TableDefinition.ErrorPolicy.SKIP) {
                buf.addSkipped(rec.offset());
                LOG.debugf("table %s partition %d offset %d skipped: %s", ctx.table(), st.partition, rec.offset(), err);
            } else {
                buf.addDeadLetter(new DeadLetter(st.partition, rec.offset(), rec.timestamp(), rec.key(),
                        RowDecoder.whole(value, offset, length), err)); // own copy: a view would pin the fetch response
            }
        }
        long now = buf.bytes();
        budget.add(now - st.bufferBytes);
        st.bufferBytes = now;
        st.bufferedRows = buf.records();
        TableDefinition.Flush f = ctx.flush();
        if (buf.records() >= f.maxRows()) {
            budget.settle();
            partitions.seal(st, FlushReason.ROWS);
        } else if (now >= f.maxBytes()) {
            budget.settle();
            partitions.seal(st, FlushReason.BYTES);
        }
        return true;
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
        partitions.sealAllForShutdown();
        List<CompletableFuture<Void>> tails = new ArrayList<>();
        for (PartitionState st : partitions.all()) {
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
        for (PartitionState st : partitions.all()) {
            partitions.release(st);
        }
        LOG.infof("table %s: stopped; %d partitions committed up to %s", ctx.table(), partitions.all().size(), committedOffsets());
    }

    private Map<Integer, Long> committedOffsets() {
        Map<Integer, Long> m = new TreeMap<>();
        for (PartitionState st : partitions.all()) {
            m.put(st.partition, st.committedOffset());
        }
        return m;
    }
}
