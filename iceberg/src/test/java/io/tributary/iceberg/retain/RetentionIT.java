package io.tributary.iceberg.retain;

import io.tributary.iceberg.Chains;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.catalog.AuditReport;
import io.tributary.catalog.Checkpoint;
import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.Compaction;
import io.tributary.catalog.StoredTable;
import io.tributary.iceberg.ChainHeads;
import io.tributary.iceberg.IcebergAudit;
import io.tributary.iceberg.IcebergCatalogs;
import io.tributary.iceberg.Publisher;
import io.tributary.iceberg.compact.Compactor;
import io.tributary.iceberg.compact.S3FileIOs;
import io.tributary.infra.LocalStack;
import io.tributary.infra.LocalStackExtension;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.iceberg.Table;
import org.apache.iceberg.aws.s3.S3FileIO;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Retention (docs/maintenance.md rule 4) against real servers: chains in dynalite, parts written by
 * the runner's writer in the local S3, compaction links by the real {@link Compactor}, Iceberg's
 * JdbcCatalog on SQLite, and the table read back with Iceberg's generic reader.
 *
 * <p>The scenario (retention 1d; old parts at T0, new ones at T0 + 10d; the clock at T0 + 10d + 2h):
 * <ul>
 * <li>p0: old, old, old (compacted into one link, after being published), old, new, new → seqs 0..4 expire
 * (the link inside the run);</li>
 * <li>p1: old, old, new (compacted into one link straddling the cutoff), new → nothing expires (a link
 * is never cut);</li>
 * <li>p2: old, old (compacted), old with dead letters, new → seqs 0..3 expire, dead letters too.</li>
 * </ul>
 */
