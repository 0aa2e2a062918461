package io.tributary.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.catalog.StoredTable;
import io.tributary.catalog.TableDefinition;
import io.tributary.infra.LocalStack;
import io.tributary.infra.LocalStackExtension;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The publisher against real servers: chains in dynalite, parts written by the runner's writer in
 * S3Mock, Iceberg's JdbcCatalog on SQLite, and everything read back with Iceberg's own generic
 * reader. Faults the servers cannot produce on demand go through {@link FaultyCatalog}.
 */
@ExtendWith(LocalStackExtension.class)
class PublisherIT {
  private LocalStack stack;
  private Chains chains;
  private IcebergCatalogs catalogs;

  @BeforeEach
  void setUp(LocalStack stack) {
    this.stack = stack;
    this.chains = new Chains(stack);
    this.catalogs = new IcebergCatalogs(stack.env());
  }

  @AfterEach
  void tearDown() {
    catalogs.close();
  }

  private Publisher publisher(Catalog iceberg, String id) {
    return new Publisher(chains.catalog, name -> iceberg, "tributary", id);
  }

  @Test
  void everyCommittedPartOnceNoDeadLettersNoOrphansWithMetricsAndTimestampsFiltered() throws Exception {
    StoredTable stored = chains.create(Chains.unique("clicks"), 3);
    for (int round = 0; round < 3; round++) {
      for (int p = 0; p < 3; p++) {
        chains.commitPart(stored, p, 200 + 17 * p, 50);
      }
    }
    String orphan = chains.orphan(stored, 1);
    Publisher publisher = publisher(catalogs.catalog(null), "test-1");

    Publisher.Result r = publisher.publish(stored);
    assertThat(r.outcome()).isEqualTo(Publisher.Outcome.PUBLISHED);
    assertThat(r.files()).isEqualTo(9);
    assertThat(r.rows()).isEqualTo(chains.rows);
    assertThat(r.heads().heads()).isEqualTo(Map.of(0, 3L, 1, 3L, 2, 3L));
    assertThat(publisher.publish(stored).outcome()).isEqualTo(Publisher.Outcome.NOTHING_NEW);

    Table table = catalogs.catalog(null).loadTable(IcebergTables.identifier(stored.definition(), "tributary"));
    assertThat(table.location()).isEqualTo("s3://tributary/tables/" + stored.name());
    assertThat(table.currentSnapshot().summary()).containsEntry(ChainHeads.PROPERTY, "{\"0\":3,\"1\":3,\"2\":3}")
        .containsEntry(ChainHeads.TABLE_VERSION, "1");
    assertReadBackExactlyOnce(table);

    // no dead-letter object and no orphan in the snapshot; metrics on every file; ts bounds in micros
    List<DataFile> files = files(table);
    assertThat(files).hasSize(9);
    int tsId = table.schema().findField("ts").fieldId();
    for (DataFile f : files) {
      assertThat(f.location()).endsWith(".parquet").doesNotContain("/_dlq/").doesNotContain(orphan);
      assertThat(f.valueCounts()).isNotEmpty();
      assertThat(f.nullValueCounts()).isNotEmpty();
      assertThat(f.lowerBounds()).containsKey(tsId);
      long lower = Conversions.<Long>fromByteBuffer(Types.TimestampType.withZone(), f.lowerBounds().get(tsId));
      long upper = Conversions.<Long>fromByteBuffer(Types.TimestampType.withZone(), f.upperBounds().get(tsId));
      assertThat(lower).as("lower bound of ts in micros").isGreaterThanOrEqualTo(Chains.T0 * 1000)
          .isLessThan((Chains.T0 + 10_000_000L) * 1000);
      assertThat(upper).isGreaterThanOrEqualTo(lower);
    }

    // a WHERE ts BETWEEN through Iceberg's scan planning (file pruning on the bounds) and reader
    long fromOffset = 120;
    long toOffset = 480;
    OffsetDateTime from = OffsetDateTime.ofInstant(Instant.ofEpochMilli(Chains.T0 + fromOffset * 1000), ZoneOffset.UTC);
    OffsetDateTime to = OffsetDateTime.ofInstant(Instant.ofEpochMilli(Chains.T0 + toOffset * 1000), ZoneOffset.UTC);
    long expected = chains.landed.values().stream().flatMap(List::stream)
        .filter(o -> o >= fromOffset && o <= toOffset).count();
    long got = 0;
    try (CloseableIterable<Record> rows = IcebergGenerics.read(table)
        .where(Expressions.and(Expressions.greaterThanOrEqual("ts", from.toInstant().toEpochMilli() * 1000),
            Expressions.lessThanOrEqual("ts", to.toInstant().toEpochMilli() * 1000))).build()) {
      for (Record rec : rows) {
        OffsetDateTime ts = (OffsetDateTime) rec.getField("ts");
        if (!ts.isBefore(from) && !ts.isAfter(to)) {
          got++;
        }
      }
    }
    assertThat(got).isEqualTo(expected).isPositive();

    IcebergAudit.Report audit = IcebergAudit.audit(chains.catalog, stored, table);
    assertThat(audit.problems()).isEmpty();
    assertThat(audit.exact()).isTrue();
    assertThat(audit.files()).isEqualTo(9);
    assertThat(audit.rows()).isEqualTo(chains.rows);
  }

