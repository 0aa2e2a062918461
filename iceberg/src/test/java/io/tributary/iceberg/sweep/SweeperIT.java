package io.tributary.iceberg.sweep;

import io.tributary.iceberg.Chains;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.catalog.AuditReport;
import io.tributary.catalog.Catalog;
import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.Compaction;
import io.tributary.catalog.PartObject;
import io.tributary.catalog.StoredTable;
import io.tributary.iceberg.IcebergAudit;
import io.tributary.iceberg.IcebergCatalogs;
import io.tributary.iceberg.Publisher;
import io.tributary.iceberg.SnapshotExpiry;
import io.tributary.infra.LocalStack;
import io.tributary.infra.LocalStackExtension;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The sweeper against real servers: chains in dynalite, parts written by the runner's writer in
 * S3Mock (whose LastModified decides "old enough"), Iceberg's JdbcCatalog on SQLite. Grace periods
 * of a few seconds are passed explicitly (the environment cannot set less than 10 minutes) and the
 * tests wait past them.
 */
@ExtendWith(LocalStackExtension.class)
class SweeperIT {
  private static final Duration GRACE = Duration.ofSeconds(3);
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

  private Sweeper sweeper(Catalog chainCatalog, Duration grace) {
    return new Sweeper(chainCatalog, chains.s3, catalogs, grace, Clock.systemUTC());
  }

  private Publisher publisher() {
    return new Publisher(chains.catalog, catalogs::catalog, catalogs.defaultNamespace(), "sweep-test");
  }

  @Test
  void dryRunReportsRealPassDeletesExactlyTheOrphansAndKeepsCommittedYoungAndIcebergObjects() throws Exception {
    StoredTable t = chains.create(Chains.unique("sweep"), 2);
    for (int round = 0; round < 2; round++) {
      for (int p = 0; p < 2; p++) {
        chains.commitPart(t, p, 120, 10); // every 10th malformed: dead-letter objects too
      }
    }
    assertThat(publisher().publish(t).outcome()).isEqualTo(Publisher.Outcome.PUBLISHED);
    Set<String> committed = committedKeys(t);
    assertThat(committed.stream().filter(k -> k.contains("/_dlq/"))).hasSize(4);
    Set<String> orphans = new TreeSet<>(List.of(chains.orphan(t, 0), chains.orphan(t, 1),
        put("tables/" + t.name() + "/_dlq/dt=2026-11-30/p0-999-1000-lost.jsonl.gz"),
        put("tables/" + t.name() + "/stray.bin")));
    // a neighbour table whose name starts with this one's: never listed
    String neighbour = put("tables/" + t.name() + "x/dt=2026-11-30/p0-0-1-x.parquet");
    Set<String> metadataBefore = keys("tables/" + t.name() + "/metadata/");
    assertThat(metadataBefore).isNotEmpty();
    AuditReport auditBefore = chains.catalog.audit(t.name());
    assertThat(auditBefore.exact()).isTrue();

    Thread.sleep(GRACE.toMillis() + 1500);
    String young = put("tables/" + t.name() + "/dt=2026-11-30/p1-5000-5001-young.parquet");

    Sweeper sweeper = sweeper(chains.catalog, GRACE);
    Sweeper.Result dry = sweeper.sweep(t, true);
    assertThat(dry.dryRun()).isTrue();
    assertThat(dry.listed()).isEqualTo(committed.size() + orphans.size() + 1);
    assertThat(dry.referenced()).isEqualTo(committed.size());
    assertThat(new TreeSet<>(dry.orphanKeys())).isEqualTo(orphans);
    assertThat(dry.orphans()).isEqualTo(orphans.size());
    assertThat(dry.deleted()).isZero();
    assertThat(dry.bytesDeleted()).isZero();
    assertThat(dry.skippedTooYoung()).isEqualTo(1);
    orphans.forEach(k -> assertThat(exists(k)).as(k).isTrue());

    Sweeper.Result real = sweeper.sweep(t, false);
    assertThat(real.orphans()).isEqualTo(orphans.size());
    assertThat(real.deleted()).isEqualTo(orphans.size());
    assertThat(real.bytesDeleted()).isPositive();
    assertThat(real.replacedDeleted()).isZero();
    assertThat(real.skippedTooYoung()).isEqualTo(1);
    assertThat(real.failedDeletes()).isZero();
    orphans.forEach(k -> assertThat(exists(k)).as(k).isFalse());
    committed.forEach(k -> assertThat(exists(k)).as(k).isTrue());
    assertThat(exists(young)).isTrue();
    assertThat(exists(neighbour)).isTrue();
    assertThat(keys("tables/" + t.name() + "/metadata/")).isEqualTo(metadataBefore);
    AuditReport auditAfter = chains.catalog.audit(t.name());
    assertThat(auditAfter.exact()).isTrue();
    assertThat(auditAfter.problems()).isEmpty();
    assertThat(auditAfter.rows()).isEqualTo(auditBefore.rows());
    Table table = publisher().table(t);
    assertThat(IcebergAudit.audit(chains.catalog, t, table).exact()).isTrue();

    // idempotent: the next pass finds nothing
    Sweeper.Result again = sweeper.sweep(t, false);
    assertThat(again.orphans()).isZero();
    assertThat(again.deleted()).isZero();
  }

