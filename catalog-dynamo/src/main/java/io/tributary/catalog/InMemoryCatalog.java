package io.tributary.catalog;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A thread-safe in-memory {@link Catalog} with the same semantics as {@link DynamoCatalog} (both
 * pass the same contract tests). For unit tests of the runner and scheduler; it can also inject
 * commit faults ({@link #injectCommitFault(CommitFault)}) so callers can test their handling of
 * NOT_COMMITTED and unknown outcomes. Costs stated on {@link Catalog} refer to DynamoDB; here
 * every call is one lock acquisition.
 */
public final class InMemoryCatalog implements Catalog {

  /** A fault for the next commit call, for testing callers. */
  public enum CommitFault {
    /** The next commit returns NOT_COMMITTED without writing. */
    NOT_COMMITTED,
    /** The next commit writes the record, then throws {@link CommitOutcomeUnknownException}. */
    UNKNOWN_AFTER_WRITE,
    /** The next commit throws {@link CommitOutcomeUnknownException} without writing. */
    UNKNOWN_WITHOUT_WRITE
  }

  private record TableEntry(TableDefinition def, long version, TableState state, TreeSet<Integer> partitions) {
    StoredTable view() {
      return new StoredTable(def, version, state, partitions);
    }
  }

  private final Clock clock;
  private final Map<String, TableEntry> tables = new HashMap<>();
  private final Map<String, NavigableMap<Long, CommitRecord>> chains = new HashMap<>();
  private final Map<String, Assignment> assignments = new HashMap<>();
  private final Map<String, NavigableMap<Long, Compaction>> compactionChains = new HashMap<>();
  private final Map<String, Checkpoint> checkpoints = new HashMap<>();
  private final List<CommitFault> faults = new ArrayList<>();
  private Lease lease;

  /** With the system clock. */
  public InMemoryCatalog() {
    this(Clock.systemUTC());
  }

  /** With the given clock (leases and committedAt stamps). */
  public InMemoryCatalog(Clock clock) {
    this.clock = clock;
  }

  /** Queues a fault for the next commit call (faults are consumed in order, one per call). */
  public synchronized void injectCommitFault(CommitFault fault) {
    faults.add(fault);
  }

  private static String chainKey(String table, int partition) {
    return table + "#" + partition;
  }

  private TableEntry existing(String name) {
    TableEntry t = tables.get(name);
    if (t == null) {
      throw new TableNotFoundException(name);
    }
    return t;
  }

  @Override
  public synchronized StoredTable createTable(TableDefinition given, Map<Integer, Long> genesisOffsets) {
    CommitChecks.checkGenesis(genesisOffsets);
    TableDefinition definition = given.withFieldIds(FieldIds.positional(given));
    TableEntry old = tables.get(definition.name());
    if (old != null) {
      throw new TableAlreadyExistsException(definition.name(), old.state());
    }
    TableEntry t = new TableEntry(definition, 1, TableState.ACTIVE, new TreeSet<>());
    tables.put(definition.name(), t);
    writeGenesis(t, genesisOffsets);
    return t.view();
  }

  private SortedSet<Integer> writeGenesis(TableEntry t, Map<Integer, Long> genesisOffsets) {
    SortedSet<Integer> added = new TreeSet<>();
    long now = clock.millis();
    new TreeMap<>(genesisOffsets).forEach((p, offset) -> {
      NavigableMap<Long, CommitRecord> chain = chains.computeIfAbsent(chainKey(t.def().name(), p),
          k -> new TreeMap<>());
      if (!chain.containsKey(0L)) {
        chain.put(0L, CommitRecord.genesis(t.def().name(), p, offset, t.version(), now));
        added.add(p);
      }
      t.partitions().add(p);
    });
    return added;
  }

  @Override
  public synchronized Optional<StoredTable> getTable(String name) {
    return Optional.ofNullable(tables.get(name)).map(TableEntry::view);
  }

  @Override
  public synchronized List<StoredTable> listTables() {
    return new TreeMap<>(tables).values().stream().map(TableEntry::view).toList();
  }

  @Override
  public synchronized StoredTable updateTable(TableDefinition given, long expectedVersion) {
    TableEntry t = existing(given.name());
    TableDefinition definition = given.withFieldIds(FieldIds.evolve(t.def().fieldIds(), given));
    if (t.state() == TableState.DROPPED) {
      throw new TableStateException(t.def().name(), t.state(), "update");
    }
    CommitChecks.checkTopicUnchanged(t.def(), definition);
    if (t.version() != expectedVersion) {
      throw new VersionConflictException("table " + definition.name(), expectedVersion, t.version());
    }
    TableEntry n = new TableEntry(definition, t.version() + 1, t.state(), t.partitions());
    tables.put(definition.name(), n);
    return n.view();
  }

  private StoredTable setState(String name, TableState to, String op) {
    TableEntry t = existing(name);
    if (t.state() == TableState.DROPPED && to != TableState.DROPPED) {
      throw new TableStateException(name, t.state(), op);
    }
    TableEntry n = new TableEntry(t.def(), t.version(), to, t.partitions());
    tables.put(name, n);
    return n.view();
  }

  @Override
  public synchronized StoredTable pauseTable(String name) {
    return setState(name, TableState.PAUSED, "pause");
  }

  @Override
  public synchronized StoredTable resumeTable(String name) {
    return setState(name, TableState.ACTIVE, "resume");
  }

  @Override
  public synchronized StoredTable dropTable(String name) {
    return setState(name, TableState.DROPPED, "drop");
  }

  @Override
  public synchronized SortedSet<Integer> addPartitions(String table, Map<Integer, Long> genesisOffsets) {
    CommitChecks.checkGenesis(genesisOffsets);
    TableEntry t = existing(table);
    if (t.state() == TableState.DROPPED) {
      throw new TableStateException(table, t.state(), "add partitions to");
    }
    return writeGenesis(t, genesisOffsets);
  }

  @Override
  public synchronized SortedSet<Integer> partitions(String table) {
    return new TreeSet<>(existing(table).partitions());
  }

  @Override
  public synchronized Optional<CommitRecord> head(String table, int partition) {
    NavigableMap<Long, CommitRecord> chain = chains.get(chainKey(table, partition));
    return chain == null || chain.isEmpty() ? Optional.empty() : Optional.of(chain.lastEntry().getValue());
  }

  @Override
  public synchronized CommitOutcome commit(CommitRecord expectedHead, CommitRecord next) {
    CommitChecks.checkCommit(expectedHead, next);
    CommitRecord stamped = next.committedAt() == 0 ? next.withCommittedAt(clock.millis()) : next;
    CommitFault fault = faults.isEmpty() ? null : faults.remove(0);
    if (fault == CommitFault.NOT_COMMITTED) {
      return new CommitOutcome.NotCommitted("injected fault");
    }
    if (fault == CommitFault.UNKNOWN_WITHOUT_WRITE) {
      throw new CommitOutcomeUnknownException(next, new IllegalStateException("injected fault"));
    }
    NavigableMap<Long, CommitRecord> chain = chains.computeIfAbsent(chainKey(next.table(), next.partition()),
        k -> new TreeMap<>());
    CommitRecord there = chain.get(next.seq());
    if (there != null) {
      if (there.commitId().equals(next.commitId())) {
        return new CommitOutcome.Committed(there);
      }
      return new CommitOutcome.Conflict(chain.lastEntry().getValue());
    }
    chain.put(next.seq(), stamped);
    if (fault == CommitFault.UNKNOWN_AFTER_WRITE) {
      throw new CommitOutcomeUnknownException(next, new IllegalStateException("injected fault"));
    }
    return new CommitOutcome.Committed(stamped);
  }

  @Override
  public synchronized List<Compaction> compactions(String table, int partition) {
    NavigableMap<Long, Compaction> c = compactionChains.get(chainKey(table, partition));
    return c == null ? List.of() : List.copyOf(c.values());
  }

  @Override
  public synchronized boolean commitCompaction(Compaction prev, Compaction next) {
    Compaction.check(prev, next);
    NavigableMap<Long, Compaction> c = compactionChains.computeIfAbsent(chainKey(next.table(), next.partition()),
        k -> new TreeMap<>());
    Compaction there = c.get(next.seq());
    if (there != null) {
      return there.compactionId().equals(next.compactionId());
    }
    c.put(next.seq(), next.committedAt() == 0 ? next.withCommittedAt(clock.millis()) : next);
    return true;
  }

  @Override
  public synchronized Optional<Checkpoint> checkpoint(String table, int partition) {
    return Optional.ofNullable(checkpoints.get(chainKey(table, partition)));
  }

  @Override
  public synchronized boolean putCheckpoint(Checkpoint expected, Checkpoint next) {
    String k = chainKey(next.table(), next.partition());
    Checkpoint stored = checkpoints.get(k);
    if (stored == null ? expected != null : expected == null || stored.seq() != expected.seq()) {
      return false;
    }
    Optional<CommitRecord> head = head(next.table(), next.partition());
    CommitChecks.checkCheckpoint(expected, next, head.orElse(null));
    checkpoints.put(k, next);
    return true;
  }

  @Override
  public synchronized int deleteFolded(String table, int partition, long upToSeq) {
    Checkpoint cp = checkpoints.get(chainKey(table, partition));
    NavigableMap<Long, CommitRecord> chain = chains.get(chainKey(table, partition));
    CommitChecks.checkDeleteFolded(table, partition, upToSeq, cp, chain == null || chain.isEmpty() ? null
        : chain.lastEntry().getValue());
    NavigableMap<Long, CommitRecord> gone = chain.headMap(upToSeq, true);
    int n = gone.size();
    gone.clear();
    return n;
  }

  /** Test hook: stores a record without any check, to build broken chains for the auditor. */
  synchronized void putRecordUnchecked(CommitRecord r) {
    chains.computeIfAbsent(chainKey(r.table(), r.partition()), k -> new TreeMap<>()).put(r.seq(), r);
  }

  /** Test hook: removes a record without any check, to build broken chains for the auditor. */
  synchronized void deleteRecordUnchecked(String table, int partition, long seq) {
    NavigableMap<Long, CommitRecord> chain = chains.get(chainKey(table, partition));
    if (chain != null) {
      chain.remove(seq);
    }
  }

  @Override
  public synchronized List<CommitRecord> records(String table, int partition, long fromSeq, long toSeqExclusive,
      int pageSize) {
    CommitChecks.checkRange(fromSeq, pageSize);
    NavigableMap<Long, CommitRecord> chain = chains.get(chainKey(table, partition));
    if (chain == null || toSeqExclusive <= fromSeq) {
      return List.of();
    }
    return chain.subMap(fromSeq, true, toSeqExclusive, false).values().stream().limit(pageSize).toList();
  }

  @Override
  public synchronized Optional<Lease> acquireLease(String owner, String address, Duration ttl) {
    CommitChecks.checkLeaseArgs(owner, address, ttl);
    long now = clock.millis();
    if (lease != null && lease.isLive(now)) {
      return Optional.empty();
    }
    lease = new Lease(owner, address, lease == null ? 1 : lease.epoch() + 1, now + ttl.toMillis());
    return Optional.of(lease);
  }

  @Override
  public synchronized Optional<Lease> renewLease(Lease held, Duration ttl) {
    CommitChecks.checkLeaseArgs(held.owner(), held.address(), ttl);
    if (lease == null || !lease.owner().equals(held.owner()) || lease.epoch() != held.epoch()) {
      return Optional.empty();
    }
    lease = new Lease(lease.owner(), lease.address(), lease.epoch(), clock.millis() + ttl.toMillis());
    return Optional.of(lease);
  }

  @Override
  public synchronized boolean releaseLease(Lease held) {
    if (lease == null || !lease.owner().equals(held.owner()) || lease.epoch() != held.epoch()) {
      return false;
    }
    lease = new Lease(lease.owner(), lease.address(), lease.epoch(), 0);
    return true;
  }

  @Override
  public synchronized Optional<Lease> currentLease() {
    return Optional.ofNullable(lease);
  }

  @Override
  public synchronized Optional<Assignment> assignment(String table) {
    return Optional.ofNullable(assignments.get(table));
  }

  @Override
  public synchronized Assignment putAssignment(String table, long expectedVersion, Map<Integer, String> owners,
      Map<Integer, Long> epochs) {
    Assignment cur = assignments.get(table);
    long actual = cur == null ? 0 : cur.version();
    if (actual != expectedVersion) {
      throw new VersionConflictException("assignment of " + table, expectedVersion, actual);
    }
    Assignment a = new Assignment(table, expectedVersion + 1, owners, epochs);
    assignments.put(table, a);
    return a;
  }
}
