package io.tributary.scheduler.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local scaler with a stand-in runner: a shell that logs its args and env and drains on SIGTERM. */
class LocalProcessScalerTest {

  /** Logs "started <args> <env>", and "drained" on SIGTERM before exiting 0. */
  private static final String FAKE_RUNNER = "trap 'echo drained; exit 0' TERM; echo started \"$@\" env=$SCALER_TEST_ENV port=$FAKE_PORT; "
      + "while true; do sleep 0.1; done";

  private static LocalProcessScaler scaler(Path dir, Duration stop) {
    return new LocalProcessScaler(List.of("/bin/sh", "-c", FAKE_RUNNER, "sh"), Map.of("SCALER_TEST_ENV", "yes"), dir,
        "test", stop, "FAKE_PORT", RunnerDrainer.NONE);
  }

  private static void await(String what, BooleanSupplier cond) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  private static String log(Path dir, String id) {
    try {
      Path f = dir.resolve(id + ".log");
      return Files.exists(f) ? Files.readString(f) : "";
    } catch (java.io.IOException e) {
      return "";
    }
  }

  @Test
  void startsAndStopsChildrenNewestFirstWithSigterm(@TempDir Path dir) throws Exception {
    try (LocalProcessScaler s = scaler(dir, Duration.ofSeconds(10))) {
      assertThat(s.observe()).isEqualTo(new Scaler.Observed(0, 0));
      s.scaleTo(3);
      assertThat(s.observe()).isEqualTo(new Scaler.Observed(3, 3));
      assertThat(s.runnerIds()).containsExactly("test-1", "test-2", "test-3");
      await("children log", () -> log(dir, "test-3").contains("started --id test-3 env=yes port="));
      assertThat(log(dir, "test-3")).containsPattern("port=\\d+");

      s.scaleTo(1);
      assertThat(s.runnerIds()).containsExactly("test-1");
      await("SIGTERM drains test-3 and test-2",
          () -> log(dir, "test-3").contains("drained") && log(dir, "test-2").contains("drained"));
      await("stopped children gone", () -> s.stoppingCount() == 0);
      assertThat(log(dir, "test-1")).doesNotContain("drained");
    }
    await("close drains the rest", () -> log(dir, "test-1").contains("drained"));
  }

  /** A scheduler stand-in: runners own partitions until the drain set names them and a test moves them. */
  static final class FakeDrainer implements RunnerDrainer {
    final Map<String, Integer> owned = new java.util.concurrent.ConcurrentHashMap<>();
    volatile java.util.Set<String> draining = java.util.Set.of();

    @Override
    public void drain(java.util.Set<String> ids) {
      draining = java.util.Set.copyOf(ids);
    }

    @Override
    public int partitionsOwned(String id) {
      return owned.getOrDefault(id, 0);
    }
  }

  @Test
  void scaleInDrainsVictimsBeforeSigtermAndScaleOutTakesThemBack(@TempDir Path dir) throws Exception {
    FakeDrainer d = new FakeDrainer();
    try (LocalProcessScaler s = new LocalProcessScaler(List.of("/bin/sh", "-c", FAKE_RUNNER, "sh"), Map.of(), dir,
        "drain", Duration.ofSeconds(20), null, d)) {
      s.scaleTo(3);
      d.owned.put("drain-1", 3);
      d.owned.put("drain-2", 3);
      d.owned.put("drain-3", 2);
      s.scaleTo(1);
      assertThat(s.observe()).isEqualTo(new Scaler.Observed(1, 1));
      assertThat(s.drainingIds()).containsExactlyInAnyOrder("drain-2", "drain-3");
      assertThat(d.draining).containsExactlyInAnyOrder("drain-2", "drain-3");
      // they still own partitions: no SIGTERM yet (it would be sent inside observe())
      s.observe();
      assertThat(s.stoppingCount()).isZero();
      // the scheduler moved drain-3's partitions away: it is stopped on the next tick
      d.owned.put("drain-3", 0);
      s.observe();
      await("drain-3 gets SIGTERM", () -> log(dir, "drain-3").contains("drained"));
      assertThat(s.drainingIds()).containsExactly("drain-2");
      // scale out again: drain-2 stays instead of a new process
      s.scaleTo(2);
      assertThat(s.runnerIds()).containsExactly("drain-1", "drain-2");
      assertThat(s.drainingIds()).isEmpty();
      await("drain set cleared once drain-3 exited", () -> {
        s.observe();
        return d.draining.isEmpty();
      });
      assertThat(log(dir, "drain-2")).doesNotContain("drained");
    }
  }

