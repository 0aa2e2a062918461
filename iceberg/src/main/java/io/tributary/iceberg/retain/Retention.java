package io.tributary.iceberg.retain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.catalog.Catalog;
import io.tributary.catalog.Checkpoint;
import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.Compaction;
import io.tributary.catalog.StoredTable;
import io.tributary.catalog.TableDefinition;
import io.tributary.iceberg.ChainHeads;
import io.tributary.iceberg.SnapshotExpiry;
import io.tributary.iceberg.IcebergTables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFiles;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestReader;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;

/**
 * Retention (docs/maintenance.md rule 4): expires a table's old rows.
 *
 * <h2>What expires</h2>
 * Per partition, starting after the {@link Checkpoint} (at the genesis when there is none), the
 * longest run of contiguous commit records whose newest row ({@code max_ts}) is older than now minus
 * the table's {@code retention} — records without rows (genesis, claims, dead letters only) go with
 * their neighbours and never end a run — never the head record, and never half a compaction link (a
 * link is expired whole or not at all).
 *
 * <h2>The steps of a pass, each idempotent</h2>
 * <ol>
 * <li>(a) Iceberg: when the table has an Iceberg table, ONE {@code DeleteFiles} snapshot removes every
 * data file of the current snapshot that belongs to the expired range (the records' own parts or
 * the compacted objects of their links; recognised by key, and by the layout's offset range for
 * files whose records are gone already), summary {@value #RETENTION_PROPERTY} (partition -> last
 * expired seq) plus the current {@link ChainHeads#PROPERTY} / {@link ChainHeads#COMPACTION_PROPERTY}
 * copied unchanged, pinned to the snapshot it read like the publisher's commits.</li>
 * <li>(b) {@code putCheckpoint} folding the expired records (rows, dead letters, losses, records,
 * the genesis start offset). From here on the publisher starts after the checkpoint and the
 * Iceberg audit expects files only after it.</li>
 * <li>(a') a fence: the same Iceberg step again, committed even when it removes nothing, whenever
 * objects are about to be deleted — a publisher that read the chains before (b) either lands
 * before it (its files are removed here) or conflicts on it (its commit is pinned).</li>
 * <li>(a'') every Iceberg snapshot older than the fence is expired (metadata only), so no retained
 * snapshot lists a file (c) deletes — retention gives up the time-travel window for the removal.</li>
 * <li>(c) the expired objects (data, dead letters, compacted, replaced) are deleted from S3.</li>
 * <li>(d) {@code deleteFolded} up to the checkpoint seq.</li>
 * </ol>
 * A crash anywhere is safe: the next pass recomputes (a) from the chain (nothing left to remove →
 * no snapshot), finds the checkpoint written (b), repeats the fence, re-deletes objects (deleting a
 * missing key is a no-op) and folds. A pass that finds the Iceberg table still referencing files
 * below an existing checkpoint (the publisher was behind, or a crash) removes them the same way.
 *
 * <p>Not thread-safe per table: one pass per table at a time (the scheduler leader's loop). A racing
 * checkpoint writer is detected by {@code putCheckpoint}'s condition; that partition is left for
 * the next pass.
 */
public final class Retention {
  private static final Logger LOG = LoggerFactory.getLogger(Retention.class);
  /** Summary property of retention snapshots: JSON partition -> last expired commit seq. */
  public static final String RETENTION_PROPERTY = "tributary.retention-seq";
  /** Summary property: random id of the pass that made the snapshot. */
  public static final String RETENTION_PASS = "tributary.retention-pass";
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int PAGE = 1000;
  private static final int S3_BATCH = 1000;
  private static final int ICEBERG_ATTEMPTS = 5;

  private final Catalog chains;
  private final S3Client s3;
  private final Function<String, org.apache.iceberg.catalog.Catalog> catalogs;
  private final String defaultNamespace;
  private final Clock clock;

  /**
   * One partition's part of a pass.
   *
   * @param partition       Kafka partition
   * @param checkpointSeq   the checkpoint after the pass (-1 = none)
   * @param expiredFromSeq  first commit seq folded by this pass (-1 = none)
   * @param expiredToSeq    last commit seq folded by this pass (-1 = none)
   * @param records         records folded by this pass
   * @param rows            rows folded by this pass
   * @param objectsDeleted  S3 objects deleted (or, in a dry run, that would be)
   * @param recordsDeleted  commit records deleted by {@code deleteFolded}
   */
  public record PartitionResult(int partition, long checkpointSeq, long expiredFromSeq, long expiredToSeq,
      long records, long rows, int objectsDeleted, int recordsDeleted) {
  }

