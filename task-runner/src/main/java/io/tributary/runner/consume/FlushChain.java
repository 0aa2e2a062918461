package io.tributary.runner.consume;

import io.tributary.catalog.CommitRecord;
import io.tributary.runner.TableContext;
import io.tributary.runner.buffer.MemoryBudget;
import io.tributary.runner.buffer.PartitionBuffer;
import io.tributary.runner.commit.Committer;
import io.tributary.runner.write.DeadLetterTopic;
import java.util.concurrent.ExecutorService;
import org.jboss.logging.Logger;

/**
 * The flush side of a table: each sealed buffer becomes one task on the bounded flush executor,
 * chained per partition ({@link PartitionState#tail}) so commits stay in seal order. A task hands
 * the buffer to the {@link Committer} and applies the outcome to the partition: a new head and
 * metrics when committed; otherwise it bumps the partition's generation (every buffer opened since
 * is dropped unwritten) and asks the poll thread, through {@link Restarts}, to continue from the
 * winner's or the catalog's head. Flush tasks never touch the consumer or a filling buffer.
 */
final class FlushChain {
    private static final Logger LOG = Logger.getLogger(FlushChain.class);

    /** How a flush task reaches the poll thread (implementations post to its event queue). */
    interface Restarts {
        /** Continue {@code st} from {@code knownHead} (null: re-read it from the catalog). */
        void restart(PartitionState st, CommitRecord knownHead, String why);

        /** {@code st} committed up to {@code endOffset} (for the best-effort group offsets). */
        void committed(PartitionState st, long endOffset);
    }

    private final TableContext ctx;
    private final Committer committer;
    private final ExecutorService executor;
    private final MemoryBudget memory;
    private final DeadLetterTopic deadLetterTopic;
    private final Restarts restarts;

    FlushChain(TableContext ctx, Committer committer, ExecutorService executor, MemoryBudget memory,
            DeadLetterTopic deadLetterTopic, Restarts restarts) {
        this.ctx = ctx;
        this.committer = committer;
        this.executor = executor;
        this.memory = memory;
        this.deadLetterTopic = deadLetterTopic;
        this.restarts = restarts;
    }

    /** Queues a sealed buffer behind the partition's earlier ones; {@code bytes} are released when done (poll thread). */
    void chain(PartitionState st, PartitionBuffer b, long bytes) {
        st.tail = st.tail.thenRunAsync(() -> flush(st, b, bytes), executor);
    }

    /** Writes and commits one sealed buffer. Runs on the flush executor, one task per partition at a time. */
    private void flush(PartitionState st, PartitionBuffer buf, long bytes) {
        try {
            if (buf.generation() != st.generation.get()) {
                return; // the partition restarted since this buffer was opened: its range is re-read
            }
            CommitRecord head = st.head;
            if (head == null || head.endOffset() != buf.startOffset()) {
                st.generation.incrementAndGet();
                restarts.restart(st, null, "buffer starts at " + buf.startOffset() + " but the head ends at "
                        + (head == null ? "?" : head.endOffset()));
                return;
            }
            Committer.Result r = committer.writeAndCommit(ctx, st.partition, head, st.epoch, buf);
            if (r instanceof Committer.Committed c) {
                CommitRecord rec = c.record();
                st.head = rec;
                st.lastCommitMillis = rec.committedAt();
                double freshness = Double.NaN;
                if (rec.maxTs() != null) {
                    st.newestCommittedTs = rec.maxTs();
                    freshness = (rec.committedAt() - rec.maxTs()) / 1000.0;
                }
                st.metrics.committed(rec.rows(), rec.dlqRows(), c.dataParts(), freshness);
                restarts.committed(st, rec.endOffset());
                deadLetterTopic.publish(st.partition, buf.deadLetters());
            } else if (r instanceof Committer.Conflict c) {
                st.generation.incrementAndGet();
                st.metrics.conflict();
                restarts.restart(st, c.currentHead(), "conflict at seq " + c.seq());
            } else if (r instanceof Committer.Unresolved u) {
                st.generation.incrementAndGet();
                restarts.restart(st, null, u.why());
            }
        } catch (Throwable t) {
            st.generation.incrementAndGet();
            LOG.errorf(t, "table %s partition %d: flush failed; restarting from the catalog head", ctx.table(),
                    st.partition);
            restarts.restart(st, null, "flush failed: " + t);
        } finally {
            if (bytes != 0) {
                memory.add(-bytes);
            }
        }
    }
}
