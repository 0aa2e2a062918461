package io.tributary.scheduler;

import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.tributary.api.v1.Assignment;
import io.tributary.api.v1.Heartbeat;
import io.tributary.api.v1.HeartbeatAck;
import io.tributary.api.v1.Hello;
import io.tributary.api.v1.OwnedPartitions;
import io.tributary.api.v1.PartitionEpoch;
import io.tributary.api.v1.PartitionProgress;
import io.tributary.api.v1.Revoke;
import io.tributary.api.v1.RevokeDone;
import io.tributary.api.v1.RunnerMessage;
import io.tributary.api.v1.SchedulerMessage;
import io.tributary.api.v1.TableAssignment;
import io.tributary.catalog.Catalog;
import io.tributary.catalog.Lease;
import io.tributary.catalog.StoredTable;
import io.tributary.catalog.TableDefinitions;
import io.tributary.catalog.TableState;
import io.tributary.catalog.VersionConflictException;
import io.tributary.scheduler.scaling.ClusterLoad;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import io.tributary.catalog.admin.KafkaTopics;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The leader's control loop: runner membership from the Attach streams, failure detection,
 * balanced sticky assignment with the revoke handshake, and the persisted assignment of every
 * table.
 *
 * <h2>Threads</h2>
 * One thread, {@code scheduler-coordinator}, owns ALL mutable state below and is the only writer
 * of every runner stream. Everything else talks to it through {@link #post(Runnable)}: the gRPC
 * adapter (stream opened, message, closed), the {@link LeaderElector} (elected, demoted) and the
 * {@code scheduler-metadata} thread (tables and topic metadata polled from the catalog and Kafka,
 * so slow Kafka calls never delay heartbeat acks). Readers on other threads see
 * {@link #snapshot()}, an immutable copy published after every round.
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
final class SchedulerCoordinator implements LeaderElector.Listener, AutoCloseable {

  private static final Logger LOG = Logger.getLogger(SchedulerCoordinator.class);
  private static final long RATE_WARMUP_MS = 5_000;

  private final Catalog catalog;
  private final KafkaTopics kafka;
  private final SchedulerSettings settings;
  private final AssignmentPlanner planner;
  private final Clock clock;
  private final MeterRegistry meters;
  private final LinkedBlockingQueue<Runnable> events = new LinkedBlockingQueue<>();
  private final Thread thread;
  private final Thread metadataThread;
  private volatile boolean closed;
  private volatile ClusterSnapshot snapshot = ClusterSnapshot.EMPTY;
  private volatile ClusterLoad scalingLoad;
  private volatile Set<String> draining = Set.of();
  private volatile boolean leadingFlag;
  private volatile String leaderAddressHint;
  private final Object metadataWake = new Object();
  private final Counter assignmentChanges;
  private final Map<String, AtomicLong> lagGauges = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, Gauge> lagMeters = new java.util.concurrent.ConcurrentHashMap<>();

  // ---- coordinator-thread state
  private boolean leading;
  private final Map<String, RunnerState> runners = new TreeMap<>();
  private final Map<Long, RunnerSession> sessions = new HashMap<>();
  private final Map<String, TableRuntime> tables = new TreeMap<>();

  SchedulerCoordinator(Catalog catalog, KafkaTopics kafka, SchedulerSettings settings, AssignmentPlanner planner,
      Clock clock, MeterRegistry meters) {
    this.catalog = catalog;
    this.kafka = kafka;
    this.settings = settings;
    this.planner = planner;
    this.clock = clock;
    this.meters = meters;
    this.thread = new Thread(this::loop, "scheduler-coordinator");
    this.thread.setDaemon(true);
    this.metadataThread = new Thread(this::metadataLoop, "scheduler-metadata");
    this.metadataThread.setDaemon(true);
    this.assignmentChanges = Counter.builder("tributary.assignment.changes")
        .description("Partitions that changed owner (each move counts once)").register(meters);
    Gauge.builder("tributary.runners", this, c -> c.snapshot.runners().stream().filter(
        ClusterSnapshot.RunnerView::attached).count()).description("Runners attached to this leader").register(meters);
    Gauge.builder("tributary.leader", this, c -> c.leadingFlag ? 1 : 0)
        .description("1 while this scheduler is the leader").register(meters);
  }

  void start() {
    thread.start();
    metadataThread.start();
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
    synchronized (metadataWake) {
      metadataWake.notifyAll();
    }
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
    post(() -> onOpened(s));
  }

  void received(RunnerSession s, RunnerMessage m) {
    post(() -> onMessage(s, m));
  }

  /** The peer closed the stream: {@code leaving} when it half-closed cleanly (graceful exit). */
  void closedByPeer(RunnerSession s, boolean leaving) {
    if (!leaving) {
      s.markClosed();
    }
    post(() -> onClosed(s, leaving));
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
      detectDead(now);
      expireRevokes(now);
      for (TableRuntime t : tables.values()) {
        reconcile(t, now);
      }
      sendAssignments();
    }
    publish();
  }

  // ------------------------------------------------------------------ leadership (coordinator thread)

  private void becomeLeader(Lease lease) {
    clearState();
    long now = clock.millis();
    for (StoredTable st : catalog.listTables()) {
      TableRuntime t = new TableRuntime(st);
      catalog.assignment(st.name()).ifPresent(a -> {
        t.version = a.version();
        t.owners.putAll(a.owners());
        t.epochs.putAll(a.epochs());
      });
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
    LOG.warnf("leader: stepping down (%s); closing %d runner streams with NotLeader", reason, sessions.size());
    leading = false;
    leadingFlag = false;
    for (RunnerSession s : sessions.values()) {
      s.notLeader(leaderAddressHint);
    }
    clearState();
  }

  private void clearState() {
    runners.clear();
    sessions.clear();
    tables.clear();
  }

  // ------------------------------------------------------------------ stream events

  private void onOpened(RunnerSession s) {
    if (!leading) {
      LOG.debugf("%s: not the leader; answering NotLeader(%s)", s, leaderAddressHint);
      s.notLeader(leaderAddressHint);
      return;
    }
    sessions.put(s.id(), s);
  }

  private void onMessage(RunnerSession s, RunnerMessage m) {
    if (!leading) {
      s.notLeader(leaderAddressHint);
      return;
    }
    if (!sessions.containsKey(s.id()) || s.isClosed()) {
      return; // replaced or closed
    }
    switch (m.getBodyCase()) {
      case HELLO -> onHello(s, m.getHello());
      case HEARTBEAT -> onHeartbeat(s, m.getHeartbeat());
      case REVOKE_DONE -> onRevokeDone(s, m.getRevokeDone());
      default -> LOG.warnf("%s: ignoring an empty message", s);
    }
  }

  private void onHello(RunnerSession s, Hello h) {
    String id = h.getRunnerId();
    if (id.isBlank()) {
      sessions.remove(s.id());
      s.fail(Status.INVALID_ARGUMENT.withDescription("hello.runner_id: is required"));
      return;
    }
    if (s.runnerId != null) {
      LOG.warnf("%s: second Hello ignored", s);
      return;
    }
    s.runnerId = id;
    RunnerState r = runners.computeIfAbsent(id, RunnerState::new);
    if (r.session != null && r.session != s) {
      LOG.infof("runner %s: re-attached (%s replaces %s)", id, s, r.session);
      sessions.remove(r.session.id());
      r.session.complete();
    }
    r.session = s;
    r.hello = h;
    r.lastSeenMs = clock.millis();
    r.sentKey = null; // always send the full assignment on attach
    StringBuilder owned = new StringBuilder();
    for (OwnedPartitions op : h.getOwnedList()) {
      TableRuntime t = tables.get(op.getTable());
      for (PartitionEpoch pe : op.getPartitionsList()) {
        owned.append(' ').append(op.getTable()).append('/').append(pe.getPartition()).append('@').append(pe.getEpoch());
        if (t == null) {
          continue;
        }
        String storedOwner = t.owners.get(pe.getPartition());
        long storedEpoch = t.epochs.getOrDefault(pe.getPartition(), 0L);
        if (storedEpoch == pe.getEpoch() && (storedOwner == null || !isMember(storedOwner))) {
          t.claims.put(pe.getPartition(), id);
        }
      }
    }
    LOG.infof("runner %s: attached (%s, http %s, version %s, max partitions %d); owns:%s; sending its assignment", id,
        s.peer(), h.getHttpAddress().isEmpty() ? "?" : h.getHttpAddress(), h.getVersion(), h.getMaxPartitions(),
        owned.length() == 0 ? " nothing" : owned);
  }

  private void onHeartbeat(RunnerSession s, Heartbeat hb) {
    if (s.runnerId == null) {
      sessions.remove(s.id());
      s.fail(Status.FAILED_PRECONDITION.withDescription("send Hello before Heartbeat"));
      return;
    }
    RunnerState r = runners.get(s.runnerId);
    if (r == null || r.session != s) {
      return;
    }
    long now = clock.millis();
    r.lastSeenMs = now;
    r.lastHeartbeatMs = now;
    r.last = hb;
    for (PartitionProgress p : hb.getPartitionsList()) {
      TableRuntime t = tables.get(p.getTable());
      if (t == null || !s.runnerId.equals(t.owners.get(p.getPartition()))) {
        continue;
      }
      t.progress.put(p.getPartition(), p);
      // a new owner's first seconds report warm-up rates (0, then catch-up bursts): not the partition's rate
      if (now - t.ownedSinceMs.getOrDefault(p.getPartition(), 0L) >= RATE_WARMUP_MS) {
        t.consumeRates.merge(p.getPartition(), p.getConsumeRowsPerS(), (old, nu) -> 0.9 * old + 0.1 * nu);
      }
      if (!p.getError().isEmpty() && !p.getError().equals(t.lastErrorLogged.get(p.getPartition()))) {
        LOG.warnf("table %s partition %d epoch %d: runner %s reports: %s", p.getTable(), p.getPartition(),
            p.getEpoch(), s.runnerId, p.getError());
        t.lastErrorLogged.put(p.getPartition(), p.getError());
      }
    }
    s.send(SchedulerMessage.newBuilder().setAck(HeartbeatAck.newBuilder().setReceivedAtMs(now)
        .setLeader(settings.address())).build());
  }

  private void onRevokeDone(RunnerSession s, RevokeDone d) {
    TableRuntime t = tables.get(d.getTable());
    if (t == null || s.runnerId == null) {
      return;
    }
    List<Integer> done = new ArrayList<>();
    for (PartitionEpoch pe : d.getPartitionsList()) {
      Revoking rv = t.revoking.get(pe.getPartition());
      if (rv != null && rv.revokeId.equals(d.getRevokeId()) && rv.from.equals(s.runnerId)) {
        t.revoking.remove(pe.getPartition());
        t.released.add(pe.getPartition());
        done.add(pe.getPartition());
      }
    }
    if (!done.isEmpty()) {
      LOG.infof("table %s partitions %s: runner %s confirmed revoke %s (flushed and committed); moving them now",
          t.name(), done, s.runnerId, d.getRevokeId());
    }
  }

  private void onClosed(RunnerSession s, boolean leaving) {
    sessions.remove(s.id());
    if (leaving) {
      s.complete(); // answer the half-close
    }
    if (s.runnerId == null) {
      return;
    }
    RunnerState r = runners.get(s.runnerId);
    if (r == null || r.session != s) {
      return;
    }
    r.session = null;
    if (leaving && leading) {
      LOG.infof("runner %s: left (stream completed); its partitions move now", r.id);
      removeRunner(r, "left");
    } else {
      LOG.infof("runner %s: stream broken; it keeps its partitions until the dead timeout (%d ms) unless it re-attaches",
          r.id, settings.deadTimeout().toMillis());
    }
  }

  // ------------------------------------------------------------------ failure detection

  private boolean isMember(String runnerId) {
    return runners.containsKey(runnerId);
  }

  private void detectDead(long now) {
    for (RunnerState r : new ArrayList<>(runners.values())) {
      if (now - r.lastSeenMs > settings.deadTimeout().toMillis()) {
        LOG.warnf("runner %s: no heartbeat for %d ms (dead timeout %d ms); its partitions move with epoch + 1", r.id,
            now - r.lastSeenMs, settings.deadTimeout().toMillis());
        if (r.session != null) {
          sessions.remove(r.session.id());
          r.session.fail(Status.UNAVAILABLE.withDescription("no heartbeat within the dead timeout"));
        }
        removeRunner(r, "dead");
      }
    }
  }

  private void removeRunner(RunnerState r, String why) {
    runners.remove(r.id);
    for (TableRuntime t : tables.values()) {
      t.revoking.values().removeIf(rv -> rv.from.equals(r.id));
      t.claims.values().removeIf(r.id::equals);
    }
  }

  private void expireRevokes(long now) {
    for (TableRuntime t : tables.values()) {
      for (var it = t.revoking.entrySet().iterator(); it.hasNext();) {
        var e = it.next();
        if (now >= e.getValue().deadlineMs) {
          LOG.warnf("table %s partition %d: revoke %s from runner %s not confirmed within %d ms; moving it with epoch + 1",
              t.name(), e.getKey(), e.getValue().revokeId, e.getValue().from, settings.revokeTimeout().toMillis());
          t.released.add(e.getKey());
          it.remove();
        }
      }
    }
  }

  // ------------------------------------------------------------------ planning

  private void reconcile(TableRuntime t, long now) {
    Map<Integer, String> owners = new TreeMap<>(t.owners);
    Map<Integer, Long> epochs = new TreeMap<>(t.epochs);
    boolean active = t.stored.state() == TableState.ACTIVE;
    List<String> moves = new ArrayList<>();

    // adopt claims from Hello (same epoch, no live stored owner)
    for (var e : t.claims.entrySet()) {
      String cur = owners.get(e.getKey());
      if ((cur == null || !isMember(cur)) && isMember(e.getValue())) {
        owners.put(e.getKey(), e.getValue());
        moves.add("p" + e.getKey() + " adopted by " + e.getValue() + " at epoch " + epochs.getOrDefault(e.getKey(), 0L));
      }
    }
    t.claims.clear();

    if (!active) {
      if (!owners.isEmpty()) {
        moves.add("all partitions unassigned (table " + t.stored.state() + ")");
        owners.clear();
      }
      t.revoking.clear();
      t.released.clear();
    } else {
      List<AssignmentPlanner.Candidate> candidates = new ArrayList<>();
      Map<String, Integer> loadElsewhere = new HashMap<>();
      for (TableRuntime other : tables.values()) {
        if (other != t) {
          other.owners.values().forEach(o -> loadElsewhere.merge(o, 1, Integer::sum));
        }
      }
      Set<String> drainingNow = draining;
      for (RunnerState r : runners.values()) {
        if (drainingNow.contains(r.id)) {
          continue;
        }
        int max = r.hello == null ? 0 : r.hello.getMaxPartitions();
        candidates.add(new AssignmentPlanner.Candidate(r.id, max, loadElsewhere.getOrDefault(r.id, 0)));
      }
      Map<Integer, String> current = new TreeMap<>();
      owners.forEach((p, o) -> {
        if (isMember(o)) {
          current.put(p, o);
        }
      });
      // While a handshake is in flight, finish the plan it started (unless a target runner is gone):
      // re-planning mid-move would hand partitions back and forth as rates and owners shift.
      boolean inFlight = !t.revoking.isEmpty() || !t.released.isEmpty();
      SortedMap<Integer, String> target;
      if (inFlight && t.target.keySet().containsAll(t.stored.partitions())
          && t.target.values().stream().allMatch(this::isMember)) {
        target = new TreeMap<>(t.target);
      } else {
        target = planner.plan(new ArrayList<>(t.stored.partitions()), candidates, current, t.ingressRates,
            t.stored.definition().scaling().maxRunners());
        t.target.clear();
        t.target.putAll(target);
      }
      Map<String, List<Integer>> toRevoke = new TreeMap<>();
      for (Integer p : t.stored.partitions()) {
        String cur = owners.get(p);
        String tgt = target.get(p);
        boolean curLive = cur != null && isMember(cur) && !t.released.contains(p);
        if (Objects.equals(cur, tgt) && curLive) {
          continue;
        }
        if (curLive) {
          if (!t.revoking.containsKey(p)) {
            toRevoke.computeIfAbsent(cur, k -> new ArrayList<>()).add(p);
          }
          continue;
        }
        // no live owner: move now
        t.released.remove(p);
        t.revoking.remove(p);
        long epoch = nextEpoch(t, p, epochs.getOrDefault(p, 0L));
        if (tgt == null) {
          if (owners.remove(p) != null) {
            moves.add("p" + p + " " + cur + " -> nobody");
          }
          continue;
        }
        owners.put(p, tgt);
        epochs.put(p, epoch);
        t.ownedSinceMs.put(p, now);
        moves.add("p" + p + " " + (cur == null ? "nobody" : cur) + " -> " + tgt + " epoch " + epoch);
        assignmentChanges.increment();
      }
      for (var e : toRevoke.entrySet()) {
        startRevoke(t, e.getKey(), e.getValue(), now);
      }
    }

    if (!owners.equals(t.owners) || !epochs.equals(t.epochs)) {
      try {
        var a = catalog.putAssignment(t.name(), t.version, owners, epochs);
        t.version = a.version();
        t.owners.clear();
        t.owners.putAll(a.owners());
        t.epochs.clear();
        t.epochs.putAll(a.epochs());
        LOG.infof("table %s: assignment v%d written (%s); telling the runners", t.name(), t.version,
            String.join(", ", moves));
      } catch (VersionConflictException e) {
        LOG.warnf("table %s: assignment changed underneath (%s); re-reading it (another leader?)", t.name(),
            e.getMessage());
        catalog.assignment(t.name()).ifPresent(a -> {
          t.version = a.version();
          t.owners.clear();
          t.owners.putAll(a.owners());
          t.epochs.clear();
          t.epochs.putAll(a.epochs());
        });
      } catch (RuntimeException e) {
        LOG.warnf("table %s: writing the assignment failed (%s); retrying next round, runners not told", t.name(),
            e.toString());
      }
    }
  }

  /**
   * The epoch for a partition's new owner: above the stored epoch and above the chain head's epoch
   * (a static runner may have written with a higher one; runners refuse a head above their epoch).
   */
  private long nextEpoch(TableRuntime t, int partition, long stored) {
    long head = 0;
    try {
      head = catalog.head(t.name(), partition).map(io.tributary.catalog.CommitRecord::epoch).orElse(0L);
    } catch (RuntimeException e) {
      LOG.debugf("table %s partition %d: head unreadable (%s); epoch from the assignment only", t.name(), partition,
          e.toString());
    }
    return Math.max(stored, head) + 1;
  }

  private void startRevoke(TableRuntime t, String from, List<Integer> partitions, long now) {
    RunnerState r = runners.get(from);
    String id = UUID.randomUUID().toString();
    for (Integer p : partitions) {
      t.revoking.put(p, new Revoking(id, from, now + settings.revokeTimeout().toMillis()));
    }
    boolean sent = r != null && r.session != null && r.session.send(SchedulerMessage.newBuilder().setRevoke(
        Revoke.newBuilder().setRevokeId(id).setTable(t.name()).addAllPartitions(partitions)).build());
    LOG.infof("table %s partitions %s: revoking from runner %s (revoke %s%s); they move when it confirms or in %d ms",
        t.name(), partitions, from, id, sent ? "" : ", not attached right now", settings.revokeTimeout().toMillis());
  }

  /** Sends each attached runner its full desired set when it differs from what it was last sent. */
  private void sendAssignments() {
    for (RunnerState r : runners.values()) {
      if (r.session == null || r.session.isClosed() || r.hello == null) {
        continue;
      }
      List<TableAssignment> tas = new ArrayList<>();
      StringBuilder key = new StringBuilder();
      for (TableRuntime t : tables.values()) {
        if (t.stored.state() != TableState.ACTIVE) {
          continue;
        }
        TableAssignment.Builder b = null;
        for (var e : t.owners.entrySet()) {
          int p = e.getKey();
          if (!r.id.equals(e.getValue()) || t.revoking.containsKey(p) || t.released.contains(p)) {
            continue;
          }
          if (b == null) {
            b = TableAssignment.newBuilder().setTable(t.name()).setTableVersion(t.stored.version())
                .setDefinitionJson(t.definitionJson()).setState(t.stored.state().name());
            key.append(t.name()).append('@').append(t.stored.version()).append(':');
          }
          long epoch = t.epochs.getOrDefault(p, 0L);
          b.addPartitions(PartitionEpoch.newBuilder().setPartition(p).setEpoch(epoch));
          key.append(p).append('/').append(epoch).append(',');
        }
        if (b != null) {
          tas.add(b.build());
          key.append(';');
        }
      }
      String k = key.toString();
      if (k.equals(r.sentKey)) {
        continue;
      }
      r.generation++;
      if (r.session.send(SchedulerMessage.newBuilder().setAssignment(Assignment.newBuilder()
          .setGeneration(r.generation).addAllTables(tas)).build())) {
        r.sentKey = k;
        LOG.infof("runner %s: assignment generation %d sent: %s", r.id, r.generation, k.isEmpty() ? "nothing" : k);
      }
    }
  }

  // ------------------------------------------------------------------ metadata (metadata thread)

  private void metadataLoop() {
    long nextMeta = 0;
    while (!closed) {
      try {
        if (leadingFlag) {
          List<StoredTable> list = catalog.listTables();
          post(() -> onTables(list));
          long now = clock.millis();
          if (now >= nextMeta) {
            nextMeta = now + settings.metadataPoll().toMillis();
            pollTopics(list);
            Set<String> live = new HashSet<>();
            list.stream().filter(st -> st.state() != TableState.DROPPED).forEach(st -> live.add(st.name()));
            removeLagGauges(live);
          }
        } else if (!lagGauges.isEmpty()) {
          removeLagGauges(Set.of()); // a standby reports no lag (the leader does)
        }
      } catch (RuntimeException e) {
        LOG.warnf("metadata: polling failed (%s); retrying", e.toString());
      }
      synchronized (metadataWake) {
        try {
          metadataWake.wait(settings.tablesRefresh().toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void pollTopics(List<StoredTable> list) {
    for (StoredTable st : list) {
      if (st.state() == TableState.DROPPED) {
        continue;
      }
      String table = st.name();
      String bootstrap = st.definition().source().bootstrap();
      String topic = st.definition().source().topic();
      try {
        List<Integer> parts = kafka.partitions(bootstrap, topic);
        List<Integer> added = new ArrayList<>();
        for (Integer p : parts) {
          if (!st.partitions().contains(p)) {
            added.add(p);
          }
        }
        if (!added.isEmpty()) {
          // partitions created after the table start at their log start: they are new
          SortedMap<Integer, Long> offs = kafka.earliest(bootstrap, topic, added);
          var wrote = catalog.addPartitions(table, offs);
          LOG.infof("table %s: topic %s has new partitions %s; genesis written at %s for %s; assigning them next round",
              table, topic, added, offs, wrote);
          tablesChanged();
        }
        long endsAt = clock.millis();
        SortedMap<Integer, Long> ends = kafka.latest(bootstrap, topic, st.partitions());
        Map<Integer, Long> committed = new TreeMap<>();
        for (Integer p : st.partitions()) {
          catalog.head(table, p).ifPresent(h -> committed.put(p, h.endOffset()));
        }
        for (Integer p : st.partitions()) {
          Long end = ends.get(p);
          Long c = committed.get(p);
          if (end != null && c != null) {
            lagGauge(table, p).set(Math.max(0, end - c));
          }
        }
        post(() -> {
          TableRuntime t = tables.get(table);
          if (t != null) {
            updateIngress(t, ends, endsAt);
            t.endOffsets = ends;
            t.committedOffsets = committed;
            t.endOffsetsAtMs = endsAt;
          }
        });
      } catch (RuntimeException e) {
        LOG.warnf("table %s: topic metadata of %s not available (%s); retrying in %d ms", table, topic,
            e.getMessage(), settings.metadataPoll().toMillis());
      }
    }
  }

  /** Ingress rows/s per partition from two successive end-offset polls (EMA, about 10 s at the 3 s poll). */
  private static void updateIngress(TableRuntime t, Map<Integer, Long> ends, long atMs) {
    Map<Integer, Long> prev = t.endOffsets;
    double dt = (atMs - t.endOffsetsAtMs) / 1000.0;
    if (prev == null || dt <= 0.5) {
      return;
    }
    ends.forEach((p, end) -> {
      Long before = prev.get(p);
      if (before != null) {
        double r = Math.max(0, end - before) / dt;
        t.ingressRates.merge(p, r, (old, nu) -> 0.7 * old + 0.3 * nu);
      }
    });
  }

  private AtomicLong lagGauge(String table, int partition) {
    return lagGauges.computeIfAbsent(table + "#" + partition, k -> {
      AtomicLong v = new AtomicLong();
      lagMeters.put(k, Gauge.builder("tributary.lag.records", v, AtomicLong::get).tags(Tags.of("table", table,
          "partition", Integer.toString(partition))).description("Kafka end offset minus committed offset")
          .register(meters));
      return v;
    });
  }

  /** Removes the lag series of tables that were dropped or deleted (no stale lag on dashboards). */
  private void removeLagGauges(Set<String> liveTables) {
    for (String key : List.copyOf(lagGauges.keySet())) {
      if (!liveTables.contains(key.substring(0, key.lastIndexOf('#')))) {
        lagGauges.remove(key);
        Gauge g = lagMeters.remove(key);
        if (g != null) {
          meters.remove(g);
        }
      }
    }
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
        TableRuntime nt = t;
        catalog.assignment(st.name()).ifPresent(a -> {
          nt.version = a.version();
          nt.owners.putAll(a.owners());
          nt.epochs.putAll(a.epochs());
        });
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

  // ------------------------------------------------------------------ snapshot

  private void publish() {
    List<ClusterSnapshot.RunnerView> rv = new ArrayList<>();
    Map<String, Integer> counts = new HashMap<>();
    for (TableRuntime t : tables.values()) {
      if (t.stored.state() == TableState.ACTIVE) {
        t.owners.values().forEach(o -> counts.merge(o, 1, Integer::sum));
      }
    }
    for (RunnerState r : runners.values()) {
      Heartbeat hb = r.last;
      double rate = 0;
      if (hb != null) {
        for (PartitionProgress p : hb.getPartitionsList()) {
          rate += p.getConsumeRowsPerS();
        }
      }
      rv.add(new ClusterSnapshot.RunnerView(r.id, r.hello == null ? "" : r.hello.getVersion(), r.lastHeartbeatMs,
          r.session != null && !r.session.isClosed(), counts.getOrDefault(r.id, 0),
          hb == null ? 0 : hb.getHeapUsedBytes(), hb == null ? 0 : hb.getBufferedBytes(), rate,
          hb == null ? 0 : hb.getCpuLoad(), r.hello == null ? 0 : r.hello.getMaxPartitions(),
          r.hello == null ? "" : r.hello.getHttpAddress()));
    }
    Map<String, ClusterSnapshot.TableView> tv = new LinkedHashMap<>();
    for (TableRuntime t : tables.values()) {
      Map<Integer, ClusterSnapshot.PartitionView> pv = new TreeMap<>();
      for (Integer p : t.stored.partitions()) {
        PartitionProgress pp = t.progress.get(p);
        pv.put(p, new ClusterSnapshot.PartitionView(p, t.owners.getOrDefault(p, ""), t.epochs.getOrDefault(p, 0L),
            t.revoking.containsKey(p), t.consumeRates.getOrDefault(p, 0.0), pp == null ? "" : pp.getError(),
            pp == null ? -1 : pp.getCommittedOffset(), pp == null ? 0 : pp.getLastCommitMs(),
            pp == null ? 0 : pp.getNewestCommittedTsMs()));
      }
      tv.put(t.name(), new ClusterSnapshot.TableView(t.name(), t.stored.state().name(), t.version,
          Collections.unmodifiableMap(pv), t.endOffsets, t.committedOffsets));
    }
    snapshot = new ClusterSnapshot(leading, List.copyOf(rv), Collections.unmodifiableMap(tv));
    scalingLoad = leading ? scalingLoad() : null;
  }

  /** Active tables' partitions (Kafka end, committed end, owner) and attached runners' commit rates. */
  private ClusterLoad scalingLoad() {
    List<ClusterLoad.TableLoad> tl = new ArrayList<>();
    for (TableRuntime t : tables.values()) {
      if (t.stored.state() != TableState.ACTIVE) {
        continue;
      }
      List<ClusterLoad.PartitionLoad> pl = new ArrayList<>();
      for (Integer p : t.stored.partitions()) {
        Long end = t.endOffsets.get(p);
        Long committed = t.committedOffsets.get(p);
        pl.add(new ClusterLoad.PartitionLoad(p, end == null || committed == null ? -1 : end,
            committed == null ? 0 : committed, t.owners.get(p)));
      }
      var def = t.stored.definition();
      tl.add(new ClusterLoad.TableLoad(t.name(), def.scaling().minRunners(), def.scaling().maxRunners(),
          def.flush().maxAgeMillis(), t.endOffsetsAtMs, pl));
    }
    List<ClusterLoad.RunnerLoad> rl = new ArrayList<>();
    for (RunnerState r : runners.values()) {
      if (r.session == null || r.session.isClosed()) {
        continue;
      }
      double commit = 0;
      if (r.last != null) {
        for (PartitionProgress p : r.last.getPartitionsList()) {
          commit += p.getCommitRowsPerS();
        }
      }
      rl.add(new ClusterLoad.RunnerLoad(r.id, commit));
    }
    return new ClusterLoad(tl, rl);
  }

  @Override
  public void close() {
    closed = true;
    CountDownLatchLike done = new CountDownLatchLike();
    post(() -> {
      for (RunnerSession s : sessions.values()) {
        s.notLeader(leaderAddressHint);
      }
      done.release();
    });
    done.await(2_000);
    thread.interrupt();
    metadataThread.interrupt();
  }

  /** A tiny one-shot latch (keeps imports short). */
  private static final class CountDownLatchLike {
    private final java.util.concurrent.CountDownLatch latch = new java.util.concurrent.CountDownLatch(1);

    void release() {
      latch.countDown();
    }

    void await(long ms) {
      try {
        latch.await(ms, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ------------------------------------------------------------------ state types

  /** A runner the leader knows: attached, or expected back after a failover. */
  private static final class RunnerState {
    final String id;
    RunnerSession session;
    Hello hello;
    Heartbeat last;
    long lastSeenMs;
    long lastHeartbeatMs;
    long generation;
    String sentKey;

    RunnerState(String id) {
      this.id = id;
    }
  }

  private record Revoking(String revokeId, String from, long deadlineMs) {
  }

  /** One table's scheduling state. */
  private static final class TableRuntime {
    StoredTable stored;
    private String definitionJson;
    long version;
    final Map<Integer, String> owners = new TreeMap<>();
    final Map<Integer, Long> epochs = new TreeMap<>();
    final Map<Integer, Revoking> revoking = new TreeMap<>();
    final Set<Integer> released = new TreeSet<>();
    final Map<Integer, String> claims = new TreeMap<>();
    /** Rows/s the owners report consuming (smoothed; shown per partition). */
    final Map<Integer, Double> consumeRates = new HashMap<>();
    /**
     * Rows/s arriving in Kafka (end offsets over time, smoothed): what balancing weighs. Unlike consume
     * rates it does not depend on who owns a partition or whether it is catching up after a move.
     */
    final Map<Integer, Double> ingressRates = new HashMap<>();
    /** The plan a handshake in flight is completing. */
    final Map<Integer, String> target = new TreeMap<>();
    final Map<Integer, Long> ownedSinceMs = new HashMap<>();
    final Map<Integer, PartitionProgress> progress = new HashMap<>();
    final Map<Integer, String> lastErrorLogged = new HashMap<>();
    Map<Integer, Long> endOffsets = Map.of();
    Map<Integer, Long> committedOffsets = Map.of();
    long endOffsetsAtMs;

    TableRuntime(StoredTable stored) {
      this.stored = stored;
    }

    String name() {
      return stored.name();
    }

    void update(StoredTable st) {
      if (st.version() != stored.version()) {
        definitionJson = null;
      }
      stored = st;
    }

    String definitionJson() {
      if (definitionJson == null) {
        definitionJson = TableDefinitions.toJson(stored.definition());
      }
      return definitionJson;
    }
  }
}