  /**
   * @param table              table name
   * @param dryRun             nothing was written
   * @param retentionMillis    the table's retention (0 = keeps forever: nothing was done)
   * @param cutoffMillis       records whose newest row is older than this expired
   * @param partitions         per partition
   * @param icebergFilesRemoved data files removed from the Iceberg table by this pass
   * @param icebergSnapshots   Iceberg snapshots committed by this pass
   */
  public record Result(String table, boolean dryRun, long retentionMillis, long cutoffMillis,
      List<PartitionResult> partitions, int icebergFilesRemoved, int icebergSnapshots) {

    public long records() {
      return partitions.stream().mapToLong(PartitionResult::records).sum();
    }

    public long rows() {
      return partitions.stream().mapToLong(PartitionResult::rows).sum();
    }

    public int objectsDeleted() {
      return partitions.stream().mapToInt(PartitionResult::objectsDeleted).sum();
    }

    /** True when the pass changed nothing (or would change nothing). */
    public boolean idle() {
      return records() == 0 && objectsDeleted() == 0 && icebergFilesRemoved == 0
          && partitions.stream().allMatch(p -> p.recordsDeleted() == 0);
    }
  }

  /**
   * @param chains           the commit chains
   * @param s3               deletes the expired objects
   * @param catalogs         Iceberg catalog by the table's {@code iceberg.catalog} name (null = default);
   *                         null when no Iceberg catalog is configured here
   * @param defaultNamespace namespace for tables that name none
   * @param clock            now, for the cutoff
   */
  public Retention(Catalog chains, S3Client s3, Function<String, org.apache.iceberg.catalog.Catalog> catalogs,
      String defaultNamespace, Clock clock) {
    this.chains = chains;
    this.s3 = s3;
    this.catalogs = catalogs;
    this.defaultNamespace = defaultNamespace;
    this.clock = clock;
  }

  /** The per-partition plan of a pass. */
  private static final class Plan {
    final int partition;
    final Checkpoint old;
    /** Records this pass folds (after the old checkpoint), in seq order. */
    final List<CommitRecord> run = new ArrayList<>();
    /** Records up to the (new) checkpoint still in the chain: their objects go, then the records. */
    final List<CommitRecord> folded = new ArrayList<>();
    List<Compaction> links = List.of();
    Checkpoint next;
    boolean raced;
    int objectsDeleted;
    int recordsDeleted;

    Plan(int partition, Checkpoint old) {
      this.partition = partition;
      this.old = old;
    }

    /** The checkpoint this pass ends with (new, else old), or null. */
    Checkpoint target() {
      return next != null ? next : old;
    }
  }

