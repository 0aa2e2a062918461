package io.tributary.scheduler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Test helper: a Quarkus app ({@code java -jar quarkus-run.jar}) as a child process, output in a
 * log file, killed with the test JVM (close, plus a shutdown hook for everything still running).
 */
public final class ChildProcess implements AutoCloseable {

  private static final List<ChildProcess> ALL = new CopyOnWriteArrayList<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> ALL.forEach(c -> c.process.destroyForcibly()),
        "tributary-it-children"));
  }

  public final String name;
  public final Process process;
  public final Path log;

  private ChildProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  public static Path jar(String property) {
    String p = System.getProperty(property);
    if (p == null) {
      throw new IllegalStateException("system property " + property + " is not set (run as an *IT through failsafe)");
    }
    Path jar = Path.of(p);
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " does not exist; build it first (./mvnw -B package)");
    }
    return jar;
  }

  public static ChildProcess start(String name, Path jar, Map<String, String> env, List<String> args) {
    return start(name, jar, env, args, Path.of(System.getProperty("tributary.it.logs", "target/it-logs")));
  }

  /** Starts {@code java -jar jar args} with {@code env} added, output appended to {@code <logDir>/<name>.log}. */
  public static ChildProcess start(String name, Path jar, Map<String, String> env, List<String> args, Path logDir) {
    try {
      Files.createDirectories(logDir);
      Path log = logDir.resolve(name + ".log");
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add("-Xmx384m");
      cmd.add("-XX:+UseSerialGC");
      cmd.add("-XX:TieredStopAtLevel=1");
      cmd.add("-jar");
      cmd.add(jar.toString());
      cmd.addAll(args);
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.environment().putAll(env);
      ChildProcess c = new ChildProcess(name, pb.start(), log);
      ALL.add(c);
      return c;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public long pid() {
    return process.pid();
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** SIGKILL: no flush, no lease release, no goodbye. */
  public void kill9() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * SIGTERM and wait (graceful: runners flush and commit, schedulers release the lease).
   *
   * @return the exit code, or -1 if it had to be SIGKILLed after {@code wait}
   */
  public int stop(Duration wait) {
    process.destroy();
    try {
      if (!process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
        return -1;
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  public String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  public String logTail(int lines) {
    List<String> all = logText().lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      stop(Duration.ofSeconds(20));
    }
    ALL.remove(this);
  }
}