  /**
   * A commit that resolves late: its objects are uploaded (and old enough), the sweeper LISTS them,
   * and only then is the commit record written — before the sweeper reads the chain, which it does
   * after listing. The object must survive. (Were the chain read before the listing, this object would
   * look unreferenced: the dry run before the commit shows it would be an orphan.)
   */
  @Test
  void aCommitThatResolvesAfterTheListingIsNeverDeleted() throws Exception {
    StoredTable t = chains.create(Chains.unique("late"), 1);
    chains.commitPart(t, 0, 50, 0);
    Chains.Pending pending = chains.prepare(t, 0, 60, 7, -1);
    List<String> pendingKeys = pending.next().objects().stream().map(PartObject::key).toList();
    assertThat(pendingKeys).hasSize(2); // data + dead letters
    Thread.sleep(GRACE.toMillis() + 1500);

    Sweeper.Result before = sweeper(chains.catalog, GRACE).sweep(t, true);
    assertThat(before.orphanKeys()).containsExactlyInAnyOrderElementsOf(pendingKeys);

    AtomicBoolean committedLate = new AtomicBoolean();
    Catalog lateCommit = hooked(chains.catalog, "partitions", () -> {
      if (committedLate.compareAndSet(false, true)) {
        chains.commit(pending); // the listing is done; the chain read starts right after this
      }
    });
    Sweeper.Result r = sweeper(lateCommit, GRACE).sweep(t, false);
    assertThat(committedLate).isTrue();
    assertThat(r.orphans()).isZero();
    assertThat(r.deleted()).isZero();
    assertThat(r.referenced()).isEqualTo(r.listed());
    pendingKeys.forEach(k -> assertThat(exists(k)).as(k).isTrue());
    assertThat(chains.catalog.audit(t.name()).exact()).isTrue();

    // committed after the chain read too (between deciding and deleting): the heads are read again
    Chains.Pending later = chains.prepare(t, 0, 30, 0, -1);
    Thread.sleep(GRACE.toMillis() + 1500);
    AtomicBoolean committedLater = new AtomicBoolean();
    Catalog afterRead = hooked(chains.catalog, "compactions", () -> {
      if (committedLater.compareAndSet(false, true)) {
        chains.commit(later);
      }
    });
    Sweeper.Result r2 = sweeper(afterRead, GRACE).sweep(t, false);
    assertThat(committedLater).isTrue();
    assertThat(r2.deleted()).isZero();
    later.next().objects().forEach(o -> assertThat(exists(o.key())).as(o.key()).isTrue());
    assertThat(chains.catalog.audit(t.name()).exact()).isTrue();
  }

  @Test
  void aChainThatCannotBeReadAbortsThePassAndDeletesNothing() throws Exception {
    StoredTable t = chains.create(Chains.unique("abort"), 2);
    chains.commitPart(t, 0, 40, 0);
    chains.commitPart(t, 1, 40, 0);
    String orphan = chains.orphan(t, 0);
    Thread.sleep(GRACE.toMillis() + 1500);
    Catalog broken = hooked(chains.catalog, "compactions", () -> {
      throw new IllegalStateException("injected: DynamoDB unavailable");
    });
    assertThatThrownBy(() -> sweeper(broken, GRACE).sweep(t, false)).isInstanceOf(Sweeper.SweepAbortedException.class)
        .hasMessageContaining("nothing deleted");
    assertThat(exists(orphan)).isTrue();
    assertThat(sweeper(chains.catalog, GRACE).sweep(t, false).deleted()).isEqualTo(1);
    assertThat(exists(orphan)).isFalse();
  }