  /** One retention pass over the table; see the class comment. {@code dryRun}: plan and report only. */
  public Result expire(StoredTable t, boolean dryRun) {
    TableDefinition def = t.definition();
    long now = clock.millis();
    if (!def.hasRetention()) {
      return new Result(t.name(), dryRun, 0, 0, List.of(), 0, 0);
    }
    long cutoff = now - def.retentionMillis();
    List<Plan> plans = new ArrayList<>();
    for (int p : chains.partitions(t.name())) {
      plans.add(plan(t.name(), p, cutoff, now));
    }
    boolean newFolds = plans.stream().anyMatch(p -> p.next != null);
    boolean cleanup = plans.stream().anyMatch(p -> !p.folded.isEmpty());
    if (dryRun) {
      List<PartitionResult> out = new ArrayList<>();
      for (Plan p : plans) {
        out.add(result(p, objectKeys(p).size(), 0));
      }
      return new Result(t.name(), true, def.retentionMillis(), cutoff, out, 0, 0);
    }

    Table table = newFolds || cleanup || plans.stream().anyMatch(p -> p.old != null) ? icebergTable(def) : null;
    int removed = 0;
    int snapshots = 0;
    // (a) Iceberg first: the files of the records about to be folded (and any left below a checkpoint)
    if (table != null) {
      int n = removeFromIceberg(t, table, plans, false);
      if (n >= 0) {
        removed += n;
        snapshots++;
      }
    }
    // (b) the checkpoints
    for (Plan p : plans) {
      if (p.next == null) {
        continue;
      }
      if (chains.putCheckpoint(p.old, p.next)) {
        LOG.info("table {} partition {}: retention folded seqs {}..{} ({} rows) into checkpoint seq {}", t.name(),
            p.partition, p.run.get(0).seq(), p.next.seq(), p.next.rows() - (p.old == null ? 0 : p.old.rows()),
            p.next.seq());
      } else {
        LOG.info("table {} partition {}: another checkpoint was written meanwhile; left for the next pass",
            t.name(), p.partition);
        p.raced = true;
        p.next = null;
        p.folded.clear();
      }
    }
    // (a') the fence: nothing below a checkpoint stays in (or slips into) the table before objects go
    if (table != null && plans.stream().anyMatch(p -> !p.raced && !p.folded.isEmpty())) {
      int n = removeFromIceberg(t, table, plans, true);
      removed += n;
      snapshots++;
    }
    // (a'') no retained snapshot may still list what (c) deletes: expire those older than the fence
    if (table != null && (removed > 0 || plans.stream().anyMatch(p -> !p.raced && !p.folded.isEmpty()))) {
      table.refresh();
      int expired = SnapshotExpiry.expireBefore(table, table.currentSnapshot().timestampMillis());
      LOG.info("table {}: retention expired {} Iceberg snapshots older than the fence snapshot (they listed files"
          + " about to be deleted)", t.name(), expired);
    }
    // (c) the objects, then (d) the folded records
    for (Plan p : plans) {
      if (p.raced || p.folded.isEmpty()) {
        continue;
      }
      p.objectsDeleted = deleteObjects(def.output().bucket(), objectKeys(p));
    }
    for (Plan p : plans) {
      if (p.raced || p.folded.isEmpty()) {
        continue;
      }
      long upTo = p.target().seq();
      p.recordsDeleted = chains.deleteFolded(t.name(), p.partition, upTo);
    }
    List<PartitionResult> out = new ArrayList<>();
    for (Plan p : plans) {
      out.add(result(p, p.objectsDeleted, p.recordsDeleted));
    }
    Result r = new Result(t.name(), false, def.retentionMillis(), cutoff, out, removed, snapshots);
    if (!r.idle()) {
      LOG.info("table {}: retention pass folded {} records ({} rows), removed {} Iceberg files in {} snapshots,"
          + " deleted {} objects", t.name(), r.records(), r.rows(), removed, snapshots, r.objectsDeleted());
    }
    return r;
  }

  private static PartitionResult result(Plan p, int objects, int recordsDeleted) {
    Checkpoint cp = p.target();
    long rows = p.next == null ? 0 : p.next.rows() - (p.old == null ? 0 : p.old.rows());
    return new PartitionResult(p.partition, cp == null ? -1 : cp.seq(),
        p.next == null ? -1 : p.run.get(0).seq(), p.next == null ? -1 : p.next.seq(),
        p.next == null ? 0 : p.run.size(), rows, objects, recordsDeleted);
  }

  // ------------------------------------------------------------------ planning

  private Plan plan(String table, int partition, long cutoff, long now) {
    Checkpoint old = chains.checkpoint(table, partition).orElse(null);
    Plan plan = new Plan(partition, old);
    CommitRecord head = chains.head(table, partition).orElse(null);
    if (head == null) {
      return plan;
    }
    long from = old == null ? 0 : old.seq() + 1;
    // records below the checkpoint still in the chain (a pass stopped before (d))
    if (old != null) {
      plan.folded.addAll(chains.records(table, partition, 0, from, Integer.MAX_VALUE));
    }
    // the longest run of old records after it, never the head
    long next = from;
    boolean stop = false;
    while (!stop && next < head.seq()) {
      List<CommitRecord> page = chains.records(table, partition, next, head.seq(), PAGE);
      for (CommitRecord r : page) {
        // a record without rows (the genesis, a claim, dead letters only) is neither old nor young: it
        // goes with its neighbours; its commit time says nothing about the age of the data around it
        if (r.seq() != next || (r.maxTs() != null && r.maxTs() >= cutoff)) {
          stop = true; // a hole (should not happen) or a record still within retention
          break;
        }
        plan.run.add(r);
        next = r.seq() + 1;
      }
      if (page.size() < PAGE) {
        break;
      }
    }
    // the run ends with its last old record that has rows (trailing empty records wait for the next data)
    while (!plan.run.isEmpty() && plan.run.get(plan.run.size() - 1).maxTs() == null) {
      plan.run.remove(plan.run.size() - 1);
    }
    plan.links = chains.compactions(table, partition);
    if (!plan.run.isEmpty()) {
      long end = plan.run.get(plan.run.size() - 1).seq();
      for (Compaction c : plan.links) {
        if (c.fromSeq() <= end && c.toSeq() > end) {
          end = c.fromSeq() - 1; // never cut a link in two
        }
      }
      final long last = end;
      plan.run.removeIf(r -> r.seq() > last);
    }
    // folding the genesis alone is pointless
    if (plan.run.isEmpty() || plan.run.get(plan.run.size() - 1).seq() < 1) {
      plan.run.clear();
      return plan;
    }
    long rows = old == null ? 0 : old.rows();
    long dlq = old == null ? 0 : old.dlqRows();
    long lost = old == null ? 0 : old.lost();
    for (CommitRecord r : plan.run) {
      rows += r.rows();
      dlq += r.dlqRows();
      lost += r.lost() == null ? 0 : r.lost();
    }
    CommitRecord last = plan.run.get(plan.run.size() - 1);
    long start = old != null ? old.startOffset() : plan.run.get(0).startOffset();
    plan.next = new Checkpoint(table, partition, start, last.seq(), last.endOffset(), rows, dlq, lost, last.seq() + 1,
        now);
    plan.folded.addAll(plan.run);
    return plan;
  }

