package io.tributary.runner.consume;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.runner.buffer.MemoryBudget;
import org.junit.jupiter.api.Test;

/** The poll thread's share of the budget: published in steps under the budget, at once when it goes over. */
class BudgetShareTest {
    @Test
    void publishesInStepsUnderTheBudgetAndAtOnceOverIt() {
        MemoryBudget memory = new MemoryBudget(1 << 20);
        BudgetShare share = new BudgetShare(memory);
        share.add(300);
        assertThat(memory.used()).isZero();
        assertThat(share.pending()).isEqualTo(300);
        for (int i = 0; i < 300; i++) {
            share.add(300);
        }
        // 90,300 bytes appended: published once 64 KiB had collected, the rest still pending
        assertThat(memory.used() + share.pending()).isEqualTo(90_300);
        assertThat(memory.used()).isGreaterThanOrEqualTo(BudgetShare.SETTLE_BYTES);
        assertThat(share.pending()).isLessThan(BudgetShare.SETTLE_BYTES);
        share.settle();
        assertThat(memory.used()).isEqualTo(90_300);
        assertThat(share.pending()).isZero();

        // a record that takes the total over the budget is published with it, so over() sees it at that record
        memory.add((1 << 20) - 90_300 - 100);
        share.add(50);
        assertThat(memory.over()).isFalse();
        share.add(60);
        assertThat(memory.over()).isTrue();
        assertThat(memory.used()).isEqualTo((1 << 20) + 10);
        assertThat(memory.peak()).isEqualTo((1 << 20) + 10);

        // releases collect the same way
        share.add(-(1 << 20));
        assertThat(memory.used()).isEqualTo(10);
    }
}
