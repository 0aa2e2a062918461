package io.tributary.scheduler;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tributary.api.v1.Assignment;
import io.tributary.api.v1.RunnerMessage;
import io.tributary.catalog.Catalog;
import io.tributary.catalog.Lease;
import io.tributary.catalog.StoredTable;
import io.tributary.catalog.admin.KafkaTopics;
import io.tributary.scheduler.scaling.ClusterLoad;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The leader's control loop: runner membership from the Attach streams, failure detection,
 * balanced sticky assignment with the revoke handshake, and the persisted assignment of every
 * table. It owns the thread and the state and runs the roles in order; the roles are
 * {@link RunnerSessions} (the attach protocol), {@link FailureDetector}, {@link Handover} (the
 * per-table state machine, planning with {@link AssignmentPlanner}) and
 * {@link TableMetadataPoller} (tables and topic metadata).
 *
 * <h2>Threads</h2>
 * One thread, {@code scheduler-coordinator}, owns ALL mutable state below (the runners, tables and
 * sessions, shared by reference with the roles, which run only on it) and is the only writer of
 * every runner stream. Everything else talks to it through {@link #post(Runnable)}: the gRPC
 * adapter (stream opened, message, closed), the {@link LeaderElector} (elected, demoted) and the
 * {@code scheduler-metadata} thread of the {@link TableMetadataPoller} (tables and topic metadata
 * polled from the catalog and Kafka, so slow Kafka calls never delay heartbeat acks). Readers on
 * other threads see {@link #snapshot()}, an immutable copy published after every round.
 *
 * <h2>Rounds</h2>
 * A round runs every {@code tick} and after every burst of events: (1) runners without a
 * heartbeat for the dead timeout are dropped and their partitions move at once with epoch + 1;
 * (2) revokes not confirmed within the revoke timeout complete anyway; (3) each table is planned
 * by {@link AssignmentPlanner}; a partition whose owner is alive is first revoked (the owner
 * flushes, commits and answers RevokeDone), a partition without a live owner (dead, released,
 * new) goes to its new owner with epoch + 1; (4) the new owners and epochs are written to
 * {@code assign#<table>} with compare-and-set BEFORE any runner is told; (5) every runner whose
 * desired set changed gets its full {@link Assignment}.
 *
 * <h2>Leadership</h2>
 * On election the state is rebuilt from the catalog (tables, assignments with epochs); owners in
 * the stored assignment get {@code takeoverGrace} to re-attach, and a Hello's owned partitions are
 * adopted when the stored assignment has no live owner for them at the same epoch. On demotion
 * every stream is answered NotLeader and closed, and the state is dropped.
 */
final class SchedulerCoordinator implements LeaderElector.Listener, TableMetadataPoller.Listener, AutoCloseable {

  private static final Logger LOG = Logger.getLogger(SchedulerCoordinator.class);

  private final Catalog catalog;
  private final SchedulerSettings settings;
  private final Clock clock;
  private final LinkedBlockingQueue<Runnable> events = new LinkedBlockingQueue<>();
  private final Thread thread;
  private final TableMetadataPoller metadata;
  private final Consumer<List<StoredTable>> tablesObserver;
  private volatile boolean closed;
  private volatile ClusterSnapshot snapshot = ClusterSnapshot.EMPTY;
  private volatile ClusterLoad scalingLoad;
  private volatile Set<String> draining = Set.of();
  private volatile boolean leadingFlag;
  private volatile String leaderAddressHint;

  // ---- coordinator-thread state
  private boolean leading;
  private final Map<String, RunnerState> runners = new TreeMap<>();
  private final Map<String, TableRuntime> tables = new TreeMap<>();
  private final Handover handover;
  private final RunnerSessions attach;
  private final FailureDetector failures;

  /**
   * @param tablesObserver sees every table refresh while leading (all tables, on the metadata thread;
   *                       it must not block: the Iceberg publication hands them to its own executor)
   */
  SchedulerCoordinator(Catalog catalog, KafkaTopics kafka, SchedulerSettings settings, AssignmentPlanner planner,
      Clock clock, MeterRegistry meters, Consumer<List<StoredTable>> tablesObserver) {
    this.catalog = catalog;
    this.tablesObserver = tablesObserver;
    this.settings = settings;
    this.clock = clock;
    this.handover = new Handover(catalog, planner, settings.revokeTimeout(), meters, runners, tables);
    this.attach = new RunnerSessions(settings, clock, handover, runners, tables, () -> leading,
        () -> leaderAddressHint);
    this.failures = new FailureDetector(settings.deadTimeout(), runners, attach, handover);
    this.thread = new Thread(this::loop, "scheduler-coordinator");
    this.thread.setDaemon(true);
    this.metadata = new TableMetadataPoller(catalog, kafka, settings, clock, meters, () -> leadingFlag, this);
    Gauge.builder("tributary.runners", this, c -> c.snapshot.runners().stream().filter(
        ClusterSnapshot.RunnerView::attached).count()).description("Runners attached to this leader").register(meters);
    Gauge.builder("tributary.leader", this, c -> c.leadingFlag ? 1 : 0)
        .description("1 while this scheduler is the leader").register(meters);
  }

  void start() {
    thread.start();
    metadata.start();
  }

  /** Runs {@code r} on the coordinator thread. */
  void post(Runnable r) {
    events.add(r);
  }

  /** The state published after the last round. */
  ClusterSnapshot snapshot() {
    return snapshot;
  }

  /**
   * Runners the local scaler is about to stop: the planner gives them nothing, so their partitions
   * move to the others with the revoke handshake (flush + commit first). Replaces the previous set.
   */
  void drain(Set<String> runnerIds) {
    Set<String> ids = Set.copyOf(runnerIds);
    if (!ids.equals(draining)) {
      draining = ids;
      LOG.infof("scaling: draining runners %s (no new partitions; theirs move away)", ids);
      post(() -> { });
    }
  }

  /** The leader's load for the scaling tick, published after every round; empty while standing by. */
  Optional<ClusterLoad> load() {
    return Optional.ofNullable(scalingLoad);
  }

  /** True while leading (as the coordinator last saw it). */
  boolean leading() {
    return leadingFlag;
  }

  /** Asks the metadata thread to re-read tables now (after an API change). */
  void tablesChanged() {
    metadata.wake();
  }

  // ------------------------------------------------------------------ leadership (elector thread)

  @Override
  public void elected(Lease lease) {
    post(() -> becomeLeader(lease));
  }

  @Override
  public void demoted(String reason) {
    leadingFlag = false;
    post(() -> stepDown(reason));
  }

  /** Address to put in NotLeader answers (the elector's view of the leader). */
  void leaderAddressHint(String address) {
    this.leaderAddressHint = address;
  }

  // ------------------------------------------------------------------ streams (gRPC threads)

  void opened(RunnerSession s) {
    post(() -> attach.opened(s));
  }

  void received(RunnerSession s, RunnerMessage m) {
    post(() -> attach.message(s, m));
  }

  /** The peer closed the stream: {@code leaving} when it half-closed cleanly (graceful exit). */
  void closedByPeer(RunnerSession s, boolean leaving) {
    if (!leaving) {
      s.markClosed();
    }
    post(() -> attach.closed(s, leaving));
  }

  // ------------------------------------------------------------------ metadata (metadata thread)

  @Override
  public void tablesRead(List<StoredTable> list) {
    try {
      tablesObserver.accept(list);
    } catch (RuntimeException e) {
      LOG.warnf("table refresh observer failed (%s); assignment goes on, next refresh retries", e.toString());
    }
    post(() -> onTables(list));
  }

  @Override
  public void offsetsRead(String table, SortedMap<Integer, Long> ends, Map<Integer, Long> committed, long atMs) {
    post(() -> {
      TableRuntime t = tables.get(table);
      if (t != null) {
        t.offsetsPolled(ends, committed, atMs);
      }
    });
  }

  // ------------------------------------------------------------------ the loop

  private void loop() {
    long nextRound = 0;
    while (!closed) {
      try {
        long wait = Math.max(0, nextRound - clock.millis());
        Runnable r = events.poll(wait, TimeUnit.MILLISECONDS);
        if (r != null) {
          runSafely(r);
          Runnable more;
          while ((more = events.poll()) != null) {
            runSafely(more);
          }
        }
        if (r != null || clock.millis() >= nextRound) {
          round();
          nextRound = clock.millis() + settings.tick().toMillis();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        LOG.errorf(e, "coordinator round failed; retrying next tick");
        nextRound = clock.millis() + settings.tick().toMillis();
      }
    }
  }

  private void runSafely(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.errorf(e, "coordinator event failed");
    }
  }

  private void round() {
    if (leading) {
      long now = clock.millis();
      failures.detectDead(now);
      handover.expireRevokes(now);
      for (TableRuntime t : tables.values()) {
        handover.reconcile(t, draining, now);
      }
      attach.sendAssignments();
    }
    snapshot = Snapshots.cluster(leading, runners.values(), tables.values());
    scalingLoad = leading ? Snapshots.load(runners.values(), tables.values()) : null;
  }

  // ------------------------------------------------------------------ leadership (coordinator thread)

  private void becomeLeader(Lease lease) {
    clearState();
    long now = clock.millis();
    for (StoredTable st : catalog.listTables()) {
      TableRuntime t = new TableRuntime(st);
      catalog.assignment(st.name()).ifPresent(t::adopt);
      // rates are rebuilt from heartbeats; the first ones after a re-attach span the leaderless gap
      t.owners.keySet().forEach(p -> t.ownedSinceMs.put(p, now));
      tables.put(st.name(), t);
      for (String owner : new TreeSet<>(t.owners.values())) {
        runners.computeIfAbsent(owner, id -> {
          RunnerState r = new RunnerState(id);
          // expected back: dead if not re-attached within the takeover grace
          r.lastSeenMs = now + settings.takeoverGrace().toMillis() - settings.deadTimeout().toMillis();
          return r;
        });
      }
      LOG.infof("leader: table %s (%s, %d partitions) assignment v%d owners %s epochs %s", st.name(), st.state(),
          st.partitions().size(), t.version, t.owners, t.epochs);
    }
    leading = true;
    leadingFlag = true;
    LOG.infof("leader: state rebuilt (%d tables, %d runners expected to re-attach within %d ms)", tables.size(),
        runners.size(), settings.takeoverGrace().toMillis());
    tablesChanged();
  }

  private void stepDown(String reason) {
    if (!leading) {
      return;
    }
    LOG.warnf("leader: stepping down (%s); closing %d runner streams with NotLeader", reason, attach.size());
    leading = false;
    leadingFlag = false;
    attach.notLeaderAll();
    clearState();
  }

  private void clearState() {
    runners.clear();
    attach.clear();
    tables.clear();
  }

  private void onTables(List<StoredTable> list) {
    if (!leading) {
      return;
    }
    Set<String> seen = new HashSet<>();
    for (StoredTable st : list) {
      seen.add(st.name());
      TableRuntime t = tables.get(st.name());
      if (t == null) {
        t = new TableRuntime(st);
        catalog.assignment(st.name()).ifPresent(t::adopt);
        tables.put(st.name(), t);
        LOG.infof("table %s: tracking (%s, %d partitions, definition v%d)", st.name(), st.state(),
            st.partitions().size(), st.version());
      } else if (t.stored.state() != st.state() || t.stored.version() != st.version()
          || !t.stored.partitions().equals(st.partitions())) {
        LOG.infof("table %s: now %s, definition v%d, %d partitions; re-planning", st.name(), st.state(),
            st.version(), st.partitions().size());
        t.update(st);
      }
    }
    tables.keySet().removeIf(n -> !seen.contains(n));
  }

  @Override
  public void close() {
    closed = true;
    CountDownLatch done = new CountDownLatch(1);
    post(() -> {
      attach.notLeaderAll();
      done.countDown();
    });
    try {
      done.await(2_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    thread.interrupt();
    metadata.close();
  }
}