@ExtendWith(LocalStackExtension.class)
class RetentionIT {
  private static final long DAY = 86_400_000L;
  private static final long OLD = Chains.T0;
  private static final long NEW = Chains.T0 + 10 * DAY;
  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(NEW + 2 * 3_600_000L), ZoneOffset.UTC);
  /** Expected checkpoint seq per partition (p1: none). */
  private static final Map<Integer, Long> CHECKPOINTS = Map.of(0, 4L, 2, 3L);

  private LocalStack stack;
  private Chains chains;
  private IcebergCatalogs catalogs;
  private Catalog iceberg;

  @BeforeEach
  void setUp(LocalStack stack) {
    this.stack = stack;
    this.chains = new Chains(stack);
    this.catalogs = new IcebergCatalogs(stack.env());
    this.iceberg = catalogs.catalog(null);
  }

  @AfterEach
  void tearDown() {
    catalogs.close();
  }

  private Publisher publisher() {
    return new Publisher(chains.catalog, name -> iceberg, "tributary", "test-publisher");
  }

  private Retention retention(io.tributary.catalog.Catalog catalog) {
    return new Retention(catalog, chains.s3, name -> iceberg, "tributary", CLOCK);
  }

  /** What the scenario expects to vanish. */
  private record Scenario(StoredTable stored, Set<String> expiredKeys, Set<String> keptKeys,
      Map<Integer, Long> cutEnd, long expiredRows, long expiredDlq) {
  }

  private Scenario scenario() throws Exception {
    StoredTable t = chains.create(Chains.unique("ret"), 3, "1d");
    assertThat(t.definition().retentionMillis()).isEqualTo(DAY);
    chains.commitPart(t, 0, 40, 0, OLD);
    chains.commitPart(t, 0, 40, 0, OLD + 100_000);
    chains.commitPart(t, 0, 40, 0, OLD + 200_000);
    chains.commitPart(t, 1, 30, 0, OLD);
    chains.commitPart(t, 1, 30, 0, OLD + 100_000);
    chains.commitPart(t, 1, 30, 0, NEW);
    chains.commitPart(t, 2, 25, 0, OLD);
    chains.commitPart(t, 2, 25, 0, OLD + 100_000);
    publishAll(t);
    try (S3FileIO io = S3FileIOs.fromEnv(stack.env())) {
      Compactor.Result c = new Compactor(chains.catalog, io, CLOCK).pass(t);
      assertThat(c.links()).isEqualTo(3);
    }
    chains.commitPart(t, 0, 40, 0, OLD + 300_000);
    chains.commitPart(t, 0, 40, 0, NEW);
    chains.commitPart(t, 0, 40, 0, NEW + 100_000);
    chains.commitPart(t, 1, 30, 0, NEW + 100_000);
    chains.commitPart(t, 2, 25, 6, OLD + 200_000);
    chains.commitPart(t, 2, 25, 0, NEW);
    publishAll(t); // applies the links (RewriteFiles), then appends the rest
    Table table = table(t);
    assertThat(ChainHeads.of(table).compactionHeads()).isEqualTo(Map.of(0, 1L, 1, 1L, 2, 1L));

    List<Compaction> p1 = chains.catalog.compactions(t.name(), 1);
    assertThat(p1).hasSize(1);
    assertThat(p1.get(0).fromSeq()).isEqualTo(1);
    assertThat(p1.get(0).toSeq()).as("the p1 link straddles the cutoff").isGreaterThanOrEqualTo(3);

    Set<String> expired = new HashSet<>();
    Set<String> kept = new HashSet<>();
    Map<Integer, Long> cutEnd = new TreeMap<>();
    long rows = 0;
    long dlq = 0;
    for (int p = 0; p < 3; p++) {
      long cp = CHECKPOINTS.getOrDefault(p, -1L);
      for (CommitRecord r : chains.catalog.records(t.name(), p, 0, Long.MAX_VALUE, Integer.MAX_VALUE)) {
        Set<String> into = r.seq() <= cp ? expired : kept;
        r.objects().forEach(o -> into.add(o.key()));
        if (r.seq() <= cp) {
          rows += r.rows();
          dlq += r.dlqRows();
        }
        if (r.seq() == cp) {
          cutEnd.put(p, r.endOffset());
        }
      }
      for (Compaction c : chains.catalog.compactions(t.name(), p)) {
        (c.toSeq() <= cp ? expired : kept).add(c.object().key());
      }
    }
    assertThat(dlq).isPositive();
    assertThat(expired).anyMatch(k -> k.contains("/_dlq/"));
    return new Scenario(t, expired, kept, cutEnd, rows, dlq);
  }

  private void publishAll(StoredTable t) {
    Publisher pub = publisher();
    for (int i = 0; i < 10; i++) {
      Publisher.Result r = pub.publish(t);
      if (r.outcome() == Publisher.Outcome.NOTHING_NEW) {
        return;
      }
      assertThat(r.outcome()).isEqualTo(Publisher.Outcome.PUBLISHED);
    }
    throw new AssertionError("publisher did not catch up");
  }

  private Table table(StoredTable t) {
    return publisher().table(t);
  }

  @Test
  void oldRecordsAreFoldedTheirObjectsGoneAndIcebergKeepsTheRestOnce() throws Exception {
    Scenario s = scenario();
    StoredTable t = s.stored();
    Retention retention = retention(chains.catalog);

    Retention.Result dry = retention.expire(t, true);
    assertThat(dry.dryRun()).isTrue();
    assertThat(dry.records()).isEqualTo(5 + 4);
    assertThat(dry.rows()).isEqualTo(s.expiredRows());
    assertThat(chains.catalog.checkpoint(t.name(), 0)).isEmpty();
    assertExist(s.expiredKeys(), true);

    Retention.Result r = retention.expire(t, false);
    assertThat(r.records()).isEqualTo(9);
    assertThat(r.rows()).isEqualTo(s.expiredRows());
    assertThat(r.icebergFilesRemoved()).isPositive();
    assertThat(r.objectsDeleted()).isEqualTo(s.expiredKeys().size());
    assertEndState(s);

    // the publisher afterwards adds nothing old, only what is new
    assertThat(publisher().publish(t).outcome()).isEqualTo(Publisher.Outcome.NOTHING_NEW);
    chains.commitPart(t, 0, 10, 0, NEW + 200_000);
    Publisher.Result more = publisher().publish(t);
    assertThat(more.outcome()).isEqualTo(Publisher.Outcome.PUBLISHED);
    assertThat(more.files()).isEqualTo(1);
    assertIcebergExact(s);

    // a second pass has nothing to do
    Retention.Result again = retention.expire(t, false);
    assertThat(again.idle()).as("second pass %s", again).isTrue();
    assertThat(again.icebergSnapshots()).isZero();
  }

  enum CrashPoint { AFTER_ICEBERG, AFTER_CHECKPOINT, AFTER_OBJECTS }

  @ParameterizedTest
  @EnumSource(CrashPoint.class)
  void aCrashBetweenStepsIsCompletedByTheNextPass(CrashPoint at) throws Exception {
    Scenario s = scenario();
    StoredTable t = s.stored();
    CrashingCatalog crashing = new CrashingCatalog(chains.catalog);
    switch (at) {
      case AFTER_ICEBERG -> crashing.beforeCheckpoint = true;
      case AFTER_CHECKPOINT -> crashing.afterCheckpoint = true;
      case AFTER_OBJECTS -> crashing.beforeFold = true;
    }
    assertThatThrownBy(() -> retention(crashing).expire(t, false)).isInstanceOf(CrashingCatalog.Crash.class);
    switch (at) {
      case AFTER_ICEBERG -> {
        assertThat(chains.catalog.checkpoint(t.name(), 0)).isEmpty();
        assertExist(s.expiredKeys(), true);
      }
      case AFTER_CHECKPOINT -> {
        assertThat(chains.catalog.checkpoint(t.name(), 0)).isPresent();
        assertExist(s.expiredKeys(), true);
      }
      case AFTER_OBJECTS -> {
        assertThat(chains.catalog.checkpoint(t.name(), 2)).isPresent();
        assertExist(s.expiredKeys(), false);
        assertThat(chains.catalog.records(t.name(), 0, 0, 1, 1)).hasSize(1);
      }
    }
    // whatever the publisher does in between, it adds nothing expired
    publishAll(t);

    Retention.Result r = retention(chains.catalog).expire(t, false);
    assertThat(r.partitions()).allMatch(p -> p.checkpointSeq() == CHECKPOINTS.getOrDefault(p.partition(), -1L));
    assertEndState(s);
    assertThat(publisher().publish(t).outcome()).isEqualTo(Publisher.Outcome.NOTHING_NEW);
    assertThat(retention(chains.catalog).expire(t, false).idle()).isTrue();
  }

  @Test
  void aTableStillReferencingFilesBelowTheCheckpointIsRepaired() throws Exception {
    Scenario s = scenario();
    StoredTable t = s.stored();
    // a pass that could not reach the Iceberg catalog: folded, objects gone, the table still lists them
    Retention blind = new Retention(chains.catalog, chains.s3, null, "tributary", CLOCK);
    assertThat(blind.expire(t, false).records()).isEqualTo(9);
    assertThat(IcebergAudit.audit(chains.catalog, t, table(t)).exact()).isFalse();

    Retention.Result r = retention(chains.catalog).expire(t, false);
    assertThat(r.records()).isZero();
    assertThat(r.icebergFilesRemoved()).isPositive();
    assertEndState(s);
  }

  @Test
  void tablesWithoutRetentionAreLeftAlone() throws Exception {
    StoredTable t = chains.create(Chains.unique("keep"), 1, null);
    chains.commitPart(t, 0, 10, 0, OLD);
    chains.commitPart(t, 0, 10, 0, OLD);
    Retention.Result r = retention(chains.catalog).expire(t, false);
    assertThat(r.idle()).isTrue();
    assertThat(r.retentionMillis()).isZero();
    assertThat(chains.catalog.checkpoint(t.name(), 0)).isEmpty();
  }

  // ------------------------------------------------------------------ assertions

  private void assertEndState(Scenario s) throws Exception {
    StoredTable t = s.stored();
    for (int p = 0; p < 3; p++) {
      Long want = CHECKPOINTS.get(p);
      var cp = chains.catalog.checkpoint(t.name(), p);
      if (want == null) {
        assertThat(cp).as("partition %s", p).isEmpty();
        continue;
      }
      Checkpoint c = cp.orElseThrow();
      assertThat(c.seq()).isEqualTo(want);
      assertThat(c.records()).isEqualTo(want + 1);
      assertThat(c.startOffset()).isZero();
      assertThat(c.endOffset()).isEqualTo(s.cutEnd().get(p));
      assertThat(chains.catalog.records(t.name(), p, 0, want + 1, 100)).as("folded records deleted").isEmpty();
      assertThat(chains.catalog.records(t.name(), p, want + 1, Long.MAX_VALUE, 100)).isNotEmpty();
    }
    long cpRows = CHECKPOINTS.keySet().stream()
        .mapToLong(p -> chains.catalog.checkpoint(t.name(), p).orElseThrow().rows()).sum();
    long cpDlq = CHECKPOINTS.keySet().stream()
        .mapToLong(p -> chains.catalog.checkpoint(t.name(), p).orElseThrow().dlqRows()).sum();
    assertThat(cpRows).isEqualTo(s.expiredRows());
    assertThat(cpDlq).isEqualTo(s.expiredDlq());

    AuditReport audit = chains.catalog.audit(t.name());
    assertThat(audit.problems()).isEmpty();
    assertThat(audit.exact()).isTrue();
    assertThat(audit.rows()).as("checkpoint rows + remaining").isEqualTo(chains.rows);
    assertThat(audit.dlqRows()).isEqualTo(s.expiredDlq());

    assertExist(s.expiredKeys(), false);
    assertExist(s.keptKeys(), true);
    assertIcebergExact(s);
  }

  private void assertIcebergExact(Scenario s) throws Exception {
    StoredTable t = s.stored();
    Table table = table(t);
    IcebergAudit.Report audit = IcebergAudit.audit(chains.catalog, t, table);
    assertThat(audit.problems()).isEmpty();
    assertThat(audit.exact()).isTrue();
    assertThat(Retention.retentionSeqs(lastRetentionSnapshot(table)))
        .isEqualTo(Map.of(0, CHECKPOINTS.get(0), 2, CHECKPOINTS.get(2)));
    // every remaining row exactly once, nothing expired
    Map<Integer, List<Long>> seen = new TreeMap<>();
    Map<String, Integer> twice = new HashMap<>();
    try (CloseableIterable<Record> rows = IcebergGenerics.read(table).build()) {
      for (Record r : rows) {
        int p = (Integer) r.getField("_kafka_partition");
        long off = (Long) r.getField("_offset");
        seen.computeIfAbsent(p, k -> new ArrayList<>()).add(off);
        twice.merge(p + "/" + off, 1, Integer::sum);
        OffsetDateTime ts = (OffsetDateTime) r.getField("ts");
        assertThat(ts.toInstant().toEpochMilli()).isEqualTo(chains.times.get(p + "/" + off));
      }
    }
    assertThat(twice.values()).allMatch(n -> n == 1);
    Map<Integer, List<Long>> want = new TreeMap<>();
    chains.landed.forEach((p, offs) -> {
      long from = s.cutEnd().getOrDefault(p, 0L);
      List<Long> left = offs.stream().filter(o -> o >= from).toList();
      if (!left.isEmpty()) {
        want.put(p, new ArrayList<>(left));
      }
    });
    seen.values().forEach(l -> l.sort(Long::compare));
    assertThat(seen).isEqualTo(want);
    assertThat(audit.rows()).isEqualTo(want.values().stream().mapToLong(List::size).sum());
    // no retained snapshot lists a file retention deleted (time travel never hits a missing object)
    for (org.apache.iceberg.Snapshot snap : table.snapshots()) {
      for (org.apache.iceberg.ManifestFile m : snap.dataManifests(table.io())) {
        try (var files = org.apache.iceberg.ManifestFiles.read(m, table.io(), table.specs())) {
          for (org.apache.iceberg.DataFile f : files) {
            String key = f.location().substring(("s3://" + LocalStack.BUCKET + "/").length());
            assertThat(chains.s3.headObject(b -> b.bucket(LocalStack.BUCKET).key(key)).contentLength())
                .as("snapshot %d lists %s", snap.snapshotId(), key).isPositive();
          }
        }
      }
    }
  }

  private static org.apache.iceberg.Snapshot lastRetentionSnapshot(Table table) {
    for (var s = table.currentSnapshot(); s != null; s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
      if (s.summary().containsKey(Retention.RETENTION_PROPERTY)) {
        return s;
      }
    }
    return null;
  }

  private void assertExist(Set<String> keys, boolean exist) {
    for (String k : keys) {
      boolean found;
      try {
        chains.s3.headObject(b -> b.bucket(LocalStack.BUCKET).key(k));
        found = true;
      } catch (NoSuchKeyException e) {
        found = false;
      } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
        if (e.statusCode() != 404) {
          throw e;
        }
        found = false;
      }
      assertThat(found).as("object %s exists", k).isEqualTo(exist);
    }
  }
}