  /**
   * Replaced objects of a compaction link: kept while a retained Iceberg snapshot lists them (even
   * once the link is older than the grace period), deleted once snapshot expiry dropped the last one.
   */
  @Test
  void replacedObjectsStayWhileAnIcebergSnapshotListsThemAndGoOnceExpired() throws Exception {
    StoredTable t = chains.create(Chains.unique("cmp"), 1);
    CommitRecord r1 = chains.commitPart(t, 0, 100, 0);
    CommitRecord r2 = chains.commitPart(t, 0, 100, 0);
    CommitRecord r3 = chains.commitPart(t, 0, 100, 0);
    Publisher publisher = publisher();
    Publisher.Result first = publisher.publish(t);
    assertThat(first.files()).isEqualTo(3); // snapshot 1 lists r1..r3's parts
    Compaction link = compact(t, r1);
    assertThat(chains.catalog.commitCompaction(null, link)).isTrue();
    Publisher.Result replace = publisher.publish(t); // RewriteFiles: snapshot 2 lists the link's object + r2's, r3's
    assertThat(replace.snapshotId()).isNotEqualTo(first.snapshotId()); // (the append after it had nothing new)
    Table table = publisher.table(t);
    assertThat(table.currentSnapshot().operation()).isEqualTo("replace");
    assertThat(IcebergAudit.audit(chains.catalog, t, table).exact()).isTrue();
    Thread.sleep(GRACE.toMillis() + 1500);

    Sweeper sweeper = sweeper(chains.catalog, GRACE);
    Sweeper.Result kept = sweeper.sweep(t, false);
    assertThat(kept.orphans()).as("snapshot 1 still lists the replaced parts").isZero();
    link.replaced().forEach(k -> assertThat(exists(k)).as(k).isTrue());

    table.refresh();
    int expired = SnapshotExpiry.expire(table, 1, Duration.ZERO, System.currentTimeMillis() + 1000);
    assertThat(expired).isPositive();
    Set<String> metadataBefore = keys("tables/" + t.name() + "/metadata/");
    Sweeper.Result swept = sweeper.sweep(t, false);
    assertThat(swept.orphans()).isEqualTo(1);
    assertThat(swept.deleted()).isEqualTo(1);
    assertThat(swept.replacedDeleted()).isEqualTo(1);
    link.replaced().forEach(k -> assertThat(exists(k)).as(k).isFalse());
    assertThat(exists(link.object().key())).isTrue();
    r2.objects().forEach(o -> assertThat(exists(o.key())).isTrue());
    r3.objects().forEach(o -> assertThat(exists(o.key())).isTrue());
    assertThat(keys("tables/" + t.name() + "/metadata/")).isEqualTo(metadataBefore);
    assertThat(chains.catalog.audit(t.name()).exact()).isTrue();
    table.refresh();
    IcebergAudit.Report ice = IcebergAudit.audit(chains.catalog, t, table);
    assertThat(ice.problems()).isEmpty();
    assertThat(ice.exact()).isTrue();
  }

  /** Without Iceberg, a link's replaced objects are kept while the link is younger than the grace period. */
  @Test
  void replacedObjectsOfAYoungLinkAreKeptWithoutIceberg() throws Exception {
    StoredTable t = chains.create(Chains.unique("young"), 1);
    CommitRecord r1 = chains.commitPart(t, 0, 80, 0);
    CommitRecord r2 = chains.commitPart(t, 0, 80, 0);
    Thread.sleep(GRACE.toMillis() + 1500); // the parts are old
    Compaction link = compact(t, r1);
    assertThat(chains.catalog.commitCompaction(null, link)).isTrue();
    Sweeper noIceberg = new Sweeper(chains.catalog, chains.s3, (IcebergCatalogs) null, GRACE, Clock.systemUTC());
    Sweeper.Result young = noIceberg.sweep(t, false);
    assertThat(young.orphans()).as("link younger than the grace period").isZero();
    link.replaced().forEach(k -> assertThat(exists(k)).isTrue());
    Thread.sleep(GRACE.toMillis() + 1500);
    Sweeper.Result old = noIceberg.sweep(t, false);
    assertThat(old.replacedDeleted()).isEqualTo(1);
    r2.objects().forEach(o -> assertThat(exists(o.key())).isTrue());
    link.replaced().forEach(k -> assertThat(exists(k)).isFalse());
    assertThat(exists(link.object().key())).isTrue();
    assertThat(chains.catalog.audit(t.name()).exact()).isTrue();
  }

