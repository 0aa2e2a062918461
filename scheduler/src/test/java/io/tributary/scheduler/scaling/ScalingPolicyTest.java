package io.tributary.scheduler.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.scheduler.scaling.ScalingPolicy.Decision;
import io.tributary.scheduler.scaling.ScalingPolicy.Direction;
import io.tributary.scheduler.scaling.ScalingPolicy.Inputs;
import io.tributary.scheduler.scaling.ScalingPolicy.RunnerInput;
import io.tributary.scheduler.scaling.ScalingPolicy.Settings;
import io.tributary.scheduler.scaling.ScalingPolicy.TableInput;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ScalingPolicyTest {

  private static final double CAP = 1000; // rows/s one runner carries

  private static Settings settings(int min, int max) {
    return new Settings(min, max, CAP, 0.25, Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(30),
        Duration.ofSeconds(20), 1000, 2, 0.2, 0.3, true);
  }

  private static TableInput table(int partitions, double ingress, long lag) {
    return new TableInput("t", partitions, ingress, lag, 1000, 1, 0);
  }

  private static Inputs in(long nowMs, int current, TableInput... tables) {
    return new Inputs(nowMs, current, List.of(tables), List.of());
  }

  @Test
  void startsAtTheMinimum() {
    ScalingPolicy p = new ScalingPolicy(settings(2, 8));
    Decision d = p.decide(in(0, 0, table(8, 0, 0)));
    assertThat(d.direction()).isEqualTo(Direction.UP);
    assertThat(d.desired()).isEqualTo(2);
    assertThat(d.reason()).isEqualTo("min");
  }

  @Test
  void ingressWithHeadroomSetsTheTarget() {
    ScalingPolicy p = new ScalingPolicy(settings(1, 8));
    // 2500 rows/s x 1.25 / 1000 = 3.125 -> 4 runners
    Decision d = p.decide(in(0, 1, table(8, 2500, 0)));
    assertThat(d.desired()).isEqualTo(4);
    assertThat(d.direction()).isEqualTo(Direction.UP);
    assertThat(d.reason()).isEqualTo("ingress");
    assertThat(d.describe()).contains("ingress=2500", "capacity=1000", "need=3.13");
  }

  @Test
  void lagBeyondBufferingAddsRunnersToDrainInTime() {
    ScalingPolicy p = new ScalingPolicy(settings(1, 8));
    // allowance = 1000 + 0 x (1 + 2) = 1000; excess 89_000 / (1000 x 30 s) = 2.97 -> 3 runners
    Decision d = p.decide(in(0, 1, table(8, 0, 90_000)));
    assertThat(d.desired()).isEqualTo(3);
    assertThat(d.reason()).isEqualTo("lag");
    assertThat(d.excessLag()).isEqualTo(89_000);
  }

  @Test
  void clampedToPartitionsTableMaxAndPoolMax() {
    ScalingPolicy p = new ScalingPolicy(settings(1, 6));
    assertThat(p.decide(in(0, 1, table(3, 50_000, 0))).desired()).isEqualTo(3);
    ScalingPolicy q = new ScalingPolicy(settings(1, 6));
    assertThat(q.decide(in(0, 1, table(16, 50_000, 0))).desired()).isEqualTo(6);
    assertThat(new ScalingPolicy(settings(1, 6)).decide(in(0, 1, table(16, 50_000, 0))).reason())
        .isEqualTo("ingress-at-max");
    ScalingPolicy r = new ScalingPolicy(settings(1, 8));
    TableInput capped = new TableInput("t", 16, 50_000, 0, 1000, 1, 2);
    assertThat(r.decide(in(0, 1, capped)).desired()).isEqualTo(2);
  }

  @Test
  void twoTablesShareThePool() {
    ScalingPolicy p = new ScalingPolicy(settings(1, 8));
    // 0.9 + 0.9 x 1.25 = 2.25 -> 3 (a shared pool: fractional needs add up before rounding)
    Decision d = p.decide(in(0, 1, new TableInput("a", 4, 900, 0, 1000, 1, 0),
        new TableInput("b", 4, 900, 0, 1000, 1, 0)));
    assertThat(d.desired()).isEqualTo(3);
  }

  @Test
  void scaleOutWaitsForTheCooldown() {
    ScalingPolicy p = new ScalingPolicy(settings(1, 8));
    Decision first = p.decide(in(0, 1, table(8, 2000, 0)));
    assertThat(first.desired()).isEqualTo(3);
    p.changed(0);
    Decision second = p.decide(in(5_000, 3, table(8, 5000, 0)));
    assertThat(second.direction()).isEqualTo(Direction.HOLD);
    assertThat(second.reason()).isEqualTo("cooldown-out");
    assertThat(second.target()).isEqualTo(7);
    Decision third = p.decide(in(10_000, 3, table(8, 5000, 0)));
    assertThat(third.desired()).isEqualTo(7);
  }

  @Test
  void aRefusedChangeStartsNoCooldown() {
    ScalingPolicy p = new ScalingPolicy(settings(1, 8));
    assertThat(p.decide(in(0, 1, table(8, 2000, 0))).desired()).isEqualTo(3);
    // not applied (no changed() call): the next tick asks again at once
    assertThat(p.decide(in(1_000, 1, table(8, 2000, 0))).desired()).isEqualTo(3);
  }

  @Test
  void scaleInOnlyAfterLagStayedLowAndTheCooldown() {
    ScalingPolicy p = new ScalingPolicy(settings(1, 8));
    p.changed(0); // scaled out to 4 at t=0
    // load gone; lag still high at 10 s
    Decision d = p.decide(in(10_000, 4, table(8, 0, 50_000)));
    assertThat(d.direction()).isEqualTo(Direction.HOLD);
    assertThat(d.reason()).isIn("lag-not-low", "cooldown-out");
    // lag low from 20 s on
    assertThat(p.decide(in(20_000, 4, table(8, 0, 100))).reason()).isEqualTo("lag-low-too-short");
    assertThat(p.decide(in(35_000, 4, table(8, 0, 100))).reason()).isEqualTo("lag-low-too-short");
    Decision in = p.decide(in(40_000, 4, table(8, 0, 100)));
    assertThat(in.direction()).isEqualTo(Direction.DOWN);
    assertThat(in.desired()).isEqualTo(1);
    assertThat(in.reason()).isEqualTo("idle");
    p.changed(40_000);
    // a lag spike resets the low-lag timer
    assertThat(p.decide(in(45_000, 1, table(8, 0, 100))).direction()).isEqualTo(Direction.HOLD);
  }

  @Test
  void scaleInRespectsTheCooldownAfterAnyChange() {
    ScalingPolicy p = new ScalingPolicy(settings(1, 8));
    p.decide(in(0, 4, table(8, 0, 0)));
    p.changed(15_000);
    assertThat(p.decide(in(30_000, 4, table(8, 0, 0))).reason()).isEqualTo("cooldown-in");
    assertThat(p.decide(in(45_000, 4, table(8, 0, 0))).desired()).isEqualTo(1);
  }

  @Test
  void hysteresisKeepsThePoolNearABoundary() {
    ScalingPolicy p = new ScalingPolicy(settings(1, 8));
    // need 1.25 x 1.6 = 2.0 -> target 2; scale-in needs ceil(2.0 x 1.2) = 3 < current 3? no: 3 == 3 -> hold
    Decision d = p.decide(in(100_000, 3, table(8, 1600, 0)));
    assertThat(d.target()).isEqualTo(2);
    assertThat(d.reason()).isEqualTo("hysteresis");
    assertThat(d.direction()).isEqualTo(Direction.HOLD);
  }

  @Test
  void capacityIsMeasuredFromBusyRunnersOnly() {
    ScalingPolicy p = new ScalingPolicy(settings(1, 8));
    // idle runner (lag within allowance) with a low rate: no sample
    p.decide(new Inputs(0, 2, List.of(table(8, 100, 0)), List.of(new RunnerInput("a", 100, 0, 100, 1000))));
    assertThat(p.capacity()).isEqualTo(CAP);
    // two busy runners at 400 and 600 rows/s -> 500
    Decision d = p.decide(new Inputs(1000, 2, List.of(table(8, 3000, 100_000)), List.of(
        new RunnerInput("a", 400, 50_000, 1500, 1000), new RunnerInput("b", 600, 50_000, 1500, 1000))));
    assertThat(d.busyRunners()).isEqualTo(2);
    assertThat(d.measured()).isTrue();
    assertThat(p.capacity()).isEqualTo(500);
    // later samples move it by the smoothing weight
    p.decide(new Inputs(2000, 2, List.of(table(8, 3000, 100_000)), List.of(
        new RunnerInput("a", 1500, 50_000, 1500, 1000))));
    assertThat(p.capacity()).isEqualTo(500 * 0.7 + 1500 * 0.3);
  }

  @Test
  void fixedCapacityIgnoresMeasurements() {
    Settings s = settings(1, 8);
    ScalingPolicy p = new ScalingPolicy(new Settings(1, 8, CAP, s.headroom(), s.drainTarget(), s.scaleOutCooldown(),
        s.scaleInCooldown(), s.lowLagFor(), s.lowLagRows(), s.lowLagSeconds(), s.scaleInMargin(), 0.3, false));
    Decision d = p.decide(new Inputs(0, 2, List.of(table(8, 3000, 100_000)), List.of(
        new RunnerInput("a", 5000, 50_000, 1500, 1000))));
    assertThat(d.busyRunners()).isEqualTo(1);
    assertThat(d.measured()).isFalse();
    assertThat(p.capacity()).isEqualTo(CAP);
  }

  @Test
  void outsideTheBoundsIsCorrectedAtOnce() {
    ScalingPolicy p = new ScalingPolicy(settings(2, 4));
    p.changed(0);
    assertThat(p.decide(in(1, 6, table(8, 0, 0))).desired()).isEqualTo(4);
    assertThat(p.decide(in(2, 6, table(8, 0, 0))).reason()).isEqualTo("max");
    assertThat(p.decide(in(3, 1, table(8, 0, 0))).desired()).isEqualTo(2);
  }

  @Test
  void noTablesMeansTheMinimum() {
    ScalingPolicy p = new ScalingPolicy(settings(1, 8));
    assertThat(p.decide(in(1_000_000, 3, new TableInput[0])).reason()).isEqualTo("lag-low-too-short");
    Decision d = p.decide(in(1_020_000, 3, new TableInput[0]));
    assertThat(d.desired()).isEqualTo(1);
    assertThat(d.direction()).isEqualTo(Direction.DOWN);
  }

  // ---------------------------------------------------------------------- simulations

  /**
   * A crude pool: every runner drains up to {@code cap} rows/s; rows become committed (leave the
   * lag) only at flushes, every {@code flushMs}; new runners take {@code startMs} to help.
   */
  private static final class Sim {
    final ScalingPolicy policy;
    final double cap;
    final long flushMs;
    final long startMs;
    final int partitions;
    int pool;
    int effective;
    long lastChange = -1;
    double backlog; // not yet consumed
    double buffered; // consumed, not committed
    long lastFlush;
    final List<long[]> changes = new ArrayList<>(); // {time, from, to}
    final List<Integer> poolHistory = new ArrayList<>();
    double committedThisSecond;

    Sim(Settings s, double cap, long flushMs, long startMs, int partitions) {
      this.policy = new ScalingPolicy(s);
      this.cap = cap;
      this.flushMs = flushMs;
      this.startMs = startMs;
      this.partitions = partitions;
    }

    void second(long t, double ingress) {
      effective = t - lastChange >= startMs ? pool : Math.min(pool, effective);
      backlog += ingress;
      double can = Math.min(effective, partitions) * cap;
      double took = Math.min(backlog, can);
      backlog -= took;
      buffered += took;
      committedThisSecond = 0;
      if (t - lastFlush >= flushMs) {
        committedThisSecond = buffered;
        buffered = 0;
        lastFlush = t;
      }
      long lag = Math.round(backlog + buffered);
      List<RunnerInput> runners = new ArrayList<>();
      double perRunner = effective == 0 ? 0 : took / effective;
      for (int i = 0; i < effective; i++) {
        runners.add(new RunnerInput("r" + i, perRunner, lag / Math.max(1, effective), ingress / effective, flushMs));
      }
      Decision d = policy.decide(new Inputs(t, pool, List.of(new TableInput("t", partitions, ingress, lag, flushMs,
          1, 0)), runners));
      if (d.isChange()) {
        changes.add(new long[] {t, pool, d.desired()});
        if (d.desired() < pool) {
          effective = d.desired();
        }
        pool = d.desired();
        lastChange = t;
        policy.changed(t);
      }
      poolHistory.add(pool);
    }
  }

  @Test
  void noFlappingUnderSteadyLoadNearOneRunnersCapacity() {
    Settings s = settings(1, 8);
    for (double level : new double[] {0.7, 0.8, 0.9, 1.0, 1.1}) {
      Sim sim = new Sim(s, CAP, 1000, 5000, 8);
      sim.pool = 1;
      sim.effective = 1;
      Random rnd = new Random(42);
      for (long t = 0; t <= 600_000; t += 1000) {
        double ingress = CAP * level * (0.9 + 0.2 * rnd.nextDouble()); // +-10% noise
        sim.second(t, ingress);
      }
      // After the first two minutes the pool must not change at all, and over the whole run it
      // changes at most twice (settling).
      long late = sim.changes.stream().filter(c -> c[0] >= 120_000).count();
      assertThat(late).as("changes after settling at load %.1f: %s", level, describe(sim.changes)).isZero();
      assertThat(sim.changes.size()).as("changes at load %.1f: %s", level, describe(sim.changes)).isLessThanOrEqualTo(2);
      // and decisions per minute never exceed one
      for (long m = 0; m < 600_000; m += 60_000) {
        long from = m;
        assertThat(sim.changes.stream().filter(c -> c[0] >= from && c[0] < from + 60_000).count())
            .as("changes in minute %d at load %.1f", m / 60_000, level).isLessThanOrEqualTo(1);
      }
    }
  }

  @Test
  void burstGrowsThePoolThenItShrinksBackToTheMinimum() {
    Sim sim = new Sim(settings(1, 8), CAP, 1000, 5000, 8);
    sim.pool = 1;
    sim.effective = 1;
    int peak = 0;
    long drainedAt = -1;
    for (long t = 0; t <= 400_000; t += 1000) {
      double ingress = t < 90_000 ? 3.5 * CAP : 0;
      sim.second(t, ingress);
      peak = Math.max(peak, sim.pool);
      if (t > 90_000 && drainedAt < 0 && sim.backlog + sim.buffered < 1000) {
        drainedAt = t;
      }
    }
    assertThat(peak).as("peak pool; changes %s", describe(sim.changes)).isGreaterThanOrEqualTo(4);
    assertThat(drainedAt).as("lag drained").isPositive().isLessThan(200_000);
    assertThat(sim.pool).as("back to the minimum; changes %s", describe(sim.changes)).isEqualTo(1);
    assertThat(sim.changes.size()).as("changes %s", describe(sim.changes)).isLessThanOrEqualTo(5);
  }

  private static String describe(List<long[]> changes) {
    StringBuilder b = new StringBuilder();
    for (long[] c : changes) {
      b.append(String.format("[%ds %d->%d] ", c[0] / 1000, c[1], c[2]));
    }
    return b.toString();
  }
}
