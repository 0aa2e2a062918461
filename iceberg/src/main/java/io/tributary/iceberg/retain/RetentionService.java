package io.tributary.iceberg.retain;

import io.tributary.catalog.AwsClients;
import io.tributary.catalog.Catalog;
import io.tributary.catalog.StoredTable;
import io.tributary.iceberg.IcebergCatalogs;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The scheduler leader's retention loop: every {@link #DEFAULT_INTERVAL} (10 min) one
 * {@link Retention} pass per table that sets {@code retention}, on its own daemon thread, so a slow
 * pass never delays heartbeats, assignment or publication. {@link #leading()} starts it,
 * {@link #notLeading()} stops it (a pass in flight finishes its current step; every step is
 * idempotent, so the next leader's pass completes whatever was left), {@link #close()} at shutdown.
 */
public final class RetentionService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RetentionService.class);
  public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(10);

  private final Catalog chains;
  private final Retention retention;
  private final S3Client s3;
  private final Duration interval;
  private ScheduledExecutorService executor;
  private ScheduledFuture<?> loop;

  /** With the process's S3 client (from {@code env}) and Iceberg catalogs (none configured: chains and S3 only). */
  public RetentionService(Catalog chains, IcebergCatalogs catalogs, Map<String, String> env, Clock clock,
      Duration interval) {
    this.chains = chains;
    this.s3 = AwsClients.s3(env);
    this.retention = new Retention(chains, s3, catalogs.enabled() ? catalogs::catalog : null,
        catalogs.defaultNamespace(), clock);
    this.interval = interval;
  }

  /** This process became leader: a first pass after one minute, then every interval. */
  public synchronized void leading() {
    if (loop != null) {
      return;
    }
    if (executor == null) {
      ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "retention");
        t.setDaemon(true);
        return t;
      });
      e.setRemoveOnCancelPolicy(true);
      executor = e;
    }
    long first = Math.min(60_000L, interval.toMillis());
    loop = executor.scheduleWithFixedDelay(this::round, first, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Leadership ended: no further passes here. */
  public synchronized void notLeading() {
    if (loop != null) {
      loop.cancel(false);
      loop = null;
    }
  }

  /** One pass over every table with retention (ACTIVE, PAUSED and DROPPED alike); failures are logged. */
  public void round() {
    for (StoredTable t : chains.listTables()) {
      if (!t.definition().hasRetention() || Thread.currentThread().isInterrupted()) {
        continue;
      }
      try {
        retention.expire(t, false);
      } catch (RuntimeException e) {
        LOG.warn("table {}: retention pass failed ({}); the next pass completes it", t.name(), e.toString(), e);
      }
    }
  }

  @Override
  public synchronized void close() {
    notLeading();
    if (executor != null) {
      executor.shutdownNow();
      executor = null;
    }
    s3.close();
  }
}
