package io.tributary.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.catalog.CommitRecord;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Freshness per partition from commit records matched to the producer's offset -> timestamp maps. */
class PartitionLatencyTest {

    @Test
    void perPartitionP99WorstPartitionAndStarved() {
        // partition 0: 100 rows at t=0..99 ms committed at 1,000 ms (latencies 901..1000 ms)
        // partition 1: 10 rows at t=0 in two commits: 5 rows at 2,000 ms, 5 rows at 4,000 ms
        // partition 2: produced to but never committed; partition 3: nothing produced
        TreeMap<Long, Long> p0 = new TreeMap<>();
        for (long o = 0; o < 100; o++) {
            p0.put(o, o);
        }
        TreeMap<Long, Long> p1 = new TreeMap<>();
        for (long o = 10; o < 20; o++) {
            p1.put(o, 0L);
        }
        TreeMap<Long, Long> p2 = new TreeMap<>(Map.of(0L, 0L));
        PartitionLatency l = new PartitionLatency();
        l.add("t", List.of(CommitRecord.genesis("t", 0, 0, 1, 0), rec(0, 1, 0, 100, 1000),
                rec(1, 1, 0, 15, 2000), rec(1, 2, 15, 20, 4000)), Map.of(0, p0, 1, p1, 2, p2));

        assertThat(l.p99S("t/0")).isEqualTo(0.999); // latencies 901..1000 ms: the 99th smallest
        assertThat(l.p99S("t/1")).isEqualTo(4.0);
        assertThat(l.p99S("t/2")).isNull();
        PartitionLatency.Summary s = l.summary(List.of("t/0", "t/1", "t/2"));
        assertThat(s.rows()).isEqualTo(110);
        assertThat(s.worstPartition()).isEqualTo("t/1");
        assertThat(s.worstP99S()).isEqualTo(4.0);
        assertThat(s.starved()).containsExactly("t/2");
        assertThat(s.partitions()).isEqualTo(3);
        // over all 110 rows: p99 is the 109th smallest = a 4 s row (5 of them are the largest)
        assertThat(s.p99AllS()).isEqualTo(4.0);
        assertThat(s.maxS()).isEqualTo(4.0);
        assertThat(s.p50AllS()).isBetween(0.9, 1.0);
    }

    @Test
    void nothingCommittedIsAllStarved() {
        PartitionLatency l = new PartitionLatency();
        PartitionLatency.Summary s = l.summary(List.of("a/0", "a/1"));
        assertThat(s.rows()).isZero();
        assertThat(s.starved()).containsExactly("a/0", "a/1");
        assertThat(s.worstPartition()).isNull();
    }

    private static CommitRecord rec(int partition, long seq, long start, long end, long committedAt) {
        return CommitRecord.builder().table("t").partition(partition).seq(seq).startOffset(start).endOffset(end)
                .rows(end - start).committedAt(committedAt).writer("w").build();
    }
}
