package io.tributary.scheduler.scaling;

import static io.tributary.scheduler.scaling.ScalingItCluster.metric;
import static io.tributary.scheduler.scaling.ScalingItCluster.rows;
import static io.tributary.scheduler.scaling.ScalingItCluster.until;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.v1.ClusterStatus;
import io.tributary.infra.LocalStack;
import io.tributary.infra.LocalStackExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A scheduler whose scaler cannot work (ECS: unknown cluster at an unreachable endpoint) keeps
 * running: status and metrics show the error, and a runner started by hand keeps landing rows
 * exactly once.
 */
@ExtendWith(LocalStackExtension.class)
class BadScalerConfigIT {

  @Test
  void unreachableEcsKeepsTheSchedulerAndIngestionRunning(LocalStack stack) {
    int closed = ScalingItCluster.freePort(); // nothing listens here
    Map<String, String> env = Map.of("TRIBUTARY_SCALER", "ecs", "TRIBUTARY_ECS_CLUSTER", "nope",
        "TRIBUTARY_SCALER_TARGET", "tributary-runner", "TRIBUTARY_ECS_ENDPOINT", "http://127.0.0.1:" + closed,
        "TRIBUTARY_SCALING_TICK_MS", "1000");
    try (ScalingItCluster c = new ScalingItCluster(stack, "scaling-badcfg", env)) {
      c.scheduler(List.of());
      ClusterStatus bad = until("status shows the scaler error", Duration.ofSeconds(60), () -> {
        ClusterStatus s = c.status();
        return s.getScaling().getReason().contains("scaler ecs error") ? s : null;
      });
      assertThat(bad.getScaling().getReason()).contains("cluster 'nope'");
      until("errors counted", Duration.ofSeconds(30),
          () -> metric(c.metrics(), "tributary_scaling_errors_total") >= 1);

      c.runner("manual-1");
      until("the runner attaches", Duration.ofSeconds(120), () -> c.status().getRunnersCount() == 1);
      c.createTopic("badcfg", 4);
      c.createTable("badcfg", "badcfg");
      long sent;
      try (ScalingItCluster.Load load = c.new Load("badcfg", 4, 1000)) {
        until("rows land while the scaler fails", Duration.ofSeconds(120),
            () -> rows(c.auditExact("badcfg")) > 2000);
        load.close();
        sent = load.sent.get();
      }
      until("all " + sent + " rows committed exactly once", Duration.ofSeconds(120),
          () -> rows(c.auditExact("badcfg")) == sent);
      ClusterStatus s = c.status();
      assertThat(s.getScaling().getReason()).contains("scaler ecs error");
      assertThat(c.schedulerProcess().alive()).isTrue();
      assertThat(c.schedulerProcess().logText()).contains("scaling: scaler ecs error");
    }
  }
}
