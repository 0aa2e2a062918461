package io.tributary.scheduler;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.tributary.api.v1.Heartbeat;
import io.tributary.api.v1.Hello;
import io.tributary.api.v1.PartitionEpoch;
import io.tributary.api.v1.PartitionProgress;
import io.tributary.api.v1.RevokeDone;
import io.tributary.api.v1.RunnerMessage;
import io.tributary.api.v1.RunnerServiceGrpc;
import io.tributary.api.v1.SchedulerMessage;
import io.tributary.api.v1.TableAssignment;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Test helper: a runner that speaks {@code RunnerService.Attach} but moves no data. It records
 * what the scheduler sends, heartbeats every second while {@link #beating} and answers revokes
 * when told to.
 */
final class FakeRunner implements AutoCloseable {
  final String id;
  final List<SchedulerMessage> received = new CopyOnWriteArrayList<>();
  volatile Throwable error;
  volatile boolean completed;
  volatile boolean beating = true;
  volatile boolean answerRevokes = true;
  private final StreamObserver<RunnerMessage> up;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  /** table -> partition -> epoch, as last assigned. */
  private volatile Map<String, Map<Integer, Long>> owned = Map.of();

  FakeRunner(ManagedChannel ch, String id, String token) {
    this.id = id;
    RunnerServiceGrpc.RunnerServiceStub stub = RunnerServiceGrpc.newStub(ch);
    if (token != null) {
      Metadata md = new Metadata();
      md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
      stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
    }
    up = stub.attach(new StreamObserver<>() {
      @Override
      public void onNext(SchedulerMessage m) {
        received.add(m);
        if (m.hasAssignment()) {
          Map<String, Map<Integer, Long>> o = new TreeMap<>();
          for (TableAssignment t : m.getAssignment().getTablesList()) {
            Map<Integer, Long> ps = new TreeMap<>();
            t.getPartitionsList().forEach(pe -> ps.put(pe.getPartition(), pe.getEpoch()));
            o.put(t.getTable(), ps);
          }
          owned = o;
        }
        if (m.hasRevoke() && answerRevokes) {
          RevokeDone.Builder d = RevokeDone.newBuilder().setRevokeId(m.getRevoke().getRevokeId())
              .setTable(m.getRevoke().getTable());
          m.getRevoke().getPartitionsList().forEach(p -> d.addPartitions(PartitionEpoch.newBuilder().setPartition(p)));
          send(RunnerMessage.newBuilder().setRevokeDone(d).build());
        }
      }

      @Override
      public void onError(Throwable t) {
        error = t;
      }

      @Override
      public void onCompleted() {
        completed = true;
      }
    });
  }

  FakeRunner hello() {
    send(RunnerMessage.newBuilder().setHello(Hello.newBuilder().setRunnerId(id).setVersion("fake")).build());
    timer.scheduleAtFixedRate(() -> {
      if (beating) {
        Heartbeat.Builder hb = Heartbeat.newBuilder().setRunnerId(id).setSentAtMs(System.currentTimeMillis());
        owned.forEach((t, ps) -> ps.forEach((p, e) -> hb.addPartitions(PartitionProgress.newBuilder().setTable(t)
            .setPartition(p).setEpoch(e).setConsumeRowsPerS(100))));
        send(RunnerMessage.newBuilder().setHeartbeat(hb).build());
      }
    }, 0, 1, TimeUnit.SECONDS);
    return this;
  }

  synchronized void send(RunnerMessage m) {
    try {
      up.onNext(m);
    } catch (RuntimeException e) {
      error = e;
    }
  }

  /** The partitions of {@code table} in the last assignment (partition -> epoch). */
  Map<Integer, Long> owned(String table) {
    return owned.getOrDefault(table, Map.of());
  }

  long count(SchedulerMessage.BodyCase kind) {
    return received.stream().filter(m -> m.getBodyCase() == kind).count();
  }

  Map<Integer, Long> awaitOwned(String table, int partitions, Duration timeout) {
    return Poll.until(id + " owns " + partitions + " partitions of " + table + " (has " + owned(table) + ")", timeout,
        () -> owned(table).size() == partitions ? owned(table) : null);
  }

  /** Half-closes the stream: a graceful goodbye. */
  void leave() {
    beating = false;
    synchronized (this) {
      up.onCompleted();
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      synchronized (this) {
        up.onError(new RuntimeException("closed"));
      }
    } catch (RuntimeException e) {
      // already closed
    }
  }
}
