package io.tributary.scheduler;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.tributary.api.v1.IcebergStatus;
import io.tributary.catalog.StoredTable;
import io.tributary.catalog.TableState;
import io.tributary.iceberg.PublicationService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The leader's Iceberg publication (DESIGN.md "Iceberg publication"): a {@link PublicationService}
 * started when this process becomes leader, given every table refresh of the leader (all tables,
 * PAUSED and DROPPED included), stopped when leadership ends and at shutdown. The service publishes
 * on its own executor, so a slow or unreachable Iceberg catalog never delays heartbeats or
 * assignment. With no Iceberg catalog configured it does nothing and reports nothing.
 *
 * <p>Also the status ({@link #status(String)}) and the per-table metrics:
 * {@code tributary_iceberg_pending_rows}, {@code tributary_iceberg_lag_seconds} (gauges),
 * {@code tributary_iceberg_published_files_total}, {@code tributary_iceberg_published_rows_total},
 * {@code tributary_iceberg_publish_failures_total} (counters), all tagged {@code table}; a table's
 * series are removed once it is dropped and fully published, and when this process stops leading.
 *
 * <p>Thread-safety: {@link #leading()} and {@link #notLeading(String)} run on the elector thread,
 * {@link #tables(List)} on the metadata thread, {@link #status(String)} on gRPC threads; the meter
 * bookkeeping is guarded by {@code this}.
 */
final class IcebergPublication implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(IcebergPublication.class);

  private final PublicationService service;
  private final AutoCloseable catalogs;
  private final MeterRegistry meters;
  private final Map<String, TableMeters> series = new HashMap<>();

  /**
   * @param service  the publication service (its catalogs decide whether publication is on)
   * @param catalogs closed at shutdown, after the service stopped
   */
  IcebergPublication(PublicationService service, AutoCloseable catalogs, MeterRegistry meters) {
    this.service = service;
    this.catalogs = catalogs;
    this.meters = meters;
  }

  boolean enabled() {
    return service.enabled();
  }

  /** This process became leader: start publishing (tables follow with the next refresh). */
  void leading() {
    if (!service.enabled()) {
      return;
    }
    service.start();
    LOG.info("iceberg: publishing as leader; every table is published on its own interval from the next table"
        + " refresh, resuming from its current snapshot's chain heads");
  }

  /** Leadership ended: stop publishing (the new leader resumes from the snapshots' heads); drop the series. */
  void notLeading(String reason) {
    if (!service.enabled()) {
      return;
    }
    service.stop();
    LOG.infof("iceberg: publication stopped (%s); the next leader resumes from each table's current snapshot",
        reason);
    synchronized (this) {
      new ArrayList<>(series.keySet()).forEach(this::removeSeries);
    }
  }

  /** Every table refresh of the leader: all tables, PAUSED and DROPPED too; also refreshes the metrics. */
  void tables(List<StoredTable> all) {
    if (!service.enabled()) {
      return;
    }
    service.tables(all);
    updateMeters(all);
  }

  /** The table's publication status, or empty when publication is off here. */
  Optional<IcebergStatus> status(String table) {
    if (!service.enabled()) {
      return Optional.empty();
    }
    PublicationService.TableStatus s = service.status().get(table);
    if (s == null) {
      // not (yet) published: the table turned publication off, or the leader has not picked it up yet
      return Optional.of(IcebergStatus.newBuilder().setEnabled(false).setSnapshotId(-1).build());
    }
    return Optional.of(proto(s));
  }

  static IcebergStatus proto(PublicationService.TableStatus s) {
    IcebergStatus.Builder b = IcebergStatus.newBuilder().setEnabled(true)
        .setTable(s.icebergTable() == null ? "" : s.icebergTable()).setSnapshotId(s.snapshotId())
        .setPendingRows(s.pendingRows()).setLagSeconds(s.lagMillis() / 1000.0).setPublishedFiles(s.publishedFiles())
        .setPublishedRows(s.publishedRows()).setFailures(s.failures()).setLastPublishMs(s.lastPublishMillis())
        .setLastError(s.lastError() == null ? "" : s.lastError());
    s.heads().forEach(b::putHeads);
    return b.build();
  }

  @Override
  public void close() {
    service.close();
    synchronized (this) {
      new ArrayList<>(series.keySet()).forEach(this::removeSeries);
    }
    try {
      catalogs.close();
    } catch (Exception e) {
      LOG.debugf("iceberg: closing the catalogs: %s", e);
    }
  }

  // ------------------------------------------------------------------ metrics

  /** One table's series; the counters follow the service's totals, which restart with every leadership term. */
  private static final class TableMeters {
    final AtomicLong pendingRows = new AtomicLong();
    final AtomicLong lagMillis = new AtomicLong();
    final List<Meter> meters = new ArrayList<>();
    Counter files;
    Counter rows;
    Counter failures;
    long seenFiles;
    long seenRows;
    long seenFailures;
  }

  private synchronized void updateMeters(List<StoredTable> all) {
    Map<String, PublicationService.TableStatus> status = service.status();
    Map<String, TableState> states = new HashMap<>();
    all.forEach(t -> states.put(t.name(), t.state()));
    for (String table : new ArrayList<>(series.keySet())) {
      if (!status.containsKey(table) || !states.containsKey(table)) {
        removeSeries(table);
      }
    }
    status.forEach((table, s) -> {
      TableState state = states.get(table);
      if (state == null) {
        return;
      }
      boolean caughtUp = state == TableState.DROPPED && s.icebergTable() != null && s.pendingRows() == 0
          && s.lastError() == null;
      if (caughtUp) {
        removeSeries(table);
        return;
      }
      TableMeters m = series.computeIfAbsent(table, this::register);
      m.pendingRows.set(s.pendingRows());
      m.lagMillis.set(s.lagMillis());
      m.seenFiles = advance(m.files, m.seenFiles, s.publishedFiles());
      m.seenRows = advance(m.rows, m.seenRows, s.publishedRows());
      m.seenFailures = advance(m.failures, m.seenFailures, s.failures());
    });
  }

  /** Adds what the service's running total grew by (a total below the last one seen restarted from 0). */
  private static long advance(Counter c, long seen, long total) {
    long delta = total >= seen ? total - seen : total;
    if (delta > 0) {
      c.increment(delta);
    }
    return total;
  }

  private TableMeters register(String table) {
    TableMeters m = new TableMeters();
    Tags tags = Tags.of("table", table);
    m.meters.add(Gauge.builder("tributary.iceberg.pending.rows", m.pendingRows, AtomicLong::get).tags(tags)
        .description("Committed rows not yet in the table's current Iceberg snapshot").register(meters));
    m.meters.add(Gauge.builder("tributary.iceberg.lag.seconds", m.lagMillis, v -> v.get() / 1000.0).tags(tags)
        .description("Age of the oldest commit not yet published to Iceberg (0 when caught up)").register(meters));
    m.files = Counter.builder("tributary.iceberg.published.files").tags(tags)
        .description("Parts added to the table's Iceberg snapshots by this scheduler").register(meters);
    m.rows = Counter.builder("tributary.iceberg.published.rows").tags(tags)
        .description("Rows added to the table's Iceberg snapshots by this scheduler").register(meters);
    m.failures = Counter.builder("tributary.iceberg.publish.failures").tags(tags)
        .description("Iceberg publication rounds that failed (retried next interval)").register(meters);
    m.meters.add(m.files);
    m.meters.add(m.rows);
    m.meters.add(m.failures);
    return m;
  }

  private void removeSeries(String table) {
    TableMeters m = series.remove(table);
    if (m != null) {
      m.meters.forEach(meters::remove);
    }
  }
}
