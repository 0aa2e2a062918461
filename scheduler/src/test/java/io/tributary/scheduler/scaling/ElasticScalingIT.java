package io.tributary.scheduler.scaling;

import static io.tributary.scheduler.scaling.ScalingItCluster.metric;
import static io.tributary.scheduler.scaling.ScalingItCluster.rows;
import static io.tributary.scheduler.scaling.ScalingItCluster.until;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.v1.ClusterStatus;
import io.tributary.catalog.AuditReport;
import io.tributary.infra.LocalStack;
import io.tributary.infra.LocalStackExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The local scaler end to end: a real scheduler with {@code --scaler local} starting and stopping
 * real runner processes on the local stack (Kafka, dynalite, S3Mock).
 *
 * <p>Per-runner capacity is fixed at 1000 rows/s ({@code TRIBUTARY_SCALING_MEASURE_CAPACITY=false}),
 * so "more than one runner can carry" is a few thousand rows/s that a 2-core machine produces and
 * lands easily; cool-downs and low-lag windows are seconds, so a full grow-drain-shrink cycle fits
 * in a few minutes.
 */
@ExtendWith(LocalStackExtension.class)
class ElasticScalingIT {

  private static Map<String, String> fastPolicy() {
    return Map.ofEntries(Map.entry("TRIBUTARY_SCALER_MIN_RUNNERS", "1"), Map.entry("TRIBUTARY_SCALER_MAX_RUNNERS", "4"),
        Map.entry("TRIBUTARY_SCALING_RUNNER_CAPACITY", "1000"),
        Map.entry("TRIBUTARY_SCALING_MEASURE_CAPACITY", "false"), Map.entry("TRIBUTARY_SCALING_HEADROOM", "0.25"),
        Map.entry("TRIBUTARY_SCALING_DRAIN_SECONDS", "20"), Map.entry("TRIBUTARY_SCALING_OUT_COOLDOWN_SECONDS", "5"),
        Map.entry("TRIBUTARY_SCALING_IN_COOLDOWN_SECONDS", "20"),
        Map.entry("TRIBUTARY_SCALING_LOW_LAG_FOR_SECONDS", "15"), Map.entry("TRIBUTARY_SCALING_LOW_LAG_ROWS", "3000"),
        Map.entry("TRIBUTARY_SCALING_TICK_MS", "1000"), Map.entry("TRIBUTARY_SCALING_RATE_WINDOW_SECONDS", "5"),
        // the scheduler's own timings stay at their defaults (dead 3 s, revoke 10 s)
        Map.entry("TRIBUTARY_SCALING_STOP_TIMEOUT_SECONDS", "30"));
  }

  private static Map<String, String> steadyPolicy() {
    Map<String, String> m = new java.util.HashMap<>(fastPolicy());
    m.put("TRIBUTARY_SCALER_MAX_RUNNERS", "2"); // the question near one runner's capacity: 1 or 2
    m.put("TRIBUTARY_SCALING_OUT_COOLDOWN_SECONDS", "20");
    return m;
  }

  /** Runners that sent a heartbeat in the last 5 s. */
  private static int attached(ClusterStatus s) {
    long now = System.currentTimeMillis();
    return (int) s.getRunnersList().stream().filter(r -> now - r.getLastHeartbeatMs() < 5_000).count();
  }

