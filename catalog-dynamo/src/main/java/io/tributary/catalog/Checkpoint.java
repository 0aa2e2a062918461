package io.tributary.catalog;

import java.util.Objects;

/**
 * Retention's fold of a partition's chain (docs/design-changes.md "retention"): every commit record
 * up to {@code seq} is summarised here and may be deleted; the chain walk and the audit start after
 * it, proving contiguity from {@code endOffset} on. Records are folded only once their objects are
 * expired (past the table's {@code retention}).
 *
 * @param table       table name
 * @param partition   Kafka partition
 * @param startOffset the genesis start offset of the partition (kept for the audit's summary)
 * @param seq         last commit seq folded in
 * @param endOffset   end offset of record {@code seq}: the next record must start here
 * @param rows        rows of every folded record (landed, then expired)
 * @param dlqRows     dead letters of every folded record
 * @param lost        offsets lost at the source in folded records
 * @param records     number of records folded (seq 0..seq => seq + 1)
 * @param committedAt when this checkpoint was written (epoch ms)
 */
public record Checkpoint(String table, int partition, long startOffset, long seq, long endOffset, long rows, long dlqRows, long lost,
    long records, long committedAt) {

  public Checkpoint {
    Objects.requireNonNull(table, "table");
    if (seq < 0 || endOffset < 0 || rows < 0 || dlqRows < 0 || lost < 0 || records != seq + 1) {
      throw new IllegalArgumentException("malformed checkpoint of table " + table + " partition " + partition
          + ": seq " + seq + ", records " + records);
    }
  }
}
