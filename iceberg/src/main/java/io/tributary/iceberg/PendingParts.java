package io.tributary.iceberg;

import io.tributary.catalog.Catalog;
import io.tributary.catalog.Checkpoint;
import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.Compaction;
import io.tributary.catalog.PartObject;
import io.tributary.catalog.StoredTable;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What the chains hold beyond a snapshot's heads (docs/maintenance.md rule 2), read once per round:
 * <ul>
 * <li>{@link #rewrites}: compaction links not yet applied whose range was (partly) published as the
 * original parts — the next snapshot is a {@code RewriteFiles} replacing those parts by the link's
 * object;</li>
 * <li>{@link #objects}: data objects committed after the heads, where a range covered by a link is
 * one object (the link's) — the next snapshot is an {@code AppendFiles}.</li>
 * </ul>
 * Heads only ever move past a whole link, so a snapshot's heads and compaction heads always agree.
 */
final class PendingParts {
  private static final int PAGE = 1000;

  /** One object to add: commit seqs {@code fromSeq..toSeq} of a partition. */
  record Obj(int partition, long fromSeq, long toSeq, PartObject object) {
  }

  /** One link to apply on already published parts: delete {@code deleteKeys}, add the link's object. */
  record Rewrite(int partition, Compaction link, List<String> deleteKeys) {
  }

  final List<Obj> objects = new ArrayList<>();
  final List<Rewrite> rewrites = new ArrayList<>();
  /** Compaction heads after the rewrites alone; heads and compaction heads after everything. */
  final SortedMap<Integer, Long> rewriteCompactionHeads;
  final SortedMap<Integer, Long> heads;
  final SortedMap<Integer, Long> compactionHeads;
  long rows;
  long oldest;
  long restRows;
  long oldestRest;

  private PendingParts(ChainHeads published) {
    this.rewriteCompactionHeads = new TreeMap<>(published.compactionHeads());
    this.heads = new TreeMap<>(published.heads());
    this.compactionHeads = new TreeMap<>(published.compactionHeads());
  }

  /** Collects; at most {@code maxFiles} objects to add ({@code <= 0}: count only, add nothing). */
  static PendingParts collect(Catalog chains, StoredTable stored, ChainHeads published, int maxFiles) {
    PendingParts p = new PendingParts(published);
    boolean full = maxFiles <= 0;
    for (int partition : chains.partitions(stored.name())) {
      // retention (docs/maintenance.md rule 4): nothing at or below the checkpoint is ever (re-)added,
      // and links wholly below it are ignored
      long folded = chains.checkpoint(stored.name(), partition).map(Checkpoint::seq).orElse(-1L);
      List<Compaction> links = pendingLinks(chains, stored.name(), partition, published.compactionHead(partition));
      links.removeIf(l -> l.toSeq() <= folded);
      long head = Math.max(published.head(partition), folded);
      int li = 0;
      // links whose whole range is published as the original parts: replace those parts
      while (li < links.size() && links.get(li).toSeq() <= head) {
        Compaction l = links.get(li++);
        p.rewrites.add(new Rewrite(partition, l, replacedKeys(chains, stored.name(), partition, l)));
        p.rewriteCompactionHeads.put(partition, l.seq());
        p.compactionHeads.put(partition, l.seq());
      }
      // the next link is added as its own object only if nothing of it is published yet; a link that
      // is partly published (and every later one) goes out as original parts now, replaced next round
      boolean inOrder = li < links.size() && links.get(li).fromSeq() > head;
      long from = head + 1;
      Compaction link = li < links.size() ? links.get(li) : null;
      while (true) {
        List<CommitRecord> page = chains.records(stored.name(), partition, from, Long.MAX_VALUE, PAGE);
        for (CommitRecord r : page) {
          if (link != null && link.toSeq() < r.seq()) {
            li++;
            link = li < links.size() ? links.get(li) : null;
          }
          boolean covered = inOrder && link != null && link.covers(r.seq());
          if (!full && (covered ? r.seq() == link.fromSeq() : hasData(r))) {
            int adding = covered ? 1 : (int) r.objects().stream().filter(o -> o.kind() == PartObject.Kind.DATA).count();
            full = p.objects.size() + adding > maxFiles && !p.objects.isEmpty();
          }
          if (full) {
            p.restRows += r.rows();
            if (r.rows() > 0 && (p.oldestRest == 0 || r.committedAt() < p.oldestRest)) {
              p.oldestRest = r.committedAt();
            }
            continue;
          }
          if (covered) {
            if (r.seq() == link.fromSeq()) {
              p.objects.add(new Obj(partition, link.fromSeq(), link.toSeq(), link.object()));
            }
            if (r.seq() == link.toSeq()) {
              p.heads.put(partition, r.seq()); // heads move past a whole link only
              p.compactionHeads.put(partition, link.seq());
            }
          } else {
            if (link != null && link.covers(r.seq())) {
              inOrder = false;
            }
            for (PartObject o : r.objects()) {
              if (o.kind() == PartObject.Kind.DATA) {
                p.objects.add(new Obj(partition, r.seq(), r.seq(), o));
              }
            }
            p.heads.put(partition, r.seq());
          }
          p.rows += r.rows();
          if (r.rows() > 0 && (p.oldest == 0 || r.committedAt() < p.oldest)) {
            p.oldest = r.committedAt();
          }
        }
        if (page.size() < PAGE) {
          break;
        }
        from = page.get(page.size() - 1).seq() + 1;
      }
    }
    return p;
  }

  private static boolean hasData(CommitRecord r) {
    return r.objects().stream().anyMatch(o -> o.kind() == PartObject.Kind.DATA);
  }

  private static List<Compaction> pendingLinks(Catalog chains, String table, int partition, long applied) {
    List<Compaction> out = new ArrayList<>();
    for (Compaction c : chains.compactions(table, partition)) {
      if (c.seq() > applied) {
        out.add(c);
      }
    }
    return out;
  }

  /** The data objects of the link's records: what the table holds for its range. */
  private static List<String> replacedKeys(Catalog chains, String table, int partition, Compaction l) {
    List<String> keys = new ArrayList<>();
    for (CommitRecord r : chains.records(table, partition, l.fromSeq(), l.toSeq() + 1, Integer.MAX_VALUE)) {
      for (PartObject o : r.objects()) {
        if (o.kind() == PartObject.Kind.DATA) {
          keys.add(o.key());
        }
      }
    }
    return keys;
  }
}
