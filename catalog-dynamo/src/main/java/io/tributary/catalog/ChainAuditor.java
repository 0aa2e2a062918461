package io.tributary.catalog;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Walks a table's commit chains and proves (or disproves) exactly-once landing: contiguity, seq
 * without holes, each object in one record, row counts matching the objects, keys in the layout.
 * Works through the {@link Catalog} interface, so it audits any implementation.
 */
public final class ChainAuditor {

  private ChainAuditor() {
  }

  /** Audits every partition of {@code table}; see {@link Catalog#audit(String)}. */
  public static AuditReport audit(Catalog catalog, String table) {
    StoredTable t = catalog.getTable(table).orElseThrow(() -> new TableNotFoundException(table));
    List<String> problems = new ArrayList<>();
    List<String> losses = new ArrayList<>();
    List<AuditReport.PartitionSummary> summaries = new ArrayList<>();
    Map<String, String> objectOwner = new HashMap<>();
    String prefix = t.definition().output().prefix();
    for (int p : t.partitions()) {
      Checkpoint cp = catalog.checkpoint(table, p).orElse(null);
      List<Compaction> compactions = catalog.compactions(table, p);
      Iterator<CommitRecord> it = cp == null ? catalog.chain(table, p).iterator()
          : catalog.records(table, p, cp.seq() + 1, Long.MAX_VALUE, Integer.MAX_VALUE).iterator();
      CompactionCheck cc = new CompactionCheck(table, prefix, p, compactions, objectOwner, problems);
      summaries.add(auditPartition(table, prefix, p, cp, it, cc, objectOwner, problems, losses));
      cc.finish();
    }
    return new AuditReport(table, summaries, problems, losses);
  }

  private static AuditReport.PartitionSummary auditPartition(String table, String prefix, int p, Checkpoint cp,
      Iterator<CommitRecord> it, CompactionCheck cc, Map<String, String> objectOwner, List<String> problems,
      List<String> losses) {
    if (!it.hasNext() && cp != null) {
      problems.add("partition " + p + ": the chain head is gone (only checkpoint seq " + cp.seq() + " remains)");
      return new AuditReport.PartitionSummary(p, cp.records() - 1, cp.rows(), cp.dlqRows(), cp.startOffset(),
          cp.endOffset(), cp.lost());
    }
    if (!it.hasNext()) {
      problems.add("partition " + p + ": no chain (no genesis record)");
      return new AuditReport.PartitionSummary(p, 0, 0, 0, 0, 0, 0);
    }
    long records = cp == null ? 0 : cp.records() - 1;
    long rows = cp == null ? 0 : cp.rows();
    long dlqRows = cp == null ? 0 : cp.dlqRows();
    long lost = cp == null ? 0 : cp.lost();
    // After a retention fold the walk starts at the checkpoint, which stands for record cp.seq.
    CommitRecord prev = cp == null ? null : CommitRecord.builder().table(table).partition(p).seq(cp.seq())
        .startOffset(cp.endOffset()).endOffset(cp.endOffset()).writer("checkpoint").build();
    long start = cp == null ? 0 : cp.startOffset();
    while (it.hasNext()) {
      CommitRecord r = it.next();
      String at = "partition " + p + " seq " + r.seq() + ": ";
      cc.record(r);
      if (prev == null) {
        start = r.startOffset();
        if (r.seq() != 0) {
          problems.add(at + "missing genesis: the chain starts at seq " + r.seq());
        } else if (r.startOffset() != r.endOffset() || r.rows() != 0 || !r.objects().isEmpty()) {
          problems.add(at + "genesis must have start_offset == end_offset, no rows and no objects");
        }
      } else {
        records++;
        if (r.seq() != prev.seq() + 1) {
          problems.add(at + "seq hole: previous seq is " + prev.seq());
        }
        if (r.startOffset() > prev.endOffset()) {
          problems.add(at + "gap: start_offset " + r.startOffset() + " > previous end_offset " + prev.endOffset()
              + " (offsets [" + prev.endOffset() + ", " + r.startOffset() + ") never landed)");
        } else if (r.startOffset() < prev.endOffset()) {
          problems.add(at + "overlap: start_offset " + r.startOffset() + " < previous end_offset " + prev.endOffset()
              + " (offsets [" + r.startOffset() + ", " + prev.endOffset() + ") landed twice)");
        }
      }
      if (r.endOffset() < r.startOffset()) {
        problems.add(at + "end_offset " + r.endOffset() + " < start_offset " + r.startOffset());
      } else if (r.rows() + r.dlqRows() > r.offsetCount()) {
        problems.add(at + "rows + dlq_rows = " + (r.rows() + r.dlqRows()) + " exceeds the " + r.offsetCount()
            + " offsets of the record");
      }
      long dataSum = 0;
      long dlqSum = 0;
      for (PartObject o : r.objects()) {
        String owner = objectOwner.putIfAbsent(o.key(), "partition " + p + " seq " + r.seq());
        if (owner != null) {
          problems.add(at + "duplicate object key " + o.key() + " (also referenced by " + owner + ")");
        }
        String why = ObjectKeys.mismatch(prefix, table, o.kind(), o.key(), p, r.startOffset(), r.endOffset());
        if (why != null) {
          problems.add(at + "object key " + o.key() + " outside the layout: " + why);
        }
        if (o.kind() == PartObject.Kind.DATA) {
          dataSum += o.rows();
        } else {
          dlqSum += o.rows();
        }
      }
      if (r.rows() != dataSum) {
        problems.add(at + "rows " + r.rows() + " != sum of data object rows " + dataSum);
      }
      if (r.dlqRows() != dlqSum) {
        problems.add(at + "dlq_rows " + r.dlqRows() + " != sum of dlq object rows " + dlqSum);
      }
      if (r.lost() != null && (r.rows() != 0 || r.dlqRows() != 0 || !r.objects().isEmpty()
          || r.lost() != r.offsetCount())) {
        problems.add(at + "retention-gap record with lost " + r.lost() + " must have no rows and no objects and cover "
            + "exactly the lost offsets (it covers " + r.offsetCount() + ")");
      }
      if (r.lost() != null && r.lost() > 0) {
        lost += r.lost();
        losses.add(at + "lost at the source (retention): " + r.lost() + " offsets in [" + r.startOffset() + ", "
            + r.endOffset() + ")");
      }
      rows += r.rows();
      dlqRows += r.dlqRows();
      prev = r;
    }
    return new AuditReport.PartitionSummary(p, records, rows, dlqRows, start, prev.endOffset(), lost);
  }
}
