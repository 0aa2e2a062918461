package io.tributary.iceberg;

import io.tributary.catalog.Catalog;
import io.tributary.catalog.Checkpoint;
import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.Compaction;
import io.tributary.catalog.PartObject;
import io.tributary.catalog.StoredTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestReader;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/**
 * The Iceberg side of {@code tributary audit --deep}: the current snapshot's data files are exactly
 * the data objects of the chain records up to its heads — with the compacted object in place of the
 * parts of every compaction link up to its compaction heads — none missing, none extra, none twice —
 * with the chain's row count per file and in total, and column metrics on every file.
 */
public final class IcebergAudit {
  private IcebergAudit() {
  }

  /**
   * @param exact      true when no problem was found
   * @param snapshotId the audited snapshot (-1 when the table has none)
   * @param files      data files in the snapshot
   * @param rows       rows of those files (Iceberg's record counts)
   * @param heads      the chain heads the snapshot claims
   * @param problems   one line each
   */
  public record Report(boolean exact, long snapshotId, long files, long rows, SortedMap<Integer, Long> heads,
      List<String> problems) {
  }

  public static Report audit(Catalog chains, StoredTable stored, Table table) {
    table.refresh();
    List<String> problems = new ArrayList<>();
    Snapshot snap = table.currentSnapshot();
    ChainHeads heads = ChainHeads.of(table);
    if (snap != null && heads.snapshotId() != snap.snapshotId()) {
      problems.add("current snapshot " + snap.snapshotId() + " carries no " + ChainHeads.PROPERTY
          + "; heads taken from ancestor " + heads.snapshotId());
    }
    // Expected: every data object of every record up to the heads.
    Map<String, Long> expected = new HashMap<>();
    long expectedRows = 0;
    for (var e : heads.heads().entrySet()) {
      int p = e.getKey();
      long upTo = e.getValue();
      long applied = heads.compactionHead(p);
      List<Compaction> links = new ArrayList<>();
      for (Compaction c : chains.compactions(stored.name(), p)) {
        if (c.seq() <= applied) {
          links.add(c);
          if (c.toSeq() > upTo) {
            problems.add("partition " + p + ": compaction " + c.seq() + " (seqs " + c.fromSeq() + ".." + c.toSeq()
                + ") is applied but the snapshot's chain head is " + upTo);
          }
        }
      }
      if (applied > links.size()) {
        problems.add("partition " + p + ": snapshot claims compaction head " + applied + " but the catalog has "
            + links.size() + " links");
      }
      int li = 0;
      // retention: only records after the checkpoint are expected (docs/maintenance.md rule 4)
      long folded = chains.checkpoint(stored.name(), p).map(Checkpoint::seq).orElse(-1L);
      try (var chain = chains.chain(stored.name(), p)) {
        for (CommitRecord r : (Iterable<CommitRecord>) chain.dropWhile(r -> r.seq() <= folded)
            .takeWhile(r -> r.seq() <= upTo)::iterator) {
          while (li < links.size() && links.get(li).toSeq() < r.seq()) {
            li++;
          }
          if (li < links.size() && links.get(li).covers(r.seq())) {
            Compaction c = links.get(li);
            if (r.seq() == c.fromSeq()) {
              expected.put(IcebergTables.objectUri(stored.definition(), c.object().key()), c.rows());
              expectedRows += c.rows();
            }
            continue;
          }
          for (PartObject o : r.objects()) {
            if (o.kind() == PartObject.Kind.DATA) {
              expected.put(IcebergTables.objectUri(stored.definition(), o.key()), o.rows());
              expectedRows += o.rows();
            }
          }
        }
      }
      var head = chains.head(stored.name(), p);
      if (head.isEmpty() || head.get().seq() < upTo) {
        problems.add("partition " + p + ": snapshot head seq " + upTo + " is beyond the chain's head "
            + head.map(CommitRecord::seq).orElse(-1L));
      }
    }
    // Actual: live entries of the snapshot's data manifests.
    Map<String, Integer> seen = new HashMap<>();
    long files = 0;
    long rows = 0;
    if (snap != null) {
      for (ManifestFile m : snap.dataManifests(table.io())) {
        try (ManifestReader<DataFile> reader = ManifestFiles.read(m, table.io(), table.specs())) {
          for (DataFile f : reader) {
            String path = f.location();
            files++;
            rows += f.recordCount();
            int n = seen.merge(path, 1, Integer::sum);
            if (n == 2) {
              problems.add("file twice in the snapshot: " + path);
            }
            Long want = expected.get(path);
            if (want == null) {
              problems.add("extra file (no chain record up to the heads references it as data): " + path);
            } else if (want != f.recordCount()) {
              problems.add("file " + path + " has " + f.recordCount() + " rows in Iceberg, the chain says " + want);
            }
            if (f.valueCounts() == null || f.valueCounts().isEmpty() || f.lowerBounds() == null
                || f.lowerBounds().isEmpty()) {
              problems.add("no column metrics on " + path);
            }
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    for (String path : expected.keySet()) {
      if (!seen.containsKey(path)) {
        problems.add("missing file (committed up to the heads, not in the snapshot): " + path);
      }
    }
    if (rows != expectedRows) {
      problems.add("snapshot has " + rows + " rows, the chain up to its heads " + expectedRows);
    }
    return new Report(problems.isEmpty(), snap == null ? -1 : snap.snapshotId(), files, rows,
        new TreeMap<>(heads.heads()), problems);
  }
}
