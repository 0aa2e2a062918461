package io.tributary.scheduler.scaling;

import java.util.Set;

/**
 * The scheduler side of a graceful scale-in: runners named in {@link #drain} get no partitions from
 * the planner, so their partitions move to the other runners through the revoke handshake (the owner
 * flushes and commits first, then the new owner starts at the committed offset). A scaler that
 * chooses its victims (the local one) drains them, waits until they own nothing, and only then
 * stops them.
 */
public interface RunnerDrainer {

  /** Drains nothing; victims are stopped at once (SIGTERM still makes them flush and commit). */
  RunnerDrainer NONE = new RunnerDrainer() {
    @Override
    public void drain(Set<String> runnerIds) {
    }

    @Override
    public int partitionsOwned(String runnerId) {
      return 0;
    }
  };

  /** The complete set of runners to drain now (replaces the previous set). */
  void drain(Set<String> runnerIds);

  /** Partitions the runner still owns, as the leader last saw it (0 if unknown or gone). */
  int partitionsOwned(String runnerId);
}
