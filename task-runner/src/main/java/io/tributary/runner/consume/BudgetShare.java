package io.tributary.runner.consume;

import io.tributary.runner.buffer.MemoryBudget;

/**
 * The poll thread's not yet published part of the shared {@link MemoryBudget}: the bytes each appended record adds
 * collect here and reach the budget (two atomic updates that flush threads contend on) once they reach
 * {@link #SETTLE_BYTES}, when they take the total over the budget (so {@link MemoryBudget#over()} turns true at the
 * same record as before), at the end of a poll batch, and before anything that seals, stops or releases a buffer (so
 * a release never subtracts bytes the budget has not seen). Under the budget it is at most {@link #SETTLE_BYTES}
 * behind the buffers; published per record, it cost a few percent of the poll thread's CPU. Poll thread only.
 */
final class BudgetShare {
    /** Publish once this many bytes collected (a few hundred typical records). */
    static final long SETTLE_BYTES = 64 << 10;

    private final MemoryBudget memory;
    private long pending;

    BudgetShare(MemoryBudget memory) {
        this.memory = memory;
    }

    /** Records {@code delta} bytes appended (or dropped); publishes when enough collected. */
    void add(long delta) {
        pending += delta;
        if (pending >= SETTLE_BYTES || pending <= -SETTLE_BYTES || memory.used() + pending > memory.budget()) {
            settle();
        }
    }

    /** Publishes what collected. */
    void settle() {
        if (pending != 0) {
            memory.add(pending);
            pending = 0;
        }
    }

    /** Bytes not yet published (for tests). */
    long pending() {
        return pending;
    }
}
