package io.tributary.scheduler;

import io.micrometer.core.instrument.MeterRegistry;
import io.tributary.catalog.Catalog;
import io.tributary.scheduler.scaling.RunnerDrainer;
import io.tributary.scheduler.scaling.ScalingConfig;
import io.tributary.scheduler.scaling.ScalingCoordinator;
import java.time.Clock;
import io.tributary.catalog.admin.KafkaTopics;
import java.util.Map;
import java.util.Set;

/**
 * One scheduler process, wired through constructors: the {@link LeaderElector} on the catalog
 * lease, the {@link SchedulerCoordinator} (runner streams, failure detection, assignment) and the
 * {@link TableAdmin} behind the operator API. The Quarkus lifecycle bean creates one, calls
 * {@link #start()} at startup and {@link #close()} at shutdown (releasing the lease, so a standby
 * takes over at once).
 *
 * <p>Thread-safety: the accessors may be called from any thread after {@link #start()}.
 */
public final class SchedulerNode implements AutoCloseable {

  private final SchedulerSettings settings;
  private final KafkaTopics kafka;
  private final SchedulerCoordinator coordinator;
  private final LeaderElector elector;
  private final TableAdmin admin;
  private final ScalingCoordinator scaling;

  SchedulerNode(Catalog catalog, SchedulerSettings settings, ScalingConfig scalingConfig, MeterRegistry meters,
      Clock clock) {
    this.settings = settings;
    this.kafka = new KafkaTopics(5_000);
    this.coordinator = new SchedulerCoordinator(catalog, kafka, settings, new AssignmentPlanner(), clock, meters);
    this.elector = new LeaderElector(catalog, settings.id(), settings.address(), settings.leaseTtl(),
        settings.renewInterval(), settings.renewInterval(), clock, coordinator);
    // Local runner children inherit this process's environment (endpoints, catalog table).
    this.scaling = ScalingCoordinator.create(scalingConfig, Map.of(), new RunnerDrainer() {
      @Override
      public void drain(Set<String> ids) {
        coordinator.drain(ids);
      }

      @Override
      public int partitionsOwned(String id) {
        return coordinator.snapshot().runners().stream().filter(r -> r.id().equals(id) && r.attached())
            .mapToInt(ClusterSnapshot.RunnerView::partitions).sum();
      }
    }, coordinator::load, meters);
    this.admin = new TableAdmin(catalog, kafka, coordinator, clock, () -> leaderAddress(), scaling::statusProto);
  }

  void start() {
    coordinator.start();
    elector.start();
    scaling.start();
    Thread hint = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        coordinator.leaderAddressHint(elector.leaderAddress().orElse(""));
        try {
          Thread.sleep(250);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "scheduler-leader-hint");
    hint.setDaemon(true);
    hint.start();
  }

  /** True while this process leads. */
  boolean isLeader() {
    return elector.isLeader() && coordinator.leading();
  }

  /** The leader's address as known here (own address when leading), or "" if unknown. */
  String leaderAddress() {
    return elector.leaderAddress().orElse("");
  }

  SchedulerSettings settings() {
    return settings;
  }

  SchedulerCoordinator coordinator() {
    return coordinator;
  }

  TableAdmin admin() {
    return admin;
  }

  @Override
  public void close() {
    scaling.close(); // local scaler: SIGTERM to the children, which flush and commit
    elector.close();
    coordinator.close();
    kafka.close();
  }
}
