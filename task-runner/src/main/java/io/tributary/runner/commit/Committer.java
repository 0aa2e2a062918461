package io.tributary.runner.commit;

import io.tributary.catalog.Catalog;
import io.tributary.catalog.CommitOutcome;
import io.tributary.catalog.CommitOutcomeUnknownException;
import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.PartObject;
import io.tributary.catalog.TableDefinition;
import io.tributary.runner.TableContext;
import io.tributary.runner.buffer.PartitionBuffer;
import io.tributary.runner.metrics.CpuPhase;
import io.tributary.runner.metrics.RunnerMetrics;
import io.tributary.runner.write.S3PartWriter;
import org.jboss.logging.Logger;

/**
 * The one place a runner publishes to the catalog: it turns a sealed buffer into objects in S3 and
 * ONE conditional commit after the partition's chain head, and claims a partition with a higher
 * epoch. The three commit outcomes are settled here and nowhere else:
 * <ul>
 * <li>committed: the record is the new head;</li>
 * <li>conflict: another writer's record is the head; the objects we wrote are deleted (no commit
 * can reference them) and the caller continues from the winner's head, or stops when the winner's
 * epoch is higher (fenced);</li>
 * <li>unknown (or not committed): the objects are KEPT (the commit may have published them) and the
 * caller re-reads the head from the catalog, which resolves it.</li>
 * </ul>
 * Retries happen only in {@link #claim} (bounded, each attempt after the current head); a data
 * commit is never retried blindly, because its range may already be published.
 *
 * <p>Thread-safe and stateless apart from its collaborators; called on the flush executor (data
 * commits) and the poll thread (claims).
 */
public final class Committer {
    private static final Logger LOG = Logger.getLogger(Committer.class);
    private static final int CLAIM_ATTEMPTS = 20;

    private final Catalog catalog;
    private final S3PartWriter writer;
    private final String runnerId;
    private final RunnerMetrics metrics;

    public Committer(Catalog catalog, S3PartWriter writer, String runnerId, RunnerMetrics metrics) {
        this.catalog = catalog;
        this.writer = writer;
        this.runnerId = runnerId;
        this.metrics = metrics;
    }

    /** What became of one sealed buffer. */
    public sealed interface Result {
    }

    /** The record is the partition's new head; {@code dataParts} Parquet parts were published. */
    public record Committed(CommitRecord record, int dataParts) implements Result {
    }

    /** Another writer's record is the head; our objects were deleted. */
    public record Conflict(CommitRecord currentHead, long seq) implements Result {
    }

    /** Nothing known to be published (objects kept): continue from the catalog head. {@code why} names it. */
    public record Unresolved(String why) implements Result {
    }

    /**
     * Writes {@code buf}'s part and dead-letter objects, then commits them after {@code head} with
     * {@code epoch}. {@code head.endOffset()} must be {@code buf.startOffset()}.
     */
    public Result writeAndCommit(TableContext ctx, int partition, CommitRecord head, long epoch, PartitionBuffer buf) {
        S3PartWriter.Written written = write(ctx, partition, head, buf);
        if (written == null) {
            return new Unresolved("object write failed");
        }
        long cpu = CpuPhase.threadCpuNanos();
        try {
            return commit(ctx, partition, head, epoch, buf, written);
        } finally {
            metrics.cpuSince(CpuPhase.COMMIT, cpu);
        }
    }

    /** The objects of {@code buf} in S3, or null (logged) when writing them failed. */
    private S3PartWriter.Written write(TableContext ctx, int partition, CommitRecord head, PartitionBuffer buf) {
        try {
            return writer.write(ctx, buf, ctx.errorPolicy() == TableDefinition.ErrorPolicy.DLQ);
        } catch (Exception e) {
            LOG.warnf("table %s partition %d seq %d: writing objects failed (%s); nothing was committed, restarting"
                    + " from the catalog head", ctx.table(), partition, head.seq() + 1, e.toString());
            return null;
        }
    }

