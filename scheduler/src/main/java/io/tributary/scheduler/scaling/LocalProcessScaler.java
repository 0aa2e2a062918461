package io.tributary.scheduler.scaling;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
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
 * <p><b>Runtime.</b> {@link #javaCommand} runs the runner on JDK 25 with an AOT cache when a JDK 25 is installed
 * (as {@code ./tributary runner} does; {@code tributary bench --only coldstart} measures it): the cache
 * {@code <home>/.tributary/aot/runner-<key>.aot} of the runner build. While it is missing, one child at a time
 * records it (its {@code -XX:AOTCache} becomes {@code -XX:AOTCacheOutput=<cache>.<id>.tmp}; the JVM writes it when
 * that runner stops cleanly, and it is renamed into place once the child has exited); the others run on JDK 25
 * without it. The launcher script shares the directory, the key and the lock file ({@code <cache>.lock}, holding
 * the pid of the recording process). Without a JDK 25 (or with {@code TRIBUTARY_RUNNER_AOT=0}) the runner runs on
 * this JVM's own {@code java}.
 *
 * <p>Thread-safety: thread-safe (synchronized).
 */
public final class LocalProcessScaler implements Scaler {

  private static final Logger LOG = Logger.getLogger(LocalProcessScaler.class);

  /** A started child; {@code aotOutput} is the cache it records, or null. */
  private record Child(String id, Process process, Path log, long startedNanos, Path aotOutput) {
  }

  /**
   * Flags of every JDK 25 runner child, the launcher's RUNNER_AOT_FLAGS (compact object headers, and C2 later than
   * the defaults: README "Cold start"); part of the cache key, since the object layout (compact headers) must be the
   * same when a cache is recorded and used.
   */
  static final List<String> AOT_FLAGS = List.of("-XX:+UseCompactObjectHeaders", "-XX:Tier4InvocationThreshold=40000", "-XX:Tier4MinInvocationThreshold=4800", "-XX:Tier4CompileThreshold=120000", "-XX:Tier4BackEdgeThreshold=320000");
  /** An AOT cache this scaler manages (the ones {@link #javaCommand} names); others in a command are left alone. */
  private static final Pattern MANAGED_AOT = Pattern.compile("-XX:AOTCache=(.*/runner-[0-9a-f]{16}\\.aot)");

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
  /** The AOT cache named by the command (see {@link #javaCommand}), or null. */
  private final Path aotCache;
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
    Path cache = null;
    for (String a : this.command) {
      Matcher m = MANAGED_AOT.matcher(a);
      if (m.matches()) {
        cache = Path.of(m.group(1));
      }
    }
    this.aotCache = cache;
    if (cache != null) {
      LOG.infof("scaling(local): runners run on %s with the AOT cache %s (%s)", this.command.get(0), cache,
          Files.isRegularFile(cache) ? "present" : "missing: the first runner records it and writes it when it stops cleanly");
    }
  }

  /**
   * The runner command for a runner jar: {@code <jdk25>/bin/java -XX:AOTCache=<cache> <javaOpts> -jar <jar>} when a
   * JDK 25 is installed (see the class comment), else {@code <java.home>/bin/java <javaOpts> -jar <jar>}.
   *
   * @param jar      the runner's {@code quarkus-run.jar}
   * @param javaOpts JVM options, whitespace separated (may be empty)
   */
  public static List<String> javaCommand(Path jar, String javaOpts) {
    return javaCommand(jar, javaOpts, System.getenv(), Path.of("/usr/lib/jvm"));
  }

  /**
   * As {@link #javaCommand(Path, String)} with the environment ({@code TRIBUTARY_RUNNER_AOT},
   * {@code TRIBUTARY_JDK25_HOME}, {@code TRIBUTARY_AOT_DIR}, {@code TRIBUTARY_HOME}) and the JDK directory given.
   */
  static List<String> javaCommand(Path jar, String javaOpts, Map<String, String> env, Path jvmDir) {
    List<String> cmd = new ArrayList<>();
    String aot = env.getOrDefault("TRIBUTARY_RUNNER_AOT", "1").trim().toLowerCase(java.util.Locale.ROOT);
    Path jdk25 = List.of("0", "false", "no", "off").contains(aot) ? null : findJdk25(env.get("TRIBUTARY_JDK25_HOME"), jvmDir);
    if (jdk25 == null) {
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    } else {
      cmd.add(jdk25.resolve("bin").resolve("java").toString());
      cmd.addAll(AOT_FLAGS);
      Path dir = env.get("TRIBUTARY_AOT_DIR") != null && !env.get("TRIBUTARY_AOT_DIR").isBlank()
          ? Path.of(env.get("TRIBUTARY_AOT_DIR"))
          : Path.of(env.getOrDefault("TRIBUTARY_HOME", System.getProperty("user.dir"))).resolve(".tributary").resolve("aot");
      try {
        Path abs = jar.toAbsolutePath();
        cmd.add("-XX:AOTCache=" + dir.toAbsolutePath().resolve("runner-" + aotKey(jdk25, abs.getParent(),
            String.join(" ", AOT_FLAGS)) + ".aot"));
      } catch (IOException | RuntimeException e) {
        LOG.warnf("scaling(local): no AOT cache for the runners (cannot read %s: %s); they run on JDK 25 without one",
            jar.getParent(), e.toString());
      }
    }
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
    Path aotOutput = aotArgument(cmd, id);
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
      running.addLast(new Child(id, p, log, System.nanoTime(), aotOutput));
      LOG.infof("scaling(local): started runner %s (pid %d%s, log %s)%s; %d running", id, p.pid(),
          port.isEmpty() ? "" : ", http port " + port, log, aotOutput == null ? ""
              : ", recording the AOT cache " + aotCache + " (written when it stops cleanly)", running.size());
      if (aotOutput != null) {
        Path out = aotOutput;
        p.onExit().thenRun(() -> promote(out, aotCache, p.exitValue() == 0));
      }
    } catch (IOException e) {
      if (aotOutput != null) {
        promote(aotOutput, aotCache, false); // gives the lock back
      }
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
      if (c.aotOutput() != null) {
        // now: the exit callback may not run while this JVM shuts down
        promote(c.aotOutput(), aotCache, !c.process().isAlive() && c.process().exitValue() == 0);
      }
    }
  }

  // ------------------------------------------------------------------------------ AOT cache

  /**
   * Resolves the managed {@code -XX:AOTCache} argument of {@code cmd} for child {@code id}: kept when the cache
   * exists; replaced by {@code -XX:AOTCacheOutput=<cache>.<id>.tmp} when it is missing and this scaler takes
   * the lock (returns that file); dropped otherwise (someone else is recording it).
   */
  private Path aotArgument(List<String> cmd, String id) {
    if (aotCache == null) {
      return null;
    }
    int i = cmd.indexOf("-XX:AOTCache=" + aotCache);
    if (i < 0 || isCache(aotCache)) {
      return null;
    }
    try {
      Files.createDirectories(aotCache.getParent());
    } catch (IOException e) {
      cmd.remove(i);
      return null;
    }
    if (!tryLock(lockOf(aotCache), ProcessHandle.current().pid())) {
      cmd.remove(i);
      return null;
    }
    // what a recorder that died left behind (the lock is ours now, so no one else is recording)
    String prefix = aotCache.getFileName() + ".";
    try (Stream<Path> l = Files.list(aotCache.getParent())) {
      for (Path o : (Iterable<Path>) l::iterator) {
        String n = o.getFileName().toString();
        if (n.startsWith(prefix) && (n.endsWith(".tmp") || n.endsWith(".tmp.config"))) {
          Files.deleteIfExists(o);
        }
      }
    } catch (IOException e) {
      // litter only
    }
    Path out = aotCache.resolveSibling(aotCache.getFileName() + "." + id + ".tmp");
    cmd.set(i, "-XX:AOTCacheOutput=" + out);
    return out;
  }

  private static boolean isCache(Path p) {
    try {
      return Files.isRegularFile(p) && Files.size(p) > 0;
    } catch (IOException e) {
      return false;
    }
  }

  static Path lockOf(Path cache) {
    return cache.resolveSibling(cache.getFileName() + ".lock");
  }

  /**
   * Creates {@code lock} holding {@code pid} unless a live process holds it (a dead holder's lock is taken
   * over); the launcher script takes the same lock with its shell's pid.
   */
  static boolean tryLock(Path lock, long pid) {
    for (int attempt = 0; attempt < 2; attempt++) {
      try {
        Files.writeString(lock, pid + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return true;
      } catch (FileAlreadyExistsException e) {
        long holder;
        try {
          holder = Long.parseLong(Files.readString(lock, StandardCharsets.UTF_8).trim());
        } catch (IOException | NumberFormatException ex) {
          holder = -1;
        }
        if (holder > 0 && ProcessHandle.of(holder).map(ProcessHandle::isAlive).orElse(false)) {
          return false;
        }
        try {
          Files.deleteIfExists(lock);
        } catch (IOException ex) {
          return false;
        }
      } catch (IOException e) {
        return false;
      }
    }
    return false;
  }

  /**
   * After a recording child exited: moves what the JVM wrote into place when the child stopped cleanly
   * ({@code clean}: exit 0, so it ran, drained and committed; a failed start records the start-up alone),
   * replacing caches of older builds; then removes the leftovers and the lock. Idempotent.
   */
  static synchronized void promote(Path recorded, Path cache, boolean clean) {
    try {
      if (clean && isCache(recorded)) {
        Files.move(recorded, cache, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        LOG.infof("scaling(local): AOT cache written: %s (runners started from now on use it)", cache);
        try (Stream<Path> old = Files.list(cache.getParent())) {
          for (Path o : (Iterable<Path>) old::iterator) {
            String n = o.getFileName().toString();
            if (n.startsWith("runner-") && n.endsWith(".aot") && !o.equals(cache)) {
              Files.deleteIfExists(o);
            }
          }
        }
      }
      Files.deleteIfExists(recorded);
      Files.deleteIfExists(recorded.resolveSibling(recorded.getFileName() + ".config"));
    } catch (IOException e) {
      LOG.warnf("scaling(local): could not put the recorded AOT cache %s in place (%s)", recorded, e.toString());
    }
    try {
      Path lock = lockOf(cache);
      String holder = Files.exists(lock) ? Files.readString(lock, StandardCharsets.UTF_8).trim() : "";
      if (holder.equals(Long.toString(ProcessHandle.current().pid()))) {
        Files.deleteIfExists(lock);
      }
    } catch (IOException e) {
      // a lock left behind is taken over once this process is gone
    }
  }

  /**
   * The key of a runner build's cache, the same as the launcher's {@code aot_key}: the first 16 hex digits of the
   * SHA-256 of one line {@code "<path> <size> <mtime s>"} per regular file under {@code appDir} (sorted), then
   * {@code "jdk <JAVA_RUNTIME_VERSION>"} and {@code "flags <flags>"}.
   */
  static String aotKey(Path jdkHome, Path appDir, String flags) throws IOException {
    List<String> lines = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(appDir)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          lines.add(appDir.relativize(p) + " " + Files.size(p) + " "
              + Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).to(TimeUnit.SECONDS));
        }
      }
    }
    Collections.sort(lines);
    StringBuilder sb = new StringBuilder();
    lines.forEach(l -> sb.append(l).append('\n'));
    sb.append("jdk ").append(releaseValue(jdkHome, "JAVA_RUNTIME_VERSION")).append('\n');
    sb.append("flags ").append(flags).append('\n');
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A JDK 25: {@code override} when set (null if it has no {@code bin/java}), else
   * {@code <jvmDir>/temurin-25-jdk-amd64}, else the first directory under {@code jvmDir} whose {@code release}
   * says {@code JAVA_VERSION="25...}; null when there is none.
   */
  static Path findJdk25(String override, Path jvmDir) {
    if (override != null && !override.isBlank()) {
      Path p = Path.of(override.trim());
      return Files.isExecutable(p.resolve("bin/java")) ? p : null;
    }
    List<Path> candidates = new ArrayList<>();
    candidates.add(jvmDir.resolve("temurin-25-jdk-amd64"));
    if (Files.isDirectory(jvmDir)) {
      try (Stream<Path> l = Files.list(jvmDir)) {
        l.sorted().forEach(candidates::add);
      } catch (IOException e) {
        // none
      }
    }
    for (Path p : candidates) {
      if (Files.isExecutable(p.resolve("bin/java")) && !Files.isSymbolicLink(p)
          && releaseValue(p, "JAVA_VERSION").matches("25([.+].*)?")) {
        return p;
      }
    }
    return null;
  }

  /** A value of {@code <home>/release} without its quotes, or "". */
  private static String releaseValue(Path home, String key) {
    try {
      for (String l : Files.readAllLines(home.resolve("release"), StandardCharsets.UTF_8)) {
        if (l.startsWith(key + "=")) {
          return l.substring(key.length() + 1).replace("\"", "").trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // no release file
    }
    return "";
  }
}
