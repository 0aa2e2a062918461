package io.tributary.iceberg.compact;

import io.tributary.iceberg.Chains;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.catalog.AuditReport;
import io.tributary.catalog.Catalog;
import io.tributary.catalog.CommitOutcomeUnknownException;
import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.Compaction;
import io.tributary.catalog.LiveParts;
import io.tributary.catalog.ObjectKeys;
import io.tributary.catalog.PartObject;
import io.tributary.catalog.StoredTable;
import io.tributary.iceberg.Schemas;
import io.tributary.infra.LocalStack;
import io.tributary.infra.LocalStackExtension;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.iceberg.Schema;
import org.apache.iceberg.aws.s3.S3FileIO;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The compactor against real servers: chains in dynalite, parts written by the runner's writer in
 * S3Mock; every live object ({@link LiveParts}) read back with Iceberg's generic Parquet reader.
 * Races and crashes at each step of a compaction go through {@link HookedCatalog}.
 */
@ExtendWith(LocalStackExtension.class)
class CompactorIT {
  private Chains chains;
  private S3FileIO io;

  @BeforeEach
  void setUp(LocalStack stack) {
    chains = new Chains(stack);
    io = S3FileIOs.fromEnv(stack.env());
  }

  @AfterEach
  void tearDown() {
    io.close();
  }

  private Compactor compactor(Catalog catalog) {
    return new Compactor(catalog, io, Clock.systemUTC());
  }

  /** 3 partitions of small parts, with a dead-letters-only record and an empty record inside the runs. */
  private StoredTable smallParts(String name) throws Exception {
    StoredTable t = chains.create(Chains.unique(name), 3);
    for (int round = 0; round < 6; round++) {
      for (int p = 0; p < 3; p++) {
        chains.commitPart(t, p, 40 + 7 * p + round, 9);
      }
      if (round == 2) {
        chains.commitPart(t, 1, 3, 1); // dead letters only: no data object
        chains.commitPart(t, 2, 0, 0); // nothing at all
      }
    }
    return t;
  }

