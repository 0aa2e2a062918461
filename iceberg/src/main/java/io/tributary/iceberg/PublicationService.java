package io.tributary.iceberg;

import io.tributary.catalog.Catalog;
import io.tributary.catalog.StoredTable;
import io.tributary.catalog.TableState;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.apache.iceberg.Table;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link Publisher} loop per published table, every {@code iceberg.commit_interval}, on its
 * own small executor, so a slow or unreachable Iceberg catalog never delays the scheduler's
 * heartbeats or assignments. The scheduler leader calls {@link #start()} when it wins the lease,
 * {@link #tables(Collection)} on every table refresh, and {@link #stop()} when it loses the lease
 * (a publisher racing a new leader's is safe, see {@link Publisher}, but pointless).
 *
 * <p>Per table: ACTIVE and PAUSED tables are published every interval; a DROPPED table is published
 * until it has nothing pending (its Iceberg table stays readable), then left alone. Every
 * {@link #EXPIRY_EVERY} rounds old snapshots are expired ({@link SnapshotExpiry}). Failures are
 * logged with the table and what happens next, counted, and retried next round — the only retry.
 *
 * <p>Thread-safety: public methods may be called from any thread; each table's round runs on one
 * executor thread at a time (fixed-delay scheduling).
 */
public final class PublicationService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PublicationService.class);
  static final int EXPIRY_EVERY = 150;
  static final int FOOTER_READERS = 8;
  static final Duration STOP_WAIT = Duration.ofSeconds(5);

  private final Catalog chains;
  private final IcebergCatalogs catalogs;
  private final Publisher publisher;
  private final LongSupplier clock;
  private final int keepSnapshots;
  private final Duration keepSnapshotsFor;
  private final Map<String, Loop> loops = new ConcurrentHashMap<>();
  private final java.util.concurrent.ExecutorService footerReaders;
  private volatile ScheduledExecutorService executor;

  /** What the status and the metrics show of one table's publication. */
  public record TableStatus(String table, String icebergTable, long snapshotId, Map<Integer, Long> heads,
      long publishedFiles, long publishedRows, long pendingRows, long lagMillis, long lastPublishMillis,
      long failures, String lastError) {
  }

  public PublicationService(Catalog chains, IcebergCatalogs catalogs, String publisherId, int keepSnapshots,
      Duration keepSnapshotsFor, LongSupplier clock) {
    this.chains = chains;
    this.catalogs = catalogs;
    AtomicInteger n = new AtomicInteger();
    this.footerReaders = Executors.newFixedThreadPool(FOOTER_READERS, r -> {
      Thread t = new Thread(r, "iceberg-footer-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.publisher = new Publisher(chains, catalogs::catalog, catalogs.defaultNamespace(), publisherId,
        footerReaders);
    this.clock = clock;
    this.keepSnapshots = keepSnapshots;
    this.keepSnapshotsFor = keepSnapshotsFor;
  }

  /**
   * Snapshot retention from the environment: keep the last {@code TRIBUTARY_ICEBERG_KEEP_SNAPSHOTS}
   * (default 60) and every snapshot younger than {@code TRIBUTARY_ICEBERG_KEEP_FOR} (ISO-8601 or
   * seconds, default 10 minutes). Every snapshot is one more entry in the table's metadata file, which
   * is rewritten on every commit, so the window is kept short by default.
   */
  public PublicationService(Catalog chains, IcebergCatalogs catalogs, String publisherId) {
    this(chains, catalogs, publisherId, catalogs.keepSnapshots(), catalogs.keepSnapshotsFor(),
        System::currentTimeMillis);
  }

  /** Whether any Iceberg catalog is configured in this process. */
  public boolean enabled() {
    return catalogs.enabled();
  }

  /** Begins publishing (leader acquired). Idempotent. */
  public synchronized void start() {
    if (executor != null || !enabled()) {
      return;
    }
    AtomicInteger n = new AtomicInteger();
    executor = Executors.newScheduledThreadPool(2, r -> {
      Thread t = new Thread(r, "iceberg-publisher-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Stops publishing (leader lost or shutdown). A round in flight finishes its commit attempt; this
   * waits up to {@link #STOP_WAIT} for it, so the process does not tear down clients under it.
   */
  public synchronized void stop() {
    ScheduledExecutorService e = executor;
    executor = null;
    loops.values().forEach(l -> l.future.cancel(false));
    loops.clear();
    if (e != null) {
      e.shutdown();
      try {
        if (!e.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
          LOG.warn("an Iceberg publication round is still running {} after stop; it ends with its commit attempt"
              + " (the next leader resumes from the current snapshot's heads)", STOP_WAIT);
        }
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The current table list: starts loops for new published tables, ends those of vanished ones. */
  public synchronized void tables(Collection<StoredTable> tables) {
    ScheduledExecutorService e = executor;
    if (e == null) {
      return;
    }
    Set<String> names = new HashSet<>();
    for (StoredTable t : tables) {
      if (t.definition().iceberg() != null && !t.definition().iceberg().enabled()) {
        continue;
      }
      names.add(t.name());
      Loop loop = loops.get(t.name());
      long interval = t.definition().iceberg() == null ? 2000 : t.definition().iceberg().commitIntervalMillis();
      if (loop == null || loop.intervalMillis != interval) {
        if (loop != null) {
          loop.future.cancel(false);
        }
        Loop l = loop == null ? new Loop(t.name()) : loop;
        l.intervalMillis = interval;
        l.stored = t;
        l.future = e.scheduleWithFixedDelay(l::round, 0, interval, TimeUnit.MILLISECONDS);
        loops.put(t.name(), l);
      } else {
        loop.stored = t;
      }
    }
    loops.keySet().removeIf(name -> {
      if (!names.contains(name)) {
        loops.get(name).future.cancel(false);
        return true;
      }
      return false;
    });
  }

  /** Status of every table being published, by table name. */
  public Map<String, TableStatus> status() {
    Map<String, TableStatus> out = new ConcurrentHashMap<>();
    loops.forEach((name, l) -> out.put(name, l.status));
    return out;
  }

  @Override
  public void close() {
    stop();
    footerReaders.shutdownNow();
  }

  /** One table's loop state; touched by its executor thread only (status is published volatile). */
  private final class Loop {
    final String name;
    volatile StoredTable stored;
    volatile long intervalMillis;
    volatile ScheduledFuture<?> future;
    volatile TableStatus status;
    Table table;
    long files;
    long rows;
    long failures;
    long lastPublish;
    long rounds;
    boolean droppedDone;

    Loop(String name) {
      this.name = name;
      this.status = new TableStatus(name, null, -1, Map.of(), 0, 0, 0, 0, 0, 0, null);
    }

    void round() {
      StoredTable t = stored;
      if (droppedDone) {
        return;
      }
      try {
        if (table == null) {
          table = publisher.table(t);
        }
        Publisher.Result r = publisher.publish(t, table);
        if (r.outcome() == Publisher.Outcome.PUBLISHED) {
          files += r.files();
          rows += r.rows();
          lastPublish = clock.getAsLong();
        }
        if (t.state() == TableState.DROPPED && r.outcome() == Publisher.Outcome.NOTHING_NEW && r.pending() == 0) {
          droppedDone = true;
          LOG.info("table {} is dropped and fully published; its Iceberg table {} stays readable", name, table.name());
        }
        long lag = r.oldestPendingCommitMillis() == 0 ? 0 : Math.max(0, clock.getAsLong() - r.oldestPendingCommitMillis());
        status = new TableStatus(name, table.name(), r.snapshotId(), r.heads().heads(), files, rows, r.pending(), lag,
            lastPublish, failures, null);
        if (++rounds % EXPIRY_EVERY == 0) {
          int expired = SnapshotExpiry.expire(table, keepSnapshots, keepSnapshotsFor, clock.getAsLong());
          if (expired > 0) {
            LOG.info("table {}: expired {} old Iceberg snapshots (keeping the last {} and those of the last {})", name,
                expired, keepSnapshots, keepSnapshotsFor);
          }
        }
      } catch (RuntimeException e) {
        if (executor == null) {
          LOG.info("table {}: Iceberg publication round ended by stop ({}); the next leader resumes from the current"
              + " snapshot's heads", name, e.toString());
          return;
        }
        failures++;
        table = null; // reload next round (catalog may have restarted, schema may have changed)
        TableStatus s = status;
        status = new TableStatus(name, s.icebergTable(), s.snapshotId(), s.heads(), files, rows, s.pendingRows(),
            s.lagMillis(), lastPublish, failures, String.valueOf(e.getMessage()));
        LOG.warn("table {}: Iceberg publication failed ({}); retrying in {} ms from the current snapshot's heads",
            name, e.toString(), intervalMillis);
      }
    }
  }
}
