package io.tributary.runner.attach;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.stub.StreamObserver;
import io.tributary.api.v1.Assignment;
import io.tributary.api.v1.HeartbeatAck;
import io.tributary.api.v1.NotLeader;
import io.tributary.api.v1.PartitionEpoch;
import io.tributary.api.v1.Revoke;
import io.tributary.api.v1.RunnerMessage;
import io.tributary.api.v1.RunnerServiceGrpc;
import io.tributary.api.v1.SchedulerMessage;
import io.tributary.api.v1.TableAssignment;
import io.tributary.catalog.InMemoryCatalog;
import io.tributary.catalog.TableDefinition;
import io.tributary.catalog.TableDefinitions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The runner side of Attach against small in-process schedulers (real gRPC over localhost): leader
 * lookup through the lease, NotLeader redirect, Hello with owned partitions, assignments applied,
 * revoke answered after the runner's future completes, re-attach when the scheduler goes silent,
 * half-close on close.
 */
class AttachLoopTest {

  /** A scheduler that records what runners send and lets the test answer. */
  static final class FakeScheduler extends RunnerServiceGrpc.RunnerServiceImplBase {
    final List<RunnerMessage> received = new CopyOnWriteArrayList<>();
    final List<StreamObserver<SchedulerMessage>> streams = new CopyOnWriteArrayList<>();
    volatile String notLeader;
    volatile boolean ack = true;
    volatile boolean halfClosed;
    Server server;

    int start() throws Exception {
      server = ServerBuilder.forPort(0).addService(this).build().start();
      return server.getPort();
    }

    @Override
    public StreamObserver<RunnerMessage> attach(StreamObserver<SchedulerMessage> out) {
      if (notLeader != null) {
        out.onNext(SchedulerMessage.newBuilder().setNotLeader(NotLeader.newBuilder().setLeaderAddress(notLeader))
            .build());
        out.onCompleted();
        return new StreamObserver<>() {
          public void onNext(RunnerMessage m) {
          }

          public void onError(Throwable t) {
          }

          public void onCompleted() {
          }
        };
      }
      streams.add(out);
      return new StreamObserver<>() {
        @Override
        public void onNext(RunnerMessage m) {
          received.add(m);
          if (m.hasHeartbeat() && ack) {
            synchronized (out) {
              out.onNext(SchedulerMessage.newBuilder().setAck(HeartbeatAck.newBuilder().setReceivedAtMs(1)).build());
            }
          }
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onCompleted() {
          halfClosed = true;
          out.onCompleted();
        }
      };
    }

    void send(SchedulerMessage m) {
      StreamObserver<SchedulerMessage> out = streams.get(streams.size() - 1);
      synchronized (out) {
        out.onNext(m);
      }
    }

    long count(RunnerMessage.BodyCase kind) {
      return received.stream().filter(m -> m.getBodyCase() == kind).count();
    }
  }

  /** A runner data path that records calls; revokes complete when the test says so. */
  static final class FakeControl implements RunnerControl {
    final List<List<Work>> assigned = new CopyOnWriteArrayList<>();
    final CompletableFuture<Void> revokeDone = new CompletableFuture<>();

    public String runnerId() {
      return "r-test";
    }

    public void assign(List<Work> tables) {
      assigned.add(tables);
    }

    public CompletableFuture<Void> revoke(String table, Set<Integer> partitions) {
      return revokeDone;
    }

    public List<Progress> progress() {
      return List.of(new Progress("t", 0, 3, 100, 5, false, null, 0, 0));
    }

    public long bufferedBytes() {
      return 0;
    }

    public long memoryBudgetBytes() {
      return 1 << 20;
    }

    @Override
    public int maxPartitions() {
      return 6;
    }
  }

  private final InMemoryCatalog catalog = new InMemoryCatalog();
  private final FakeScheduler standby = new FakeScheduler();
  private final FakeScheduler leader = new FakeScheduler();
  private AttachLoop loop;

  @AfterEach
  void tearDown() {
    if (loop != null) {
      loop.close();
    }
    if (standby.server != null) {
      standby.server.shutdownNow();
    }
    if (leader.server != null) {
      leader.server.shutdownNow();
    }
  }

