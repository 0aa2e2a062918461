package io.tributary.scheduler;

import io.tributary.api.v1.Heartbeat;
import io.tributary.api.v1.Hello;

/**
 * A runner the leader knows: attached, or expected back after a failover. Mutable; read and
 * written on the {@code scheduler-coordinator} thread only.
 */
final class RunnerState {
  final String id;
  RunnerSession session;
  Hello hello;
  Heartbeat last;
  long lastSeenMs;
  long lastHeartbeatMs;
  long generation;
  String sentKey;

  RunnerState(String id) {
    this.id = id;
  }
}