  @Test
  void manySmallPartsBecomeOneObjectPerPartitionServingEveryRowOnce() throws Exception {
    StoredTable t = smallParts("small");
    Map<String, Map<String, Object>> before = servedOnce(t);
    List<LiveParts.Part> partsBefore = live(t);
    Map<String, Long> listingBefore = listing(t);

    Compactor.Result r = compactor(chains.catalog).pass(t, Compactor.DEFAULT_TARGET_BYTES);

    assertThat(r.links()).isEqualTo(3);
    assertThat(r.partsReplaced()).isEqualTo(partsBefore.size());
    assertThat(r.rows()).isEqualTo(chains.rows);
    assertThat(r.bytesBefore()).isEqualTo(partsBefore.stream().mapToLong(x -> x.object().bytes()).sum());
    assertThat(r.deletedAfterLostRace() + r.unknown() + r.failed()).isZero();
    Map<String, Long> listing = listing(t);
    long after = 0;
    for (int p = 0; p < 3; p++) {
      CommitRecord head = chains.catalog.head(t.name(), p).orElseThrow();
      List<LiveParts.Part> parts = LiveParts.of(chains.catalog, t.name(), p);
      assertThat(parts).hasSize(1);
      LiveParts.Part only = parts.get(0);
      assertThat(only.compacted()).isTrue();
      assertThat(only.fromSeq()).isEqualTo(1);
      assertThat(only.toSeq()).isEqualTo(head.seq());
      assertThat(only.startOffset()).isZero();
      assertThat(only.endOffset()).isEqualTo(head.endOffset());
      assertThat(ObjectKeys.mismatch("tables", t.name(), PartObject.Kind.DATA, only.object().key(), p, 0,
          head.endOffset())).isNull();
      long newest = chains.catalog.chain(t.name(), p).filter(c -> c.maxTs() != null).mapToLong(CommitRecord::maxTs)
          .max().orElseThrow();
      assertThat(only.object().key()).as("dt of the newest ts")
          .contains("/dt=" + LocalDate.ofInstant(Instant.ofEpochMilli(newest), java.time.ZoneOffset.UTC) + "/");
      assertThat(listing.get(only.object().key())).as("link bytes == stored size").isEqualTo(only.object().bytes());
      Compaction link = chains.catalog.compactions(t.name(), p).get(0);
      assertThat(link.replaced()).containsExactlyElementsOf(chains.catalog.chain(t.name(), p)
          .flatMap(c -> c.objects().stream()).filter(o -> o.kind() == PartObject.Kind.DATA).map(PartObject::key)
          .toList());
      after += only.object().bytes();
    }
    assertThat(r.bytesAfter()).isEqualTo(after);
    assertSameFieldIdsZstdMicros(partsBefore.get(0).object().key(), live(t).get(0).object().key());
    assertThat(listing.keySet()).containsAll(listingBefore.keySet()).hasSize(listingBefore.size() + 3);
    assertThat(servedOnce(t)).isEqualTo(before);
    auditExact(t);

    assertThat(compactor(chains.catalog).pass(t).links()).as("nothing new").isZero();

    // later parts go into link 2, after link 1's range
    for (int p = 0; p < 3; p++) {
      chains.commitPart(t, p, 30, 0);
      chains.commitPart(t, p, 30, 7);
    }
    Compactor.Result second = compactor(chains.catalog).pass(t);
    assertThat(second.links()).isEqualTo(3);
    assertThat(second.partsReplaced()).isEqualTo(6);
    for (int p = 0; p < 3; p++) {
      assertThat(chains.catalog.compactions(t.name(), p)).extracting(Compaction::seq).containsExactly(1L, 2L);
      assertThat(LiveParts.of(chains.catalog, t.name(), p)).hasSize(2).allMatch(LiveParts.Part::compacted);
    }
    servedOnce(t);
    auditExact(t);
  }

  @Test
  void aSmallTargetCutsRunsThatStayWithinIt() throws Exception {
    StoredTable t = smallParts("target");
    Map<String, Map<String, Object>> before = servedOnce(t);
    Map<String, Long> bytesOf = new HashMap<>();
    live(t).forEach(x -> bytesOf.put(x.object().key(), x.object().bytes()));
    long target = bytesOf.values().stream().mapToLong(Long::longValue).max().orElseThrow() * 3;

    Compactor.Result r = compactor(chains.catalog).pass(t, target);

    assertThat(r.failed()).isZero();
    for (int p = 0; p < 3; p++) {
      List<Compaction> links = chains.catalog.compactions(t.name(), p);
      assertThat(links.size()).as("partition " + p).isGreaterThanOrEqualTo(2);
      for (Compaction c : links) {
        assertThat(c.replaced().size()).isGreaterThanOrEqualTo(2);
        assertThat(c.replaced().stream().mapToLong(bytesOf::get).sum()).isLessThanOrEqualTo(target);
      }
    }
    assertThat(live(t).size()).isLessThan(bytesOf.size());
    assertThat(servedOnce(t)).isEqualTo(before);
    auditExact(t);
  }

  @Test
  void twoCompactorsRacingForTheSameLinkCommitItOnceAndTheLoserDeletesItsObject() throws Exception {
    StoredTable t = smallParts("race");
    Map<String, Map<String, Object>> before = servedOnce(t);
    Map<String, Long> listingBefore = listing(t);
    HookedCatalog a = new HookedCatalog(chains.catalog);
    Compactor ca = compactor(a);
    Compactor cb = compactor(chains.catalog);
    AtomicReference<Compactor.Result> rb = new AtomicReference<>();
    // deterministic: B runs its whole pass between A's write and A's commit
    a.hook = (prev, next, real) -> {
      if (rb.get() == null) {
        rb.set(cb.pass(t));
      }
      return real.getAsBoolean();
    };
    Compactor.Result ra = ca.pass(t);

    assertThat(rb.get().links()).isEqualTo(3);
    assertThat(ra.links()).isZero();
    assertThat(ra.deletedAfterLostRace()).isEqualTo(1);
    assertThat(ra.failed() + ra.unknown()).isZero();
    assertOneLinkPerPartitionAndNoExtraObject(t, listingBefore);
    assertThat(servedOnce(t)).isEqualTo(before);
    auditExact(t);
  }

