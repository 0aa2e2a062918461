package io.tributary.scheduler.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ScalingCoordinatorTest {

  /** A clock the test moves. */
  static final class TestClock extends Clock {
    long ms = 1_000_000;

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(ms);
    }
  }

  /** A scaler that records calls and can be made to fail. */
  static final class FakeScaler implements Scaler {
    int desired = -1;
    int actual;
    volatile String failWith;
    final List<Integer> calls = new ArrayList<>();

    @Override
    public String name() {
      return "fake";
    }

    @Override
    public Observed observe() {
      if (failWith != null) {
        throw new ScalerException(failWith);
      }
      return new Observed(desired, actual);
    }

    @Override
    public void scaleTo(int n) {
      if (failWith != null) {
        throw new ScalerException(failWith);
      }
      calls.add(n);
      desired = n;
    }
  }

  private static ScalingPolicy.Settings settings() {
    return new ScalingPolicy.Settings(1, 8, 1000, 0.25, Duration.ofSeconds(30), Duration.ofSeconds(10),
        Duration.ofSeconds(30), Duration.ofSeconds(20), 1000, 2, 0.2, 0.3, true);
  }

  /** One table of 8 partitions whose end offsets advance by {@code perSecond x seconds}. */
  private static ClusterLoad load(long ends, long committed, int runners) {
    List<ClusterLoad.PartitionLoad> parts = new ArrayList<>();
    for (int p = 0; p < 8; p++) {
      parts.add(new ClusterLoad.PartitionLoad(p, ends / 8, committed / 8, "r" + (p % Math.max(1, runners))));
    }
    List<ClusterLoad.RunnerLoad> rs = new ArrayList<>();
    for (int i = 0; i < runners; i++) {
      rs.add(new ClusterLoad.RunnerLoad("r" + i, 0));
    }
    return new ClusterLoad(List.of(new ClusterLoad.TableLoad("clicks", 1, 8, 1000, 0, parts)), rs);
  }

  @Test
  void scalesOutOnIngressAndExportsMetricsAndStatus() {
    TestClock clock = new TestClock();
    FakeScaler scaler = new FakeScaler();
    AtomicReference<ClusterLoad> view = new AtomicReference<>(load(0, 0, 0));
    PrometheusMeterRegistry reg = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ScalingCoordinator c = new ScalingCoordinator(new ScalingPolicy(settings()), scaler, () -> Optional.of(view.get()),
        reg, clock, Duration.ofSeconds(1), Duration.ofSeconds(10));
    c.tick(); // nothing yet: pool to the minimum
    assertThat(scaler.calls).containsExactly(1);
    scaler.actual = 1;
    // 2400 rows/s arrive, committed keeps up: 2400 x 1.25 / 1000 = 3 runners
    long ends = 0;
    for (int i = 0; i < 12; i++) {
      clock.ms += 1000;
      ends += 2400;
      view.set(load(ends, ends, 1));
      c.tick();
    }
    assertThat(scaler.calls).containsExactly(1, 3);
    assertThat(c.status().desired()).isEqualTo(3);
    assertThat(c.status().actual()).isEqualTo(1);
    assertThat(c.status().reason()).contains("need 3.00 runners", "ingress 2400 rows/s");
    assertThat(c.statusProto().getDesired()).isEqualTo(3);
    String scrape = reg.scrape();
    assertThat(scrape).contains("tributary_scaling_desired_runners 3.0", "tributary_scaling_actual_runners 1.0")
        .containsPattern("tributary_scaling_decisions_total\\{direction=\"up\",reason=\"min\",?\\} 1\\.0")
        .containsPattern("tributary_scaling_decisions_total\\{direction=\"up\",reason=\"ingress\",?\\} 1\\.0");
  }

  @Test
  void aFailingScalerKeepsTickingWithTheErrorInStatusAndMetrics() {
    TestClock clock = new TestClock();
    FakeScaler scaler = new FakeScaler();
    scaler.failWith = "ecs: service 'x' in cluster 'nope': MISSING";
    PrometheusMeterRegistry reg = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ScalingCoordinator c = new ScalingCoordinator(new ScalingPolicy(settings()), scaler,
        () -> Optional.of(load(0, 0, 2)), reg, clock, Duration.ofSeconds(1), Duration.ofSeconds(10));
    for (int i = 0; i < 3; i++) {
      clock.ms += 1000;
      c.tick();
    }
    assertThat(c.status().reason()).startsWith("scaler fake error: ").contains("cluster 'nope': MISSING");
    assertThat(c.status().actual()).isEqualTo(2); // the attached runners, since the platform cannot say
    assertThat(reg.scrape()).containsPattern("tributary_scaling_errors_total\\{scaler=\"fake\",?\\} 3\\.0");
    // it recovers: the next tick applies what it wants, with no cool-down from the failures
    scaler.failWith = null;
    clock.ms += 1000;
    c.tick();
    assertThat(scaler.calls).containsExactly(1);
    assertThat(c.status().reason()).doesNotContain("error");
  }

  @Test
  void badConfigurationShowsInStatus() {
    ScalingConfig cfg = ScalingConfig.fromEnv(Map.of("TRIBUTARY_SCALER", "ecs", "AWS_REGION", "us-east-1",
        "TRIBUTARY_SCALER_TARGET", "runners"), null);
    PrometheusMeterRegistry reg = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (ScalingCoordinator c = ScalingCoordinator.create(cfg, Map.of(), RunnerDrainer.NONE, () -> Optional.of(load(0, 0, 1)), reg)) {
      c.tick();
      assertThat(c.status().reason()).contains("scaler ecs error", "TRIBUTARY_ECS_CLUSTER is not set");
      assertThat(c.status().desired()).isEqualTo(1);
      assertThat(reg.scrape()).containsPattern("tributary_scaling_errors_total\\{scaler=\"ecs\",?\\} 1\\.0");
    }
  }

  @Test
  void standbyDoesNothing() {
    FakeScaler scaler = new FakeScaler();
    ScalingCoordinator c = new ScalingCoordinator(new ScalingPolicy(settings()), scaler, Optional::empty,
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), new TestClock(), Duration.ofSeconds(1),
        Duration.ofSeconds(10));
    c.tick();
    assertThat(scaler.calls).isEmpty();
    assertThat(c.status().reason()).contains("standby");
  }

  @Test
  void noScalerReportsWhatItWouldDo() {
    TestClock clock = new TestClock();
    ScalingCoordinator c = new ScalingCoordinator(new ScalingPolicy(settings()), new NoScaler(),
        () -> Optional.of(load(0, 0, 2)), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), clock,
        Duration.ofSeconds(1), Duration.ofSeconds(10));
    c.tick();
    assertThat(c.status().actual()).isEqualTo(2);
    assertThat(c.status().scaler()).isEqualTo("none");
  }

  @Test
  void ingressRatesSpanTheWindowAndSurviveARecreatedTopic() {
    IngressRates r = new IngressRates(10_000);
    assertThat(r.record("t", 0, 0, 100)).isZero();
    assertThat(r.record("t", 0, 1000, 1100)).isEqualTo(1000.0);
    for (int s = 2; s <= 30; s++) {
      r.record("t", 0, s * 1000L, 100 + s * 1000L);
    }
    assertThat(r.record("t", 0, 31_000, 100 + 31_000 + 5000)).isBetween(1400.0, 1600.0);
    assertThat(r.record("t", 0, 32_000, 10)).isZero(); // went backwards: history restarts
    assertThat(r.record("t", 0, 32_000, 20)).isZero(); // same timestamp: ignored
  }
}
