package io.tributary.iceberg.sweep;

import io.tributary.catalog.Catalog;
import io.tributary.catalog.Checkpoint;
import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.Compaction;
import io.tributary.catalog.PartObject;
import io.tributary.catalog.StoredTable;
import io.tributary.catalog.TableDefinition;
import io.tributary.iceberg.IcebergCatalogs;
import io.tributary.iceberg.IcebergTables;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.iceberg.ContentFile;
import org.apache.iceberg.ManifestContent;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The orphan sweeper (docs/maintenance.md rule 3): deletes the objects under a table's
 * {@code <prefix>/<table>/} that nothing can read any more.
 *
 * <p>An object is deleted only if (a) it is not referenced — no commit record from the retention
 * checkpoint on and no compaction link (as its {@code object}) names it, and no retained Iceberg
 * snapshot of the table lists it; a {@code replaced} object of a compaction link stays referenced
 * while the link is younger than the grace period or any retained Iceberg snapshot lists it — and
 * (b) its S3 LastModified is older than the grace period (default 1 h, {@code TRIBUTARY_SWEEP_GRACE},
 * never below 10 min from the environment; always longer than a commit outcome can stay unknown).
 * Iceberg's own files under {@code <prefix>/<table>/metadata/} are never looked at.
 *
 * <h2>Order (why a late commit is never deleted)</h2>
 * A pass LISTS the objects first and reads the chains AFTER the listing. Every object a pass may
 * delete was therefore uploaded before the chain read; if its commit record was written before the
 * chain read, the pass sees it and keeps the object; if it is written later, the upload is younger
 * than the commit's own deadline, which the grace period exceeds, so (b) keeps it. Just before
 * deleting, each partition's head is read again and any record committed meanwhile is added to the
 * references (belt and braces). Reading the chain first and listing later would let an object
 * uploaded and committed in between look unreferenced.
 *
 * <p>Any failure to read a chain, a compaction chain, a checkpoint or the Iceberg table (other
 * than "no such table") aborts the pass before anything is deleted. A chain that changes shape
 * during the read (retention folding it) also aborts; the next pass retries.
 *
 * <p>Thread-safety: a Sweeper holds no per-pass state; passes of different tables may run
 * concurrently. Two passes of the same table are safe too (deletes are idempotent).
 */
public final class Sweeper {
  private static final Logger LOG = LoggerFactory.getLogger(Sweeper.class);

  /** Environment key of the grace period (ISO-8601 like PT2H, or seconds). */
  public static final String ENV_GRACE = "TRIBUTARY_SWEEP_GRACE";
  /** Default grace period. */
  public static final Duration DEFAULT_GRACE = Duration.ofHours(1);
  /** The shortest grace period the environment may set. */
  public static final Duration MIN_GRACE = Duration.ofMinutes(10);

  private static final int PAGE = 1000;

  private final Catalog chains;
  private final S3Client s3;
  private final Function<String, org.apache.iceberg.catalog.Catalog> iceberg;
  private final String defaultNamespace;
  private final Duration grace;
  private final Clock clock;

  /**
   * What one pass found and did.
   *
   * @param table                 table name
   * @param dryRun                true: nothing was deleted
   * @param listed                objects listed under {@code <prefix>/<table>/} (metadata/ excluded)
   * @param referenced            listed objects that are referenced (kept whatever their age)
   * @param orphans               listed objects that are not referenced and older than the grace period
   *                              (deleted unless dry run; replaced objects of old compaction links included)
   * @param deleted               orphans deleted
   * @param bytesDeleted          bytes of the orphans deleted
   * @param replacedDeleted       of {@code deleted}, replaced objects of compaction links
   * @param skippedTooYoung       objects not referenced but younger than the grace period (kept)
   * @param failedDeletes         orphans whose delete failed (retried next pass)
   * @param orphanKeys            the orphans' keys (what a dry run would delete), in listing order
   * @param startedAtMillis       when the pass began (epoch ms)
   * @param durationMillis        how long it took
   */
  public record Result(String table, boolean dryRun, long listed, long referenced, long orphans, long deleted,
      long bytesDeleted, long replacedDeleted, long skippedTooYoung, long failedDeletes, List<String> orphanKeys,
      long startedAtMillis, long durationMillis) {
    public Result {
      orphanKeys = List.copyOf(orphanKeys);
    }
  }

