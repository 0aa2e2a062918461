package io.tributary.iceberg;

import org.apache.iceberg.BaseTable;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.exceptions.CommitFailedException;

/**
 * The table as seen by one publication: its commits succeed only on top of the snapshot whose
 * chain heads the publication read. Iceberg treats appends as commutative — a snapshot producer
 * (and a transaction) re-reads the table before committing and re-applies the append on whatever
 * is current — which would add parts a racing publisher already added. This view refuses any commit
 * whose base is not the expected snapshot with {@link CommitFailedException} (a conflict: the next
 * round re-reads the heads); the catalog's own compare-and-swap then guarantees that base is still
 * current at the swap.
 */
public final class PinnedTable {
  private PinnedTable() {
  }

  /** The table whose commits succeed only on top of snapshot {@code expectedSnapshotId} (-1: no snapshot). */
  public static Table pin(Table table, long expectedSnapshotId) {
    if (!(table instanceof HasTableOperations hto)) {
      throw new IllegalStateException("Iceberg table " + table.name() + " exposes no TableOperations; cannot pin"
          + " its commits to a snapshot");
    }
    return new BaseTable(new Ops(hto.operations(), expectedSnapshotId), table.name());
  }

  private static final class Ops extends ForwardingTableOperations {
    private final long expected;

    Ops(TableOperations ops, long expected) {
      super(ops);
      this.expected = expected;
    }

    @Override
    public void commit(TableMetadata base, TableMetadata metadata) {
      Snapshot s = base == null ? null : base.currentSnapshot();
      long baseId = s == null ? -1 : s.snapshotId();
      if (baseId != expected) {
        throw new CommitFailedException("table moved from snapshot %s to %s since the chain heads were read",
            expected, baseId);
      }
      ops.commit(base, metadata);
    }
  }
}