  @Test
  void aChildThatDiedIsReplacedOnTheNextScale(@TempDir Path dir) throws Exception {
    try (LocalProcessScaler s = scaler(dir, Duration.ofSeconds(10))) {
      s.scaleTo(2);
      long pid = s.pids().get("test-1");
      ProcessHandle.of(pid).orElseThrow().destroyForcibly();
      await("death noticed", () -> s.observe().actual() == 1);
      assertThat(s.observe().desired()).isEqualTo(1); // differs from 2, so the tick asks again
      // it died within 30 s of its start: a crash, so the replacement waits for the back-off (2 s)
      await("the replacement starts after the back-off", () -> {
        try {
          s.scaleTo(2);
          return true;
        } catch (ScalerException e) {
          assertThat(e.getMessage()).contains("runner test-1 exited with code 137");
          return false;
        }
      });
      assertThat(s.runnerIds()).containsExactly("test-2", "test-3");
    }
  }

  @Test
  void aCrashingChildIsRestartedWithBackoffAndTheErrorIsReported(@TempDir Path dir) throws Exception {
    try (LocalProcessScaler s = new LocalProcessScaler(List.of("/bin/sh", "-c",
        "echo '--table is required' >&2; exit 2", "sh"), Map.of(), dir, "crash", Duration.ofSeconds(5), null,
        RunnerDrainer.NONE)) {
      s.scaleTo(1);
      await("it exits", () -> s.observe().actual() == 0);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.scaleTo(1)).isInstanceOf(ScalerException.class)
          .hasMessageContaining("runner crash-1 exited with code 2").hasMessageContaining("--table is required")
          .hasMessageContaining("next start in");
      assertThat(s.observe().actual()).isZero();
    }
  }

  @Test
  void aChildIgnoringSigtermIsKilledAfterTheTimeout(@TempDir Path dir) throws Exception {
    LocalProcessScaler s = new LocalProcessScaler(List.of("/bin/sh", "-c", "trap '' TERM; while true; do sleep 0.1; done",
        "sh"), Map.of(), dir, "stubborn", Duration.ofSeconds(1), null,
        RunnerDrainer.NONE);
    try (s) {
      s.scaleTo(1);
      long pid = s.pids().get("stubborn-1");
      s.scaleTo(0);
      await("killed after the stop timeout", () -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
    }
  }

  @Test
  void orphanWatchdogKillsChildrenOfAKilledParent(@TempDir Path dir) throws Exception {
    // A child JVM runs a LocalProcessScaler; it is SIGKILLed (no shutdown hook), the watchdog must stop its runner.
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path pidFile = dir.resolve("child.pid");
    ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        OrphanMain.class.getName(), dir.toString(), pidFile.toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("parent.log").toFile());
    Process parent = pb.start();
    try {
      await("parent started a runner", () -> Files.exists(pidFile) && !readQuiet(pidFile).isBlank());
      long child = Long.parseLong(readQuiet(pidFile).trim());
      assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive)).contains(true);
      parent.destroyForcibly().waitFor();
      await("watchdog stopped the orphan", () -> ProcessHandle.of(child).map(h -> !h.isAlive()).orElse(true));
      await("it drained (SIGTERM first)", () -> log(dir, "orphan-1").contains("drained"));
    } finally {
      parent.destroyForcibly();
    }
  }

  private static String readQuiet(Path p) {
    try {
      return Files.readString(p);
    } catch (java.io.IOException e) {
      return "";
    }
  }

  /** Entry point of the parent JVM in {@link #orphanWatchdogKillsChildrenOfAKilledParent}. */
  public static final class OrphanMain {
    public static void main(String[] args) throws Exception {
      Path dir = Path.of(args[0]);
      LocalProcessScaler s = new LocalProcessScaler(List.of("/bin/sh", "-c", FAKE_RUNNER, "sh"), Map.of(), dir,
          "orphan", Duration.ofSeconds(5), null, RunnerDrainer.NONE);
      s.scaleTo(1);
      Thread.sleep(500);
      Files.writeString(Path.of(args[1]), Long.toString(s.pids().get("orphan-1")));
      Thread.sleep(120_000);
    }
  }
}