  /** Thrown when the pass was aborted before deleting anything (the chain could not be read completely). */
  public static final class SweepAbortedException extends RuntimeException {
    public SweepAbortedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * @param chains           the commit chains (the source of truth)
   * @param s3               S3 client for the tables' bucket
   * @param iceberg          resolves a table's Iceberg catalog by name (null/blank = default); null = no
   *                         Iceberg here, so only the compaction links' age protects replaced objects
   * @param defaultNamespace Iceberg namespace of tables that name none
   * @param grace            objects younger than this are never deleted (any value; tests pass seconds)
   * @param clock            time source
   */
  public Sweeper(Catalog chains, S3Client s3, Function<String, org.apache.iceberg.catalog.Catalog> iceberg,
      String defaultNamespace, Duration grace, Clock clock) {
    if (grace == null || grace.isNegative()) {
      throw new IllegalArgumentException("grace period must be >= 0, got " + grace);
    }
    this.chains = chains;
    this.s3 = s3;
    this.iceberg = iceberg;
    this.defaultNamespace = defaultNamespace == null ? "tributary" : defaultNamespace;
    this.grace = grace;
    this.clock = clock;
  }

  /** With the Iceberg catalogs of this process (null or not {@link IcebergCatalogs#enabled()} = none). */
  public Sweeper(Catalog chains, S3Client s3, IcebergCatalogs catalogs, Duration grace, Clock clock) {
    this(chains, s3, catalogs == null || !catalogs.enabled() ? null : catalogs::catalog,
        catalogs == null ? null : catalogs.defaultNamespace(), grace, clock);
  }

  /** Grace period from {@code env} ({@link #grace(Map)}), system clock: what the scheduler and the CLI use. */
  public Sweeper(Catalog chains, S3Client s3, IcebergCatalogs catalogs, Map<String, String> env) {
    this(chains, s3, catalogs, grace(env), Clock.systemUTC());
  }

  /**
   * {@code TRIBUTARY_SWEEP_GRACE} (ISO-8601 like PT2H, or seconds), default 1 h; a value below 10 min
   * is raised to 10 min (with a warning).
   *
   * @throws IllegalStateException if it is malformed
   */
  public static Duration grace(Map<String, String> env) {
    String v = env.get(ENV_GRACE);
    if (v == null || v.isBlank()) {
      return DEFAULT_GRACE;
    }
    Duration d = parseDuration(ENV_GRACE, v);
    if (d.compareTo(MIN_GRACE) < 0) {
      LOG.warn("{}={} is below the minimum; using {} (a commit outcome may stay unknown that long)", ENV_GRACE, v,
          MIN_GRACE);
      return MIN_GRACE;
    }
    return d;
  }

  static Duration parseDuration(String key, String v) {
    try {
      String s = v.trim();
      return s.startsWith("P") || s.startsWith("p") ? Duration.parse(s.toUpperCase(java.util.Locale.ROOT))
          : Duration.ofSeconds(Long.parseLong(s));
    } catch (RuntimeException e) {
      throw new IllegalStateException(key + " must be seconds or ISO-8601 (PT1H), got '" + v + "'");
    }
  }

  /** The grace period in use. */
  public Duration grace() {
    return grace;
  }

  /** {@code <prefix>/<table>/}: the key prefix a pass lists. */
  public static String tablePrefix(TableDefinition def) {
    String prefix = def.output().prefix();
    String p = prefix == null ? "" : trimSlashes(prefix);
    return (p.isEmpty() ? "" : p + "/") + def.name() + "/";
  }

