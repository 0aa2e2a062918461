package io.tributary.scheduler;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.tributary.api.v1.SweepStatus;
import io.tributary.catalog.StoredTable;
import io.tributary.catalog.TableState;
import io.tributary.iceberg.sweep.SweepService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The leader's orphan sweeper (docs/maintenance.md rule 3): a {@link SweepService} started when this
 * process becomes leader (first pass {@code TRIBUTARY_SWEEP_INITIAL_DELAY} later, then every
 * {@code TRIBUTARY_SWEEP_INTERVAL}), given every table refresh, stopped when leadership ends and at
 * shutdown. It runs on its own single daemon thread. Off ({@code TRIBUTARY_SWEEP_INTERVAL=off}, or a bad
 * setting, logged): nothing runs and nothing is reported.
 *
 * <p>Per-table metrics (tag {@code table}): {@code tributary_sweeper_orphans_deleted_total},
 * {@code tributary_sweeper_bytes_deleted_total} (counters) and {@code tributary_sweeper_last_pass_seconds}
 * (gauge: duration of the table's last completed pass), none for DROPPED tables (still swept); the
 * status proto's {@code sweep}.
 *
 * <p>Thread-safety: like {@link IcebergPublication}; the meter bookkeeping is guarded by {@code this}.
 */
final class OrphanSweeping implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(OrphanSweeping.class);

  private final SweepService service; // null = off
  private final AutoCloseable s3;
  private final MeterRegistry meters;
  private final Map<String, TableMeters> series = new HashMap<>();

  /** @param service null = sweeping off here; {@code s3} is closed with this */
  OrphanSweeping(SweepService service, AutoCloseable s3, MeterRegistry meters) {
    this.service = service;
    this.s3 = s3;
    this.meters = meters;
  }

  void leading() {
    if (service == null) {
      return;
    }
    service.start();
    LOG.infof("sweeper: sweeping every table's orphans every %s as leader (grace %s)", service.interval(),
        service.sweeper().grace());
  }

  void notLeading(String reason) {
    if (service == null) {
      return;
    }
    service.stop();
    LOG.infof("sweeper: stopped (%s)", reason);
    synchronized (this) {
      new ArrayList<>(series.keySet()).forEach(this::removeSeries);
    }
  }

  /** Every table refresh of the leader (all tables); also refreshes the metrics. */
  void tables(List<StoredTable> all) {
    if (service == null) {
      return;
    }
    service.tables(all);
    updateMeters(all);
  }

  Optional<SweepStatus> status(String table) {
    if (service == null) {
      return Optional.empty();
    }
    SweepService.TableStatus s = service.status().get(table);
    return s == null ? Optional.empty() : Optional.of(proto(s));
  }

  private SweepStatus proto(SweepService.TableStatus s) {
    return SweepStatus.newBuilder().setLastPassMs(s.lastPassMillis()).setOrphansFound(s.lastOrphans())
        .setOrphansDeleted(s.orphansDeleted()).setBytesDeleted(s.bytesDeleted())
        .setLastError(s.lastError() == null ? "" : s.lastError()).setLastPassDurationMs(s.lastDurationMillis())
        .setObjectsListed(s.lastListed()).setSkippedTooYoung(s.lastTooYoung()).setReplacedDeleted(s.replacedDeleted())
        .setFailures(s.failures()).setGraceSeconds(service.sweeper().grace().toSeconds())
        .setIntervalSeconds(service.interval().toSeconds()).build();
  }

  @Override
  public void close() {
    if (service != null) {
      service.close();
    }
    synchronized (this) {
      new ArrayList<>(series.keySet()).forEach(this::removeSeries);
    }
    try {
      s3.close();
    } catch (Exception e) {
      LOG.debugf("sweeper: closing the S3 client: %s", e);
    }
  }

  // ------------------------------------------------------------------ metrics

  private static final class TableMeters {
    final AtomicLong lastPassMillis = new AtomicLong();
    final List<Meter> meters = new ArrayList<>();
    Counter orphans;
    Counter bytes;
    long seenOrphans;
    long seenBytes;
  }

  /** DROPPED tables are still swept (their chains are kept) but have no series: no stale dashboards. */
  private synchronized void updateMeters(List<StoredTable> all) {
    Map<String, SweepService.TableStatus> status = service.status();
    Set<String> dropped = new HashSet<>();
    all.stream().filter(t -> t.state() == TableState.DROPPED).forEach(t -> dropped.add(t.name()));
    for (String table : new ArrayList<>(series.keySet())) {
      if (!status.containsKey(table) || dropped.contains(table)) {
        removeSeries(table);
      }
    }
    status.forEach((table, s) -> {
      if (dropped.contains(table)) {
        return;
      }
      TableMeters m = series.computeIfAbsent(table, this::register);
      m.lastPassMillis.set(s.lastDurationMillis());
      m.seenOrphans = advance(m.orphans, m.seenOrphans, s.orphansDeleted());
      m.seenBytes = advance(m.bytes, m.seenBytes, s.bytesDeleted());
    });
  }

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
    m.meters.add(Gauge.builder("tributary.sweeper.last.pass.seconds", m.lastPassMillis, v -> v.get() / 1000.0)
        .tags(tags).description("Duration of the table's last completed orphan-sweeper pass").register(meters));
    m.orphans = Counter.builder("tributary.sweeper.orphans.deleted").tags(tags)
        .description("Unreferenced objects the orphan sweeper deleted").register(meters);
    m.bytes = Counter.builder("tributary.sweeper.bytes.deleted").tags(tags)
        .description("Bytes of the unreferenced objects the orphan sweeper deleted").register(meters);
    m.meters.add(m.orphans);
    m.meters.add(m.bytes);
    return m;
  }

  private void removeSeries(String table) {
    TableMeters m = series.remove(table);
    if (m != null) {
      m.meters.forEach(meters::remove);
    }
  }
}
