package io.tributary.scheduler;

import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Failure detection: a runner without a heartbeat (or, after a failover, without a re-attach) for
 * the dead timeout is dead. Its stream is failed and it leaves membership, so its partitions move
 * at once with epoch + 1 in the same round ({@link Handover#removeRunner}).
 *
 * <p>Thread-safety: none; runs on the {@code scheduler-coordinator} thread only.
 */
final class FailureDetector {

  private static final Logger LOG = Logger.getLogger(FailureDetector.class);

  private final Duration deadTimeout;
  private final Map<String, RunnerState> runners;
  private final RunnerSessions sessions;
  private final Handover handover;

  FailureDetector(Duration deadTimeout, Map<String, RunnerState> runners, RunnerSessions sessions,
      Handover handover) {
    this.deadTimeout = deadTimeout;
    this.runners = runners;
    this.sessions = sessions;
    this.handover = handover;
  }

  void detectDead(long now) {
    for (RunnerState r : new ArrayList<>(runners.values())) {
      if (now - r.lastSeenMs > deadTimeout.toMillis()) {
        LOG.warnf("runner %s: no heartbeat for %d ms (dead timeout %d ms); its partitions move with epoch + 1", r.id,
            now - r.lastSeenMs, deadTimeout.toMillis());
        if (r.session != null) {
          sessions.fail(r.session, Status.UNAVAILABLE.withDescription("no heartbeat within the dead timeout"));
        }
        handover.removeRunner(r);
      }
    }
  }
}
