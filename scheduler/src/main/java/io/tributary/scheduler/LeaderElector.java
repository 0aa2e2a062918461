package io.tributary.scheduler;

import io.tributary.catalog.Catalog;
import io.tributary.catalog.Lease;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Leader election on the catalog lease ({@code lease#scheduler}/{@code leader}).
 *
 * <h2>Lifecycle</h2>
 * {@link #start()} starts one daemon thread, {@code scheduler-leader-elector}, which owns the held
 * lease. As a standby it tries {@link Catalog#acquireLease} every {@code pollInterval} (it only
 * succeeds once the current lease is absent or expired). As leader it renews every
 * {@code renewInterval} with a lease of {@code ttl}; it steps down when a renewal is refused, or when
 * renewals have failed until less than one renew interval of the lease is left (so it stops acting
 * before anyone else can take over). {@link #close()} releases a held lease, so a standby takes over
 * at once instead of after expiry.
 *
 * <p>Transitions are reported on the elector thread through {@link Listener}; the listener must not
 * block for long (it should hand work to its own thread).
 *
 * <p>Thread-safety: {@link #isLeader()}, {@link #leaderAddress()} and {@link #lease()} may be
 * called from any thread.
 */
final class LeaderElector implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(LeaderElector.class);

  /** Receives leadership transitions, on the elector thread. */
  interface Listener {
    /** This process now holds the lease. */
    void elected(Lease lease);

    /** This process no longer holds the lease (lost, expired, or closing). */
    void demoted(String reason);
  }

  private final Catalog catalog;
  private final String owner;
  private final String address;
  private final Duration ttl;
  private final Duration renewInterval;
  private final Duration pollInterval;
  private final Clock clock;
  private final Listener listener;
  private final Thread thread;

  private volatile Lease held;
  private volatile Lease observed;
  private volatile boolean closed;

  LeaderElector(Catalog catalog, String owner, String address, Duration ttl, Duration renewInterval,
      Duration pollInterval, Clock clock, Listener listener) {
    this.catalog = catalog;
    this.owner = owner;
    this.address = address;
    this.ttl = ttl;
    this.renewInterval = renewInterval;
    this.pollInterval = pollInterval;
    this.clock = clock;
    this.listener = listener;
    this.thread = new Thread(this::run, "scheduler-leader-elector");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** True while this process holds an unexpired lease. */
  boolean isLeader() {
    Lease l = held;
    return l != null && l.isLive(clock.millis());
  }

  /** The held lease, if leader. */
  Optional<Lease> lease() {
    return Optional.ofNullable(held);
  }

  /** The leader's gRPC address as last seen (own address when leader), or empty if unknown. */
  Optional<String> leaderAddress() {
    Lease l = held;
    if (l != null) {
      return Optional.of(l.address());
    }
    Lease o = observed;
    return o != null && o.isLive(clock.millis()) ? Optional.of(o.address()) : Optional.empty();
  }

  /** This process's id. */
  String owner() {
    return owner;
  }

  /** This process's advertised gRPC address. */
  String address() {
    return address;
  }

  private void run() {
    while (!closed) {
      long wait;
      try {
        wait = held == null ? tryAcquire() : renew();
      } catch (RuntimeException e) {
        // A transient failure is normal here and costs one renew interval, never the lease (checkExpiry
        // gives it up only when it has really expired). The one seen on the local stack is the SDK's
        // "Unable to unmarshall response" on a 200: dynalite (Node) closed a pooled keep-alive connection
        // mid-response just after the stack started; the next attempt opens a fresh connection.
        LOG.warnf("lease: catalog call failed (%s); retrying in %d ms", e.toString(), renewInterval.toMillis());
        wait = renewInterval.toMillis();
        checkExpiry();
      }
      try {
        TimeUnit.MILLISECONDS.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private long tryAcquire() {
    Optional<Lease> got = catalog.acquireLease(owner, address, ttl);
    if (got.isPresent()) {
      held = got.get();
      observed = held;
      LOG.infof("lease: %s is now the leader at %s (lease epoch %d, ttl %d ms); rebuilding state from the catalog",
          owner, address, held.epoch(), ttl.toMillis());
      listener.elected(held);
      return renewInterval.toMillis();
    }
    Optional<Lease> cur = catalog.currentLease();
    Lease before = observed;
    observed = cur.orElse(null);
    if (cur.isPresent() && (before == null || before.epoch() != cur.get().epoch())) {
      LOG.infof("lease: standby; the leader is %s at %s (lease epoch %d); polling every %d ms",
          cur.get().owner(), cur.get().address(), cur.get().epoch(), pollInterval.toMillis());
    }
    return pollInterval.toMillis();
  }

  private long renew() {
    Lease mine = held;
    Optional<Lease> renewed = catalog.renewLease(mine, ttl);
    if (renewed.isPresent()) {
      held = renewed.get();
      observed = held;
      return renewInterval.toMillis();
    }
    stepDown("the lease was taken or could not be renewed (epoch " + mine.epoch() + ")");
    return pollInterval.toMillis();
  }

  private void checkExpiry() {
    Lease mine = held;
    if (mine != null && clock.millis() >= mine.expiresAtMillis() - renewInterval.toMillis()) {
      stepDown("renewals failed until the lease was about to expire");
    }
  }

  private void stepDown(String reason) {
    if (held == null) {
      return;
    }
    held = null;
    LOG.warnf("lease: %s stops leading: %s; standing by", owner, reason);
    listener.demoted(reason);
  }

  /** Stops the elector and releases a held lease so a standby takes over at once. */
  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Lease mine = held;
    if (mine != null) {
      held = null;
      try {
        catalog.releaseLease(mine);
        LOG.infof("lease: %s released the lease (epoch %d) on shutdown", owner, mine.epoch());
      } catch (RuntimeException e) {
        LOG.warnf("lease: release failed (%s); a standby takes over when it expires", e.toString());
      }
      listener.demoted("shutting down");
    }
  }
}
