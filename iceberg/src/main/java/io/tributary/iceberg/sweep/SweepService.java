package io.tributary.iceberg.sweep;

import io.tributary.catalog.StoredTable;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler leader's sweeper loop: one {@link Sweeper#sweep} pass per table every
 * {@code TRIBUTARY_SWEEP_INTERVAL} (default 10 min; {@code off} disables it), the first one
 * {@code TRIBUTARY_SWEEP_INITIAL_DELAY} (default 3 min) after {@link #start()}, on its own single daemon
 * thread, so S3 listings never delay heartbeats, assignment or publication. {@link #stop()} on
 * leadership lost ends it (a pass in flight finishes its current table).
 *
 * <p>Every table the catalog holds is swept, PAUSED and DROPPED too (their chains are kept). A pass
 * that fails or aborts is logged with the table, counted in its status, and retried next interval.
 *
 * <p>Thread-safety: public methods may be called from any thread.
 */
public final class SweepService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SweepService.class);
  public static final String ENV_INTERVAL = "TRIBUTARY_SWEEP_INTERVAL";
  public static final String ENV_INITIAL_DELAY = "TRIBUTARY_SWEEP_INITIAL_DELAY";

  private final Sweeper sweeper;
  private final Duration interval;
  private final Duration initialDelay;
  private final Clock clock;
  private final Map<String, TableStatus> status = new ConcurrentHashMap<>();
  private volatile List<StoredTable> tables = List.of();
  private volatile ScheduledExecutorService executor;

  /**
   * One table's sweeping as the leader saw it; totals count since this process became leader.
   *
   * @param lastPassMillis     when the last completed pass began (epoch ms), 0 if none yet
   * @param lastDurationMillis how long it took
   * @param lastOrphans        orphans the last pass found
   * @param lastDeleted        orphans the last pass deleted
   * @param orphansDeleted     total orphans deleted
   * @param bytesDeleted       total bytes deleted
   * @param replacedDeleted    total replaced-by-compaction objects deleted
   * @param passes             completed passes
   * @param failures           passes that failed or aborted
   * @param lastError          error of the last pass, null when it succeeded
   * @param lastErrorMillis    when the last failure happened, 0 if none
   */
  public record TableStatus(String table, long lastPassMillis, long lastDurationMillis, long lastListed,
      long lastOrphans, long lastDeleted, long lastTooYoung, long orphansDeleted, long bytesDeleted,
      long replacedDeleted, long passes, long failures, String lastError, long lastErrorMillis) {
    static TableStatus empty(String table) {
      return new TableStatus(table, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, 0);
    }
  }

  public SweepService(Sweeper sweeper, Duration interval, Duration initialDelay, Clock clock) {
    this.sweeper = sweeper;
    this.interval = interval;
    this.initialDelay = initialDelay;
    this.clock = clock;
  }

  /** The interval from {@code env}, or null when {@code TRIBUTARY_SWEEP_INTERVAL=off} (or 0). */
  public static Duration interval(Map<String, String> env) {
    String v = env.get(ENV_INTERVAL);
    if (v == null || v.isBlank()) {
      return Duration.ofMinutes(10);
    }
    if (v.trim().equalsIgnoreCase("off")) {
      return null;
    }
    Duration d = Sweeper.parseDuration(ENV_INTERVAL, v);
    return d.isZero() || d.isNegative() ? null : d;
  }

  /** {@code TRIBUTARY_SWEEP_INITIAL_DELAY}, default 3 minutes. */
  public static Duration initialDelay(Map<String, String> env) {
    String v = env.get(ENV_INITIAL_DELAY);
    return v == null || v.isBlank() ? Duration.ofMinutes(3) : Sweeper.parseDuration(ENV_INITIAL_DELAY, v);
  }

  public Duration interval() {
    return interval;
  }

  public Sweeper sweeper() {
    return sweeper;
  }

  /** Begins sweeping (leader acquired). Idempotent. */
  public synchronized void start() {
    if (executor != null) {
      return;
    }
    executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tributary-sweeper");
      t.setDaemon(true);
      return t;
    });
    executor.scheduleWithFixedDelay(this::round, initialDelay.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Stops sweeping (leader lost or shutdown) and forgets the status. */
  public synchronized void stop() {
    ScheduledExecutorService e = executor;
    executor = null;
    if (e != null) {
      e.shutdownNow(); // interrupts between S3 requests; a delete in flight completes or not, both safe
    }
    status.clear();
  }

  /** The current table list (every table, any state). */
  public void tables(Collection<StoredTable> all) {
    this.tables = List.copyOf(all);
    status.keySet().removeIf(name -> all.stream().noneMatch(t -> t.name().equals(name)));
  }

  /** Status of every table swept (or waiting for its first pass), by name. */
  public Map<String, TableStatus> status() {
    Map<String, TableStatus> out = new ConcurrentHashMap<>();
    for (StoredTable t : tables) {
      out.put(t.name(), status.getOrDefault(t.name(), TableStatus.empty(t.name())));
    }
    return out;
  }

  @Override
  public void close() {
    stop();
  }

  /** One pass over every table, one after the other. */
  void round() {
    for (StoredTable t : tables) {
      if (executor == null || Thread.currentThread().isInterrupted()) {
        return;
      }
      TableStatus s = status.getOrDefault(t.name(), TableStatus.empty(t.name()));
      try {
        Sweeper.Result r = sweeper.sweep(t, false);
        status.put(t.name(), new TableStatus(t.name(), r.startedAtMillis(), r.durationMillis(), r.listed(), r.orphans(),
            r.deleted(), r.skippedTooYoung(), s.orphansDeleted() + r.deleted(), s.bytesDeleted() + r.bytesDeleted(),
            s.replacedDeleted() + r.replacedDeleted(), s.passes() + 1, s.failures() + (r.failedDeletes() > 0 ? 1 : 0),
            r.failedDeletes() > 0 ? r.failedDeletes() + " deletes failed" : null,
            r.failedDeletes() > 0 ? clock.millis() : s.lastErrorMillis()));
      } catch (RuntimeException e) {
        status.put(t.name(), new TableStatus(t.name(), s.lastPassMillis(), s.lastDurationMillis(), s.lastListed(),
            s.lastOrphans(), s.lastDeleted(), s.lastTooYoung(), s.orphansDeleted(), s.bytesDeleted(),
            s.replacedDeleted(), s.passes(), s.failures() + 1, String.valueOf(e.getMessage()), clock.millis()));
        LOG.warn("table {}: sweep pass failed, nothing deleted by it after the failure ({}); retrying in {}", t.name(),
            e.toString(), interval);
      }
    }
  }
}