  @Test
  void twoCompactorsRunningConcurrentlyLeaveOneLinkPerRangeAndNoExtraObject() throws Exception {
    StoredTable t = smallParts("concurrent");
    Map<String, Map<String, Object>> before = servedOnce(t);
    Map<String, Long> listingBefore = listing(t);
    CyclicBarrier start = new CyclicBarrier(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<Compactor.Result>> results = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        Compactor c = compactor(chains.catalog);
        results.add(pool.submit(() -> {
          start.await();
          return c.pass(t);
        }));
      }
      Compactor.Result ra = results.get(0).get();
      Compactor.Result rb = results.get(1).get();
      assertThat(ra.links() + rb.links()).isEqualTo(3);
      assertThat(ra.failed() + rb.failed() + ra.unknown() + rb.unknown()).isZero();
    } finally {
      pool.shutdownNow();
    }
    assertOneLinkPerPartitionAndNoExtraObject(t, listingBefore);
    assertThat(servedOnce(t)).isEqualTo(before);
    auditExact(t);
  }

  @Test
  void aCrashAfterWritingTheObjectBeforeTheCommitLeavesAnOrphanAndTheNextPassCompactsAgain() throws Exception {
    StoredTable t = smallParts("crash");
    Map<String, Map<String, Object>> before = servedOnce(t);
    Map<String, Long> listingBefore = listing(t);
    HookedCatalog hooked = new HookedCatalog(chains.catalog);
    hooked.hook = (prev, next, real) -> {
      throw new IllegalStateException("injected: the process died between the upload and the commit");
    };
    Compactor.Result r = compactor(hooked).pass(t);

    assertThat(r.links()).isZero();
    assertThat(r.failed()).isEqualTo(3);
    Set<String> orphans = extra(t, listingBefore);
    assertThat(orphans).hasSize(3);
    for (int p = 0; p < 3; p++) {
      assertThat(chains.catalog.compactions(t.name(), p)).isEmpty();
    }
    assertThat(live(t)).noneMatch(LiveParts.Part::compacted);
    assertThat(servedOnce(t)).isEqualTo(before);
    auditExact(t);

    Compactor.Result again = compactor(chains.catalog).pass(t);
    assertThat(again.links()).isEqualTo(3);
    assertThat(listing(t).keySet()).as("orphans stay for the sweeper").containsAll(orphans);
    assertThat(live(t)).hasSize(3).allMatch(LiveParts.Part::compacted)
        .noneMatch(x -> orphans.contains(x.object().key()));
    assertThat(servedOnce(t)).isEqualTo(before);
    auditExact(t);
  }

  @Test
  void aLostResponseAfterTheWriteKeepsTheObjectThatNowServesTheRows() throws Exception {
    StoredTable t = smallParts("lostafter");
    Map<String, Map<String, Object>> before = servedOnce(t);
    Map<String, Long> listingBefore = listing(t);
    HookedCatalog hooked = new HookedCatalog(chains.catalog);
    hooked.hook = (prev, next, real) -> {
      assertThat(real.getAsBoolean()).isTrue();
      throw new CommitOutcomeUnknownException("injected: compaction link response lost", null);
    };
    Compactor.Result r = compactor(hooked).pass(t);

    assertThat(r.unknown()).isEqualTo(3);
    assertThat(r.links() + r.deletedAfterLostRace() + r.failed()).isZero();
    assertOneLinkPerPartitionAndNoExtraObject(t, listingBefore);
    assertThat(live(t)).hasSize(3).allMatch(LiveParts.Part::compacted);
    assertThat(servedOnce(t)).isEqualTo(before);
    auditExact(t);
    assertThat(compactor(chains.catalog).pass(t).links()).isZero();
  }

  @Test
  void aLostResponseWithoutTheWriteKeepsTheObjectAndTheOriginalPartsServe() throws Exception {
    StoredTable t = smallParts("lostbefore");
    Map<String, Map<String, Object>> before = servedOnce(t);
    Map<String, Long> listingBefore = listing(t);
    HookedCatalog hooked = new HookedCatalog(chains.catalog);
    hooked.hook = (prev, next, real) -> {
      throw new CommitOutcomeUnknownException("injected: compaction link request lost", null);
    };
    Compactor.Result r = compactor(hooked).pass(t);

    assertThat(r.unknown()).isEqualTo(3);
    assertThat(r.links() + r.deletedAfterLostRace() + r.failed()).isZero();
    Set<String> kept = extra(t, listingBefore);
    assertThat(kept).hasSize(3);
    for (int p = 0; p < 3; p++) {
      assertThat(chains.catalog.compactions(t.name(), p)).isEmpty();
    }
    assertThat(live(t)).noneMatch(LiveParts.Part::compacted);
    assertThat(servedOnce(t)).isEqualTo(before);
    auditExact(t);

    assertThat(compactor(chains.catalog).pass(t).links()).isEqualTo(3);
    assertThat(listing(t).keySet()).containsAll(kept);
    assertThat(servedOnce(t)).isEqualTo(before);
    auditExact(t);
  }

  // ------------------------------------------------------------------ helpers

  /** The compacted object's footer: the original part's field ids, TIMESTAMP(MICROS, UTC), every chunk zstd. */
  private void assertSameFieldIdsZstdMicros(String originalKey, String compactedKey) throws Exception {
    MessageType original = footer(originalKey).getFileMetaData().getSchema();
    ParquetMetadata compacted = footer(compactedKey);
    MessageType schema = compacted.getFileMetaData().getSchema();
    Map<String, Integer> want = new TreeMap<>();
    original.getFields().forEach(f -> want.put(f.getName(), f.getId().intValue()));
    Map<String, Integer> got = new TreeMap<>();
    schema.getFields().forEach(f -> got.put(f.getName(), f.getId().intValue()));
    assertThat(got).isEqualTo(want);
    for (String ts : List.of("ts", "_timestamp")) {
      assertThat(schema.getType(ts).getLogicalTypeAnnotation())
          .isEqualTo(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS));
    }
    assertThat(compacted.getBlocks()).isNotEmpty().allSatisfy(b -> assertThat(b.getColumns())
        .allMatch(c -> c.getCodec() == CompressionCodecName.ZSTD));
  }

  private ParquetMetadata footer(String key) throws Exception {
    Path tmp = Files.createTempFile("part", ".parquet");
    try {
      Files.write(tmp, chains.s3.getObjectAsBytes(b -> b.bucket(LocalStack.BUCKET).key(key)).asByteArray());
      try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(tmp))) {
        return reader.getFooter();
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private void assertOneLinkPerPartitionAndNoExtraObject(StoredTable t, Map<String, Long> listingBefore) {
    Map<String, Long> listing = listing(t);
    Set<String> linked = new HashSet<>();
    for (int p = 0; p < 3; p++) {
      List<Compaction> links = chains.catalog.compactions(t.name(), p);
      assertThat(links).as("partition " + p).hasSize(1);
      linked.add(links.get(0).object().key());
      assertThat(listing.get(links.get(0).object().key())).isEqualTo(links.get(0).object().bytes());
    }
    assertThat(extra(t, listingBefore)).isEqualTo(linked);
  }

  /** Objects under the table's prefix that were not there before. */
  private Set<String> extra(StoredTable t, Map<String, Long> listingBefore) {
    Set<String> keys = new HashSet<>(listing(t).keySet());
    keys.removeAll(listingBefore.keySet());
    assertThat(listing(t).keySet()).containsAll(listingBefore.keySet());
    return keys;
  }

  private Map<String, Long> listing(StoredTable t) {
    Map<String, Long> out = new TreeMap<>();
    for (S3Object o : chains.s3.listObjectsV2Paginator(b -> b.bucket(LocalStack.BUCKET).prefix("tables/" + t.name()
        + "/")).contents()) {
      out.put(o.key(), o.size());
    }
    return out;
  }

  private List<LiveParts.Part> live(StoredTable t) {
    List<LiveParts.Part> out = new ArrayList<>();
    for (int p : t.partitions()) {
      out.addAll(LiveParts.of(chains.catalog, t.name(), p));
    }
    return out;
  }

  private void auditExact(StoredTable t) {
    AuditReport a = chains.catalog.audit(t.name());
    assertThat(a.problems()).isEmpty();
    assertThat(a.exact()).isTrue();
    assertThat(a.rows()).isEqualTo(chains.rows);
  }

  /**
   * Reads every live object with Iceberg's generic Parquet reader; asserts each landed good row is
   * served exactly once, within its part's offsets, with the values the source JSON carried.
   * Returns the rows by "partition/offset".
   */
  private Map<String, Map<String, Object>> servedOnce(StoredTable t) throws Exception {
    Schema schema = Schemas.of(t.definition());
    Map<String, Map<String, Object>> seen = new LinkedHashMap<>();
    Map<Integer, List<Long>> offsets = new TreeMap<>();
    for (LiveParts.Part part : live(t)) {
      long n = 0;
      try (CloseableIterable<Record> rows = Parquet.read(io.newInputFile("s3://" + LocalStack.BUCKET + "/"
          + part.object().key())).project(schema).createReaderFunc(fs -> GenericParquetReaders.buildReader(schema, fs))
          .build()) {
        for (Record r : rows) {
          n++;
          int p = (Integer) r.getField("_partition");
          long off = (Long) r.getField("_offset");
          assertThat(p).isEqualTo(part.partition());
          assertThat(off).isGreaterThanOrEqualTo(part.startOffset()).isLessThan(part.endOffset());
          Map<String, Object> values = new LinkedHashMap<>();
          for (Types.NestedField f : schema.columns()) {
            values.put(f.name(), r.getField(f.name()));
          }
          assertThat(seen.put(p + "/" + off, values)).as("row %s/%s served twice", p, off).isNull();
          offsets.computeIfAbsent(p, k -> new ArrayList<>()).add(off);
          assertSourceValues(off, values);
        }
      }
      assertThat(n).as("rows of " + part.object().key()).isEqualTo(part.object().rows());
    }
    offsets.values().forEach(l -> l.sort(Long::compare));
    assertThat(offsets).isEqualTo(chains.landed);
    return seen;
  }

  private static void assertSourceValues(long off, Map<String, Object> v) {
    Instant ts = Instant.ofEpochMilli(Chains.T0 + off * 1000);
    assertThat(v.get("event_id")).isEqualTo("e" + off);
    assertThat(v.get("user_id")).isEqualTo(off * 7);
    assertThat(((OffsetDateTime) v.get("ts")).toInstant()).isEqualTo(ts);
    assertThat(((OffsetDateTime) v.get("_timestamp")).toInstant()).isEqualTo(ts);
    assertThat(v.get("amount")).isEqualTo(new BigDecimal((off % 1000) + ".25"));
    assertThat(v.get("day")).isEqualTo(LocalDate.of(2026, 11, 30));
    assertThat(v.get("ok")).isEqualTo(off % 2 == 0);
    assertThat(v.get("attrs")).isEqualTo("{\"k\":" + off + "}");
  }
}
