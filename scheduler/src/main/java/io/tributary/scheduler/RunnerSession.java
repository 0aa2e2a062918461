package io.tributary.scheduler;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.tributary.api.v1.NotLeader;
import io.tributary.api.v1.SchedulerMessage;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * One {@code RunnerService.Attach} stream, seen from the scheduler. Created by the gRPC adapter
 * when a stream opens; all sends happen on the coordinator thread (the only writer), so the
 * underlying observer is never called concurrently. Sends after close are dropped.
 */
final class RunnerSession {

  private static final Logger LOG = Logger.getLogger(RunnerSession.class);
  private static final AtomicLong IDS = new AtomicLong();

  private final StreamObserver<SchedulerMessage> out;
  private final long sessionId = IDS.incrementAndGet();
  private final String peer;
  private volatile boolean closed;
  /** Set by the coordinator after Hello. */
  String runnerId;

  RunnerSession(StreamObserver<SchedulerMessage> out, String peer) {
    this.out = out;
    this.peer = peer;
  }

  long id() {
    return sessionId;
  }

  String peer() {
    return peer;
  }

  boolean isClosed() {
    return closed;
  }

  /** Marks the stream closed by the peer (no more sends). */
  void markClosed() {
    closed = true;
  }

  boolean send(SchedulerMessage m) {
    if (closed) {
      return false;
    }
    try {
      out.onNext(m);
      return true;
    } catch (RuntimeException e) {
      LOG.debugf("session %d (%s): send failed: %s", sessionId, runnerId, e);
      closed = true;
      return false;
    }
  }

  /** Answers NotLeader and completes the stream. */
  void notLeader(String leaderAddress) {
    send(SchedulerMessage.newBuilder().setNotLeader(NotLeader.newBuilder().setLeaderAddress(
        leaderAddress == null ? "" : leaderAddress)).build());
    complete();
  }

  void complete() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      out.onCompleted();
    } catch (RuntimeException e) {
      LOG.debugf("session %d: complete failed: %s", sessionId, e);
    }
  }

  void fail(Status status) {
    if (closed) {
      return;
    }
    closed = true;
    try {
      out.onError(status.asRuntimeException());
    } catch (RuntimeException e) {
      LOG.debugf("session %d: fail failed: %s", sessionId, e);
    }
  }

  @Override
  public String toString() {
    return "session " + sessionId + (runnerId == null ? "" : " of runner " + runnerId) + " from " + peer;
  }
}