  /** Every object of the folded records, and of the links over them (their object and replaced parts). */
  private static Set<String> objectKeys(Plan p) {
    Set<String> keys = new LinkedHashSet<>();
    if (p.folded.isEmpty()) {
      return keys;
    }
    long first = p.folded.get(0).seq();
    long last = p.folded.get(p.folded.size() - 1).seq();
    for (CommitRecord r : p.folded) {
      r.objects().forEach(o -> keys.add(o.key()));
    }
    for (Compaction c : p.links) {
      if (c.toSeq() >= first && c.fromSeq() <= last) {
        keys.add(c.object().key());
        keys.addAll(c.replaced());
      }
    }
    return keys;
  }

  // ------------------------------------------------------------------ Iceberg

  private Table icebergTable(TableDefinition def) {
    if (catalogs == null) {
      return null;
    }
    try {
      org.apache.iceberg.catalog.Catalog catalog = catalogs.apply(IcebergTables.catalogName(def));
      // never published: nothing to remove there
      return catalog == null ? null : IcebergTables.find(catalog, def, defaultNamespace).orElse(null);
    } catch (RuntimeException e) {
      if (def.iceberg().enabled()) {
        throw e;
      }
      LOG.debug("table {}: Iceberg catalog not available ({}); publication is off for it", def.name(), e.toString());
      return null;
    }
  }

  private static final Pattern LAYOUT = Pattern.compile("dt=\\d{4}-\\d{2}-\\d{2}/p(\\d+)-(\\d+)-(\\d+)-[A-Za-z0-9_-]+\\.parquet");

