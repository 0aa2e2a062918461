package io.tributary.iceberg;

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
 * Test support: the real catalog, every call passed to it; fault-injecting wrappers override the one
 * or two calls they hook (a racing writer first, a crash between steps, a lost response).
 */
public class DelegatingCatalog implements Catalog {
  protected final Catalog delegate;

  public DelegatingCatalog(Catalog delegate) {
    this.delegate = delegate;
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
    return delegate.putCheckpoint(expected, next);
  }

  @Override
  public int deleteFolded(String table, int partition, long upToSeq) {
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
