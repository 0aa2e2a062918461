package io.tributary.bench;

import io.tributary.catalog.CommitRecord;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Freshness per partition: each commit record's {@code committed_at} minus the Kafka timestamp of every
 * row in its offset range (the producer's (partition, offset) -> timestamp map, as in the freshness
 * stage), grouped by table partition. Pure: fed chains and maps, asked for percentiles.
 */
final class PartitionLatency {
    /** "table/partition" -> latencies in ms of the rows measured there. */
    private final Map<String, List<Long>> byPartition = new TreeMap<>();

    /** The p99 over all rows, the worst partition's p99 (and which), the partitions with no measured row. */
    record Summary(long rows, double p50AllS, double p99AllS, double maxS, double worstP99S, String worstPartition,
            double medianPartitionP99S, int partitions, List<String> starved) {
    }

    static String key(String table, int partition) {
        return table + "/" + partition;
    }

    /** Adds the rows of {@code chain} (one table's records) found in {@code sent} (partition -> offset -> timestamp). */
    void add(String table, Collection<CommitRecord> chain, Map<Integer, TreeMap<Long, Long>> sent) {
        for (CommitRecord c : chain) {
            TreeMap<Long, Long> m = sent.get(c.partition());
            if (m == null || c.isGenesis()) {
                continue;
            }
            List<Long> lat = byPartition.computeIfAbsent(key(table, c.partition()), k -> new ArrayList<>());
            synchronized (m) {
                for (long ts : m.subMap(c.startOffset(), c.endOffset()).values()) {
                    lat.add(c.committedAt() - ts);
                }
            }
        }
    }

    /** p99 of one partition's rows in seconds, null when none was measured there. */
    Double p99S(String key) {
        List<Long> l = byPartition.get(key);
        if (l == null || l.isEmpty()) {
            return null;
        }
        List<Long> s = new ArrayList<>(l);
        s.sort(null);
        return Bench.pct(s, 0.99) / 1000.0;
    }

    /** Over the partitions {@code expected} ("table/partition" keys): one with no measured row is starved. */
    Summary summary(Collection<String> expected) {
        List<Long> all = new ArrayList<>();
        List<Double> p99s = new ArrayList<>();
        List<String> starved = new ArrayList<>();
        String worst = null;
        double worstP99 = -1;
        for (String k : expected) {
            Double p = p99S(k);
            if (p == null) {
                starved.add(k);
                continue;
            }
            all.addAll(byPartition.get(k));
            p99s.add(p);
            if (p > worstP99) {
                worstP99 = p;
                worst = k;
            }
        }
        if (all.isEmpty()) {
            return new Summary(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, null, Double.NaN, expected.size(), starved);
        }
        all.sort(null);
        p99s.sort(null);
        return new Summary(all.size(), Bench.pct(all, 0.5) / 1000.0, Bench.pct(all, 0.99) / 1000.0,
                all.get(all.size() - 1) / 1000.0, worstP99, worst, p99s.get(p99s.size() / 2), expected.size(), starved);
    }
}
