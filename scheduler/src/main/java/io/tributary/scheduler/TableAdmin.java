package io.tributary.scheduler;

import io.grpc.Status;
import io.tributary.api.v1.ClusterStatus;
import io.tributary.api.v1.IcebergStatus;
import io.tributary.api.v1.SweepStatus;
import io.tributary.api.v1.PartitionStatus;
import io.tributary.api.v1.RunnerInfo;
import io.tributary.api.v1.ScalingStatus;
import io.tributary.api.v1.TableInfo;
import io.tributary.api.v1.TableStatus;
import io.tributary.catalog.Catalog;
import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.InvalidDefinitionException;
import io.tributary.catalog.StoredTable;
import io.tributary.catalog.TableAlreadyExistsException;
import io.tributary.catalog.TableDefinition;
import io.tributary.catalog.TableDefinitions;
import io.tributary.catalog.TableNotFoundException;
import io.tributary.catalog.TableState;
import io.tributary.catalog.TableStateException;
import io.tributary.catalog.VersionConflictException;
import io.tributary.catalog.admin.KafkaTopics;
import io.tributary.catalog.admin.TableLifecycle;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The operator API's logic behind {@code SchedulerService}: the table lifecycle ({@link TableLifecycle},
 * shared with the CLI's scheduler-less path) and status assembled from the
 * coordinator's snapshot, the chain heads and Kafka end offsets. Refusals are {@link ApiException}s
 * carrying the gRPC status; the adapter maps them 1:1.
 *
 * <p>Thread-safety: stateless apart from its collaborators; called on gRPC worker threads.
 */
final class TableAdmin {

  private static final Logger LOG = Logger.getLogger(TableAdmin.class);

  private final Catalog catalog;
  private final KafkaTopics kafka;
  private final TableLifecycle lifecycle;
  private final SchedulerCoordinator coordinator;
  private final Clock clock;
  private final Supplier<String> leaderAddress;
  private final Supplier<ScalingStatus> scaling;
  private final Function<String, Optional<IcebergStatus>> iceberg;
  private final Function<String, Optional<SweepStatus>> sweep;

  /**
   * @param iceberg a table's Iceberg publication status, empty when publication is off
   * @param sweep   a table's orphan-sweeper status, empty when the sweeper is off here
   */
  TableAdmin(Catalog catalog, KafkaTopics kafka, SchedulerCoordinator coordinator, Clock clock,
      Supplier<String> leaderAddress, Supplier<ScalingStatus> scaling,
      Function<String, Optional<IcebergStatus>> iceberg, Function<String, Optional<SweepStatus>> sweep) {
    this.catalog = catalog;
    this.kafka = kafka;
    this.lifecycle = new TableLifecycle(catalog, kafka);
    this.coordinator = coordinator;
    this.clock = clock;
    this.leaderAddress = leaderAddress;
    this.scaling = scaling;
    this.iceberg = iceberg;
    this.sweep = sweep;
  }

  TableInfo create(String definitionJson) {
    TableDefinition def = parse(definitionJson);
    try {
      TableLifecycle.Created c = lifecycle.create(def);
      LOG.infof("table %s: created (topic %s, %d partitions, start %s, genesis %s); assigning it next round",
          def.name(), def.source().topic(), c.genesis().size(), def.source().start(), c.genesis());
      coordinator.tablesChanged();
      return info(c.table());
    } catch (InvalidDefinitionException e) {
      throw ApiException.invalid(e.field(), e.detail());
    } catch (TableLifecycle.SourceUnavailableException e) {
      throw new ApiException(Status.UNAVAILABLE, e.getMessage());
    } catch (TableAlreadyExistsException e) {
      throw new ApiException(Status.ALREADY_EXISTS, "name: table '" + def.name() + "' already exists");
    }
  }

  TableInfo update(String definitionJson, long expectedVersion) {
    TableDefinition def = parse(definitionJson);
    try {
      StoredTable st = lifecycle.update(def, expectedVersion);
      LOG.infof("table %s: definition v%d stored; runners get it with their next assignment", def.name(),
          st.version());
      coordinator.tablesChanged();
      return info(st);
    } catch (TableNotFoundException e) {
      throw ApiException.notFound(def.name());
    } catch (VersionConflictException e) {
      throw new ApiException(Status.ABORTED, "expected_version: " + e.getMessage());
    } catch (TableStateException e) {
      throw new ApiException(Status.FAILED_PRECONDITION, e.getMessage());
    } catch (InvalidDefinitionException e) {
      throw ApiException.invalid(e.field(), e.detail());
    }
  }

  TableInfo drop(String name) {
    return stateChange(name, lifecycle::drop, "dropped (data and chains kept)");
  }

  TableInfo pause(String name) {
    return stateChange(name, lifecycle::pause, "paused");
  }

  TableInfo resume(String name) {
    return stateChange(name, lifecycle::resume, "resumed");
  }