  /**
   * One pass over the table (see the class comment for what is deleted and in which order).
   *
   * @param dryRun true: report only, delete nothing
   * @throws SweepAbortedException if the chains or the Iceberg table could not be read completely (nothing
   *                               was deleted)
   */
  public Result sweep(StoredTable t, boolean dryRun) {
    long started = clock.millis();
    TableDefinition def = t.definition();
    String bucket = def.output().bucket();
    String base = tablePrefix(def);
    String metadata = base + "metadata/";

    // 1. LIST first (see "Order")
    Map<String, S3Object> listed = new LinkedHashMap<>();
    try {
      String token = null;
      do {
        ListObjectsV2Request.Builder req = ListObjectsV2Request.builder().bucket(bucket).prefix(base);
        if (token != null) {
          req.continuationToken(token);
        }
        ListObjectsV2Response page = s3.listObjectsV2(req.build());
        for (S3Object o : page.contents()) {
          if (!o.key().startsWith(metadata)) {
            listed.put(o.key(), o);
          }
        }
        token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
      } while (token != null);
    } catch (RuntimeException e) {
      throw new SweepAbortedException("table " + t.name() + ": listing s3://" + bucket + "/" + base + " failed: " + e,
          e);
    }

    // 2. THEN the references: chains from the checkpoint on, compaction links, Iceberg snapshots
    long now = clock.millis();
    long cutoff = now - grace.toMillis();
    Refs refs;
    try {
      refs = references(t, bucket, cutoff);
    } catch (RuntimeException e) {
      throw new SweepAbortedException("table " + t.name() + ": could not read every reference (" + e
          + "); nothing deleted", e);
    }

    // 3. decide
    List<S3Object> candidates = new ArrayList<>();
    long referenced = 0;
    long tooYoung = 0;
    for (S3Object o : listed.values()) {
      if (refs.keep.contains(o.key())) {
        referenced++;
      } else if (o.lastModified() == null || o.lastModified().toEpochMilli() > cutoff) {
        tooYoung++;
      } else {
        candidates.add(o);
      }
    }

    // 4. belt and braces: records committed since the chain read are references too
    if (!candidates.isEmpty()) {
      Set<String> late;
      try {
        late = committedSince(t.name(), refs.heads);
      } catch (RuntimeException e) {
        throw new SweepAbortedException("table " + t.name() + ": re-reading the chain heads failed (" + e
            + "); nothing deleted", e);
      }
      if (!late.isEmpty()) {
        candidates.removeIf(o -> late.contains(o.key()));
        referenced += listed.keySet().stream().filter(late::contains).count();
      }
    }

    List<String> keys = new ArrayList<>();
    candidates.forEach(o -> keys.add(o.key()));
    long deleted = 0;
    long bytes = 0;
    long replacedDeleted = 0;
    long failed = 0;
    if (!dryRun) {
      for (S3Object o : candidates) {
        try {
          s3.deleteObject(b -> b.bucket(bucket).key(o.key()));
          deleted++;
          bytes += o.size() == null ? 0 : o.size();
          if (refs.replaced.contains(o.key())) {
            replacedDeleted++;
          }
          LOG.debug("table {}: deleted orphan s3://{}/{} ({} bytes, last modified {})", t.name(), bucket, o.key(),
              o.size(), o.lastModified());
        } catch (RuntimeException e) {
          failed++;
          LOG.warn("table {}: deleting orphan s3://{}/{} failed ({}); retried next pass", t.name(), bucket, o.key(),
              e.toString());
        }
      }
    }
    long duration = clock.millis() - started;
    Result r = new Result(t.name(), dryRun, listed.size(), referenced, candidates.size(), deleted, bytes,
        replacedDeleted, tooYoung, failed, keys, started, duration);
    if (!candidates.isEmpty() || failed > 0) {
      LOG.info("table {}: sweep{}: {} objects listed, {} referenced, {} orphans, {} deleted ({} bytes, {} replaced by"
          + " compaction), {} too young, {} failed", t.name(), dryRun ? " (dry run)" : "", r.listed(), r.referenced(),
          r.orphans(), r.deleted(), r.bytesDeleted(), r.replacedDeleted(), r.skippedTooYoung(), r.failedDeletes());
    }
    return r;
  }

  // ------------------------------------------------------------------ references

  /** What a pass must keep, and what it read to know it. */
  private record Refs(Set<String> keep, Set<String> replaced, Map<Integer, Long> heads) {
  }

  private Refs references(StoredTable t, String bucket, long cutoff) {
    String name = t.name();
    SortedSet<Integer> partitions = new TreeSet<>(t.partitions());
    partitions.addAll(chains.partitions(name));
    Set<String> keep = new HashSet<>();
    Set<String> replacedOld = new HashSet<>();
    Map<Integer, Long> heads = new HashMap<>();
    for (int p : partitions) {
      Optional<Checkpoint> cp = chains.checkpoint(name, p);
      long from = cp.map(c -> c.seq() + 1).orElse(0L);
      Map<Long, CommitRecord> bySeq = new HashMap<>();
      long expect = from;
      long prevEnd = cp.map(Checkpoint::endOffset).orElse(-1L);
      while (true) {
        List<CommitRecord> page = chains.records(name, p, expect, Long.MAX_VALUE, PAGE);
        for (CommitRecord r : page) {
          if (r.seq() != expect || (prevEnd >= 0 && r.startOffset() != prevEnd)) {
            throw new IllegalStateException("partition " + p + ": chain read from seq " + from + " found seq " + r.seq()
                + " (start " + r.startOffset() + ") where seq " + expect + " (start " + prevEnd + ") was expected"
                + " — the chain changed during the pass (retention?)");
          }
          bySeq.put(r.seq(), r);
          r.objects().forEach(o -> keep.add(o.key()));
          prevEnd = r.endOffset();
          expect++;
        }
        if (page.size() < PAGE) {
          break;
        }
      }
      if (bySeq.isEmpty()) {
        throw new IllegalStateException("partition " + p + ": no chain record from seq " + from);
      }
      heads.put(p, expect - 1);
      for (Compaction c : chains.compactions(name, p)) {
        keep.add(c.object().key());
        if (c.committedAt() > 0 && c.committedAt() <= cutoff) {
          // replaced keys of an old link: deletable unless Iceberg still lists them (below); only keys that
          // really are data objects of the records the link covers (never anything else by mistake)
          for (String k : c.replaced()) {
            if (coveredDataObject(bySeq, c, k)) {
              replacedOld.add(k);
            }
          }
        }
      }
    }
    Set<String> icebergFiles = icebergFiles(t, bucket);
    replacedOld.removeAll(icebergFiles);
    keep.removeAll(replacedOld);
    keep.addAll(icebergFiles);
    return new Refs(keep, replacedOld, heads);
  }

