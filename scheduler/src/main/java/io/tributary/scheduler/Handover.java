package io.tributary.scheduler;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tributary.api.v1.PartitionEpoch;
import io.tributary.api.v1.Revoke;
import io.tributary.api.v1.RevokeDone;
import io.tributary.api.v1.SchedulerMessage;
import io.tributary.catalog.Catalog;
import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.TableState;
import io.tributary.catalog.VersionConflictException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The per-table handover state machine: who owns each partition, at which epoch, and how a
 * partition moves.
 *
 * <ul>
 * <li>A partition whose owner is live and that the {@link AssignmentPlanner} gives to another
 * runner is first <b>revoked</b>: its owner is sent a {@link Revoke} (it flushes, commits and
 * answers RevokeDone); the partition stays with it until {@link #confirmRevoke confirmed} or
 * until the revoke timeout {@link #expireRevokes expires}.</li>
 * <li>A partition without a live owner (dead, left, released by a revoke, new) goes to its new
 * owner at once with epoch + 1 (above the stored epoch and the chain head's epoch).</li>
 * <li>While a handshake is in flight the plan that started it is finished, not re-planned.</li>
 * <li>A runner's Hello may {@link #claim claim} a partition at the stored epoch when the stored
 * owner is not a member; the next {@link #reconcile} adopts it without a move.</li>
 * <li>The new owners and epochs are written to {@code assign#<table>} with compare-and-set; the
 * runners are told only afterwards (by {@link RunnerSessions#sendAssignments()}).</li>
 * </ul>
 *
 * <p>Thread-safety: none; runs on the {@code scheduler-coordinator} thread only. The maps of
 * runners (membership) and tables are the coordinator's, shared with the other roles on that
 * thread; the only stream writes are the Revoke messages.
 */
final class Handover {

  private static final Logger LOG = Logger.getLogger(Handover.class);

  private final Catalog catalog;
  private final AssignmentPlanner planner;
  private final Duration revokeTimeout;
  private final Map<String, RunnerState> runners;
  private final Map<String, TableRuntime> tables;
  private final Counter assignmentChanges;

  Handover(Catalog catalog, AssignmentPlanner planner, Duration revokeTimeout, MeterRegistry meters,
      Map<String, RunnerState> runners, Map<String, TableRuntime> tables) {
    this.catalog = catalog;
    this.planner = planner;
    this.revokeTimeout = revokeTimeout;
    this.runners = runners;
    this.tables = tables;
    this.assignmentChanges = Counter.builder("tributary.assignment.changes")
        .description("Partitions that changed owner (each move counts once)").register(meters);
  }

  /** True if the leader knows the runner (attached, or expected back after a failover). */
  boolean isMember(String runnerId) {
    return runners.containsKey(runnerId);
  }

  /** A Hello says {@code runnerId} owns the partition at {@code epoch}: kept if no live stored owner. */
  void claim(TableRuntime t, int partition, long epoch, String runnerId) {
    String storedOwner = t.owners.get(partition);
    long storedEpoch = t.epochs.getOrDefault(partition, 0L);
    if (storedEpoch == epoch && (storedOwner == null || !isMember(storedOwner))) {
      t.claims.put(partition, runnerId);
    }
  }

  /** The runner answered a revoke: its partitions of that revoke are released (they move next round). */
  void confirmRevoke(String runnerId, RevokeDone d) {
    TableRuntime t = tables.get(d.getTable());
    if (t == null || runnerId == null) {
      return;
    }
    List<Integer> done = new ArrayList<>();
    for (PartitionEpoch pe : d.getPartitionsList()) {
      TableRuntime.Revoking rv = t.revoking.get(pe.getPartition());
      if (rv != null && rv.revokeId().equals(d.getRevokeId()) && rv.from().equals(runnerId)) {
        t.revoking.remove(pe.getPartition());
        t.released.add(pe.getPartition());
        done.add(pe.getPartition());
      }
    }
    if (!done.isEmpty()) {
      LOG.infof("table %s partitions %s: runner %s confirmed revoke %s (flushed and committed); moving them now",
          t.name(), done, runnerId, d.getRevokeId());
    }
  }

  /** Drops the runner from membership; its revokes and claims are forgotten (its partitions move next round). */
  void removeRunner(RunnerState r) {
    runners.remove(r.id);
    for (TableRuntime t : tables.values()) {
      t.revoking.values().removeIf(rv -> rv.from().equals(r.id));
      t.claims.values().removeIf(r.id::equals);
    }
  }

  /** Revokes not confirmed by their deadline complete anyway: the partitions are released. */
  void expireRevokes(long now) {
    for (TableRuntime t : tables.values()) {
      for (var it = t.revoking.entrySet().iterator(); it.hasNext();) {
        var e = it.next();
        if (now >= e.getValue().deadlineMs()) {
          LOG.warnf("table %s partition %d: revoke %s from runner %s not confirmed within %d ms; moving it with epoch + 1",
              t.name(), e.getKey(), e.getValue().revokeId(), e.getValue().from(), revokeTimeout.toMillis());
          t.released.add(e.getKey());
          it.remove();
        }
      }
    }
  }

  /**
   * One step of the table's state machine: adopts claims, plans (or finishes the plan in flight),
   * starts revokes from live owners, moves partitions without a live owner with epoch + 1, and
   * writes the assignment if it changed. Runners in {@code draining} get nothing new.
   */
  void reconcile(TableRuntime t, Set<String> draining, long now) {
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
      for (RunnerState r : runners.values()) {
        if (draining.contains(r.id)) {
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
      write(t, owners, epochs, moves);
    }
  }

  /** Writes the assignment with compare-and-set; on a conflict re-reads it (the runners are not told). */
  private void write(TableRuntime t, Map<Integer, String> owners, Map<Integer, Long> epochs, List<String> moves) {
    try {
      t.adopt(catalog.putAssignment(t.name(), t.version, owners, epochs));
      LOG.infof("table %s: assignment v%d written (%s); telling the runners", t.name(), t.version,
          String.join(", ", moves));
    } catch (VersionConflictException e) {
      LOG.warnf("table %s: assignment changed underneath (%s); re-reading it (another leader?)", t.name(),
          e.getMessage());
      catalog.assignment(t.name()).ifPresent(t::adopt);
    } catch (RuntimeException e) {
      LOG.warnf("table %s: writing the assignment failed (%s); retrying next round, runners not told", t.name(),
          e.toString());
    }
  }

  /**
   * The epoch for a partition's new owner: above the stored epoch and above the chain head's epoch
   * (a static runner may have written with a higher one; runners refuse a head above their epoch).
   */
  private long nextEpoch(TableRuntime t, int partition, long stored) {
    long head = 0;
    try {
      head = catalog.head(t.name(), partition).map(CommitRecord::epoch).orElse(0L);
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
      t.revoking.put(p, new TableRuntime.Revoking(id, from, now + revokeTimeout.toMillis()));
    }
    boolean sent = r != null && r.session != null && r.session.send(SchedulerMessage.newBuilder().setRevoke(
        Revoke.newBuilder().setRevokeId(id).setTable(t.name()).addAllPartitions(partitions)).build());
    LOG.infof("table %s partitions %s: revoking from runner %s (revoke %s%s); they move when it confirms or in %d ms",
        t.name(), partitions, from, id, sent ? "" : ", not attached right now", revokeTimeout.toMillis());
  }
}