  @Test
  void laterCommitsGoIntoTheNextSnapshotOnlyAndDroppedTablesStayReadable() throws Exception {
    StoredTable stored = chains.create(Chains.unique("later"), 2);
    chains.commitPart(stored, 0, 100, 0);
    Publisher publisher = publisher(catalogs.catalog(null), "test-1");
    assertThat(publisher.publish(stored).files()).isEqualTo(1);
    chains.commitPart(stored, 0, 100, 0);
    chains.commitPart(stored, 1, 100, 0);
    Table table = publisher.table(stored);
    Publisher.Result before = publisher.status(stored, table);
    assertThat(before.pending()).isEqualTo(200);
    assertThat(before.oldestPendingCommitMillis()).isPositive();
    Publisher.Result r = publisher.publish(stored);
    assertThat(r.files()).isEqualTo(2);
    assertThat(r.heads().heads()).isEqualTo(Map.of(0, 2L, 1, 1L));
    assertThat(publisher.status(stored, table).pending()).isZero();

    chains.catalog.dropTable(stored.name());
    Table reloaded = catalogs.catalog(null).loadTable(IcebergTables.identifier(stored.definition(), "tributary"));
    assertReadBackExactlyOnce(reloaded);
  }

  @Test
  void aLostSwapResponseIsResolvedFromTheHeadsWithoutAddingAFileTwice() throws Exception {
    StoredTable stored = chains.create(Chains.unique("lost"), 2);
    chains.commitPart(stored, 0, 150, 40);
    chains.commitPart(stored, 1, 150, 40);
    FaultyCatalog faulty = new FaultyCatalog(catalogs.catalog(null));
    Publisher publisher = publisher(faulty, "test-1");
    publisher.table(stored); // created before faults start
    faulty.hook = (base, metadata, commit) -> {
      commit.run();
      throw new CommitStateUnknownException(new RuntimeException("injected: response lost after the swap"));
    };
    assertThat(publisher.publish(stored).outcome()).isEqualTo(Publisher.Outcome.UNKNOWN);
    faulty.hook = null;
    chains.commitPart(stored, 1, 50, 0);
    Publisher.Result r = publisher.publish(stored);
    assertThat(r.outcome()).isEqualTo(Publisher.Outcome.PUBLISHED);
    assertThat(r.files()).as("only the part committed after the lost swap").isEqualTo(1);
    Table table = faulty.loadTable(IcebergTables.identifier(stored.definition(), "tributary"));
    assertReadBackExactlyOnce(table);
    assertThat(IcebergAudit.audit(chains.catalog, stored, table).exact()).isTrue();

    // the response lost BEFORE the swap: nothing was added, the next round adds it once
    chains.commitPart(stored, 0, 60, 0);
    faulty.hook = (base, metadata, commit) -> {
      throw new CommitStateUnknownException(new RuntimeException("injected: request lost before the swap"));
    };
    assertThat(publisher.publish(stored).outcome()).isEqualTo(Publisher.Outcome.UNKNOWN);
    faulty.hook = null;
    assertThat(publisher.publish(stored).files()).isEqualTo(1);
    assertReadBackExactlyOnce(table);
  }

  @Test
  void aPublisherRestartedBetweenWritingMetadataAndTheSwapAddsNothingTwice() throws Exception {
    StoredTable stored = chains.create(Chains.unique("crash"), 2);
    chains.commitPart(stored, 0, 120, 0);
    chains.commitPart(stored, 1, 120, 0);
    FaultyCatalog faulty = new FaultyCatalog(catalogs.catalog(null));
    Publisher first = publisher(faulty, "test-1");
    first.table(stored);
    faulty.hook = (base, metadata, commit) -> {
      throw new IllegalStateException("injected: the process died after writing manifests, before the swap");
    };
    try {
      first.publish(stored);
    } catch (IllegalStateException expected) {
      // the "crash"
    }
    // a new process: a new catalog instance on the same SQLite file
    try (IcebergCatalogs restarted = new IcebergCatalogs(stack.env())) {
      Publisher second = publisher(restarted.catalog(null), "test-2");
      Publisher.Result r = second.publish(stored);
      assertThat(r.outcome()).isEqualTo(Publisher.Outcome.PUBLISHED);
      assertThat(r.files()).isEqualTo(2);
      assertThat(second.publish(stored).outcome()).isEqualTo(Publisher.Outcome.NOTHING_NEW);
      Table table = restarted.catalog(null).loadTable(IcebergTables.identifier(stored.definition(), "tributary"));
      assertReadBackExactlyOnce(table);
      assertThat(IcebergAudit.audit(chains.catalog, stored, table).exact()).isTrue();
    }
  }

