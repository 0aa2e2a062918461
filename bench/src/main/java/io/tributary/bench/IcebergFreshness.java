package io.tributary.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.TableDefinition;
import io.tributary.iceberg.ChainHeads;
import io.tributary.iceberg.IcebergCatalogs;
import io.tributary.iceberg.IcebergTables;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * Iceberg freshness per row, from the snapshot history of the table the scheduler publishes: each
 * snapshot's summary {@code tributary.chain-heads} says up to which chain seq each partition is in
 * the table, so the commit records between the previous snapshot's heads and its own became visible
 * in Iceberg at that snapshot's {@code timestampMillis()} (set when the snapshot is built, just
 * before the catalog swap). Every row of such a record (its Kafka timestamp, remembered by the
 * producer per offset) gets that visibility time. No row data is read.
 */
final class IcebergFreshness {
    /** Per row: Iceberg visibility - Kafka timestamp, and Iceberg visibility - commit time, ms. */
    final List<Long> all = new ArrayList<>();
    final List<Long> steady = new ArrayList<>();
    final List<Long> publishDelay = new ArrayList<>();
    final List<Long> snapshotTimes = new ArrayList<>();
    int snapshotsWithHeads;
    String problem;

    private IcebergFreshness() {
    }

    /** Opens the Iceberg table of {@code def}; null (with {@code why[0]} set) when publication is off or it does not exist. */
    static Table open(IcebergCatalogs cats, TableDefinition def, String[] why) {
        if (!cats.enabled()) {
            why[0] = "no Iceberg catalog configured in the stack's environment (" + IcebergCatalogs.ENV_CATALOG + ")";
            return null;
        }
        TableIdentifier id = IcebergTables.identifier(def, cats.defaultNamespace());
        try {
            Catalog c = cats.catalog(def.iceberg() == null ? null : def.iceberg().catalog());
            if (!c.tableExists(id)) {
                why[0] = "the Iceberg table " + id + " does not exist";
                return null;
            }
            return c.loadTable(id);
        } catch (RuntimeException e) {
            why[0] = "cannot open the Iceberg table " + id + ": " + e;
            return null;
        }
    }

    /** Whether the table's current heads reach {@code target} (partition -> seq) everywhere. */
    static boolean covers(Table t, Map<Integer, Long> target) {
        ChainHeads h = ChainHeads.of(t);
        for (Map.Entry<Integer, Long> e : target.entrySet()) {
            if (h.head(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param chain    every commit record of the table
     * @param sent     partition -> (offset -> Kafka timestamp) of the measured records
     * @param warmEnd  rows with a Kafka timestamp before this are in {@link #all} only
     * @param t0       epoch ms the series' time axis starts at
     * @param series   rows {t_s, p50_s, max_s, rows} per snapshot (null: none)
     */
    static IcebergFreshness measure(Table t, List<CommitRecord> chain, Map<Integer, TreeMap<Long, Long>> sent, long warmEnd,
            long t0, ArrayNode series) {
        IcebergFreshness f = new IcebergFreshness();
        Map<Integer, TreeMap<Long, CommitRecord>> bySeq = new HashMap<>();
        for (CommitRecord c : chain) {
            bySeq.computeIfAbsent(c.partition(), k -> new TreeMap<>()).put(c.seq(), c);
        }
        // the current snapshot's lineage, oldest first
        List<Snapshot> lineage = new ArrayList<>();
        Snapshot s = t.currentSnapshot();
        while (s != null) {
            lineage.add(s);
            Long parent = s.parentId();
            Snapshot p = parent == null ? null : t.snapshot(parent);
            if (parent != null && p == null) {
                f.problem = "the snapshot history is cut (snapshot " + s.snapshotId() + "'s parent " + parent
                        + " was expired): rows published before it are counted at its time";
            }
            s = p;
        }
        Collections.reverse(lineage);
        Map<Integer, Long> prev = new HashMap<>();
        for (Snapshot snap : lineage) {
            String json = snap.summary().get(ChainHeads.PROPERTY);
            if (json == null) {
                continue;
            }
            f.snapshotsWithHeads++;
            long at = snap.timestampMillis();
            f.snapshotTimes.add(at);
            List<Long> lat = new ArrayList<>();
            JsonNode heads;
            try {
                heads = Results.JSON.readTree(json);
            } catch (IOException e) {
                throw new BenchException("snapshot " + snap.snapshotId() + ": unreadable " + ChainHeads.PROPERTY + ": " + json);
            }
            for (var it = heads.fields(); it.hasNext();) {
                var e = it.next();
                int p = Integer.parseInt(e.getKey());
                long to = e.getValue().asLong();
                long from = prev.getOrDefault(p, 0L);
                prev.put(p, Math.max(from, to));
                TreeMap<Long, CommitRecord> recs = bySeq.get(p);
                TreeMap<Long, Long> ts = sent.get(p);
                if (recs == null || ts == null || to <= from) {
                    continue;
                }
                for (CommitRecord c : recs.subMap(from, false, to, true).values()) {
                    synchronized (ts) {
                        for (long kafkaTs : ts.subMap(c.startOffset(), c.endOffset()).values()) {
                            long v = at - kafkaTs;
                            lat.add(v);
                            f.all.add(v);
                            if (kafkaTs >= warmEnd) {
                                f.steady.add(v);
                                f.publishDelay.add(at - c.committedAt());
                            }
                        }
                    }
                }
            }
            if (series != null && !lat.isEmpty()) {
                lat.sort(null);
                series.addArray().add(Results.round((at - t0) / 1000.0)).add(lat.get(lat.size() / 2) / 1000.0)
                        .add(lat.get(lat.size() - 1) / 1000.0).add(lat.size());
            }
        }
        f.all.sort(null);
        f.steady.sort(null);
        f.publishDelay.sort(null);
        return f;
    }

    /** p50/max of the gaps between consecutive snapshot times into {@code d} under {@code prefix}. */
    static void intervals(List<Long> times, ObjectNode d, String prefix) {
        List<Long> gaps = new ArrayList<>();
        List<Long> sorted = new ArrayList<>(times);
        sorted.sort(null);
        for (int i = 1; i < sorted.size(); i++) {
            gaps.add(sorted.get(i) - sorted.get(i - 1));
        }
        if (gaps.isEmpty()) {
            return;
        }
        gaps.sort(null);
        d.put(prefix + "_p50_s", Bench.pct(gaps, 0.5) / 1000.0).put(prefix + "_max_s", gaps.get(gaps.size() - 1) / 1000.0);
    }
}