  @Test
  void theLeaderLoopSweepsEveryTableAndStopsWhenLeadershipEnds() throws Exception {
    StoredTable t = chains.create(Chains.unique("loop"), 1);
    chains.commitPart(t, 0, 30, 0);
    String orphan = chains.orphan(t, 0);
    Thread.sleep(GRACE.toMillis() + 1500);
    SweepService service = new SweepService(sweeper(chains.catalog, GRACE), Duration.ofMillis(500), Duration.ZERO,
        Clock.systemUTC());
    service.tables(List.of(t));
    service.start();
    try {
      long deadline = System.currentTimeMillis() + 30_000;
      while (service.status().get(t.name()).passes() == 0 && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      SweepService.TableStatus s = service.status().get(t.name());
      assertThat(s.passes()).isPositive();
      assertThat(s.orphansDeleted()).isEqualTo(1);
      assertThat(s.bytesDeleted()).isPositive();
      assertThat(s.lastError()).isNull();
      assertThat(exists(orphan)).isFalse();
    } finally {
      service.stop();
    }
    String after = chains.orphan(t, 0);
    Thread.sleep(GRACE.toMillis() + 1500);
    assertThat(exists(after)).as("stopped: no more passes").isTrue();
    assertThat(service.status().get(t.name()).passes()).isZero();
  }

  @Test
  void theEnvironmentCannotSetAGraceBelowTenMinutes() {
    assertThat(Sweeper.grace(Map.of())).isEqualTo(Duration.ofHours(1));
    assertThat(Sweeper.grace(Map.of(Sweeper.ENV_GRACE, "5"))).isEqualTo(Duration.ofMinutes(10));
    assertThat(Sweeper.grace(Map.of(Sweeper.ENV_GRACE, "PT2H"))).isEqualTo(Duration.ofHours(2));
    assertThatThrownBy(() -> Sweeper.grace(Map.of(Sweeper.ENV_GRACE, "soon"))).isInstanceOf(IllegalStateException.class);
    assertThat(SweepService.interval(Map.of())).isEqualTo(Duration.ofMinutes(10));
    assertThat(SweepService.interval(Map.of(SweepService.ENV_INTERVAL, "off"))).isNull();
  }

  // ------------------------------------------------------------------ helpers

  /**
   * Compaction link 1 over one record: its data part copied under a compaction key (same rows, a
   * valid footer for the publisher's metrics). Row content is the compactor's business, not the sweeper's.
   */
  private Compaction compact(StoredTable t, CommitRecord a) {
    PartObject pa = a.objects().stream().filter(o -> o.kind() == PartObject.Kind.DATA).findFirst().orElseThrow();
    String key = "tables/" + t.name() + "/dt=2026-12-01/p" + a.partition() + "-" + a.startOffset() + "-"
        + a.endOffset() + "-cmp" + UUID.randomUUID().toString().substring(0, 8) + ".parquet";
    chains.s3.copyObject(c -> c.sourceBucket(LocalStack.BUCKET).sourceKey(pa.key()).destinationBucket(LocalStack.BUCKET)
        .destinationKey(key));
    PartObject object = PartObject.data(key, pa.rows(), pa.bytes());
    return new Compaction(t.name(), a.partition(), 1, a.seq(), a.seq(), a.startOffset(), a.endOffset(), a.rows(),
        object, List.of(pa.key()), UUID.randomUUID().toString(), 0);
  }

  private Set<String> committedKeys(StoredTable t) {
    Set<String> out = new TreeSet<>();
    for (int p : t.partitions()) {
      chains.catalog.chain(t.name(), p).forEach(r -> r.objects().forEach(o -> out.add(o.key())));
    }
    return out;
  }

  private String put(String key) {
    chains.s3.putObject(b -> b.bucket(LocalStack.BUCKET).key(key), RequestBody.fromString("junk " + key));
    return key;
  }

  private boolean exists(String key) {
    try {
      chains.s3.headObject(b -> b.bucket(LocalStack.BUCKET).key(key));
      return true;
    } catch (NoSuchKeyException e) {
      return false;
    } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
      if (e.statusCode() == 404) {
        return false;
      }
      throw e;
    }
  }

  private Set<String> keys(String prefix) {
    Set<String> out = new TreeSet<>();
    chains.s3.listObjectsV2Paginator(b -> b.bucket(LocalStack.BUCKET).prefix(prefix)).contents().stream()
        .map(S3Object::key).forEach(out::add);
    return out;
  }

  /** The catalog with {@code hook} run before every call of {@code method}. */
  private static Catalog hooked(Catalog delegate, String method, Runnable hook) {
    return (Catalog) Proxy.newProxyInstance(Catalog.class.getClassLoader(), new Class<?>[] {Catalog.class},
        (proxy, m, args) -> {
          if (m.getName().equals(method)) {
            hook.run();
          }
          try {
            return m.invoke(delegate, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

}
