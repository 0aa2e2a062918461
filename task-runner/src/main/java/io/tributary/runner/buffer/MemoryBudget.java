package io.tributary.runner.buffer;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The runner-wide count of buffered bytes (rows being filled plus sealed buffers not yet written)
 * against the configured budget. Poll threads add, flush threads release; the peak is kept so tests
 * and operators can check the budget held. Thread-safe.
 */
public final class MemoryBudget {
    private final long budget;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong largestPoll = new AtomicLong();

    public MemoryBudget(long budget) {
        this.budget = budget;
    }

    public long budget() {
        return budget;
    }

    /** Adds (or with a negative delta releases) bytes; returns the new total. */
    public long add(long delta) {
        long now = used.addAndGet(delta);
        if (delta > 0) {
            peak.accumulateAndGet(now, Math::max);
        }
        return now;
    }

    public long used() {
        return used.get();
    }

    public boolean over() {
        return used.get() > budget;
    }

    /** Highest total ever seen. */
    public long peak() {
        return peak.get();
    }

    public void pollBatch(long bytes) {
        largestPoll.accumulateAndGet(bytes, Math::max);
    }

    /** Decoded bytes of the largest single poll batch appended so far. */
    public long largestPollBatch() {
        return largestPoll.get();
    }
}
