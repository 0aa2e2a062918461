package io.tributary.catalog;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * What a reader reads: the data objects that serve a partition's committed rows now — each commit
 * record's data objects, except that the records covered by a {@link Compaction} are served by the
 * compaction's one object — from the {@link Checkpoint} (if any) to the chain head. Readers switch
 * to a compacted object in one step: the moment its compaction link is committed.
 */
public final class LiveParts {
  private LiveParts() {
  }

  /**
   * One object serving commit seqs {@code fromSeq..toSeq} (inclusive), offsets
   * {@code [startOffset, endOffset)}.
   */
  public record Part(int partition, long fromSeq, long toSeq, long startOffset, long endOffset, PartObject object,
      boolean compacted) {
  }

  /** The live data objects of a partition, in seq order. Cost: 1 GetItem + chain Query pages + 1 Query. */
  public static List<Part> of(Catalog catalog, String table, int partition) {
    Optional<Checkpoint> cp = catalog.checkpoint(table, partition);
    long from = cp.map(c -> c.seq() + 1).orElse(0L);
    Iterator<Compaction> comps = catalog.compactions(table, partition).iterator();
    Compaction next = comps.hasNext() ? comps.next() : null;
    List<Part> out = new ArrayList<>();
    for (CommitRecord r : catalog.records(table, partition, from, Long.MAX_VALUE, Integer.MAX_VALUE)) {
      while (next != null && next.toSeq() < r.seq()) {
        next = comps.hasNext() ? comps.next() : null;
      }
      if (next != null && next.covers(r.seq())) {
        if (r.seq() == next.fromSeq() || r.seq() == from) {
          out.add(new Part(partition, next.fromSeq(), next.toSeq(), next.startOffset(), next.endOffset(),
              next.object(), true));
        }
        continue;
      }
      for (PartObject o : r.objects()) {
        if (o.kind() == PartObject.Kind.DATA) {
          out.add(new Part(partition, r.seq(), r.seq(), r.startOffset(), r.endOffset(), o, false));
        }
      }
    }
    return out;
  }
}
