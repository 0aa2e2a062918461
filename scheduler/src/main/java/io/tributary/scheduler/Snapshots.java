package io.tributary.scheduler;

import io.tributary.api.v1.Heartbeat;
import io.tributary.api.v1.PartitionProgress;
import io.tributary.catalog.TableState;
import io.tributary.scheduler.scaling.ClusterLoad;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Immutable copies of the coordinator's state for other threads: the {@link ClusterSnapshot} for
 * the API and metrics, the {@link ClusterLoad} for the scaling tick. Pure functions; called on the
 * {@code scheduler-coordinator} thread at the end of every round (the only thread that may read
 * the mutable state they copy).
 */
final class Snapshots {

  private Snapshots() {
  }

  static ClusterSnapshot cluster(boolean leading, Collection<RunnerState> runners, Collection<TableRuntime> tables) {
    List<ClusterSnapshot.RunnerView> rv = new ArrayList<>();
    Map<String, Integer> counts = new HashMap<>();
    for (TableRuntime t : tables) {
      if (t.stored.state() == TableState.ACTIVE) {
        t.owners.values().forEach(o -> counts.merge(o, 1, Integer::sum));
      }
    }
    for (RunnerState r : runners) {
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
    for (TableRuntime t : tables) {
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
    return new ClusterSnapshot(leading, List.copyOf(rv), Collections.unmodifiableMap(tv));
  }

  /** Active tables' partitions (Kafka end, committed end, owner) and attached runners' commit rates. */
  static ClusterLoad load(Collection<RunnerState> runners, Collection<TableRuntime> tables) {
    List<ClusterLoad.TableLoad> tl = new ArrayList<>();
    for (TableRuntime t : tables) {
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
          def.flush().ageCutIntervalMillis(), t.endOffsetsAtMs, pl));
    }
    List<ClusterLoad.RunnerLoad> rl = new ArrayList<>();
    for (RunnerState r : runners) {
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
}
