package io.tributary.runner.attach;

import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.tributary.api.v1.Assignment;
import io.tributary.api.v1.Heartbeat;
import io.tributary.api.v1.Hello;
import io.tributary.api.v1.OwnedPartitions;
import io.tributary.api.v1.PartitionEpoch;
import io.tributary.api.v1.PartitionProgress;
import io.tributary.api.v1.Revoke;
import io.tributary.api.v1.RevokeDone;
import io.tributary.api.v1.RunnerMessage;
import io.tributary.api.v1.RunnerServiceGrpc;
import io.tributary.api.v1.SchedulerMessage;
import io.tributary.api.v1.TableAssignment;
import io.tributary.catalog.Catalog;
import io.tributary.catalog.StoredTable;
import io.tributary.catalog.TableDefinition;
import io.tributary.catalog.TableDefinitions;
import io.tributary.catalog.TableState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The runner's side of {@code RunnerService.Attach}: finds the scheduler leader through the catalog
 * lease, attaches, says Hello (with the partitions it already works), heartbeats every second with
 * per-partition progress, applies Assignments and Revokes through {@link RunnerControl}, answers
 * RevokeDone once the revoked partitions are flushed and committed, and re-attaches with backoff
 * whenever the stream ends or the scheduler goes silent.
 *
 * <h2>Lifecycle and threads (like a Kafka Connect SinkTask)</h2>
 * <ul>
 * <li>{@link #start()} starts the <b>attach thread</b> ({@code runner-attach}), which owns the
 * connection loop: locate, connect, wait for the stream to end, back off (200 ms doubling to
 * {@code maxBackoff}; a NotLeader with an address is followed at once).</li>
 * <li>The <b>heartbeat thread</b> sends a Heartbeat every {@code heartbeatInterval} on the current
 * stream and cancels it when nothing (not even an ack) arrived for {@code stallTimeout}.</li>
 * <li>The <b>apply thread</b> runs Assignments and Revokes in the order received; they may block
 * (a table worker stopping flushes and commits).</li>
 * <li>The <b>progress thread</b> samples {@link RunnerControl#progress()} for the heartbeats, so a
 * data path busy stopping a table (which may hold its lock for seconds) never delays a heartbeat and
 * never gets this runner declared dead.</li>
 * <li>gRPC threads only record and hand off. Sends are serialized on the stream.</li>
 * </ul>
 * Losing the scheduler never stops the data path: the runner keeps its current assignment (the
 * commit chain keeps it safe) until a scheduler tells it otherwise. {@link #close()} half-closes
 * the stream, which tells the scheduler the runner is leaving so its partitions move at once; call
 * it after the runner flushed and committed.
 */
public final class AttachLoop implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(AttachLoop.class);
  private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
      Metadata.ASCII_STRING_MARSHALLER);

  /**
   * Knobs of the loop.
   *
   * @param version           runner version reported in Hello
   * @param token             bearer token for RunnerService, or null/blank for none
   * @param tls               use TLS towards the scheduler
   * @param heartbeatInterval heartbeat period (1 s)
   * @param stallTimeout      nothing received for this long = the scheduler is gone (3 s)
   * @param maxBackoff        longest wait between attach attempts (2 s)
   * @param revokeWait        longest wait for a revoke to flush and commit before answering (30 s)
   * @param caFile            with TLS: PEM file of the CA(s) to trust instead of the system ones, or null
   */
  public record Settings(String version, String token, boolean tls, Duration heartbeatInterval,
      Duration stallTimeout, Duration maxBackoff, Duration revokeWait, String caFile) {

    /** Defaults with this version, token and TLS choice (system CAs). */
    public static Settings defaults(String version, String token, boolean tls) {
      return defaults(version, token, tls, null);
    }

    /** Defaults with this version, token, TLS choice and CA file (null = the system CAs). */
    public static Settings defaults(String version, String token, boolean tls, String caFile) {
      return new Settings(version, token, tls, Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(2),
          Duration.ofSeconds(30), caFile);
    }
  }

  private final LeaderLocator locator;
  private final RunnerControl control;
  private final Settings settings;
  private final Thread thread;
  private final ScheduledExecutorService heartbeats;
  private final ExecutorService apply;
  private final Map<String, Rate> rates = new HashMap<>();
  private final CpuLoad cpu = new CpuLoad();
  private final ExecutorService sampler;
  /** Progress as last sampled; heartbeats never wait for the data path (it may be busy stopping a table). */
  private volatile List<RunnerControl.Progress> lastProgress = List.of();
  private volatile boolean sampling;
  private volatile boolean closed;
  private volatile Stream current;
  /** table -> partition -> epoch: the work last assigned (minus revoked partitions). Apply thread writes. */
  private volatile Map<String, Map<Integer, Long>> owned = Map.of();

  public AttachLoop(Catalog catalog, RunnerControl control, Settings settings) {
    this.locator = new LeaderLocator(catalog);
    this.control = control;
    this.settings = settings;
    this.thread = new Thread(this::run, "runner-attach");
    this.thread.setDaemon(true);
    this.heartbeats = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "runner-attach-heartbeat"));
    this.apply = Executors.newSingleThreadExecutor(r -> daemon(r, "runner-attach-apply"));
    this.sampler = Executors.newSingleThreadExecutor(r -> daemon(r, "runner-attach-progress"));
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  public void start() {
    thread.start();
    heartbeats.scheduleAtFixedRate(this::beat, settings.heartbeatInterval().toMillis(),
        settings.heartbeatInterval().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** True while a stream to a leader is open and acknowledged. */
  public boolean attached() {
    Stream s = current;
    return s != null && s.acked && !s.ended();
  }

  // ------------------------------------------------------------------ connection loop

  private void run() {
    long backoff = 200;
    String hint = null;
    while (!closed) {
      String address = hint != null ? hint : locator.leaderSafely();
      hint = null;
      if (address == null) {
        LOG.infof("runner %s: no scheduler leader in the lease; keeping the current work and retrying in %d ms",
            control.runnerId(), backoff);
      } else {
        Stream s = new Stream(address);
        current = s;
        s.open();
        s.awaitEnd();
        current = null;
        s.shutdown();
        if (closed) {
          return;
        }
        if (s.acked) {
          backoff = 200;
        }
        if (s.notLeader != null && s.notLeader.equals(address)) {
          // it holds the lease but is still rebuilding its state: ask again shortly
          hint = address;
          sleep(200);
          continue;
        }
        if (s.notLeader != null && !s.notLeader.isBlank()) {
          LOG.infof("runner %s: %s is not the leader; trying %s", control.runnerId(), address, s.notLeader);
          hint = s.notLeader;
          continue;
        }
        LOG.infof("runner %s: stream to the scheduler at %s ended (%s); keeping the current work, re-attaching in %d ms",
            control.runnerId(), address, s.endReason, backoff);
      }
      sleep(backoff);
      backoff = Math.min(backoff * 2, settings.maxBackoff().toMillis());
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ------------------------------------------------------------------ heartbeats (heartbeat thread)

  private void beat() {
    Stream s = current;
    if (s == null || s.ended() || !s.helloSent) {
      return;
    }
    try {
      long now = System.currentTimeMillis();
      if (now - s.lastReceivedMs > settings.stallTimeout().toMillis()) {
        s.end("nothing from the scheduler for " + (now - s.lastReceivedMs) + " ms");
        s.cancel("scheduler silent");
        return;
      }
      if (!sampling) {
        sampling = true;
        sampler.execute(() -> {
          try {
            lastProgress = control.progress();
          } catch (RuntimeException e) {
            LOG.debugf("runner %s: progress unavailable: %s", control.runnerId(), e);
          } finally {
            sampling = false;
          }
        });
      }
      Heartbeat.Builder hb = Heartbeat.newBuilder().setRunnerId(control.runnerId()).setSentAtMs(now);
      for (RunnerControl.Progress p : lastProgress) {
        Rate r = rates.computeIfAbsent(p.table() + "#" + p.partition(), k -> new Rate());
        r.sample(now, p.committedOffset(), p.committedOffset() + p.bufferedRows());
        hb.addPartitions(PartitionProgress.newBuilder().setTable(p.table()).setPartition(p.partition())
            .setEpoch(p.epoch()).setCommittedOffset(p.committedOffset()).setBufferedRows(p.bufferedRows())
            .setConsumeRowsPerS(r.consumePerS).setCommitRowsPerS(r.commitPerS)
            .setError(p.error() == null ? "" : p.error()).setLastCommitMs(p.lastCommitMs())
            .setNewestCommittedTsMs(p.newestCommittedTsMs()));
      }
      Runtime rt = Runtime.getRuntime();
      hb.setHeapUsedBytes(rt.totalMemory() - rt.freeMemory()).setHeapMaxBytes(rt.maxMemory())
          .setBufferedBytes(control.bufferedBytes()).setCpuLoad(cpu.coresUsed(now));
      s.send(RunnerMessage.newBuilder().setHeartbeat(hb).build());
    } catch (RuntimeException e) {
      LOG.warnf("runner %s: heartbeat failed: %s", control.runnerId(), e.toString());
    }
  }

  /** Cores this process used between successive heartbeats (process CPU time / wall time). */
  private static final class CpuLoad {
    private long atMs;
    private long cpuNanos = -1;
    private double cores;

    double coresUsed(long now) {
      long cpu = ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
      if (cpu >= 0 && cpuNanos >= 0 && now > atMs) {
        cores = (cpu - cpuNanos) / 1e6 / (now - atMs);
      }
      atMs = now;
      cpuNanos = cpu;
      return cores;
    }
  }

  /** Consume and commit rates of one partition from successive heartbeats (smoothed). */
  private static final class Rate {
    long atMs;
    long committed = -1;
    long consumed = -1;
    double consumePerS;
    double commitPerS;

    void sample(long now, long committedOffset, long consumedOffset) {
      if (atMs > 0 && committed >= 0 && committedOffset >= 0 && now > atMs) {
        double dt = (now - atMs) / 1000.0;
        double c = Math.max(0, committedOffset - committed) / dt;
        double u = Math.max(0, consumedOffset - consumed) / dt;
        commitPerS = 0.5 * commitPerS + 0.5 * c;
        consumePerS = 0.5 * consumePerS + 0.5 * u;
      }
      atMs = now;
      committed = committedOffset;
      consumed = consumedOffset;
    }
  }

  // ------------------------------------------------------------------ scheduler messages (apply thread)

  private void applyAssignment(Stream s, Assignment a) {
    List<RunnerControl.Work> work = new ArrayList<>();
    Map<String, Map<Integer, Long>> next = new TreeMap<>();
    StringBuilder desc = new StringBuilder();
    for (TableAssignment ta : a.getTablesList()) {
      TableDefinition def;
      try {
        def = TableDefinitions.fromJson(ta.getDefinitionJson());
      } catch (RuntimeException e) {
        LOG.errorf("runner %s: table %s: assignment carries a definition this runner cannot read (%s); skipping the"
            + " table", control.runnerId(), ta.getTable(), e.getMessage());
        continue;
      }
      Map<Integer, Long> epochs = new TreeMap<>();
      for (PartitionEpoch pe : ta.getPartitionsList()) {
        epochs.put(pe.getPartition(), pe.getEpoch());
      }
      TableState state = ta.getState().isEmpty() ? TableState.ACTIVE : TableState.valueOf(ta.getState());
      work.add(new RunnerControl.Work(new StoredTable(def, ta.getTableVersion(), state, new TreeSet<>(epochs.keySet())),
          epochs));
      next.put(ta.getTable(), epochs);
      desc.append(' ').append(ta.getTable()).append(" v").append(ta.getTableVersion()).append(' ').append(epochs);
    }
    LOG.infof("runner %s: assignment generation %d from %s:%s; starting new partitions, flushing and stopping"
        + " dropped ones", control.runnerId(), a.getGeneration(), s.address, desc.length() == 0 ? " nothing" : desc);
    owned = next;
    control.assign(work);
  }

  private void applyRevoke(Stream s, Revoke r) {
    Set<Integer> parts = new TreeSet<>(r.getPartitionsList());
    Map<String, Map<Integer, Long>> next = new TreeMap<>(owned);
    Map<Integer, Long> t = new TreeMap<>(next.getOrDefault(r.getTable(), Map.of()));
    Map<Integer, Long> epochs = new TreeMap<>();
    for (Integer p : parts) {
      epochs.put(p, t.getOrDefault(p, 0L));
      t.remove(p);
    }
    next.put(r.getTable(), t);
    owned = next;
    LOG.infof("runner %s: table %s partitions %s (epochs %s): revoke %s; flushing and committing, then confirming",
        control.runnerId(), r.getTable(), parts, epochs.values(), r.getRevokeId());
    long started = System.nanoTime();
    control.revoke(r.getTable(), parts).orTimeout(settings.revokeWait().toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((v, e) -> {
          long ms = (System.nanoTime() - started) / 1_000_000;
          if (e != null) {
            LOG.warnf("runner %s: table %s partitions %s: revoke %s not drained within %d ms (%s); confirming anyway"
                + " (the commit chain keeps it exact)", control.runnerId(), r.getTable(), parts, r.getRevokeId(), ms,
                e.toString());
          }
          RevokeDone.Builder d = RevokeDone.newBuilder().setRevokeId(r.getRevokeId()).setTable(r.getTable());
          epochs.forEach((p, ep) -> d.addPartitions(PartitionEpoch.newBuilder().setPartition(p).setEpoch(ep)));
          if (s.send(RunnerMessage.newBuilder().setRevokeDone(d).build())) {
            LOG.infof("runner %s: table %s partitions %s: revoke %s done in %d ms (flushed and committed)",
                control.runnerId(), r.getTable(), parts, r.getRevokeId(), ms);
          }
        });
  }

  // ------------------------------------------------------------------ one stream

  /** One Attach stream to one scheduler address. */
  private final class Stream {
    final String address;
    final CountDownLatch done = new CountDownLatch(1);
    volatile ManagedChannel channel;
    volatile ClientCallStreamObserver<RunnerMessage> up;
    volatile long lastReceivedMs = System.currentTimeMillis();
    volatile boolean helloSent;
    volatile boolean acked;
    volatile String notLeader;
    volatile String endReason = "";

    Stream(String address) {
      this.address = address;
    }

    void open() {
      try {
        if (!settings.tls()) {
          channel = ManagedChannelBuilder.forTarget(address).usePlaintext().build();
        } else {
          TlsChannelCredentials.Builder creds = TlsChannelCredentials.newBuilder();
          if (settings.caFile() != null && !settings.caFile().isBlank()) {
            try {
              creds.trustManager(new java.io.File(settings.caFile()));
            } catch (java.io.IOException | RuntimeException e) {
              LOG.errorf("runner %s: cannot read the scheduler CA file %s (TRIBUTARY_SCHEDULER_CA): %s",
                  control.runnerId(), settings.caFile(), e.toString());
              end("bad TRIBUTARY_SCHEDULER_CA " + settings.caFile() + ": " + e);
              return;
            }
          }
          channel = Grpc.newChannelBuilder(address, creds.build()).build();
        }
        RunnerServiceGrpc.RunnerServiceStub stub = RunnerServiceGrpc.newStub(channel);
        if (settings.token() != null && !settings.token().isBlank()) {
          Metadata md = new Metadata();
          md.put(AUTHORIZATION, "Bearer " + settings.token());
          stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
        }
        stub.attach(new ClientResponseObserver<RunnerMessage, SchedulerMessage>() {
          @Override
          public void beforeStart(ClientCallStreamObserver<RunnerMessage> requestStream) {
            up = requestStream;
          }

          @Override
          public void onNext(SchedulerMessage m) {
            received(m);
          }

          @Override
          public void onError(Throwable t) {
            Status st = Status.fromThrowable(t);
            if (st.getCode() == Status.Code.UNAUTHENTICATED) {
              LOG.errorf("runner %s: the scheduler at %s refused this runner: %s (set TRIBUTARY_AUTH_RUNNER_TOKEN)",
                  control.runnerId(), address, st.getDescription());
            }
            end(st.getCode() + (st.getDescription() == null ? "" : ": " + st.getDescription()));
          }

          @Override
          public void onCompleted() {
            end("closed by the scheduler");
          }
        });
        Hello.Builder h = Hello.newBuilder().setRunnerId(control.runnerId()).setVersion(settings.version())
            .setMemoryBudgetBytes(control.memoryBudgetBytes()).setMaxPartitions(Math.max(0, control.maxPartitions()))
            .setHttpAddress(control.httpAddress());
        owned.forEach((table, parts) -> {
          OwnedPartitions.Builder op = OwnedPartitions.newBuilder().setTable(table);
          parts.forEach((p, e) -> op.addPartitions(PartitionEpoch.newBuilder().setPartition(p).setEpoch(e)));
          h.addOwned(op);
        });
        lastReceivedMs = System.currentTimeMillis();
        send(RunnerMessage.newBuilder().setHello(h).build());
        helloSent = true;
        LOG.infof("runner %s: attaching to the scheduler at %s (owns %s)", control.runnerId(), address, owned);
      } catch (RuntimeException e) {
        end("cannot connect: " + e);
      }
    }

    void received(SchedulerMessage m) {
      lastReceivedMs = System.currentTimeMillis();
      switch (m.getBodyCase()) {
        case ACK -> {
          if (!acked) {
            acked = true;
            LOG.infof("runner %s: attached to the scheduler leader at %s", control.runnerId(), address);
          }
        }
        case ASSIGNMENT -> apply.execute(() -> safely(() -> applyAssignment(this, m.getAssignment())));
        case REVOKE -> apply.execute(() -> safely(() -> applyRevoke(this, m.getRevoke())));
        case NOT_LEADER -> {
          notLeader = m.getNotLeader().getLeaderAddress();
          end("not the leader (leader=" + notLeader + ")");
        }
        default -> {
        }
      }
    }

    private void safely(Runnable r) {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.errorf(e, "runner %s: applying a scheduler message failed", control.runnerId());
      }
    }

    synchronized boolean send(RunnerMessage m) {
      if (ended() || up == null) {
        return false;
      }
      try {
        up.onNext(m);
        return true;
      } catch (RuntimeException e) {
        end("send failed: " + e);
        return false;
      }
    }

    synchronized void cancel(String why) {
      if (up != null) {
        try {
          up.cancel(why, null);
        } catch (RuntimeException e) {
          // already gone
        }
      }
    }

    /** Half-close: the runner is leaving. */
    synchronized void leave() {
      if (up != null && !ended()) {
        try {
          up.onCompleted();
        } catch (RuntimeException e) {
          // already gone
        }
      }
    }

    void end(String reason) {
      if (done.getCount() > 0) {
        endReason = reason;
        done.countDown();
      }
    }

    boolean ended() {
      return done.getCount() == 0;
    }

    void awaitEnd() {
      try {
        done.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    void shutdown() {
      ManagedChannel ch = channel;
      if (ch != null) {
        ch.shutdownNow();
      }
    }
  }

  /**
   * Leaves: half-closes the stream (the scheduler moves this runner's partitions at once) and stops
   * the threads. Call after the runner flushed and committed.
   */
  @Override
  public void close() {
    closed = true;
    heartbeats.shutdownNow();
    Stream s = current;
    if (s != null) {
      s.leave();
      try {
        s.done.await(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      s.end("runner leaving");
      s.shutdown();
    }
    thread.interrupt();
    apply.shutdownNow();
    sampler.shutdownNow();
    LOG.infof("runner %s: detached from the scheduler", control.runnerId());
  }
}
