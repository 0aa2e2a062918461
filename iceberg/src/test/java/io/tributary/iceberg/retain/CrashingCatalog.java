package io.tributary.iceberg.retain;

import io.tributary.catalog.Assignment;
import io.tributary.catalog.Catalog;
import io.tributary.catalog.Checkpoint;
import io.tributary.catalog.CommitOutcome;
import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.Compaction;
import io.tributary.catalog.Lease;
import io.tributary.catalog.StoredTable;
import io.tributary.catalog.TableDefinition;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;

/**
 * The real catalog with {@link #putCheckpoint} and {@link #deleteFolded} passing through hooks, to
 * crash a retention pass between its steps: {@code beforeCheckpoint} throws after (a), the Iceberg
 * step; {@code afterCheckpoint} throws after (b) (the checkpoint is written); {@code beforeFold}
 * throws after (c) (objects deleted, records not yet). Everything else goes to the delegate.
 */
final class CrashingCatalog implements Catalog {
  private final Catalog delegate;
  volatile boolean beforeCheckpoint;
  volatile boolean afterCheckpoint;
  volatile boolean beforeFold;

  CrashingCatalog(Catalog delegate) {
    this.delegate = delegate;
  }

  /** The injected crash. */
  static final class Crash extends RuntimeException {
    Crash(String where) {
      super("injected crash " + where);
    }
  }

  @Override
  public boolean commitCompaction(Compaction prev, Compaction next) {
    return delegate.commitCompaction(prev, next);
  }

  @Override
  public StoredTable createTable(TableDefinition definition, Map<Integer, Long> genesisOffsets) {
    return delegate.createTable(definition, genesisOffsets);
  }

  @Override
  public Optional<StoredTable> getTable(String name) {
    return delegate.getTable(name);
  }

  @Override
  public List<StoredTable> listTables() {
    return delegate.listTables();
  }

  @Override
  public StoredTable updateTable(TableDefinition definition, long expectedVersion) {
    return delegate.updateTable(definition, expectedVersion);
  }

  @Override
  public StoredTable pauseTable(String name) {
    return delegate.pauseTable(name);
  }

  @Override
  public StoredTable resumeTable(String name) {
    return delegate.resumeTable(name);
  }

  @Override
  public StoredTable dropTable(String name) {
    return delegate.dropTable(name);
  }

  @Override
  public SortedSet<Integer> addPartitions(String table, Map<Integer, Long> genesisOffsets) {
    return delegate.addPartitions(table, genesisOffsets);
  }

  @Override
  public SortedSet<Integer> partitions(String table) {
    return delegate.partitions(table);
  }

  @Override
  public Optional<CommitRecord> head(String table, int partition) {
    return delegate.head(table, partition);
  }

  @Override
  public CommitOutcome commit(CommitRecord expectedHead, CommitRecord next) {
    return delegate.commit(expectedHead, next);
  }

  @Override
  public List<CommitRecord> records(String table, int partition, long fromSeq, long toSeqExclusive, int pageSize) {
    return delegate.records(table, partition, fromSeq, toSeqExclusive, pageSize);
  }

  @Override
  public List<Compaction> compactions(String table, int partition) {
    return delegate.compactions(table, partition);
  }

  @Override
  public Optional<Checkpoint> checkpoint(String table, int partition) {
    return delegate.checkpoint(table, partition);
  }

  @Override
  public boolean putCheckpoint(Checkpoint expected, Checkpoint next) {
    if (beforeCheckpoint) {
      throw new Crash("after the Iceberg step, before the checkpoint");
    }
    boolean ok = delegate.putCheckpoint(expected, next);
    if (afterCheckpoint) {
      throw new Crash("after the checkpoint");
    }
    return ok;
  }

  @Override
  public int deleteFolded(String table, int partition, long upToSeq) {
    if (beforeFold) {
      throw new Crash("after the objects were deleted, before deleteFolded");
    }
    return delegate.deleteFolded(table, partition, upToSeq);
  }

  @Override
  public Optional<Lease> acquireLease(String owner, String address, Duration ttl) {
    return delegate.acquireLease(owner, address, ttl);
  }

  @Override
  public Optional<Lease> renewLease(Lease held, Duration ttl) {
    return delegate.renewLease(held, ttl);
  }

  @Override
  public boolean releaseLease(Lease held) {
    return delegate.releaseLease(held);
  }

  @Override
  public Optional<Lease> currentLease() {
    return delegate.currentLease();
  }

  @Override
  public Optional<Assignment> assignment(String table) {
    return delegate.assignment(table);
  }

  @Override
  public Assignment putAssignment(String table, long expectedVersion, Map<Integer, String> owners,
      Map<Integer, Long> epochs) {
    return delegate.putAssignment(table, expectedVersion, owners, epochs);
  }
}
