package io.tributary.runner;

import io.tributary.catalog.StoredTable;
import java.util.List;
import java.util.Map;

/**
 * Where a runner's work comes from: the complete set of (table, partition, epoch) it should own.
 * {@link StaticAssignmentSource} serves a fixed assignment from the command line; the scheduler's
 * {@code RunnerService.Attach} stream is the other implementation (it maps each {@code Assignment}
 * message to {@link Listener#assignmentChanged}).
 */
public interface AssignmentSource extends AutoCloseable {

    /** Receives the runner's complete desired work whenever it changes. */
    interface Listener {
        /**
         * The complete desired work: partitions not listed are revoked (flushed, committed, stopped);
         * listed ones not yet owned are started. Called from the source's thread.
         */
        void assignmentChanged(List<TableAssignment> tables);
    }

    /**
     * One table's share of the assignment.
     *
     * @param table  the table definition and version to write with
     * @param epochs partition -> assignment epoch; {@link #INHERIT_EPOCH} takes the chain head's epoch
     */
    record TableAssignment(StoredTable table, Map<Integer, Long> epochs) {
        public TableAssignment {
            epochs = Map.copyOf(epochs);
        }
    }

    /** Epoch value meaning "use the epoch of the chain head when the partition starts". */
    long INHERIT_EPOCH = -1;

    /** Starts delivering assignments to {@code listener}. */
    void start(Listener listener);

    @Override
    void close();
}