  private static boolean coveredDataObject(Map<Long, CommitRecord> bySeq, Compaction c, String key) {
    for (long s = c.fromSeq(); s <= c.toSeq(); s++) {
      CommitRecord r = bySeq.get(s);
      if (r == null) {
        continue; // folded by retention: not referenced by the chain any more anyway
      }
      for (PartObject o : r.objects()) {
        if (o.kind() == PartObject.Kind.DATA && o.key().equals(key)) {
          return true;
        }
      }
    }
    // not an object of a record we read: either folded (not in keep) or not the link's to replace
    return false;
  }

  /** Keys of objects of records committed after {@code heads} (read again just before deleting). */
  private Set<String> committedSince(String table, Map<Integer, Long> heads) {
    Set<String> out = new HashSet<>();
    for (int p : chains.partitions(table)) {
      long after = heads.getOrDefault(p, -1L);
      Optional<CommitRecord> head = chains.head(table, p);
      if (head.isPresent() && head.get().seq() > after) {
        for (CommitRecord r : chains.records(table, p, after + 1, Long.MAX_VALUE, Integer.MAX_VALUE)) {
          r.objects().forEach(o -> out.add(o.key()));
        }
      }
    }
    return out;
  }

  /**
   * Keys (in {@code bucket}) of every data and delete file any retained snapshot of the table's Iceberg
   * table lists; empty when there is no Iceberg here or the table has none.
   */
  private Set<String> icebergFiles(StoredTable t, String bucket) {
    if (iceberg == null) {
      return Set.of();
    }
    TableDefinition def = t.definition();
    Table table = IcebergTables.find(iceberg.apply(IcebergTables.catalogName(def)), def, defaultNamespace).orElse(null);
    if (table == null) {
      return Set.of();
    }
    Set<String> files = new HashSet<>();
    Set<String> seenManifests = new HashSet<>();
    for (Snapshot s : table.snapshots()) {
      for (ManifestFile m : s.allManifests(table.io())) {
        if (!seenManifests.add(m.path())) {
          continue;
        }
        if (m.content() == ManifestContent.DATA) {
          try (CloseableIterable<? extends ContentFile<?>> it = ManifestFiles.read(m, table.io(), table.specs())) {
            it.forEach(f -> add(files, bucket, f.location()));
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        } else {
          try (CloseableIterable<? extends ContentFile<?>> it = ManifestFiles.readDeleteManifest(m, table.io(),
              table.specs())) {
            it.forEach(f -> add(files, bucket, f.location()));
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
      }
    }
    return files;
  }

  private static void add(Set<String> files, String bucket, String location) {
    String key = keyOf(bucket, location);
    if (key != null) {
      files.add(key);
    }
  }

  /** The key of {@code s3://bucket/key} (also s3a/s3n), or null when it names another bucket or scheme. */
  static String keyOf(String bucket, String location) {
    for (String scheme : new String[] {"s3://", "s3a://", "s3n://"}) {
      String p = scheme + bucket + "/";
      if (location.startsWith(p)) {
        return location.substring(p.length());
      }
    }
    return null;
  }

  private static String trimSlashes(String s) {
    String r = s.trim();
    while (r.startsWith("/")) {
      r = r.substring(1);
    }
    while (r.endsWith("/")) {
      r = r.substring(0, r.length() - 1);
    }
    return r;
  }
}