  @Test
  void burstGrowsThePoolDrainsTheLagAndShrinksBackWithAnExactAudit(LocalStack stack) {
    try (ScalingItCluster c = new ScalingItCluster(stack, "scaling-burst", fastPolicy())) {
      c.scheduler(List.of("--scaler", "local"));
      until("one runner started and attached", Duration.ofSeconds(120), () -> {
        ClusterStatus s = c.status();
        return s.getScaling().getActual() == 1 && attached(s) == 1;
      });
      c.createTopic("burst", 8);
      c.createTable("burst", "burst");

      AtomicInteger peak = new AtomicInteger(1);
      long sent;
      // 3000 rows/s: 3000 x 1.25 / 1000 = 3.75 -> 4 runners wanted (max 4)
      try (ScalingItCluster.Load load = c.new Load("burst", 8, 3000)) {
        until("the pool grows to >= 3 runners that attach", Duration.ofSeconds(180), () -> {
          ClusterStatus s = c.status();
          peak.accumulateAndGet(Math.min(s.getScaling().getActual(), attached(s)), Math::max);
          c.auditExact("burst");
          return s.getScaling().getActual() >= 3 && attached(s) >= 3;
        });
        // keep the load on for a while with the grown pool, auditing as it lands
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < until) {
          c.auditExact("burst");
          ClusterStatus s = c.status();
          peak.accumulateAndGet(Math.min(s.getScaling().getActual(), attached(s)), Math::max);
          sleep(1000);
        }
        load.close();
        sent = load.sent.get();
      }
      assertThat(peak.get()).as("peak pool size").isGreaterThanOrEqualTo(3);

      // lag drains: every produced row is committed exactly once
      AuditReport drained = until("all " + sent + " rows committed", Duration.ofSeconds(180), () -> {
        AuditReport r = c.auditExact("burst");
        return rows(r) == sent ? r : null;
      });
      assertThat(drained.problems()).isEmpty();

      // load gone: back to the minimum, runners drained (SIGTERM) one by one, audit still exact
      until("the pool shrinks back to 1", Duration.ofSeconds(240), () -> {
        ClusterStatus s = c.status();
        c.auditExact("burst");
        return s.getScaling().getDesired() == 1 && s.getScaling().getActual() == 1 && attached(s) == 1;
      });
      AuditReport end = c.auditExact("burst");
      assertThat(rows(end)).isEqualTo(sent);

      String m = c.metrics();
      assertThat(metric(m, "tributary_scaling_decisions_total")).as("decisions\n%s", m).isBetween(3.0, 8.0);
      assertThat(metric(m, "tributary_scaling_errors_total")).isZero();
      assertThat(c.schedulerProcess().logText()).contains("scaling: scale out", "scaling: scale in",
          "scaling(local): stopping runner");
    }
  }

  @Test
  void steadyLoadNearOneRunnersCapacityDoesNotFlap(LocalStack stack) {
    try (ScalingItCluster c = new ScalingItCluster(stack, "scaling-steady", steadyPolicy())) {
      c.scheduler(List.of("--scaler", "local"));
      until("one runner started and attached", Duration.ofSeconds(120), () -> {
        ClusterStatus s = c.status();
        return s.getScaling().getActual() == 1 && attached(s) == 1;
      });
      c.createTopic("steady", 8);
      c.createTable("steady", "steady");
      // 680 rows/s: need 680 x 1.25 / 1000 = 0.85 runners, close to the boundary of one
      try (ScalingItCluster.Load load = c.new Load("steady", 8, 680)) {
        until("rows land", Duration.ofSeconds(120), () -> rows(c.auditExact("steady")) > 0);
        // warm-up: the first runner may fall behind while it starts the table (and may get help)
        sleep(30_000);
        double before = metric(c.metrics(), "tributary_scaling_decisions_total");
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int minPool = Integer.MAX_VALUE;
        int maxPool = 0;
        List<Integer> series = new java.util.ArrayList<>();
        while (System.nanoTime() < end) {
          ClusterStatus s = c.status();
          int d = s.getScaling().getDesired();
          if (series.isEmpty() || series.get(series.size() - 1) != d) {
            series.add(d);
          }
          minPool = Math.min(minPool, d);
          maxPool = Math.max(maxPool, d);
          c.auditExact("steady");
          sleep(1000);
        }
        double after = metric(c.metrics(), "tributary_scaling_decisions_total");
        assertThat(after - before).as("pool size changes within one minute of steady load (desired %d..%d)",
            minPool, maxPool).isLessThanOrEqualTo(1.0);
        // no flapping: the desired size never goes back and forth within the minute
        assertThat(series.size()).as("desired over the minute: %s", series).isLessThanOrEqualTo(2);
        assertThat(maxPool - minPool).as("desired %d..%d", minPool, maxPool).isLessThanOrEqualTo(1);
        load.close();
        long sent = load.sent.get();
        until("all rows committed", Duration.ofSeconds(120), () -> rows(c.auditExact("steady")) == sent);
      }
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted");
    }
  }
}
