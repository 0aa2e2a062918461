package io.tributary.scheduler.scaling;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Runs the runner pool as child processes of the scheduler (the embedded default, selected by
 * {@code --scaler local} or {@code TRIBUTARY_SCALER=local}).
 *
 * <p>Each child is started as {@code command + [--id, <id>]} with the scheduler's environment plus
 * {@code extraEnv}, its stdout and stderr appended to {@code <logDir>/<id>.log}. Scale-in picks the
 * newest children and first <em>drains</em> them through the {@link RunnerDrainer} (the scheduler
 * moves their partitions to the other runners with the revoke handshake: flush + commit first); a
 * victim that owns nothing any more (or whose drain exceeded {@code stopTimeout}) gets SIGTERM
 * ({@link Process#destroy()}), on which a runner flushes and commits whatever it still holds before
 * it exits; a child still alive {@code stopTimeout} after SIGTERM is killed. Children die
 * with the scheduler: a shutdown hook stops them (SIGTERM, then SIGKILL), and a watchdog shell per
 * child kills it even when the scheduler itself is SIGKILLed.
 *
 * <p>Children that exit on their own are forgotten at the next {@link #observe()} and restarted by
 * the next {@link #scaleTo}; children that keep dying within 30 s of their start are restarted with
 * an exponential back-off (2 s .. 60 s), and until then {@link #scaleTo} fails with the exit code and
 * the last log line, so status shows why.
 *
 * <p>Thread-safety: thread-safe (synchronized).
 */
public final class LocalProcessScaler implements Scaler {

  private static final Logger LOG = Logger.getLogger(LocalProcessScaler.class);

  /** A started child. */
  private record Child(String id, Process process, Path log, long startedNanos) {
  }

  /** A child that lived less than this counts as a crash for the restart back-off. */
  private static final long CRASH_NANOS = 30_000_000_000L;
  private static final long MAX_BACKOFF_NANOS = 60_000_000_000L;

  private final List<String> command;
  private final Map<String, String> extraEnv;
  private final Path logDir;
  private final String idPrefix;
  private final Duration stopTimeout;
  private final String portEnv;
  private final Deque<Child> running = new ArrayDeque<>();
  private final List<Child> stopping = new ArrayList<>();
  /** Victims of a scale-in whose partitions are being moved away, with the time the drain began. */
  private final Map<Child, Long> draining = new java.util.LinkedHashMap<>();
  private final RunnerDrainer drainer;
  private final Thread hook;
  private int seq;
  private boolean closed;
  private int crashStreak;
  private long restartAllowedNanos;
  private String lastCrash = "";

  /**
   * @param command     the runner command without {@code --id} (e.g. java -jar quarkus-run.jar)
   * @param extraEnv    environment added to the scheduler's own for each child
   * @param logDir      where {@code <id>.log} files go (created)
   * @param idPrefix    runner ids are {@code <idPrefix>-<n>}
   * @param stopTimeout SIGTERM grace before SIGKILL
   * @param portEnv     if not null, each child gets a free port in this environment variable (the
   *                    runner's {@code TRIBUTARY_HTTP_PORT}), so children never collide on 8080
   * @param drainer     moves a victim's partitions away before it is stopped ({@link RunnerDrainer#NONE}:
   *                    stop at once); a drain that takes longer than {@code stopTimeout} is cut short
   */
  public LocalProcessScaler(List<String> command, Map<String, String> extraEnv, Path logDir, String idPrefix,
      Duration stopTimeout, String portEnv, RunnerDrainer drainer) {
    this.command = List.copyOf(command);
    this.extraEnv = Map.copyOf(extraEnv);
    this.logDir = Objects.requireNonNull(logDir, "logDir");
    this.idPrefix = Objects.requireNonNull(idPrefix, "idPrefix");
    this.stopTimeout = Objects.requireNonNull(stopTimeout, "stopTimeout");
    this.portEnv = portEnv;
    this.drainer = Objects.requireNonNull(drainer, "drainer");
    if (this.command.isEmpty()) {
      throw new IllegalArgumentException("runner command is empty");
    }
    this.hook = new Thread(this::close, "local-scaler-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /**
   * The runner command for a runner jar: {@code <java.home>/bin/java <javaOpts> -jar <jar>}.
   *
   * @param jar      the runner's {@code quarkus-run.jar}
   * @param javaOpts JVM options, whitespace separated (may be empty)
   */
  public static List<String> javaCommand(Path jar, String javaOpts) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (javaOpts != null && !javaOpts.isBlank()) {
      cmd.addAll(List.of(javaOpts.trim().split("\\s+")));
    }
    cmd.add("-jar");
    cmd.add(jar.toString());
    return cmd;
  }

  @Override
  public String name() {
    return "local";
  }

  @Override
  public synchronized Observed observe() {
    reap();
    progressDrains();
    // Desired as the platform sees it = children alive: one that died makes it differ from what the
    // tick wants, so the tick asks again and a replacement starts.
    return new Observed(running.size(), running.size());
  }

  @Override
  public synchronized void scaleTo(int n) {
    if (closed) {
      throw new ScalerException("local scaler is shut down");
    }
    reap();
    if (running.size() < n && crashStreak > 0 && System.nanoTime() < restartAllowedNanos) {
      throw new ScalerException("local scaler: " + lastCrash + "; next start in "
          + Math.max(1, (restartAllowedNanos - System.nanoTime()) / 1_000_000_000L) + " s");
    }
    // Scale out: take back runners still draining (newest first) before starting new ones.
    boolean drainSetChanged = false;
    while (running.size() < n && !draining.isEmpty()) {
      drainSetChanged = true;
      Child c = new ArrayList<>(draining.keySet()).get(draining.size() - 1);
      draining.remove(c);
      running.addLast(c);
      LOG.infof("scaling(local): runner %s stays (its drain is cancelled); %d running", c.id(), running.size());
    }
    while (running.size() < n) {
      start();
    }
    // Scale in: drain the newest first; they are stopped once they own no partitions.
    while (running.size() > n) {
      Child c = running.removeLast();
      draining.put(c, System.nanoTime());
      drainSetChanged = true;
      LOG.infof("scaling(local): draining runner %s: the scheduler moves its partitions away with the revoke "
          + "handshake (flush + commit first), then it gets SIGTERM; %d remain", c.id(), running.size());
    }
    if (drainSetChanged) {
      publishDrains();
    }
    progressDrains();
  }

  /** Stops drained victims (no partitions left, drain timed out, or already dead). */
  private void progressDrains() {
    boolean changed = stopping.removeIf(c -> !c.process().isAlive());
    if (draining.isEmpty() && !changed) {
      return;
    }
    for (var it = draining.entrySet().iterator(); it.hasNext();) {
      var e = it.next();
      Child c = e.getKey();
      int owned = drainer.partitionsOwned(c.id());
      boolean timedOut = System.nanoTime() - e.getValue() > stopTimeout.toNanos();
      if (!c.process().isAlive() || owned == 0 || timedOut) {
        it.remove();
        changed = true;
        if (timedOut && owned > 0) {
          LOG.warnf("scaling(local): runner %s still owns %d partition(s) after %d s of draining; stopping it anyway"
              + " (SIGTERM still flushes and commits)", c.id(), owned, stopTimeout.toSeconds());
        }
        if (c.process().isAlive()) {
          stop(c);
        }
      }
    }
    if (changed) {
      publishDrains();
    }
  }

  /** Tells the scheduler which runners get no partitions: draining ones and stopping ones still alive. */
  private void publishDrains() {
    stopping.removeIf(c -> !c.process().isAlive());
    java.util.Set<String> ids = new java.util.TreeSet<>();
    draining.keySet().forEach(c -> ids.add(c.id()));
    stopping.forEach(c -> ids.add(c.id()));
    try {
      drainer.drain(ids);
    } catch (RuntimeException e) {
      LOG.warnf("scaling(local): could not hand the drain set %s to the scheduler (%s)", ids, e.toString());
    }
  }

  /** Ids of the running children, oldest first. */
  public synchronized List<String> runnerIds() {
    reap();
    return running.stream().map(Child::id).toList();
  }

  /** Pids of the running children by id (for tests and status). */
  public synchronized Map<String, Long> pids() {
    Map<String, Long> out = new HashMap<>();
    running.forEach(c -> out.put(c.id(), c.process().pid()));
    return out;
  }

  /** Children that were told to stop and have not exited yet. */
  public synchronized int stoppingCount() {
    stopping.removeIf(c -> !c.process().isAlive());
    return stopping.size();
  }

  /** Children draining (partitions moving away) before they are stopped. */
  public synchronized List<String> drainingIds() {
    return draining.keySet().stream().map(Child::id).toList();
  }

  private void start() {
    String id = idPrefix + "-" + (++seq);
    Path log = logDir.resolve(id + ".log");
    List<String> cmd = new ArrayList<>(command);
    cmd.add("--id");
    cmd.add(id);
    try {
      Files.createDirectories(logDir);
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.environment().putAll(extraEnv);
      String port = "";
      if (portEnv != null) {
        // reserved, not bind(0): two children (or this scheduler's own listeners) never share one
        port = Integer.toString(io.tributary.catalog.ListenPorts.reserve());
        pb.environment().put(portEnv, port);
      }
      Process p = pb.start();
      watchdog(p.pid());
      running.addLast(new Child(id, p, log, System.nanoTime()));
      LOG.infof("scaling(local): started runner %s (pid %d%s, log %s); %d running", id, p.pid(),
          port.isEmpty() ? "" : ", http port " + port, log, running.size());
    } catch (IOException e) {
      throw new ScalerException("local scaler: cannot start runner " + id + " (" + String.join(" ", cmd) + "): "
          + e.getMessage(), e);
    }
  }

  private void stop(Child c) {
    LOG.infof("scaling(local): stopping runner %s (pid %d) with SIGTERM; it flushes and commits before it exits "
        + "(SIGKILL after %d s); %d remain", c.id(), c.process().pid(), stopTimeout.toSeconds(), running.size());
    c.process().destroy();
    stopping.add(c);
    c.process().onExit().orTimeout(stopTimeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((p, err) -> {
      if (err != null && c.process().isAlive()) {
        LOG.warnf("scaling(local): runner %s did not exit within %d s of SIGTERM; killing it (see %s)", c.id(),
            stopTimeout.toSeconds(), c.log());
        c.process().destroyForcibly();
      } else {
        LOG.infof("scaling(local): runner %s exited (code %d)", c.id(), c.process().exitValue());
      }
    });
  }

  private static String lastLine(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      for (int i = lines.size() - 1; i >= 0; i--) {
        if (!lines.get(i).isBlank()) {
          String l = lines.get(i).strip();
          return l.length() > 300 ? l.substring(0, 300) + "..." : l;
        }
      }
    } catch (IOException | RuntimeException e) {
      // no log to show
    }
    return "";
  }

  private void reap() {
    running.removeIf(c -> {
      if (c.process().isAlive()) {
        return false;
      }
      long lived = System.nanoTime() - c.startedNanos();
      String tail = lastLine(c.log());
      lastCrash = "runner " + c.id() + " exited with code " + c.process().exitValue() + " after "
          + lived / 1_000_000_000L + " s (" + c.log() + (tail.isEmpty() ? "" : ": " + tail) + ")";
      if (lived < CRASH_NANOS) {
        crashStreak++;
        long backoff = Math.min(MAX_BACKOFF_NANOS, (1L << Math.min(6, crashStreak)) * 1_000_000_000L);
        restartAllowedNanos = System.nanoTime() + backoff;
        LOG.warnf("scaling(local): %s; restarting in %d s (crash %d in a row)", lastCrash, backoff / 1_000_000_000L,
            crashStreak);
      } else {
        crashStreak = 0;
        LOG.warnf("scaling(local): %s; a replacement starts on the next tick", lastCrash);
      }
      return true;
    });
  }

  /**
   * A small shell that kills the child when this JVM is gone (even after SIGKILL): SIGTERM first so
   * it drains, SIGKILL after the stop timeout. It exits by itself when the child exits first.
   */
  private void watchdog(long childPid) {
    long me = ProcessHandle.current().pid();
    long grace = Math.max(1, stopTimeout.toSeconds());
    String script = "while kill -0 " + me + " 2>/dev/null && kill -0 " + childPid + " 2>/dev/null; do sleep 1; done; "
        + "kill " + childPid + " 2>/dev/null; i=0; while [ $i -lt " + grace + " ]; do kill -0 " + childPid
        + " 2>/dev/null || exit 0; sleep 1; i=$((i+1)); done; kill -9 " + childPid + " 2>/dev/null";
    try {
      new ProcessBuilder("/bin/sh", "-c", script).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      LOG.warnf("scaling(local): could not start the orphan watchdog for pid %d (%s); the runner is still stopped "
          + "by the shutdown hook", childPid, e.getMessage());
    }
  }

  /** Stops all children (SIGTERM, then SIGKILL after the stop timeout) and waits for them. */
  @Override
  public void close() {
    List<Child> all;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      all = new ArrayList<>(running);
      all.addAll(draining.keySet());
      all.addAll(stopping);
      running.clear();
      draining.clear();
      stopping.clear();
    }
    if (Thread.currentThread() != hook) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down
      }
    }
    if (all.isEmpty()) {
      return;
    }
    LOG.infof("scaling(local): stopping %d runner(s) with SIGTERM (they flush and commit)", all.size());
    all.forEach(c -> c.process().destroy());
    long deadline = System.nanoTime() + stopTimeout.toNanos();
    for (Child c : all) {
      long left = deadline - System.nanoTime();
      try {
        if (left <= 0 || !c.process().waitFor(left, TimeUnit.NANOSECONDS)) {
          LOG.warnf("scaling(local): runner %s still alive after %d s; killing it", c.id(), stopTimeout.toSeconds());
          c.process().destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        c.process().destroyForcibly();
      }
    }
  }
}