  private TableInfo stateChange(String name, Function<String, StoredTable> op, String what) {
    try {
      StoredTable st = op.apply(name);
      LOG.infof("table %s: %s; runners are told within seconds", name, what);
      coordinator.tablesChanged();
      return info(st);
    } catch (InvalidDefinitionException e) {
      throw ApiException.invalid(e.field(), e.detail());
    } catch (TableNotFoundException e) {
      throw ApiException.notFound(name);
    } catch (TableStateException e) {
      throw new ApiException(Status.FAILED_PRECONDITION, e.getMessage());
    }
  }

  List<TableInfo> list(boolean includeDropped) {
    List<TableInfo> out = new ArrayList<>();
    for (StoredTable st : lifecycle.list(includeDropped)) {
      out.add(info(st));
    }
    return out;
  }

  TableStatus describe(String name) {
    try {
      return status(lifecycle.get(name), coordinator.snapshot());
    } catch (InvalidDefinitionException e) {
      throw ApiException.invalid(e.field(), e.detail());
    } catch (TableNotFoundException e) {
      throw ApiException.notFound(name);
    }
  }

  List<RunnerInfo> runners() {
    List<RunnerInfo> out = new ArrayList<>();
    for (ClusterSnapshot.RunnerView r : coordinator.snapshot().runners()) {
      out.add(RunnerInfo.newBuilder().setId(r.id()).setVersion(r.version()).setLastHeartbeatMs(r.lastHeartbeatMs())
          .setPartitions(r.partitions()).setHeapUsedBytes(r.heapUsedBytes()).setBufferedBytes(r.bufferedBytes())
          .setRowsPerS(r.rowsPerS()).setCpuLoad(r.cpuLoad()).setMaxPartitions(r.maxPartitions())
          .setHttpAddress(r.httpAddress()).build());
    }
    return out;
  }

  ClusterStatus status() {
    ClusterSnapshot snap = coordinator.snapshot();
    ClusterStatus.Builder b = ClusterStatus.newBuilder().setLeader(leaderAddress.get()).addAllRunners(runners());
    for (StoredTable st : catalog.listTables()) {
      if (st.state() != TableState.DROPPED) {
        b.addTables(status(st, snap));
      }
    }
    b.setScaling(scaling.get());
    return b.build();
  }

  private TableStatus status(StoredTable st, ClusterSnapshot snap) {
    ClusterSnapshot.TableView tv = snap.tables().get(st.name());
    Map<Integer, Long> ends = Map.of();
    if (st.state() != TableState.DROPPED && !st.partitions().isEmpty()) {
      try {
        ends = kafka.latest(st.definition().source().bootstrap(), st.definition().source().topic(), st.partitions());
      } catch (RuntimeException e) {
        LOG.debugf("table %s: end offsets unavailable: %s", st.name(), e.getMessage());
      }
    }
    long now = clock.millis();
    long totalLag = 0;
    TableStatus.Builder b = TableStatus.newBuilder().setTable(info(st));
    for (Integer p : st.partitions()) {
      PartitionStatus.Builder ps = PartitionStatus.newBuilder().setPartition(p).setFreshnessS(-1);
      Optional<CommitRecord> head = catalog.head(st.name(), p);
      long committed = head.map(CommitRecord::endOffset).orElse(0L);
      ps.setCommittedOffset(committed);
      head.ifPresent(h -> {
        ps.setSeq(h.seq());
        if (!h.isGenesis()) {
          ps.setLastCommitMs(h.committedAt());
        }
        if (h.maxTs() != null) {
          ps.setFreshnessS((now - h.maxTs()) / 1000.0);
        }
      });
      Long end = ends.get(p);
      if (end != null) {
        long lag = Math.max(0, end - committed);
        ps.setEndOffset(end).setLag(lag);
        totalLag += lag;
      }
      if (tv != null) {
        ClusterSnapshot.PartitionView pv = tv.partitions().get(p);
        if (pv != null) {
          ps.setOwner(pv.owner()).setEpoch(pv.epoch()).setRowsPerS(pv.rowsPerS()).setLastError(pv.lastError());
        }
      }
      b.addPartitions(ps);
    }
    iceberg.apply(st.name()).ifPresent(b::setIceberg);
    sweep.apply(st.name()).ifPresent(b::setSweep);
    return b.setLag(totalLag).build();
  }

  private static TableDefinition parse(String json) {
    if (json == null || json.isBlank()) {
      throw ApiException.invalid("definition_json", "is required");
    }
    try {
      return TableDefinitions.fromJson(json);
    } catch (InvalidDefinitionException e) {
      throw ApiException.invalid(e.field(), e.detail());
    }
  }

  static TableInfo info(StoredTable st) {
    return TableInfo.newBuilder().setName(st.name()).setVersion(st.version()).setState(st.state().name())
        .setDefinitionJson(TableDefinitions.toJson(st.definition())).build();
  }
}
