package io.tributary.catalog;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The audit's proof of a partition's compaction chain, fed the commit records in seq order: links
 * in seq order from 1 without overlap; each link's range lies within the chain; its start/end
 * offsets are those of its first/last record; its rows equal the records' rows; it replaces exactly
 * those records' data objects; its object is in the key layout and referenced nowhere else. Whether
 * the object really holds those (partition, offset) rows is proven by the deep audit, which reads it.
 */
final class CompactionCheck {
  private final String table;
  private final String prefix;
  private final int partition;
  private final List<Compaction> links;
  private final Map<String, String> objectOwner;
  private final List<String> problems;
  private int index;
  private long rows;
  private long start = -1;
  private long lastSeq = -1;
  private long lastEnd;
  private final Set<String> keys = new HashSet<>();

  CompactionCheck(String table, String prefix, int partition, List<Compaction> links, Map<String, String> objectOwner,
      List<String> problems) {
    this.table = table;
    this.prefix = prefix;
    this.partition = partition;
    this.links = links;
    this.objectOwner = objectOwner;
    this.problems = problems;
    long prevTo = 0;
    for (int i = 0; i < links.size(); i++) {
      Compaction c = links.get(i);
      String at = "partition " + partition + " compaction " + c.seq() + ": ";
      if (c.seq() != i + 1) {
        problems.add(at + "seq hole: expected compaction seq " + (i + 1));
      }
      if (c.fromSeq() <= prevTo) {
        problems.add(at + "overlaps the previous compaction (seqs " + c.fromSeq() + ".." + c.toSeq() + ")");
      }
      prevTo = c.toSeq();
      String owner = objectOwner.putIfAbsent(c.object().key(), "partition " + partition + " compaction " + c.seq());
      if (owner != null) {
        problems.add(at + "object " + c.object().key() + " also referenced by " + owner);
      }
      String why = ObjectKeys.mismatch(prefix, table, PartObject.Kind.DATA, c.object().key(), partition,
          c.startOffset(), c.endOffset());
      if (why != null) {
        problems.add(at + "object key " + c.object().key() + " outside the layout: " + why);
      }
    }
  }

  /** The next commit record of the walk. */
  void record(CommitRecord r) {
    while (index < links.size() && links.get(index).toSeq() < r.seq()) {
      index++; // a link below the walk's start (folded by retention) is not re-proven
    }
    if (index >= links.size() || !links.get(index).covers(r.seq())) {
      return;
    }
    Compaction c = links.get(index);
    if (r.seq() == c.fromSeq()) {
      start = r.startOffset();
      rows = 0;
      keys.clear();
    } else if (r.seq() != lastSeq + 1) {
      problems.add("partition " + partition + " compaction " + c.seq() + ": replaced records are not contiguous at seq "
          + r.seq());
    }
    rows += r.rows();
    for (PartObject o : r.objects()) {
      if (o.kind() == PartObject.Kind.DATA) {
        keys.add(o.key());
      }
    }
    lastSeq = r.seq();
    lastEnd = r.endOffset();
    if (r.seq() == c.toSeq()) {
      close(c);
      index++;
    }
  }

  private void close(Compaction c) {
    String at = "partition " + partition + " compaction " + c.seq() + ": ";
    if (start != c.startOffset() || lastEnd != c.endOffset()) {
      problems.add(at + "covers offsets [" + c.startOffset() + ", " + c.endOffset() + ") but its records hold ["
          + start + ", " + lastEnd + ")");
    }
    if (rows != c.rows()) {
      problems.add(at + "has " + c.rows() + " rows, its records " + rows);
    }
    if (!keys.equals(new HashSet<>(c.replaced()))) {
      problems.add(at + "replaces " + c.replaced() + " but its records' data objects are " + new ArrayList<>(keys));
    }
  }

  /** After the walk: every link must have been closed by its last record. */
  void finish() {
    for (int i = index; i < links.size(); i++) {
      Compaction c = links.get(i);
      if (lastSeq < c.toSeq()) {
        problems.add("partition " + partition + " compaction " + c.seq() + ": covers seqs " + c.fromSeq() + ".."
            + c.toSeq() + " beyond the chain head " + lastSeq);
      }
    }
  }
}
