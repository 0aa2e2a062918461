package io.tributary.catalog;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Argument checks shared by the implementations, made before any request. */
final class CommitChecks {
  private CommitChecks() {
  }

  static void checkCommit(CommitRecord expected, CommitRecord next) {
    if (expected == null || next == null) {
      throw new IllegalArgumentException("expectedHead and next are required");
    }
    String where = "commit " + next.commitId() + " (table " + next.table() + " partition " + next.partition()
        + " seq " + next.seq() + "): ";
    if (!expected.table().equals(next.table()) || expected.partition() != next.partition()) {
      throw new IllegalArgumentException(where + "expected head is table " + expected.table() + " partition "
          + expected.partition());
    }
    if (next.seq() != expected.seq() + 1) {
      throw new IllegalArgumentException(where + "seq must be expected head seq + 1 = " + (expected.seq() + 1));
    }
    if (next.startOffset() != expected.endOffset()) {
      throw new IllegalArgumentException(where + "start_offset " + next.startOffset()
          + " must equal the expected head's end_offset " + expected.endOffset());
    }
    if (next.endOffset() < next.startOffset()) {
      throw new IllegalArgumentException(where + "end_offset " + next.endOffset() + " < start_offset "
          + next.startOffset());
    }
    if (next.rows() < 0 || next.dlqRows() < 0 || next.bytes() < 0 || next.epoch() < 0
        || (next.lost() != null && next.lost() < 0)) {
      throw new IllegalArgumentException(where + "rows, dlq_rows, bytes, epoch and lost must be >= 0");
    }
    if (next.rows() + next.dlqRows() > next.offsetCount()) {
      throw new IllegalArgumentException(where + "rows + dlq_rows = " + (next.rows() + next.dlqRows())
          + " exceeds the " + next.offsetCount() + " offsets of [" + next.startOffset() + ", " + next.endOffset() + ")");
    }
    if (next.lost() != null && (next.rows() != 0 || next.dlqRows() != 0 || !next.objects().isEmpty()
        || next.lost() != next.offsetCount())) {
      throw new IllegalArgumentException(where + "a retention-gap record has no rows and no objects, and lost == "
          + "end_offset - start_offset (" + next.offsetCount() + "), got lost " + next.lost());
    }
    if (next.commitId().isBlank() || next.writer().isBlank()) {
      throw new IllegalArgumentException(where + "commit_id and writer must not be blank");
    }
    if ((next.minTs() == null) != (next.maxTs() == null)
        || (next.minTs() != null && next.minTs() > next.maxTs())) {
      throw new IllegalArgumentException(where + "min_ts and max_ts must both be set with min_ts <= max_ts, or both absent");
    }
    long dataRows = 0;
    long dlqRows = 0;
    Set<String> keys = new HashSet<>();
    for (PartObject o : next.objects()) {
      if (o.rows() < 0 || o.bytes() < 0) {
        throw new IllegalArgumentException(where + "object " + o.key() + " has negative rows or bytes");
      }
      if (!keys.add(o.key())) {
        throw new IllegalArgumentException(where + "object key " + o.key() + " appears twice");
      }
      if (o.kind() == PartObject.Kind.DATA) {
        dataRows += o.rows();
      } else {
        dlqRows += o.rows();
      }
    }
    if (dataRows != next.rows()) {
      throw new IllegalArgumentException(where + "rows " + next.rows() + " != sum of data object rows " + dataRows);
    }
    if (dlqRows != next.dlqRows()) {
      throw new IllegalArgumentException(where + "dlq_rows " + next.dlqRows() + " != sum of dlq object rows " + dlqRows);
    }
  }

  static void checkGenesis(Map<Integer, Long> genesisOffsets) {
    if (genesisOffsets == null) {
      throw new IllegalArgumentException("genesisOffsets is required (may be empty)");
    }
    genesisOffsets.forEach((p, o) -> {
      if (p == null || p < 0 || o == null || o < 0) {
        throw new IllegalArgumentException("genesis offsets need partition >= 0 and offset >= 0, got " + p + " -> " + o);
      }
    });
  }

  static void checkRange(long fromSeq, int pageSize) {
    if (fromSeq < 0) {
      throw new IllegalArgumentException("fromSeq must be >= 0, got " + fromSeq);
    }
    if (pageSize < 1) {
      throw new IllegalArgumentException("pageSize must be >= 1, got " + pageSize);
    }
  }

  static void checkLeaseArgs(String owner, String address, java.time.Duration ttl) {
    if (owner == null || owner.isBlank() || address == null || address.isBlank()) {
      throw new IllegalArgumentException("lease owner and address are required");
    }
    if (ttl == null || ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("lease ttl must be positive, got " + ttl);
    }
  }

  static void checkTopicUnchanged(TableDefinition stored, TableDefinition next) {
    if (!stored.source().topic().equals(next.source().topic())) {
      throw new InvalidDefinitionException("source.topic", "cannot change the topic of table '" + stored.name()
          + "' from '" + stored.source().topic() + "' (its commit chains hold that topic's offsets); create a new table");
    }
  }

  /** A new checkpoint folds further than the stored one and stays below the head. */
  static void checkCheckpoint(Checkpoint expected, Checkpoint next, CommitRecord head) {
    if (expected != null && next.seq() <= expected.seq()) {
      throw new IllegalArgumentException("checkpoint seq " + next.seq() + " must be above the stored " + expected.seq());
    }
    if (head == null || next.seq() >= head.seq()) {
      throw new IllegalArgumentException("checkpoint seq " + next.seq() + " must stay below the chain head "
          + (head == null ? "(none)" : head.seq()) + " of table " + next.table() + " partition " + next.partition());
    }
  }

  /** Folded records may go only when a checkpoint covers them and the head is above them. */
  static void checkDeleteFolded(String table, int partition, long upToSeq, Checkpoint cp, CommitRecord head) {
    if (cp == null || upToSeq > cp.seq()) {
      throw new IllegalArgumentException("table " + table + " partition " + partition + ": records up to seq " + upToSeq
          + " are not covered by a checkpoint" + (cp == null ? "" : " (it folds up to " + cp.seq() + ")"));
    }
    if (head == null || head.seq() <= upToSeq) {
      throw new IllegalArgumentException("table " + table + " partition " + partition + ": the head must stay");
    }
  }
}
