package io.tributary.scheduler;

import io.grpc.Status;
import io.tributary.api.v1.Assignment;
import io.tributary.api.v1.Heartbeat;
import io.tributary.api.v1.HeartbeatAck;
import io.tributary.api.v1.Hello;
import io.tributary.api.v1.OwnedPartitions;
import io.tributary.api.v1.PartitionEpoch;
import io.tributary.api.v1.PartitionProgress;
import io.tributary.api.v1.RunnerMessage;
import io.tributary.api.v1.SchedulerMessage;
import io.tributary.api.v1.TableAssignment;
import io.tributary.catalog.TableState;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The runner side of the leader: the open {@code Attach} streams and their protocol. Hello makes a
 * session the runner's (replacing an older one) and may claim partitions; Heartbeat keeps it alive,
 * carries progress and is acked; RevokeDone confirms a revoke ({@link Handover#confirmRevoke});
 * a clean close means the runner left and its partitions move now, a broken stream leaves them
 * until the dead timeout. After each round {@link #sendAssignments()} sends every attached runner
 * its full desired set when it changed. While not leading every stream is answered NotLeader.
 *
 * <p>Thread-safety: none; runs on the {@code scheduler-coordinator} thread only, which makes it the
 * only writer of every runner stream ({@link Handover} writes Revokes on the same thread).
 */
final class RunnerSessions {

  private static final Logger LOG = Logger.getLogger(RunnerSessions.class);
  private static final long RATE_WARMUP_MS = 5_000;

  private final SchedulerSettings settings;
  private final Clock clock;
  private final Handover handover;
  private final Map<String, RunnerState> runners;
  private final Map<String, TableRuntime> tables;
  private final BooleanSupplier leading;
  private final Supplier<String> leaderAddressHint;
  private final Map<Long, RunnerSession> sessions = new HashMap<>();

  /**
   * @param leading           the coordinator's leading flag (read on its thread)
   * @param leaderAddressHint address to put in NotLeader answers
   */
  RunnerSessions(SchedulerSettings settings, Clock clock, Handover handover, Map<String, RunnerState> runners,
      Map<String, TableRuntime> tables, BooleanSupplier leading, Supplier<String> leaderAddressHint) {
    this.settings = settings;
    this.clock = clock;
    this.handover = handover;
    this.runners = runners;
    this.tables = tables;
    this.leading = leading;
    this.leaderAddressHint = leaderAddressHint;
  }

  /** Open streams. */
  int size() {
    return sessions.size();
  }

  /** Answers every open stream NotLeader and closes it. */
  void notLeaderAll() {
    for (RunnerSession s : sessions.values()) {
      s.notLeader(leaderAddressHint.get());
    }
  }

  /** Forgets every stream (without answering them). */
  void clear() {
    sessions.clear();
  }

  /** Forgets the stream and fails it with {@code status}. */
  void fail(RunnerSession s, Status status) {
    sessions.remove(s.id());
    s.fail(status);
  }

  void opened(RunnerSession s) {
    if (!leading.getAsBoolean()) {
      LOG.debugf("%s: not the leader; answering NotLeader(%s)", s, leaderAddressHint.get());
      s.notLeader(leaderAddressHint.get());
      return;
    }
    sessions.put(s.id(), s);
  }

  void message(RunnerSession s, RunnerMessage m) {
    if (!leading.getAsBoolean()) {
      s.notLeader(leaderAddressHint.get());
      return;
    }
    if (!sessions.containsKey(s.id()) || s.isClosed()) {
      return; // replaced or closed
    }
    switch (m.getBodyCase()) {
      case HELLO -> onHello(s, m.getHello());
      case HEARTBEAT -> onHeartbeat(s, m.getHeartbeat());
      case REVOKE_DONE -> handover.confirmRevoke(s.runnerId, m.getRevokeDone());
      default -> LOG.warnf("%s: ignoring an empty message", s);
    }
  }

  private void onHello(RunnerSession s, Hello h) {
    String id = h.getRunnerId();
    if (id.isBlank()) {
      fail(s, Status.INVALID_ARGUMENT.withDescription("hello.runner_id: is required"));
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
        if (t != null) {
          handover.claim(t, pe.getPartition(), pe.getEpoch(), id);
        }
      }
    }
    LOG.infof("runner %s: attached (%s, http %s, version %s, max partitions %d); owns:%s; sending its assignment", id,
        s.peer(), h.getHttpAddress().isEmpty() ? "?" : h.getHttpAddress(), h.getVersion(), h.getMaxPartitions(),
        owned.length() == 0 ? " nothing" : owned);
  }

  private void onHeartbeat(RunnerSession s, Heartbeat hb) {
    if (s.runnerId == null) {
      fail(s, Status.FAILED_PRECONDITION.withDescription("send Hello before Heartbeat"));
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

  /** The peer closed the stream: {@code leaving} when it half-closed cleanly (graceful exit). */
  void closed(RunnerSession s, boolean leaving) {
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
    if (leaving && leading.getAsBoolean()) {
      LOG.infof("runner %s: left (stream completed); its partitions move now", r.id);
      handover.removeRunner(r);
    } else {
      LOG.infof("runner %s: stream broken; it keeps its partitions until the dead timeout (%d ms) unless it re-attaches",
          r.id, settings.deadTimeout().toMillis());
    }
  }

  /** Sends each attached runner its full desired set when it differs from what it was last sent. */
  void sendAssignments() {
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
}