  @Test
  void twoRacingPublishersAddEachPartOnce() throws Exception {
    StoredTable stored = chains.create(Chains.unique("race"), 2);
    chains.commitPart(stored, 0, 100, 0);
    chains.commitPart(stored, 1, 100, 0);
    // deterministic race: B publishes the same parts while A is between reading heads and its swap
    FaultyCatalog a = new FaultyCatalog(catalogs.catalog(null));
    Publisher pa = publisher(a, "old-leader");
    pa.table(stored);
    try (IcebergCatalogs other = new IcebergCatalogs(stack.env())) {
      Publisher pb = publisher(other.catalog(null), "new-leader");
      a.hook = (base, metadata, commit) -> {
        assertThat(pb.publish(stored).outcome()).isEqualTo(Publisher.Outcome.PUBLISHED);
        commit.run();
      };
      assertThat(pa.publish(stored).outcome()).isEqualTo(Publisher.Outcome.CONFLICT);
      a.hook = null;
      assertThat(pa.publish(stored).outcome()).isEqualTo(Publisher.Outcome.NOTHING_NEW);

      // free-running race: both publish in loops while parts keep coming
      Publisher pc = publisher(other.catalog(null), "new-leader");
      List<Throwable> errors = new ArrayList<>();
      Thread t1 = new Thread(() -> loop(pa, stored, errors));
      Thread t2 = new Thread(() -> loop(pc, stored, errors));
      t1.start();
      t2.start();
      for (int i = 0; i < 6; i++) {
        chains.commitPart(stored, i % 2, 80, 0);
      }
      t1.join();
      t2.join();
      assertThat(errors).isEmpty();
      Publisher.Result last = pa.publish(stored);
      assertThat(last.outcome()).isIn(Publisher.Outcome.PUBLISHED, Publisher.Outcome.NOTHING_NEW);
      Table table = a.loadTable(IcebergTables.identifier(stored.definition(), "tributary"));
      assertReadBackExactlyOnce(table);
      assertThat(IcebergAudit.audit(chains.catalog, stored, table).problems()).isEmpty();
    }
  }

  private static void loop(Publisher p, StoredTable stored, List<Throwable> errors) {
    try {
      for (int i = 0; i < 15; i++) {
        p.publish(stored);
      }
    } catch (Throwable e) {
      synchronized (errors) {
        errors.add(e);
      }
    }
  }

  @Test
  void anAddedColumnEvolvesTheIcebergSchemaWithANewFieldIdAndOldPartsReadNull() throws Exception {
    StoredTable stored = chains.create(Chains.unique("evolve"), 1);
    chains.commitPart(stored, 0, 50, 0);
    Publisher publisher = publisher(catalogs.catalog(null), "test-1");
    publisher.publish(stored);
    TableDefinition v2 = stored.definition().toBuilder()
        .column(TableDefinition.Column.of("region", "string")).build();
    StoredTable updated = chains.catalog.updateTable(v2, stored.version());
    int regionId = updated.definition().fieldIds().id("region");
    assertThat(regionId).isGreaterThan(stored.definition().fieldIds().lastId());
    chains.commitPart(updated, 0, 50, 0);
    assertThat(publisher.publish(updated).files()).isEqualTo(1);
    Table table = catalogs.catalog(null).loadTable(IcebergTables.identifier(updated.definition(), "tributary"));
    assertThat(table.schema().findField("region").fieldId()).isEqualTo(regionId);
    assertThat(table.schema().findField("_offset").fieldId())
        .isEqualTo(stored.definition().fieldIds().id("_offset"));
    assertReadBackExactlyOnce(table);
  }

