package io.tributary.runner.attach;

import io.tributary.catalog.StoredTable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * What the {@link AttachLoop} needs from the runner's data path: apply the complete desired work,
 * revoke partitions with a completion signal, and report progress for heartbeats. Implemented by
 * {@code io.tributary.runner.AttachBridge} over the {@code TaskRunner}.
 *
 * <p>Threads: {@link #assign} and {@link #revoke} are called from the attach loop's one apply
 * thread, in the order the scheduler sent them; {@link #progress} from the heartbeat thread.
 */
public interface RunnerControl {

  /**
   * One table's share of the desired work.
   *
   * @param table  the table definition, version and state to write with
   * @param epochs partition -> assignment epoch
   */
  record Work(StoredTable table, Map<Integer, Long> epochs) {
  }

  /** One owned partition's state for a heartbeat. */
  record Progress(String table, int partition, long epoch, long committedOffset, long bufferedRows, boolean stopped,
      String error, long lastCommitMs, long newestCommittedTsMs) {
  }

  /** This runner's id (the writer of its commit records). */
  String runnerId();

  /** The complete desired work: partitions not listed are flushed, committed and stopped. May block. */
  void assign(List<Work> tables);

  /** Flushes, commits and stops these partitions; completes when done (at once if not owned). */
  CompletableFuture<Void> revoke(String table, Set<Integer> partitions);

  /** Every owned partition's progress. */
  List<Progress> progress();

  /** Bytes buffered across all partitions. */
  long bufferedBytes();

  /** The runner's memory budget in bytes. */
  long memoryBudgetBytes();

  /** Capacity hint for the scheduler (Hello): at most this many partitions, 0 = no limit. */
  default int maxPartitions() {
    return 0;
  }

  /** Where this runner serves /q/health and /q/metrics ({@code host:port}), for status; empty = unknown. */
  default String httpAddress() {
    return "";
  }
}