  private static void await(String what, BooleanSupplier c) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void follows_the_lease_and_not_leader_then_applies_assignment_and_revoke() throws Exception {
    int leaderPort = leader.start();
    standby.notLeader = "127.0.0.1:" + leaderPort;
    int standbyPort = standby.start();
    // the lease still names the standby (stale): NotLeader must redirect
    catalog.acquireLease("s-standby", "127.0.0.1:" + standbyPort, Duration.ofSeconds(30));
    FakeControl control = new FakeControl();
    loop = new AttachLoop(catalog, control, new AttachLoop.Settings("test", null, false, Duration.ofMillis(200),
        Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofSeconds(5), null));
    loop.start();

    await("hello at the leader", () -> leader.count(RunnerMessage.BodyCase.HELLO) == 1);
    await("heartbeats", () -> leader.count(RunnerMessage.BodyCase.HEARTBEAT) >= 2);
    await("attached", loop::attached);
    // progress is sampled off the heartbeat thread, so the very first heartbeat may carry none yet
    await("a heartbeat with progress", () -> leader.received.stream()
        .anyMatch(m -> m.hasHeartbeat() && m.getHeartbeat().getPartitionsCount() > 0));
    RunnerMessage hb = leader.received.stream()
        .filter(m -> m.hasHeartbeat() && m.getHeartbeat().getPartitionsCount() > 0).findFirst().orElseThrow();
    assertThat(hb.getHeartbeat().getPartitions(0).getCommittedOffset()).isEqualTo(100);
    RunnerMessage first = leader.received.stream().filter(RunnerMessage::hasHello).findFirst().orElseThrow();
    assertThat(first.getHello().getMaxPartitions()).as("capacity hint").isEqualTo(6);
    assertThat(first.getHello().getMemoryBudgetBytes()).isEqualTo(1 << 20);
    // heartbeats report the cores this process used since the previous one: burn CPU until one shows it
    await("a heartbeat with cpu_load > 0", () -> {
      long until = System.nanoTime() + 50_000_000L;
      long x = 0;
      while (System.nanoTime() < until) {
        x += Long.numberOfTrailingZeros(x + System.nanoTime());
      }
      return x != 0 && leader.received.stream().filter(RunnerMessage::hasHeartbeat)
          .anyMatch(m -> m.getHeartbeat().getCpuLoad() > 0);
    });
    assertThat(leader.received.stream().filter(RunnerMessage::hasHeartbeat)
        .mapToDouble(m -> m.getHeartbeat().getCpuLoad()).max().orElseThrow())
        .isLessThanOrEqualTo(Runtime.getRuntime().availableProcessors() + 0.5);

    TableDefinition def = TableDefinition.builder("t").source(TableDefinition.Source.of("localhost:9092", "t"))
        .output(TableDefinition.Output.of("bucket-x")).column(TableDefinition.Column.of("id", "long")).build();
    leader.send(SchedulerMessage.newBuilder().setAssignment(Assignment.newBuilder().setGeneration(1)
        .addTables(TableAssignment.newBuilder().setTable("t").setTableVersion(1).setState("ACTIVE")
            .setDefinitionJson(TableDefinitions.toJson(def))
            .addPartitions(PartitionEpoch.newBuilder().setPartition(0).setEpoch(3))
            .addPartitions(PartitionEpoch.newBuilder().setPartition(1).setEpoch(3)))).build());
    await("assignment applied", () -> control.assigned.size() == 1);
    assertThat(control.assigned.get(0).get(0).epochs()).isEqualTo(Map.of(0, 3L, 1, 3L));
    assertThat(control.assigned.get(0).get(0).table().name()).isEqualTo("t");

    leader.send(SchedulerMessage.newBuilder().setRevoke(Revoke.newBuilder().setRevokeId("rv1").setTable("t")
        .addPartitions(1)).build());
    Thread.sleep(300);
    assertThat(leader.count(RunnerMessage.BodyCase.REVOKE_DONE)).as("not before the flush").isZero();
    control.revokeDone.complete(null);
    await("revoke done", () -> leader.count(RunnerMessage.BodyCase.REVOKE_DONE) == 1);
    RunnerMessage done = leader.received.stream().filter(RunnerMessage::hasRevokeDone).findFirst().orElseThrow();
    assertThat(done.getRevokeDone().getRevokeId()).isEqualTo("rv1");
    assertThat(done.getRevokeDone().getPartitions(0).getEpoch()).isEqualTo(3);

    // the scheduler goes silent: the runner re-attaches, and its Hello lists what it still owns
    leader.ack = false;
    await("re-attach", () -> leader.count(RunnerMessage.BodyCase.HELLO) >= 2);
    RunnerMessage hello = leader.received.stream().filter(RunnerMessage::hasHello).reduce((a, b) -> b).orElseThrow();
    assertThat(hello.getHello().getOwned(0).getPartitionsList()).extracting(PartitionEpoch::getPartition)
        .containsExactly(0);
    leader.ack = true;
    await("attached again", loop::attached);

    loop.close();
    loop = null;
    await("half-closed", () -> leader.halfClosed);
  }
}
