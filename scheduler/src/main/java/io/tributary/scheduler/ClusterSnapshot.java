package io.tributary.scheduler;

import java.util.List;
import java.util.Map;

/**
 * An immutable picture of the coordinator's state, published at the end of every round for the
 * API and metrics threads (they never touch the coordinator's mutable state).
 *
 * @param leading whether this process led when the snapshot was taken
 * @param runners attached or expected runners, by id
 * @param tables  tables the leader tracks, by name
 */
record ClusterSnapshot(boolean leading, List<RunnerView> runners, Map<String, TableView> tables) {

  static final ClusterSnapshot EMPTY = new ClusterSnapshot(false, List.of(), Map.of());

  /** A runner as the leader sees it. */
  record RunnerView(String id, String version, long lastHeartbeatMs, boolean attached, int partitions,
      long heapUsedBytes, long bufferedBytes, double rowsPerS, double cpuLoad, int maxPartitions,
      String httpAddress) {
  }

  /**
   * One partition's scheduling state and the latest progress its owner reported.
   *
   * @param revoking true while a revoke of it is outstanding
   */
  record PartitionView(int partition, String owner, long epoch, boolean revoking, double rowsPerS, String lastError,
      long committedOffset, long lastCommitMs, long newestCommittedTsMs) {
  }

  /** A table's assignment and per-partition state; lag is from the last metadata poll. */
  record TableView(String name, String state, long assignmentVersion, Map<Integer, PartitionView> partitions,
      Map<Integer, Long> endOffsets, Map<Integer, Long> committedOffsets) {
  }
}
