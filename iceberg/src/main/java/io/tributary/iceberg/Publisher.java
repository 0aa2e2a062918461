package io.tributary.iceberg;

import io.tributary.catalog.Catalog;
import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.PartObject;
import io.tributary.catalog.StoredTable;
import io.tributary.catalog.TableDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.SnapshotUpdate;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.mapping.MappingUtil;
import org.apache.iceberg.mapping.NameMapping;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes one table's commit chains as Iceberg snapshots (DESIGN.md "Iceberg publication").
 *
 * <h2>The contract</h2>
 * {@link #publish(StoredTable)} reads the chain heads of the table's current snapshot
 * ({@link ChainHeads}), collects the data objects of every chain record after them, and appends
 * them in ONE {@code AppendFiles} commit whose summary carries the new heads. Column metrics come
 * from each part's Parquet footer (the footer only). That is the whole state: after a crash (before
 * or after the catalog swap), a restart, a leader change, or two publishers racing, the next call
 * starts again from the current snapshot's heads, so every committed data part is added exactly
 * once and nothing that no commit record references (orphans, dead letters) ever is.
 *
 * <h2>The three outcomes of a commit</h2>
 * <ul>
 * <li>committed — the new snapshot is current; {@link Outcome#PUBLISHED}.</li>
 * <li>conflict — the table moved under us ({@code CommitFailedException}; the table has
 * {@code commit.retry.num-retries = 0}, so Iceberg never re-applies our files on a snapshot we did
 * not read); {@link Outcome#CONFLICT}: call again, it re-reads the heads.</li>
 * <li>unknown — the swap's response was lost ({@code CommitStateUnknownException});
 * {@link Outcome#UNKNOWN}: call again; the heads of whatever became current say whether our files
 * are in. Nothing is ever deleted here: data objects belong to the chain.</li>
 * </ul>
 * Retrying is the caller's loop ({@link PublicationService}), the only retry place.
 *
 * <p>Not thread-safe per table: one caller per table at a time (several publishers in several
 * processes are safe, that is the race above).
 */
public final class Publisher {
  private static final Logger LOG = LoggerFactory.getLogger(Publisher.class);
  /** At most this many files per snapshot; a backfill of a long chain takes several rounds. */
  static final int MAX_FILES_PER_SNAPSHOT = 5000;
  private static final int PAGE = 1000;
  /** Summary property: a random id of the publication that made the snapshot (for operators and logs). */
  static final String PUBLICATION = "tributary.publication";

  private final Catalog chains;
  private final Function<String, org.apache.iceberg.catalog.Catalog> catalogs;
  private final String defaultNamespace;
  private final String publisherId;
  private final java.util.concurrent.ExecutorService footerReaders;

  /** What one call did. */
  public enum Outcome { PUBLISHED, NOTHING_NEW, CONFLICT, UNKNOWN }

  /**
   * @param outcome    what happened
   * @param snapshotId the current snapshot after the call (-1 if the table has none)
   * @param files      data files added by this call
   * @param rows       rows added by this call
   * @param heads      the heads now published (the new ones when PUBLISHED)
   * @param pending    rows committed after {@code heads} (not in the table yet)
   * @param oldestPendingCommitMillis commit time of the oldest unpublished record with rows, 0 if none
   */
  public record Result(Outcome outcome, long snapshotId, int files, long rows, ChainHeads heads, long pending,
      long oldestPendingCommitMillis) {
  }

  /**
   * @param chains           the commit chains (source of truth)
   * @param catalogs         Iceberg catalog by the table's {@code iceberg.catalog} name (null = default)
   * @param defaultNamespace namespace for tables that name none
   * @param publisherId      who publishes (recorded in the snapshot summary, for operators)
   */
  public Publisher(Catalog chains, Function<String, org.apache.iceberg.catalog.Catalog> catalogs,
      String defaultNamespace, String publisherId) {
    this(chains, catalogs, defaultNamespace, publisherId, null);
  }

  /** As above, reading part footers on {@code footerReaders} (null: on the calling thread). */
  public Publisher(Catalog chains, Function<String, org.apache.iceberg.catalog.Catalog> catalogs,
      String defaultNamespace, String publisherId, java.util.concurrent.ExecutorService footerReaders) {
    this.footerReaders = footerReaders;
    this.chains = chains;
    this.catalogs = catalogs;
    this.defaultNamespace = defaultNamespace;
    this.publisherId = publisherId;
  }

  /** The Iceberg table of {@code stored}, created (and its schema synced) if needed. */
  public Table table(StoredTable stored) {
    TableDefinition def = stored.definition();
    TableIdentifier id = IcebergTables.identifier(def, defaultNamespace);
    return IcebergTables.ensure(catalogs.apply(IcebergTables.catalogName(def)), id, stored);
  }

  /** One publication step: everything committed since the current snapshot's heads, in one append. */
  public Result publish(StoredTable stored) {
    Table table = table(stored);
    return publish(stored, table);
  }

  /**
   * As {@link #publish(StoredTable)} on an already loaded table (refreshed here). When compaction
   * links are pending on published parts, the round first commits a {@code RewriteFiles} snapshot
   * (docs/maintenance.md rule 2), then the append.
   */
  public Result publish(StoredTable stored, Table table) {
    Result r = publishOnce(stored, table);
    for (int i = 0; i < 3 && r.outcome() == Outcome.PUBLISHED && r.files() == 0; i++) {
      r = publishOnce(stored, table); // a rewrite was committed: now the append
    }
    return r;
  }

  private Result publishOnce(StoredTable stored, Table table) {
    table.refresh();
    ChainHeads heads = ChainHeads.of(table);
    long snapshotId = table.currentSnapshot() == null ? -1 : table.currentSnapshot().snapshotId();
    PendingParts pending = PendingParts.collect(chains, stored, heads, MAX_FILES_PER_SNAPSHOT);
    if (pending.objects.isEmpty() && pending.rewrites.isEmpty()) {
      return new Result(Outcome.NOTHING_NEW, snapshotId, 0, 0, heads, pending.restRows, pending.oldestRest);
    }
    NameMapping mapping = MappingUtil.create(IcebergSchemas.schema(stored.definition()));
    MetricsConfig metricsConfig = MetricsConfig.forTable(table);
    // Every commit may only land on the snapshot whose heads we read (see PinnedTable).
    Table pinned = PinnedTable.pin(table, snapshotId);
    SnapshotUpdate<?> update;
    ChainHeads next;
    long rows = 0;
    int added;
    String what;
    if (!pending.rewrites.isEmpty()) {
      RewriteFiles rewrite = pinned.newRewrite();
      List<PendingParts.Obj> adds = new ArrayList<>();
      int deleted = 0;
      for (PendingParts.Rewrite rw : pending.rewrites) {
        for (String key : rw.deleteKeys()) {
          rewrite.deleteFile(DataFiles.builder(table.spec()).withPath(IcebergTables.objectUri(stored.definition(), key))
              .withFormat(FileFormat.PARQUET).withFileSizeInBytes(1).withRecordCount(1).build());
          deleted++;
        }
        adds.add(new PendingParts.Obj(rw.partition(), rw.link().fromSeq(), rw.link().toSeq(), rw.link().object()));
      }
      for (DataFile f : dataFiles(table, stored.definition(), adds, metricsConfig, mapping)) {
        rewrite.addFile(f);
      }
      next = new ChainHeads(-1, heads.heads(), pending.rewriteCompactionHeads);
      update = rewrite;
      added = 0;
      what = "replaces " + deleted + " parts by " + adds.size() + " compacted objects";
    } else {
      AppendFiles append = pinned.newAppend();
      for (DataFile f : dataFiles(table, stored.definition(), pending.objects, metricsConfig, mapping)) {
        append.appendFile(f);
        rows += f.recordCount();
      }
      next = new ChainHeads(-1, pending.heads, pending.compactionHeads);
      update = append;
      added = pending.objects.size();
      what = "adds " + added + " parts, " + rows + " rows";
    }
    update.set(ChainHeads.PROPERTY, next.toJson());
    if (!next.compactionHeads().isEmpty()) {
      update.set(ChainHeads.COMPACTION_PROPERTY, next.compactionJson());
    }
    update.set(ChainHeads.TABLE_VERSION, Long.toString(stored.version()));
    update.set("tributary.publisher", publisherId);
    String publication = java.util.UUID.randomUUID().toString();
    update.set(PUBLICATION, publication);
    try {
      update.commit();
    } catch (CommitFailedException e) {
      LOG.info("table {}: Iceberg commit conflict ({}); next round re-reads the heads of the current snapshot",
          stored.name(), e.getMessage());
      return new Result(Outcome.CONFLICT, snapshotId, 0, 0, heads, pending.rows + pending.restRows,
          pending.oldest);
    } catch (CommitStateUnknownException e) {
      LOG.warn("table {}: Iceberg commit outcome unknown ({}); next round reads the heads of whatever is current",
          stored.name(), e.getMessage());
      return new Result(Outcome.UNKNOWN, snapshotId, 0, 0, heads, pending.rows + pending.restRows,
          pending.oldest);
    }
    table.refresh();
    long newId = findSnapshot(table, publication);
    LOG.info("table {}: Iceberg snapshot {} {}; heads {} compactions {}", stored.name(), newId, what, next.toJson(),
        next.compactionJson());
    ChainHeads now = new ChainHeads(newId, next.heads(), next.compactionHeads());
    return added == 0 ? new Result(Outcome.PUBLISHED, newId, 0, 0, now, pending.rows + pending.restRows, pending.oldest)
        : new Result(Outcome.PUBLISHED, newId, added, rows, now, pending.restRows, pending.oldestRest);
  }

  private static long findSnapshot(Table table, String publication) {
    for (org.apache.iceberg.Snapshot s = table.currentSnapshot(); s != null;
        s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
      if (publication.equals(s.summary().get(PUBLICATION))) {
        return s.snapshotId();
      }
    }
    return -1;
  }

  /** Committed-but-unpublished rows and the oldest such commit, without publishing. */
  public Result status(StoredTable stored, Table table) {
    table.refresh();
    ChainHeads heads = ChainHeads.of(table);
    PendingParts p = PendingParts.collect(chains, stored, heads, 0);
    long snapshotId = table.currentSnapshot() == null ? -1 : table.currentSnapshot().snapshotId();
    return new Result(Outcome.NOTHING_NEW, snapshotId, 0, 0, heads, p.restRows, p.oldestRest);
  }

  /** Footers are read in parallel (each is two small ranged GETs); order is kept. */
  private List<DataFile> dataFiles(Table table, TableDefinition def, List<PendingParts.Obj> objects,
      MetricsConfig metricsConfig,
      NameMapping mapping) {
    if (objects.size() == 1 || footerReaders == null) {
      return objects.stream().map(o -> dataFile(table, def, o, metricsConfig, mapping)).toList();
    }
    List<java.util.concurrent.Future<DataFile>> futures = new ArrayList<>(objects.size());
    for (PendingParts.Obj o : objects) {
      futures.add(footerReaders.submit(() -> dataFile(table, def, o, metricsConfig, mapping)));
    }
    List<DataFile> out = new ArrayList<>(objects.size());
    try {
      for (var f : futures) {
        out.add(f.get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      futures.forEach(f -> f.cancel(true));
      throw new IllegalStateException("interrupted while reading part footers of table " + def.name(), e);
    } catch (java.util.concurrent.ExecutionException e) {
      futures.forEach(f -> f.cancel(true));
      throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
    }
    return out;
  }

  static DataFile dataFile(Table table, TableDefinition def, PendingParts.Obj o, MetricsConfig metricsConfig,
      NameMapping mapping) {
    String uri = IcebergTables.objectUri(def, o.object().key());
    InputFile in = table.io().newInputFile(uri, o.object().bytes());
    Metrics metrics = FooterMetrics.of(in, metricsConfig, mapping);
    if (metrics.recordCount() == null || metrics.recordCount() != o.object().rows()) {
      throw new IllegalStateException("table " + def.name() + " partition " + o.partition() + " seqs " + o.fromSeq()
          + ".." + o.toSeq() + ": object " + o.object().key() + " has " + metrics.recordCount()
          + " rows in its footer but the catalog says " + o.object().rows() + "; not publishing");
    }
    return DataFiles.builder(table.spec()).withPath(uri).withFormat(FileFormat.PARQUET)
        .withFileSizeInBytes(o.object().bytes()).withMetrics(metrics).build();
  }

}
