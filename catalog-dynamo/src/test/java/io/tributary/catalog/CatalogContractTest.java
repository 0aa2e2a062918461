package io.tributary.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link Catalog} contract, run against every implementation. Each test gets a fresh, empty
 * store ({@link #newStore}) and may open further clients onto it ({@link #anotherClient}).
 */
abstract class CatalogContractTest {

  protected final MutableClock clock = new MutableClock(1_700_000_000_000L);
  protected Catalog catalog;

  /** A fresh empty store and a first client on it. */
  protected abstract Catalog newStore(MutableClock clock);

  /** Another, independent client (own connection pool) on the store of the last {@link #newStore}. */
  protected abstract Catalog anotherClient(MutableClock clock);

  /** Writes a record with no checks at all (a raw PutItem), to build broken chains. */
  protected abstract void putUnchecked(CommitRecord r);

  /** Deletes a record with no checks at all (a raw DeleteItem), to build broken chains. */
  protected abstract void deleteUnchecked(String table, int partition, long seq);

  @BeforeEach
  void openStore() {
    catalog = newStore(clock);
  }

  static String uniqueName(String base) {
    return base + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
  }

  static TableDefinition def(String name) {
    return TableDefinition.builder(name).source("127.0.0.1:9092", "topic_" + name).output("tributary")
        .column("event_id", "string").column("amount", "decimal(12,2)").build();
  }

  static String dataKey(String table, int p, long start, long end) {
    return ObjectKeys.data("tables", table, LocalDate.of(2024, 1, 1), p, start, end,
        UUID.randomUUID().toString());
  }

  static String dlqKey(String table, int p, long start, long end) {
    return ObjectKeys.dlq("tables", table, LocalDate.of(2024, 1, 1), p, start, end, UUID.randomUUID().toString());
  }

  /** The next record after head: {@code rows} data rows over {@code offsets} offsets. */
  static CommitRecord next(CommitRecord head, long offsets, long rows, String writer) {
    long end = head.endOffset() + offsets;
    CommitRecord.Builder b = head.successor().endOffset(end).rows(rows).bytes(rows * 10).writer(writer).epoch(1);
    if (rows > 0) {
      b.object(PartObject.data(dataKey(head.table(), head.partition(), head.endOffset(), end), rows, rows * 10))
          .minTs(1_000L).maxTs(2_000L);
    }
    return b.build();
  }

  CommitRecord append(CommitRecord head, long offsets, long rows) {
    CommitOutcome o = catalog.commit(head, next(head, offsets, rows, "w1"));
    assertThat(o).isInstanceOf(CommitOutcome.Committed.class);
    return ((CommitOutcome.Committed) o).record();
  }

  CommitRecord genesisHead(String table, int p) {
    return catalog.head(table, p).orElseThrow();
  }

  // ------------------------------------------------------------------ maintenance

  static Compaction compaction(String table, int p, long seq, List<CommitRecord> records, String id) {
    CommitRecord first = records.get(0);
    CommitRecord last = records.get(records.size() - 1);
    long rows = records.stream().mapToLong(CommitRecord::rows).sum();
    List<String> replaced = records.stream().flatMap(r -> r.objects().stream())
        .filter(o -> o.kind() == PartObject.Kind.DATA).map(PartObject::key).toList();
    String key = dataKey(table, p, first.startOffset(), last.endOffset());
    return new Compaction(table, p, seq, first.seq(), last.seq(), first.startOffset(), last.endOffset(), rows,
        PartObject.data(key, rows, 99), replaced, id, 0);
  }

  @Test
  void compactionLinksAreOneConditionalWriteEachAndNeverOverlap() {
    String name = uniqueName("cmp");
    catalog.createTable(def(name), Map.of(0, 0L));
    CommitRecord h = genesisHead(name, 0);
    List<CommitRecord> recs = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      h = append(h, 10, 8);
      recs.add(h);
    }
    assertThat(catalog.compactions(name, 0)).isEmpty();
    Compaction first = compaction(name, 0, 1, recs.subList(0, 3), "c1");
    assertThat(catalog.commitCompaction(null, first)).isTrue();
    assertThat(catalog.commitCompaction(null, first)).as("a retry of our own write settles as ours").isTrue();
    // a racing compactor that read the same (empty) head loses
    assertThat(catalog.commitCompaction(null, compaction(name, 0, 1, recs.subList(0, 2), "c1-rival"))).isFalse();
    List<Compaction> links = catalog.compactions(name, 0);
    assertThat(links).hasSize(1);
    assertThat(links.get(0).compactionId()).isEqualTo("c1");
    assertThat(links.get(0).committedAt()).isEqualTo(clock.millis());
    assertThat(links.get(0).replaced()).hasSize(3);
    // overlap with the previous link is refused before any write
    assertThatThrownBy(() -> catalog.commitCompaction(links.get(0), compaction(name, 0, 2, recs.subList(2, 4), "c2")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlaps");
    assertThat(catalog.commitCompaction(links.get(0), compaction(name, 0, 2, recs.subList(3, 5), "c2"))).isTrue();
    assertThat(catalog.compactions(name, 0)).extracting(Compaction::seq).containsExactly(1L, 2L);

    // readers: records 1..3 and 4..5 are served by the two compacted objects, record 6 by its own part
    List<LiveParts.Part> live = LiveParts.of(catalog, name, 0);
    assertThat(live).extracting(LiveParts.Part::fromSeq).containsExactly(1L, 4L, 6L);
    assertThat(live).extracting(LiveParts.Part::compacted).containsExactly(true, true, false);
    assertThat(live.get(0).object().rows()).isEqualTo(24);
    assertThat(catalog.audit(name).problems()).isEmpty();
  }

  @Test
  void theAuditProvesCompactionsAgainstTheChain() {
    String name = uniqueName("cmpaudit");
    catalog.createTable(def(name), Map.of(0, 0L));
    CommitRecord h = genesisHead(name, 0);
    List<CommitRecord> recs = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      h = append(h, 10, 8);
      recs.add(h);
    }
    Compaction good = compaction(name, 0, 1, recs.subList(0, 2), "ok");
    Compaction wrongRows = new Compaction(name, 0, 1, good.fromSeq(), good.toSeq(), good.startOffset(),
        good.endOffset(), good.rows() + 1, PartObject.data(good.object().key(), good.rows() + 1, 99), good.replaced(),
        "bad", 0);
    assertThat(catalog.commitCompaction(null, wrongRows)).isTrue();
    assertThat(catalog.audit(name).problems()).anyMatch(pr -> pr.contains("compaction 1") && pr.contains("rows"));
  }

  @Test
  void checkpointsFoldTheChainAndTheAuditProvesContiguityFromThem() {
    String name = uniqueName("fold");
    catalog.createTable(def(name), Map.of(0, 5L));
    CommitRecord h = genesisHead(name, 0);
    for (int i = 0; i < 5; i++) {
      h = append(h, 10, 7);
    }
    AuditReport before = catalog.audit(name);
    assertThat(before.problems()).isEmpty();
    CommitRecord r3 = catalog.records(name, 0, 3, 4, 1).get(0);
    Checkpoint cp = new Checkpoint(name, 0, 5, 3, r3.endOffset(), 21, 0, 0, 4, 0);
    assertThatThrownBy(() -> catalog.deleteFolded(name, 0, 3)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("checkpoint");
    assertThat(catalog.putCheckpoint(null, cp)).isTrue();
    assertThat(catalog.putCheckpoint(null, cp)).as("someone else's checkpoint is there now").isFalse();
    assertThat(catalog.checkpoint(name, 0)).isPresent();
    assertThatThrownBy(() -> catalog.putCheckpoint(cp, new Checkpoint(name, 0, 5, 5, 55, 35, 0, 0, 6, 0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("head");
    assertThat(catalog.deleteFolded(name, 0, 3)).isEqualTo(4);
    assertThat(catalog.records(name, 0, 0, Long.MAX_VALUE, 100)).extracting(CommitRecord::seq).containsExactly(4L, 5L);
    AuditReport after = catalog.audit(name);
    assertThat(after.problems()).isEmpty();
    assertThat(after.rows()).isEqualTo(before.rows());
    assertThat(after.records()).isEqualTo(before.records());
    assertThat(after.partitions().get(0).start()).isEqualTo(5);
    assertThat(after.partitions().get(0).end()).isEqualTo(before.partitions().get(0).end());
    assertThat(LiveParts.of(catalog, name, 0)).extracting(LiveParts.Part::fromSeq).containsExactly(4L, 5L);
  }

  // ------------------------------------------------------------------ tables

  @Test
  void createTableWritesDefinitionAndGenesisRecords() {
    String name = uniqueName("clicks");
    TableDefinition d = def(name);
    StoredTable t = catalog.createTable(d, Map.of(0, 0L, 1, 42L, 2, 7L));
    assertThat(t.version()).isEqualTo(1);
    assertThat(t.state()).isEqualTo(TableState.ACTIVE);
    assertThat(t.partitions()).containsExactly(0, 1, 2);

    StoredTable read = catalog.getTable(name).orElseThrow();
    assertThat(read.definition()).isEqualTo(d);
    assertThat(read.version()).isEqualTo(1);
    assertThat(read.partitions()).containsExactly(0, 1, 2);
    assertThat(catalog.partitions(name)).containsExactly(0, 1, 2);

    CommitRecord g = catalog.head(name, 1).orElseThrow();
    assertThat(g.isGenesis()).isTrue();
    assertThat(g.seq()).isZero();
    assertThat(g.startOffset()).isEqualTo(42);
    assertThat(g.endOffset()).isEqualTo(42);
    assertThat(g.rows()).isZero();
    assertThat(g.objects()).isEmpty();
    assertThat(g.schemaVersion()).isEqualTo(1);
    assertThat(g.minTs()).isNull();
    assertThat(g.lost()).isNull();
    assertThat(g.committedAt()).isEqualTo(clock.millis());
    assertThat(catalog.head(name, 3)).isEmpty();
  }

  @Test
  void createTableRefusesATakenNameEvenWhenDropped() {
    String name = uniqueName("t");
    catalog.createTable(def(name), Map.of(0, 0L));
    assertThatThrownBy(() -> catalog.createTable(def(name), Map.of(0, 5L)))
        .isInstanceOf(TableAlreadyExistsException.class).hasMessageContaining(name);
    catalog.dropTable(name);
    assertThatThrownBy(() -> catalog.createTable(def(name), Map.of(0, 5L)))
        .isInstanceOfSatisfying(TableAlreadyExistsException.class,
            e -> assertThat(e.state()).isEqualTo(TableState.DROPPED))
        .hasMessageContaining("DROPPED");
    assertThat(genesisHead(name, 0).endOffset()).isZero();
  }

  @Test
  void createTableRefusesNegativePartitionsOrOffsets() {
    assertThatThrownBy(() -> catalog.createTable(def(uniqueName("t")), Map.of(-1, 0L)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partition");
    assertThatThrownBy(() -> catalog.createTable(def(uniqueName("t")), Map.of(0, -3L)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset");
  }

  @Test
  void getAndListTables() {
    assertThat(catalog.getTable("nope")).isEmpty();
    assertThat(catalog.listTables()).isEmpty();
    catalog.createTable(def("bbb"), Map.of(0, 0L));
    catalog.createTable(def("aaa"), Map.of());
    catalog.dropTable("bbb");
    assertThat(catalog.listTables()).extracting(StoredTable::name).containsExactly("aaa", "bbb");
    assertThat(catalog.listTables()).extracting(StoredTable::state)
        .containsExactly(TableState.ACTIVE, TableState.DROPPED);
  }

  @Test
  void updateTableIsCompareAndSetOnVersion() {
    String name = uniqueName("t");
    catalog.createTable(def(name), Map.of(0, 0L));
    TableDefinition v2 = def(name).toBuilder().column("extra", "long").build();
    StoredTable after = catalog.updateTable(v2, 1);
    assertThat(after.version()).isEqualTo(2);
    assertThat(after.definition()).isEqualTo(v2);
    assertThat(after.partitions()).containsExactly(0);
    assertThat(catalog.getTable(name).orElseThrow().definition().column("extra")).isNotNull();

    assertThatThrownBy(() -> catalog.updateTable(def(name), 1))
        .isInstanceOfSatisfying(VersionConflictException.class, e -> {
          assertThat(e.expectedVersion()).isEqualTo(1);
          assertThat(e.actualVersion()).isEqualTo(2);
        });
    assertThat(catalog.getTable(name).orElseThrow().definition()).isEqualTo(v2);
  }

  @Test
  void updateTableRefusesATopicChangeAMissingAndADroppedTable() {
    String name = uniqueName("t");
    catalog.createTable(def(name), Map.of(0, 0L));
    TableDefinition other = def(name).toBuilder().source("127.0.0.1:9092", "another").build();
    assertThatThrownBy(() -> catalog.updateTable(other, 1))
        .isInstanceOfSatisfying(InvalidDefinitionException.class,
            e -> assertThat(e.field()).isEqualTo("source.topic"))
        .hasMessageStartingWith("source.topic:");
    assertThatThrownBy(() -> catalog.updateTable(def("missing"), 1)).isInstanceOf(TableNotFoundException.class);
    catalog.dropTable(name);
    assertThatThrownBy(() -> catalog.updateTable(def(name), 1)).isInstanceOf(TableStateException.class)
        .hasMessageContaining("DROPPED");
  }

  @Test
  void pauseResumeDropStatesAndDropKeepsTheChain() {
    String name = uniqueName("t");
    catalog.createTable(def(name), Map.of(0, 10L));
    CommitRecord r1 = append(genesisHead(name, 0), 5, 5);

    assertThat(catalog.pauseTable(name).state()).isEqualTo(TableState.PAUSED);
    assertThat(catalog.pauseTable(name).state()).isEqualTo(TableState.PAUSED);
    assertThat(catalog.getTable(name).orElseThrow().state()).isEqualTo(TableState.PAUSED);
    assertThat(catalog.resumeTable(name).state()).isEqualTo(TableState.ACTIVE);
    assertThat(catalog.resumeTable(name).state()).isEqualTo(TableState.ACTIVE);
    StoredTable dropped = catalog.dropTable(name);
    assertThat(dropped.state()).isEqualTo(TableState.DROPPED);
    assertThat(dropped.version()).isEqualTo(1);
    assertThat(catalog.dropTable(name).state()).isEqualTo(TableState.DROPPED);

    assertThatThrownBy(() -> catalog.resumeTable(name)).isInstanceOf(TableStateException.class);
    assertThatThrownBy(() -> catalog.pauseTable(name)).isInstanceOf(TableStateException.class);
    assertThatThrownBy(() -> catalog.addPartitions(name, Map.of(1, 0L))).isInstanceOf(TableStateException.class);
    assertThat(catalog.head(name, 0)).contains(r1);
    assertThat(catalog.partitions(name)).containsExactly(0);
    assertThat(catalog.audit(name).exact()).isTrue();

    assertThatThrownBy(() -> catalog.pauseTable("missing")).isInstanceOf(TableNotFoundException.class);
    assertThatThrownBy(() -> catalog.resumeTable("missing")).isInstanceOf(TableNotFoundException.class);
    assertThatThrownBy(() -> catalog.dropTable("missing")).isInstanceOf(TableNotFoundException.class);
  }

  @Test
  void addPartitionsIsIdempotentAndNeverTouchesAnExistingChain() {
    String name = uniqueName("t");
    catalog.createTable(def(name), Map.of(0, 100L));
    CommitRecord r1 = append(genesisHead(name, 0), 10, 10);
    assertThat(catalog.addPartitions(name, Map.of(0, 0L, 1, 5L, 2, 6L))).containsExactly(1, 2);
    assertThat(catalog.addPartitions(name, Map.of(1, 99L, 2, 99L))).isEmpty();
    assertThat(catalog.partitions(name)).containsExactly(0, 1, 2);
    assertThat(catalog.head(name, 0)).contains(r1);
    assertThat(genesisHead(name, 1).endOffset()).isEqualTo(5);
    assertThat(genesisHead(name, 2).endOffset()).isEqualTo(6);
    assertThat(catalog.getTable(name).orElseThrow().partitions()).containsExactly(0, 1, 2);
    assertThatThrownBy(() -> catalog.addPartitions("missing", Map.of(0, 0L)))
        .isInstanceOf(TableNotFoundException.class);
    assertThatThrownBy(() -> catalog.addPartitions(name, Map.of(3, -1L)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> catalog.partitions("missing")).isInstanceOf(TableNotFoundException.class);
  }

  // ------------------------------------------------------------------ commits

  @Test
  void commitAppendsAndRecordsPage() {
    String name = uniqueName("t");
    catalog.createTable(def(name), Map.of(0, 0L));
    CommitRecord head = genesisHead(name, 0);
    List<CommitRecord> written = new ArrayList<>();
    written.add(head);
    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofMillis(1));
      head = append(head, 10, 9);
      written.add(head);
    }
    assertThat(head.seq()).isEqualTo(5);
    assertThat(head.committedAt()).isEqualTo(clock.millis());
    assertThat(catalog.head(name, 0)).contains(head);
    assertThat(catalog.head(name, 0).orElseThrow().objects()).hasSize(1);

    assertThat(catalog.records(name, 0, 0, Long.MAX_VALUE, 2)).containsExactlyElementsOf(written.subList(0, 2));
    assertThat(catalog.records(name, 0, 2, Long.MAX_VALUE, 2)).containsExactlyElementsOf(written.subList(2, 4));
    assertThat(catalog.records(name, 0, 4, Long.MAX_VALUE, 2)).containsExactlyElementsOf(written.subList(4, 6));
    assertThat(catalog.records(name, 0, 6, Long.MAX_VALUE, 2)).isEmpty();
    assertThat(catalog.records(name, 0, 1, 4, 100)).containsExactlyElementsOf(written.subList(1, 4));
    assertThat(catalog.records(name, 0, 3, 3, 100)).isEmpty();
    assertThat(catalog.records(name, 9, 0, 10, 100)).isEmpty();
    assertThat(catalog.chain(name, 0).toList()).containsExactlyElementsOf(written);
    assertThatThrownBy(() -> catalog.records(name, 0, 0, 10, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> catalog.records(name, 0, -1, 10, 10)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void chainPagesPastAThousandRecords() {
    String name = uniqueName("t");
    catalog.createTable(def(name), Map.of(0, 0L));
    CommitRecord head = genesisHead(name, 0);
    for (int i = 0; i < 1005; i++) {
      head = append(head, 1, 0);
    }
    List<CommitRecord> all = catalog.chain(name, 0).toList();
    assertThat(all).hasSize(1006);
    for (int i = 0; i < all.size(); i++) {
      assertThat(all.get(i).seq()).isEqualTo(i);
    }
  }

  @Test
  void commitStoresEveryFieldIncludingDeadLettersAndLoss() {
    String name = uniqueName("t");
    catalog.createTable(def(name), Map.of(3, 0L));
    CommitRecord g = genesisHead(name, 3);
    CommitRecord rec = g.successor().endOffset(100).rows(90).dlqRows(2).bytes(4096).writer("runner-a").epoch(7)
        .object(PartObject.data(dataKey(name, 3, 0, 100), 60, 3000))
        .object(PartObject.data(dataKey(name, 3, 0, 100), 30, 1000))
        .object(PartObject.dlq(dlqKey(name, 3, 0, 100), 2, 96)).minTs(1L).maxTs(99L).committedAt(123L)
        .schemaVersion(4).build();
    CommitOutcome o = catalog.commit(g, rec);
    assertThat(o.status()).isEqualTo(CommitOutcome.Status.COMMITTED);
    assertThat(o.isCommitted()).isTrue();
    assertThat(catalog.head(name, 3)).contains(rec);

    CommitRecord loss = rec.successor().endOffset(500).writer("runner-a").epoch(7).lost(400L).build();
    assertThat(catalog.commit(rec, loss).isCommitted()).isTrue();
    CommitRecord stored = catalog.head(name, 3).orElseThrow();
    assertThat(stored.lost()).isEqualTo(400L);
    assertThat(stored.objects()).isEmpty();
    assertThat(stored.minTs()).isNull();
    assertThat(stored.maxTs()).isNull();
    assertThat(stored.schemaVersion()).isEqualTo(4);
    assertThat(stored.committedAt()).isEqualTo(clock.millis());
  }

  @Test
  void commitConflictCarriesTheWinnersHead() {
    String name = uniqueName("t");
    catalog.createTable(def(name), Map.of(0, 0L));
    CommitRecord g = genesisHead(name, 0);
    CommitRecord mine = next(g, 10, 10, "a");
    CommitRecord theirs = g.successor().endOffset(7).rows(0).writer("b").epoch(9).build();
    Catalog other = anotherClient(clock);
    assertThat(other.commit(g, theirs).isCommitted()).isTrue();

    CommitOutcome o = catalog.commit(g, mine);
    assertThat(o).isInstanceOfSatisfying(CommitOutcome.Conflict.class, c -> {
      assertThat(c.status()).isEqualTo(CommitOutcome.Status.CONFLICT);
      assertThat(c.currentHead().commitId()).isEqualTo(theirs.commitId());
      assertThat(c.currentHead().epoch()).isEqualTo(9);
      assertThat(c.currentHead().endOffset()).isEqualTo(7);
    });
    assertThat(catalog.head(name, 0).orElseThrow().commitId()).isEqualTo(theirs.commitId());
  }

  @Test
  void commitFromAStaleHeadConflictsWithTheCurrentHead() {
    String name = uniqueName("t");
    catalog.createTable(def(name), Map.of(0, 0L));
    CommitRecord g = genesisHead(name, 0);
    CommitRecord h2 = append(append(g, 1, 1), 1, 1);
    CommitOutcome o = catalog.commit(g, next(g, 5, 5, "late"));
    assertThat(o).isInstanceOfSatisfying(CommitOutcome.Conflict.class,
        c -> assertThat(c.currentHead()).isEqualTo(h2));
  }

  @Test
  void repeatingACommittedCommitIsCommittedNotAConflict() {
    String name = uniqueName("t");
    catalog.createTable(def(name), Map.of(0, 0L));
    CommitRecord g = genesisHead(name, 0);
    CommitRecord rec = next(g, 10, 10, "a");
    assertThat(catalog.commit(g, rec).isCommitted()).isTrue();
    CommitOutcome again = catalog.commit(g, rec);
    assertThat(again).isInstanceOfSatisfying(CommitOutcome.Committed.class,
        c -> assertThat(c.record().commitId()).isEqualTo(rec.commitId()));
    assertThat(catalog.head(name, 0).orElseThrow().seq()).isEqualTo(1);
  }

  @Test
  void commitRejectsMalformedRecordsBeforeWriting() {
    String name = uniqueName("t");
    catalog.createTable(def(name), Map.of(0, 50L, 1, 0L));
    CommitRecord g = genesisHead(name, 0);
    CommitRecord good = next(g, 10, 10, "w");
    Map<String, UnaryOperator<CommitRecord.Builder>> bad = new HashMap<>();
    bad.put("seq", b -> b.seq(2));
    bad.put("start_offset", b -> b.startOffset(49));
    bad.put("end_offset", b -> b.endOffset(40).rows(0).objects(List.of()).minTs(null).maxTs(null));
    bad.put("sum of data object rows", b -> b.rows(9));
    bad.put("sum of dlq object rows", b -> b.dlqRows(1).endOffset(70));
    bad.put("exceeds", b -> b.endOffset(55));
    bad.put("appears twice", b -> b.object(good.objects().get(0)).rows(20).endOffset(80));
    bad.put("writer", b -> b.writer(" "));
    bad.put("commit_id", b -> b.commitId(""));
    bad.put("min_ts", b -> b.minTs(5_000L));
    bad.put("partition 1", b -> b.partition(1));
    bad.put(">= 0", b -> b.bytes(-1));
    bad.put("retention-gap", b -> b.lost(10L));
    bad.forEach((expected, edit) -> {
      CommitRecord.Builder b = g.successor().endOffset(good.endOffset()).rows(10).bytes(100).writer("w")
          .objects(good.objects()).minTs(1_000L).maxTs(2_000L);
      CommitRecord r = edit.apply(b).build();
      assertThatThrownBy(() -> catalog.commit(g, r)).as(expected).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(expected);
    });
    assertThatThrownBy(() -> catalog.commit(null, good)).isInstanceOf(IllegalArgumentException.class);
    assertThat(catalog.head(name, 0)).contains(g);
    assertThat(catalog.head(name, 1).orElseThrow().isGenesis()).isTrue();
  }

  /**
   * 8 writers, each through its own client, append 200 records each to ONE chain. Every attempt
   * is counted; the chain must be contiguous, hole-free and hold exactly the winners' commits.
   */
  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void concurrentWritersNeverLoseOrDuplicateACommit() throws Exception {
    String name = uniqueName("race");
    catalog.createTable(def(name), Map.of(0, 1000L));
    int threads = 8;
    int perThread = 200;
    CyclicBarrier firstRead = new CyclicBarrier(threads);
    Map<Long, String> winners = new ConcurrentHashMap<>();
    Map<Long, String> winnerWriter = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<long[]>> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      String writer = "writer-" + t;
      Catalog client = anotherClient(clock);
      results.add(pool.submit(() -> {
        long successes = 0;
        long conflicts = 0;
        long attempts = 0;
        CommitRecord head = client.head(name, 0).orElseThrow();
        firstRead.await(1, TimeUnit.MINUTES); // everybody starts from genesis: the first round must conflict
        while (successes < perThread) {
          CommitRecord rec = next(head, 3, 2, writer);
          attempts++;
          CommitOutcome o = client.commit(head, rec);
          if (o instanceof CommitOutcome.Committed c) {
            successes++;
            assertThat(winners.putIfAbsent(c.record().seq(), c.record().commitId())).isNull();
            winnerWriter.put(c.record().seq(), writer);
            head = c.record();
          } else if (o instanceof CommitOutcome.Conflict c) {
            conflicts++;
            assertThat(c.currentHead().seq()).isGreaterThanOrEqualTo(rec.seq());
            head = c.currentHead();
          } else {
            throw new AssertionError("unexpected outcome " + o);
          }
        }
        return new long[] {successes, conflicts, attempts};
      }));
    }
    long successes = 0;
    long conflicts = 0;
    long attempts = 0;
    for (Future<long[]> f : results) {
      long[] r = f.get(10, TimeUnit.MINUTES);
      successes += r[0];
      conflicts += r[1];
      attempts += r[2];
      assertThat(r[0]).isEqualTo(perThread);
      assertThat(r[0] + r[1]).isEqualTo(r[2]);
    }
    pool.shutdown();

    List<CommitRecord> chain = catalog.chain(name, 0).toList();
    assertThat(successes).isEqualTo(chain.size() - 1).isEqualTo((long) threads * perThread);
    assertThat(conflicts).isGreaterThanOrEqualTo(threads - 1);
    assertThat(attempts).isEqualTo(successes + conflicts);
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < chain.size(); i++) {
      CommitRecord r = chain.get(i);
      assertThat(r.seq()).isEqualTo(i);
      if (i == 0) {
        continue;
      }
      assertThat(r.startOffset()).isEqualTo(chain.get(i - 1).endOffset());
      assertThat(r.commitId()).isEqualTo(winners.get(r.seq()));
      assertThat(r.writer()).isEqualTo(winnerWriter.get(r.seq()));
      assertThat(ids.add(r.commitId())).isTrue();
    }
    assertThat(winners).hasSize(threads * perThread);
    AuditReport audit = catalog.audit(name);
    assertThat(audit.problems()).isEmpty();
    assertThat(audit.rows()).isEqualTo(2L * threads * perThread);
  }

  // ------------------------------------------------------------------ lease

  @Test
  void leaseHasOneHolderAndPassesOnAfterExpiry() {
    Catalog a = catalog;
    Catalog b = anotherClient(clock);
    Duration ttl = Duration.ofSeconds(10);
    assertThat(a.currentLease()).isEmpty();

    Lease la = a.acquireLease("sched-a", "10.0.0.1:9000", ttl).orElseThrow();
    assertThat(la.epoch()).isEqualTo(1);
    assertThat(la.expiresAtMillis()).isEqualTo(clock.millis() + ttl.toMillis());
    assertThat(b.acquireLease("sched-b", "10.0.0.2:9000", ttl)).isEmpty();
    assertThat(b.currentLease()).contains(la);

    clock.advance(Duration.ofSeconds(5));
    la = a.renewLease(la, ttl).orElseThrow();
    assertThat(la.expiresAtMillis()).isEqualTo(clock.millis() + ttl.toMillis());
    clock.advance(Duration.ofSeconds(9));
    assertThat(b.acquireLease("sched-b", "10.0.0.2:9000", ttl)).as("still live after renewal").isEmpty();

    clock.advance(Duration.ofSeconds(2));
    Lease lb = b.acquireLease("sched-b", "10.0.0.2:9000", ttl).orElseThrow();
    assertThat(lb.epoch()).isEqualTo(2);
    assertThat(a.currentLease().orElseThrow().address()).isEqualTo("10.0.0.2:9000");
    assertThat(a.renewLease(la, ttl)).as("stale epoch").isEmpty();
    assertThat(a.releaseLease(la)).isFalse();
    assertThat(a.acquireLease("sched-a", "10.0.0.1:9000", ttl)).isEmpty();

    assertThat(b.releaseLease(lb)).isTrue();
    assertThat(b.currentLease().orElseThrow().isLive(clock.millis())).isFalse();
    Lease again = a.acquireLease("sched-a", "10.0.0.1:9000", ttl).orElseThrow();
    assertThat(again.epoch()).isEqualTo(3);
    assertThat(b.renewLease(lb, ttl)).isEmpty();
  }

  @Test
  void leaseRefusesBadArguments() {
    assertThatThrownBy(() -> catalog.acquireLease("", "h:1", Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> catalog.acquireLease("a", "h:1", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ------------------------------------------------------------------ assignments

  @Test
  void assignmentIsCompareAndSetOnVersion() {
    String name = uniqueName("t");
    assertThat(catalog.assignment(name)).isEmpty();
    Assignment a1 = catalog.putAssignment(name, 0, Map.of(0, "r1", 1, "r2"), Map.of(0, 1L, 1, 1L));
    assertThat(a1.version()).isEqualTo(1);
    assertThat(catalog.assignment(name)).contains(a1);
    assertThatThrownBy(() -> catalog.putAssignment(name, 0, Map.of(), Map.of()))
        .isInstanceOfSatisfying(VersionConflictException.class, e -> assertThat(e.actualVersion()).isEqualTo(1));
    Assignment a2 = anotherClient(clock).putAssignment(name, 1, Map.of(0, "r1", 1, "r1"), Map.of(0, 1L, 1, 2L));
    assertThat(a2.version()).isEqualTo(2);
    assertThatThrownBy(() -> catalog.putAssignment(name, 1, Map.of(), Map.of()))
        .isInstanceOfSatisfying(VersionConflictException.class, e -> {
          assertThat(e.expectedVersion()).isEqualTo(1);
          assertThat(e.actualVersion()).isEqualTo(2);
        });
    Assignment read = catalog.assignment(name).orElseThrow();
    assertThat(read.owners()).isEqualTo(Map.of(0, "r1", 1, "r1"));
    assertThat(read.epochs()).isEqualTo(Map.of(0, 1L, 1, 2L));
    Assignment empty = catalog.putAssignment(name, 2, Map.of(), Map.of());
    assertThat(catalog.assignment(name)).contains(empty);
  }

  // ------------------------------------------------------------------ audit

  @Test
  void auditOfAnHonestTableIsExact() {
    String name = uniqueName("t");
    catalog.createTable(def(name), Map.of(0, 0L, 1, 100L));
    CommitRecord h = append(append(genesisHead(name, 0), 10, 10), 5, 4);
    CommitRecord g1 = genesisHead(name, 1);
    CommitRecord loss = g1.successor().endOffset(150).writer("w").lost(50L).build();
    assertThat(catalog.commit(g1, loss).isCommitted()).isTrue();
    append(loss, 20, 20);

    AuditReport r = catalog.audit(name);
    assertThat(r.exact()).isTrue();
    assertThat(r.problems()).isEmpty();
    assertThat(r.rows()).isEqualTo(34);
    assertThat(r.lost()).isEqualTo(50);
    assertThat(r.losses()).singleElement().asString().contains("partition 1 seq 1").contains("50");
    assertThat(r.partitions()).containsExactly(new AuditReport.PartitionSummary(0, 2, 14, 0, 0, h.endOffset(), 0),
        new AuditReport.PartitionSummary(1, 2, 20, 0, 100, 170, 50));
    assertThat(r.toJson()).contains("\"table\":\"" + name + "\"", "\"exact\":true", "\"rows\":34",
        "\"dlq_rows\":0", "\"problems\":[]", "\"partitions\":[");
    assertThatThrownBy(() -> catalog.audit("missing")).isInstanceOf(TableNotFoundException.class);
  }

  @Test
  void auditReportsEveryKindOfBrokenChain() {
    String t = uniqueName("t");
    catalog.createTable(def(t), Map.of(0, 0L, 1, 0L, 2, 0L));
    // partition 0: gap, then overlap, then a seq hole
    CommitRecord r1 = raw(t, 0, 1, 0, 10, 10, null);
    CommitRecord r2 = raw(t, 0, 2, 12, 20, 8, null); // gap [10,12)
    CommitRecord r3 = raw(t, 0, 3, 18, 30, 12, null); // overlap [18,20)
    CommitRecord r5 = raw(t, 0, 5, 30, 40, 10, null); // hole: no seq 4
    List.of(r1, r2, r3, r5).forEach(this::putUnchecked);
    // partition 1: row mismatches, a key outside the layout, a reused key
    String shared = r1.objects().get(0).key();
    putUnchecked(CommitRecord.builder().table(t).partition(1).seq(1).startOffset(0).endOffset(10).rows(7)
        .writer("w").object(PartObject.data(dataKey(t, 1, 0, 10), 6, 10)).build());
    putUnchecked(CommitRecord.builder().table(t).partition(1).seq(2).startOffset(10).endOffset(20).rows(0)
        .dlqRows(3).writer("w").object(PartObject.dlq(dlqKey(t, 1, 10, 20), 2, 10)).build());
    putUnchecked(CommitRecord.builder().table(t).partition(1).seq(3).startOffset(20).endOffset(30).rows(5)
        .writer("w").object(PartObject.data(dataKey(t, 1, 0, 10), 5, 10)).build());
    putUnchecked(CommitRecord.builder().table(t).partition(1).seq(4).startOffset(30).endOffset(40).rows(5)
        .writer("w").object(PartObject.data("../../etc/p1-30-40-x.parquet", 5, 10)).build());
    putUnchecked(CommitRecord.builder().table(t).partition(1).seq(5).startOffset(40).endOffset(50).rows(5)
        .writer("w").object(PartObject.data(shared, 5, 10)).build());
    // partition 2: a retention loss (reported apart) and too many rows for its offsets
    putUnchecked(CommitRecord.builder().table(t).partition(2).seq(1).startOffset(0).endOffset(100).writer("w")
        .lost(100L).build());
    putUnchecked(CommitRecord.builder().table(t).partition(2).seq(2).startOffset(100).endOffset(102).rows(5)
        .writer("w").object(PartObject.data(dataKey(t, 2, 100, 102), 5, 10)).build());
    putUnchecked(CommitRecord.builder().table(t).partition(2).seq(3).startOffset(102).endOffset(110).writer("w")
        .lost(3L).build());
    // partition 3: a genesis that is not one
    catalog.addPartitions(t, Map.of(3, 0L));
    putUnchecked(CommitRecord.builder().table(t).partition(3).seq(0).startOffset(0).endOffset(5).writer("w")
        .build());

    AuditReport r = catalog.audit(t);
    assertThat(r.exact()).isFalse();
    List<String> p = r.problems();
    assertThat(p).anySatisfy(s -> assertThat(s).startsWith("partition 0 seq 2: gap"));
    assertThat(p).anySatisfy(s -> assertThat(s).startsWith("partition 0 seq 3: overlap"));
    assertThat(p).anySatisfy(s -> assertThat(s).startsWith("partition 0 seq 5: seq hole"));
    assertThat(p).anySatisfy(s -> assertThat(s).startsWith("partition 1 seq 1: rows 7 != sum of data object rows 6"));
    assertThat(p).anySatisfy(s -> assertThat(s).startsWith("partition 1 seq 2: dlq_rows 3 != sum of dlq object rows 2"));
    assertThat(p).anySatisfy(s -> assertThat(s).startsWith("partition 1 seq 3: object key").contains("names p1-0-10"));
    assertThat(p).anySatisfy(s -> assertThat(s).startsWith("partition 1 seq 4: object key ../../etc")
        .contains("outside the layout"));
    assertThat(p).anySatisfy(s -> assertThat(s).startsWith("partition 1 seq 5: duplicate object key " + shared)
        .contains("partition 0 seq 1"));
    assertThat(p).anySatisfy(s -> assertThat(s).startsWith("partition 2 seq 2: rows + dlq_rows = 5 exceeds"));
    assertThat(p).anySatisfy(s -> assertThat(s).startsWith("partition 2 seq 3: retention-gap record with lost 3"));
    assertThat(p).anySatisfy(s -> assertThat(s).startsWith("partition 3 seq 0: genesis must have"));
    assertThat(p).noneMatch(s -> s.startsWith("partition 2 seq 1"));
    assertThat(r.losses()).first().asString().startsWith("partition 2 seq 1: lost at the source");
    assertThat(r.toJson()).contains("\"exact\":false", "partition 0 seq 2: gap");
  }

  @Test
  void auditReportsAMissingGenesisAndAnEmptyChain() {
    String t = uniqueName("t");
    catalog.createTable(def(t), Map.of(0, 0L, 1, 0L));
    append(genesisHead(t, 0), 10, 10);
    deleteUnchecked(t, 0, 0);
    deleteUnchecked(t, 1, 0);
    AuditReport r = catalog.audit(t);
    assertThat(r.problems()).containsExactly("partition 0 seq 1: missing genesis: the chain starts at seq 1",
        "partition 1: no chain (no genesis record)");
  }

  private static CommitRecord raw(String t, int p, long seq, long start, long end, long rows, Long lost) {
    return CommitRecord.builder().table(t).partition(p).seq(seq).startOffset(start).endOffset(end).rows(rows)
        .writer("w").lost(lost).object(PartObject.data(dataKey(t, p, start, end), rows, rows)).build();
  }
}
