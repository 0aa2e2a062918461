package io.tributary.scheduler;

import io.micrometer.core.instrument.MeterRegistry;
import io.tributary.catalog.Catalog;
import io.tributary.catalog.Lease;
import io.tributary.iceberg.IcebergCatalogs;
import io.tributary.iceberg.PublicationService;
import io.tributary.iceberg.sweep.SweepService;
import io.tributary.iceberg.sweep.Sweeper;
import io.tributary.catalog.AwsClients;
import io.tributary.iceberg.retain.RetentionService;
import software.amazon.awssdk.services.s3.S3Client;
import io.tributary.scheduler.scaling.RunnerDrainer;
import io.tributary.scheduler.scaling.ScalingConfig;
import io.tributary.scheduler.scaling.ScalingCoordinator;
import java.time.Clock;
import io.tributary.catalog.admin.KafkaTopics;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * One scheduler process, wired through constructors: the {@link LeaderElector} on the catalog
 * lease, the {@link SchedulerCoordinator} (runner streams, failure detection, assignment), the
 * leader's {@link IcebergPublication} and the {@link TableAdmin} behind the operator API. The Quarkus lifecycle bean creates one, calls
 * {@link #start()} at startup and {@link #close()} at shutdown (releasing the lease, so a standby
 * takes over at once).
 *
 * <p>Thread-safety: the accessors may be called from any thread after {@link #start()}.
 */
public final class SchedulerNode implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(SchedulerNode.class);

  private final SchedulerSettings settings;
  private final KafkaTopics kafka;
  private final SchedulerCoordinator coordinator;
  private final LeaderElector elector;
  private final TableAdmin admin;
  private final ScalingCoordinator scaling;
  private final IcebergPublication iceberg;
  private final OrphanSweeping sweeping;
  /** Retention (docs/maintenance.md rule 4): a pass per table with retention every 10 min, own thread. */
  private final RetentionService retention;

  /**
   * @param icebergCatalogs where the leader publishes the chains as Iceberg snapshots (none configured =
   *                        publication off); closed with this node
   */
  SchedulerNode(Catalog catalog, SchedulerSettings settings, ScalingConfig scalingConfig,
      IcebergCatalogs icebergCatalogs, MeterRegistry meters, Clock clock) {
    this.settings = settings;
    this.kafka = new KafkaTopics(5_000);
    this.iceberg = new IcebergPublication(publicationService(catalog, icebergCatalogs, settings.id(), clock),
        icebergCatalogs, meters);
    this.sweeping = orphanSweeping(catalog, icebergCatalogs, meters, clock);
    this.retention = new RetentionService(catalog, icebergCatalogs, System.getenv(), clock,
        RetentionService.DEFAULT_INTERVAL);
    this.coordinator = new SchedulerCoordinator(catalog, kafka, settings, new AssignmentPlanner(), clock, meters,
        all -> {
          iceberg.tables(all);
          sweeping.tables(all);
        });
    // the elector tells the coordinator and the Iceberg publication; the publication runs on its own executor
    LeaderElector.Listener leadership = new LeaderElector.Listener() {
      @Override
      public void elected(Lease lease) {
        coordinator.elected(lease);
        iceberg.leading();
        sweeping.leading();
        retention.leading();
      }

      @Override
      public void demoted(String reason) {
        retention.notLeading();
        sweeping.notLeading(reason);
        iceberg.notLeading(reason);
        coordinator.demoted(reason);
      }
    };
    this.elector = new LeaderElector(catalog, settings.id(), settings.address(), settings.leaseTtl(),
        settings.renewInterval(), settings.renewInterval(), clock, leadership);
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
    this.admin = new TableAdmin(catalog, kafka, coordinator, clock, () -> leaderAddress(), scaling::statusProto,
        iceberg::status, sweeping::status);
  }

  /** The publisher id is the scheduler id; a bad snapshot-retention setting turns publication off, loudly. */
  private static PublicationService publicationService(Catalog catalog, IcebergCatalogs catalogs, String id,
      Clock clock) {
    if (!catalogs.enabled()) {
      LOG.info("iceberg: no Iceberg catalog configured (TRIBUTARY_ICEBERG_CATALOG / TRIBUTARY_ICEBERG_JDBC_URI);"
          + " publication is off, the commit chains are the only view");
      return new PublicationService(catalog, catalogs, id);
    }
    try {
      PublicationService s = new PublicationService(catalog, catalogs, id, catalogs.keepSnapshots(),
          catalogs.keepSnapshotsFor(), clock::millis);
      LOG.infof("iceberg: catalog %s (namespace %s); the leader publishes every table as publisher %s, keeping the"
          + " last %d snapshots and those of the last %s", catalogs.defaultCatalog().orElseThrow(),
          catalogs.defaultNamespace(), id, catalogs.keepSnapshots(), catalogs.keepSnapshotsFor());
      return s;
    } catch (IllegalStateException e) {
      LOG.errorf("iceberg: %s; publication stays OFF until the setting is fixed and the scheduler restarted"
          + " (ingestion is not affected)", e.getMessage());
      return new PublicationService(catalog, new IcebergCatalogs(Map.of()), id);
    }
  }

  /** The leader's orphan sweeper (docs/maintenance.md rule 3); a bad setting turns it off, loudly. */
  private static OrphanSweeping orphanSweeping(Catalog catalog, IcebergCatalogs catalogs, MeterRegistry meters,
      Clock clock) {
    Map<String, String> env = System.getenv();
    try {
      java.time.Duration interval = SweepService.interval(env);
      if (interval == null) {
        LOG.infof("sweeper: off (%s=off); orphaned objects stay until `tributary sweep`", SweepService.ENV_INTERVAL);
        return new OrphanSweeping(null, () -> { }, meters);
      }
      S3Client s3 = AwsClients.s3(env);
      Sweeper sweeper = new Sweeper(catalog, s3, catalogs, Sweeper.grace(env), clock);
      return new OrphanSweeping(new SweepService(sweeper, interval, SweepService.initialDelay(env), clock), s3,
          meters);
    } catch (RuntimeException e) {
      LOG.errorf("sweeper: %s; orphan sweeping stays OFF until the setting is fixed and the scheduler restarted"
          + " (ingestion is not affected)", e.getMessage());
      return new OrphanSweeping(null, () -> { }, meters);
    }
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
    sweeping.close();
    retention.close(); // before the Iceberg catalogs close
    iceberg.close(); // stop publishing before the lease goes: the next leader resumes from the snapshot heads
    elector.close();
    coordinator.close();
    kafka.close();
  }
}