  /**
   * Removes from the current snapshot every data file at or below each partition's target checkpoint
   * in ONE pinned {@code DeleteFiles}; retried on a conflict (re-reading). Without such files it
   * commits nothing and returns -1, unless {@code always} (the fence). Returns the files removed.
   */
  private int removeFromIceberg(StoredTable t, Table table, List<Plan> plans, boolean always) {
    TableDefinition def = t.definition();
    SortedMap<Integer, Long> seqs = new TreeMap<>();
    SortedMap<Integer, Long> ends = new TreeMap<>();
    Set<String> keys = new java.util.HashSet<>();
    for (Plan p : plans) {
      Checkpoint cp = p.target();
      if (p.raced || cp == null) {
        continue;
      }
      seqs.put(p.partition, cp.seq());
      ends.put(p.partition, cp.endOffset());
      keys.addAll(objectKeys(p));
    }
    if (seqs.isEmpty()) {
      return -1;
    }
    String uriPrefix = IcebergTables.objectUri(def, "");
    String layoutPrefix = def.output().prefix() + "/" + def.name() + "/";
    for (int attempt = 1; ; attempt++) {
      table.refresh();
      Snapshot snap = table.currentSnapshot();
      if (snap == null) {
        return -1;
      }
      List<String> expired = new ArrayList<>();
      for (String path : dataFiles(table, snap)) {
        String key = path.startsWith(uriPrefix) ? path.substring(uriPrefix.length()) : null;
        if (key != null && (keys.contains(key) || belowCheckpoint(key, layoutPrefix, ends))) {
          expired.add(path);
        }
      }
      if (expired.isEmpty() && !always) {
        return -1;
      }
      ChainHeads heads = ChainHeads.of(table);
      DeleteFiles delete = io.tributary.iceberg.PinnedTable.pin(table, snap.snapshotId()).newDelete();
      expired.forEach(delete::deleteFile);
      delete.set(RETENTION_PROPERTY, json(seqs));
      if (heads.snapshotId() != -1) {
        delete.set(ChainHeads.PROPERTY, heads.toJson());
        if (!heads.compactionHeads().isEmpty()) {
          delete.set(ChainHeads.COMPACTION_PROPERTY, heads.compactionJson());
        }
      }
      String tableVersion = snap.summary().get(ChainHeads.TABLE_VERSION);
      if (tableVersion != null) {
        delete.set(ChainHeads.TABLE_VERSION, tableVersion);
      }
      delete.set(RETENTION_PASS, UUID.randomUUID().toString());
      try {
        delete.commit();
        LOG.info("table {}: Iceberg retention snapshot removes {} files; retention seqs {}", t.name(), expired.size(),
            json(seqs));
        return expired.size();
      } catch (CommitFailedException e) {
        if (attempt >= ICEBERG_ATTEMPTS) {
          throw new IllegalStateException("table " + t.name() + ": the Iceberg table kept moving during retention ("
              + e.getMessage() + "); nothing deleted, the next pass retries", e);
        }
        LOG.info("table {}: Iceberg retention commit conflict ({}); re-reading", t.name(), e.getMessage());
      }
    }
  }

  /** A part of the layout whose offsets end at or before the partition's checkpoint end offset. */
  static boolean belowCheckpoint(String key, String layoutPrefix, SortedMap<Integer, Long> ends) {
    if (!key.startsWith(layoutPrefix)) {
      return false;
    }
    Matcher m = LAYOUT.matcher(key.substring(layoutPrefix.length()));
    if (!m.matches()) {
      return false;
    }
    try {
      Long end = ends.get(Integer.parseInt(m.group(1)));
      return end != null && Long.parseLong(m.group(3)) <= end;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Paths of the live data files of a snapshot. */
  static List<String> dataFiles(Table table, Snapshot snap) {
    List<String> out = new ArrayList<>();
    for (ManifestFile m : snap.dataManifests(table.io())) {
      try (ManifestReader<DataFile> reader = ManifestFiles.read(m, table.io(), table.specs())) {
        for (DataFile f : reader) {
          out.add(f.location());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  private static String json(SortedMap<Integer, Long> m) {
    ObjectNode n = MAPPER.createObjectNode();
    m.forEach((p, seq) -> n.put(Integer.toString(p), seq));
    return n.toString();
  }

  /** Partition -> last expired seq of a snapshot's {@value #RETENTION_PROPERTY}, empty when it has none. */
  public static SortedMap<Integer, Long> retentionSeqs(Snapshot s) {
    String json = s == null ? null : s.summary().get(RETENTION_PROPERTY);
    if (json == null) {
      return Collections.emptySortedMap();
    }
    try {
      SortedMap<Integer, Long> out = new TreeMap<>();
      MAPPER.readTree(json).fields().forEachRemaining(e -> out.put(Integer.parseInt(e.getKey()), e.getValue().asLong()));
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ------------------------------------------------------------------ S3

  private int deleteObjects(String bucket, Set<String> keys) {
    List<String> all = new ArrayList<>(keys);
    for (int i = 0; i < all.size(); i += S3_BATCH) {
      List<ObjectIdentifier> ids = all.subList(i, Math.min(all.size(), i + S3_BATCH)).stream()
          .map(k -> ObjectIdentifier.builder().key(k).build()).toList();
      DeleteObjectsResponse r = s3.deleteObjects(b -> b.bucket(bucket).delete(Delete.builder().objects(ids)
          .quiet(true).build()));
      if (r.hasErrors() && !r.errors().isEmpty()) {
        throw new IllegalStateException("S3 refused to delete " + r.errors().size() + " expired objects, e.g. "
            + r.errors().get(0).key() + ": " + r.errors().get(0).code() + " " + r.errors().get(0).message()
            + "; the next pass retries");
      }
    }
    return all.size();
  }
}