  @Test
  void snapshotExpiryKeepsEveryDataFile() throws Exception {
    StoredTable stored = chains.create(Chains.unique("expire"), 1);
    Publisher publisher = publisher(catalogs.catalog(null), "test-1");
    for (int i = 0; i < 5; i++) {
      chains.commitPart(stored, 0, 40, 0);
      publisher.publish(stored);
    }
    Table table = publisher.table(stored);
    int expired = SnapshotExpiry.expire(table, 2, Duration.ZERO, System.currentTimeMillis() + 1000);
    assertThat(expired).isGreaterThanOrEqualTo(3);
    for (DataFile f : files(table)) {
      String key = f.location().substring("s3://tributary/".length());
      assertThat(chains.s3.headObject(b -> b.bucket("tributary").key(key)).contentLength()).isPositive();
    }
    assertReadBackExactlyOnce(table);
    assertThat(IcebergAudit.audit(chains.catalog, stored, table).exact()).isTrue();
  }

  @Test
  void theServicePublishesEveryIntervalUntilStoppedAndFinishesDroppedTables() throws Exception {
    StoredTable stored = chains.create(Chains.unique("svc"), 2);
    TableDefinition fast = stored.definition().toBuilder()
        .iceberg(new TableDefinition.Iceberg(true, null, "tributary", null, 200)).build();
    stored = chains.catalog.updateTable(fast, stored.version());
    try (PublicationService service = new PublicationService(chains.catalog, catalogs, "svc-test")) {
      service.tables(List.of(stored));
      assertThat(service.status()).as("not started: not leader").isEmpty();
      service.start();
      service.tables(List.of(stored));
      for (int i = 0; i < 4; i++) {
        chains.commitPart(stored, i % 2, 120, 30);
      }
      String name = stored.name();
      long deadline = System.currentTimeMillis() + 60_000;
      while (System.currentTimeMillis() < deadline) {
        PublicationService.TableStatus st = service.status().get(name);
        if (st != null && st.heads().equals(Map.of(0, 2L, 1, 2L)) && st.pendingRows() == 0) {
          break;
        }
        Thread.sleep(50);
      }
      PublicationService.TableStatus st = service.status().get(name);
      assertThat(st.heads()).isEqualTo(Map.of(0, 2L, 1, 2L));
      assertThat(st.publishedRows()).isEqualTo(chains.rows);
      assertThat(st.failures()).isZero();
      assertThat(st.icebergTable()).endsWith("tributary." + name);

      StoredTable dropped = chains.catalog.dropTable(name);
      service.tables(List.of(dropped));
      service.stop();
      assertThat(service.status()).isEmpty();
    }
    Table table = catalogs.catalog(null).loadTable(IcebergTables.identifier(stored.definition(), "tributary"));
    assertReadBackExactlyOnce(table);
    assertThat(IcebergAudit.audit(chains.catalog, stored, table).exact()).isTrue();
  }

  private static List<DataFile> files(Table table) throws Exception {
    List<DataFile> out = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().includeColumnStats().planFiles()) {
      for (FileScanTask t : tasks) {
        out.add(t.file());
      }
    }
    return out;
  }

  /** Iceberg's generic reader returns every landed good row once, with the values we wrote. */
  private void assertReadBackExactlyOnce(Table table) throws Exception {
    table.refresh();
    Map<Integer, List<Long>> seen = new TreeMap<>();
    Map<String, Integer> twice = new HashMap<>();
    try (CloseableIterable<Record> rows = IcebergGenerics.read(table).build()) {
      for (Record r : rows) {
        int p = (Integer) r.getField("_kafka_partition");
        long off = (Long) r.getField("_offset");
        seen.computeIfAbsent(p, k -> new ArrayList<>()).add(off);
        twice.merge(p + "/" + off, 1, Integer::sum);
        OffsetDateTime ts = (OffsetDateTime) r.getField("ts");
        assertThat(ts.toInstant()).isEqualTo(Instant.ofEpochMilli(Chains.T0 + off * 1000));
        OffsetDateTime kafkaTs = (OffsetDateTime) r.getField("_timestamp");
        assertThat(kafkaTs.toInstant()).isEqualTo(Instant.ofEpochMilli(Chains.T0 + off * 1000));
        assertThat(r.getField("event_id")).isEqualTo("e" + off);
        assertThat(r.getField("user_id")).isEqualTo(off * 7);
        assertThat(r.getField("amount")).isEqualTo(new BigDecimal((off % 1000) + ".25"));
        assertThat(r.getField("day")).isEqualTo(LocalDate.of(2026, 11, 30));
        assertThat(r.getField("ok")).isEqualTo(off % 2 == 0);
      }
    }
    assertThat(twice.values()).allMatch(n -> n == 1);
    Map<Integer, List<Long>> want = new TreeMap<>();
    chains.landed.forEach((p, offs) -> want.put(p, new ArrayList<>(offs)));
    seen.values().forEach(l -> l.sort(Long::compare));
    assertThat(seen).isEqualTo(want);
  }

}
