package io.tributary.scheduler.scaling;

import java.util.List;

/**
 * What the leader knows this tick, as the scaling tick needs it: per table the partitions with their
 * Kafka end offset, committed offset (chain head) and owner; per attached runner its committed
 * rows/s from heartbeats. The scheduler builds one per tick from its own state; it is data only.
 *
 * @param tables  active tables (paused and dropped tables left out)
 * @param runners attached runners
 */
public record ClusterLoad(List<TableLoad> tables, List<RunnerLoad> runners) {

  /** Copies the lists. */
  public ClusterLoad {
    tables = List.copyOf(tables);
    runners = List.copyOf(runners);
  }

  /**
   * One table.
   *
   * @param table         name
   * @param minRunners    the definition's {@code scaling.min_runners} (0 = none)
   * @param maxRunners    the definition's {@code scaling.max_runners} (0 = none)
   * @param flushMaxAgeMs the definition's {@code flush.max_age} in ms
   * @param endOffsetsAtMs when the end offsets were read from Kafka (epoch ms; 0 = now), so rates are
   *                      exact even when offsets are polled less often than the tick
   * @param partitions    its partitions
   */
  public record TableLoad(String table, int minRunners, int maxRunners, long flushMaxAgeMs, long endOffsetsAtMs,
      List<PartitionLoad> partitions) {
    /** Copies the list. */
    public TableLoad {
      partitions = List.copyOf(partitions);
    }
  }

  /**
   * One partition.
   *
   * @param partition       partition number
   * @param endOffset       Kafka log end offset (-1 if unknown this tick)
   * @param committedOffset end offset of the chain head
   * @param owner           runner id, or null/empty if unassigned
   */
  public record PartitionLoad(int partition, long endOffset, long committedOffset, String owner) {
  }

  /**
   * One attached runner.
   *
   * @param id         runner id
   * @param commitPerS committed rows/s over all its partitions (sum of its heartbeat's
   *                   {@code commit_rows_per_s})
   */
  public record RunnerLoad(String id, double commitPerS) {
  }
}
