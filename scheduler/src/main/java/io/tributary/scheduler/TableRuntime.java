package io.tributary.scheduler;

import io.tributary.api.v1.PartitionProgress;
import io.tributary.catalog.Assignment;
import io.tributary.catalog.StoredTable;
import io.tributary.catalog.TableDefinitions;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One table's scheduling state: the stored assignment (owners, epochs, version), the handover in
 * flight ({@link #revoking}, {@link #released}, {@link #claims}, {@link #target}) and what its
 * owners and Kafka last reported. Mutable; read and written on the {@code scheduler-coordinator}
 * thread only (the metadata thread hands its polls over through the coordinator's queue).
 */
final class TableRuntime {

  /** A revoke sent to {@code from} and not yet confirmed; it completes anyway at {@code deadlineMs}. */
  record Revoking(String revokeId, String from, long deadlineMs) {
  }

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

  /** Takes the stored assignment's version, owners and epochs as they are in the catalog. */
  void adopt(Assignment a) {
    version = a.version();
    owners.clear();
    owners.putAll(a.owners());
    epochs.clear();
    epochs.putAll(a.epochs());
  }

  /** Records a metadata poll: Kafka end offsets and committed offsets read at {@code atMs}. */
  void offsetsPolled(Map<Integer, Long> ends, Map<Integer, Long> committed, long atMs) {
    updateIngress(ends, atMs);
    endOffsets = ends;
    committedOffsets = committed;
    endOffsetsAtMs = atMs;
  }

  /** Ingress rows/s per partition from two successive end-offset polls (EMA, about 10 s at the 3 s poll). */
  private void updateIngress(Map<Integer, Long> ends, long atMs) {
    Map<Integer, Long> prev = endOffsets;
    double dt = (atMs - endOffsetsAtMs) / 1000.0;
    if (prev == null || dt <= 0.5) {
      return;
    }
    ends.forEach((p, end) -> {
      Long before = prev.get(p);
      if (before != null) {
        double r = Math.max(0, end - before) / dt;
        ingressRates.merge(p, r, (old, nu) -> 0.7 * old + 0.3 * nu);
      }
    });
  }
}