    /** ONE conditional commit of {@code written} after {@code head}; settles the outcome. */
    private Result commit(TableContext ctx, int partition, CommitRecord head, long epoch, PartitionBuffer buf,
            S3PartWriter.Written written) {
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
                .bytes(written.bytes()).objects(written.objects()).writer(runnerId).epoch(epoch)
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
            outcome = catalog.commit(head, next);
        } catch (CommitOutcomeUnknownException e) {
            LOG.warnf("table %s partition %d seq %d: commit outcome unknown (%s); keeping objects %s, restarting from"
                    + " the catalog head", ctx.table(), partition, next.seq(), e.getMessage(), written.keys());
            return new Unresolved("commit outcome unknown");
        }
        metrics.commitLatency(ctx.table(), System.nanoTime() - t0);
        switch (outcome.status()) {
            case COMMITTED -> {
                CommitRecord rec = ((CommitOutcome.Committed) outcome).record();
                LOG.debugf("table %s partition %d seq %d: committed [%d, %d) rows=%d dlq=%d objects=%s", ctx.table(),
                        partition, rec.seq(), rec.startOffset(), rec.endOffset(), rec.rows(), rec.dlqRows(),
                        written.keys());
                return new Committed(rec, dataParts);
            }
            case CONFLICT -> {
                writer.delete(ctx.bucket(), written.keys());
                CommitRecord cur = ((CommitOutcome.Conflict) outcome).currentHead();
                LOG.warnf("table %s partition %d seq %d: commit conflict with %s (epoch %d, ours %d); deleted our"
                        + " objects, %s", ctx.table(), partition, next.seq(), cur.writer(), cur.epoch(), epoch,
                        cur.epoch() > epoch ? "stopping the partition" : "continuing from its head");
                return new Conflict(cur, next.seq());
            }
            default -> {
                CommitOutcome.NotCommitted n = (CommitOutcome.NotCommitted) outcome;
                LOG.warnf("table %s partition %d seq %d: not committed (%s); keeping objects, restarting from the"
                        + " catalog head", ctx.table(), partition, next.seq(), n.reason());
                return new Unresolved("not committed");
            }
        }
    }

    /** What became of a claim. */
    public sealed interface Claim {
    }

    /** The partition is ours with the asked epoch; {@code head} is the chain head to continue from. */
    public record Claimed(CommitRecord head) implements Claim {
    }

    /** A writer with a higher epoch owns the chain (or claiming kept losing): stop the partition. */
    public record Fenced(String why) implements Claim {
    }

    /** The catalog could not be reached: try the partition again later. */
    public record Unreachable(String why) implements Claim {
    }

    /**
     * Takes over a partition with a higher epoch: commits an empty record (no offsets, no objects)
     * carrying {@code epoch}, so the previous owner's next commit conflicts with a higher epoch and it
     * stops at once (DESIGN.md: fencing of work). Retries after conflicts up to {@value #CLAIM_ATTEMPTS}
     * times; an unknown outcome is resolved by re-reading the head and comparing commit ids.
     */
    public Claim claim(TableContext ctx, int partition, CommitRecord head, long epoch) {
        CommitRecord h = head;
        for (int attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
            CommitRecord next = h.successor().writer(runnerId).epoch(epoch).schemaVersion(ctx.schemaVersion()).build();
            try {
                CommitOutcome out = catalog.commit(h, next);
                switch (out.status()) {
                    case COMMITTED -> {
                        CommitRecord rec = ((CommitOutcome.Committed) out).record();
                        LOG.infof("table %s partition %d seq %d: claimed with epoch %d (previous epoch %d by %s)",
                                ctx.table(), partition, rec.seq(), epoch, h.epoch(), h.writer());
                        return new Claimed(rec);
                    }
                    case CONFLICT -> h = ((CommitOutcome.Conflict) out).currentHead();
                    case NOT_COMMITTED -> h = catalog.head(ctx.table(), partition).orElseThrow();
                }
            } catch (CommitOutcomeUnknownException e) {
                try {
                    h = catalog.head(ctx.table(), partition).orElseThrow();
                } catch (RuntimeException e2) {
                    return new Unreachable("claim outcome unknown and the head cannot be read: " + e2);
                }
                if (h.commitId().equals(next.commitId())) {
                    return new Claimed(h);
                }
            } catch (RuntimeException e) {
                return new Unreachable("cannot claim the partition with epoch " + epoch + ": " + e);
            }
            if (h.epoch() > epoch) {
                return new Fenced("the chain head seq " + h.seq() + " was written by " + h.writer() + " with epoch "
                        + h.epoch() + " > ours (" + epoch + ")");
            }
            if (h.epoch() == epoch) {
                return new Claimed(h);
            }
        }
        return new Fenced("could not claim the partition with epoch " + epoch + " after " + CLAIM_ATTEMPTS + " attempts");
    }
}
