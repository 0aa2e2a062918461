package io.tributary.catalog;

import java.util.List;
import java.util.Objects;

/**
 * One link of a partition's compaction chain (docs/design-changes.md "compaction"): from now on the
 * data rows of commit records {@code fromSeq..toSeq} (inclusive) are served by ONE object,
 * {@link #object()}, instead of the records' own data objects ({@link #replaced()}). The commit chain
 * itself is never rewritten: it still proves contiguity; the compaction chain says which object
 * holds a range's rows. Compaction seqs start at 1; each link covers commit seqs strictly after the
 * previous link's {@code toSeq}, so ranges never overlap, by construction of the conditional write.
 *
 * @param table        table name
 * @param partition    Kafka partition
 * @param seq          position in the compaction chain, from 1
 * @param fromSeq      first commit seq replaced
 * @param toSeq        last commit seq replaced (inclusive)
 * @param startOffset  start offset of record fromSeq
 * @param endOffset    end offset of record toSeq
 * @param rows         rows of the new object == the sum of the replaced records' rows
 * @param object       the new data object
 * @param replaced     keys of the data objects it replaces (deleted later by the sweeper)
 * @param compactionId unique id of this attempt; how a lost response is settled
 * @param committedAt  commit time (epoch ms); 0 in a request means "stamp it"
 */
public record Compaction(String table, int partition, long seq, long fromSeq, long toSeq, long startOffset,
    long endOffset, long rows, PartObject object, List<String> replaced, String compactionId, long committedAt) {

  public Compaction {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(object, "object");
    Objects.requireNonNull(compactionId, "compactionId");
    replaced = List.copyOf(replaced);
  }

  /** Whether commit seq {@code s} is served by this compaction. */
  public boolean covers(long s) {
    return s >= fromSeq && s <= toSeq;
  }

  /** The same link with committedAt set. */
  public Compaction withCommittedAt(long millis) {
    return new Compaction(table, partition, seq, fromSeq, toSeq, startOffset, endOffset, rows, object, replaced,
        compactionId, millis);
  }

  /** Checks before any write; IllegalArgumentException names what is wrong. */
  static void check(Compaction prev, Compaction next) {
    long wantSeq = prev == null ? 1 : prev.seq() + 1;
    if (next.seq() != wantSeq) {
      throw new IllegalArgumentException("compaction seq " + next.seq() + " must be " + wantSeq);
    }
    if (prev != null && next.fromSeq() <= prev.toSeq()) {
      throw new IllegalArgumentException("compaction of seqs " + next.fromSeq() + ".." + next.toSeq()
          + " overlaps the previous one (up to seq " + prev.toSeq() + ")");
    }
    if (next.fromSeq() < 1 || next.toSeq() < next.fromSeq() || next.endOffset() < next.startOffset()
        || next.rows() < 0 || next.rows() != next.object().rows()) {
      throw new IllegalArgumentException("malformed compaction " + next);
    }
    if (next.object().kind() != PartObject.Kind.DATA || next.replaced().isEmpty()
        || next.replaced().contains(next.object().key())) {
      throw new IllegalArgumentException("a compaction writes one new data object replacing at least one other");
    }
    if (next.compactionId().isBlank()) {
      throw new IllegalArgumentException("blank compaction id");
    }
  }
}
