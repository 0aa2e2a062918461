package io.tributary.scheduler.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScalingConfigTest {

  @Test
  void defaultsToNoScaler() {
    ScalingConfig c = ScalingConfig.fromEnv(Map.of(), null);
    assertThat(c.scaler()).isEqualTo("none");
    assertThat(c.problems()).isEmpty();
    assertThat(c.policy().minRunners()).isEqualTo(1);
    assertThat(c.policy().maxRunners()).isEqualTo(8);
    assertThat(Scalers.create(c, Map.of(), RunnerDrainer.NONE)).isInstanceOf(NoScaler.class);
  }

  @Test
  void readsTheContractEnvironment() {
    ScalingConfig c = ScalingConfig.fromEnv(Map.of("TRIBUTARY_SCALER", "ECS", "TRIBUTARY_SCALER_TARGET", "runners",
        "TRIBUTARY_ECS_CLUSTER", "tributary", "TRIBUTARY_SCALER_MIN_RUNNERS", "2", "TRIBUTARY_SCALER_MAX_RUNNERS", "12",
        "TRIBUTARY_K8S_NAMESPACE", "ns", "AWS_REGION", "eu-west-1", "TRIBUTARY_SCALING_OUT_COOLDOWN_SECONDS", "7.5",
        "TRIBUTARY_SCALING_RUNNER_CAPACITY", "1234"), null);
    assertThat(c.problems()).isEmpty();
    assertThat(c.scaler()).isEqualTo("ecs");
    assertThat(c.target()).isEqualTo("runners");
    assertThat(c.ecsCluster()).isEqualTo("tributary");
    assertThat(c.namespace()).isEqualTo("ns");
    assertThat(c.region()).isEqualTo("eu-west-1");
    assertThat(c.policy().minRunners()).isEqualTo(2);
    assertThat(c.policy().maxRunners()).isEqualTo(12);
    assertThat(c.policy().scaleOutCooldown()).isEqualTo(Duration.ofMillis(7500));
    assertThat(c.policy().defaultCapacity()).isEqualTo(1234);
  }

  @Test
  void commandLineWins() {
    ScalingConfig c = ScalingConfig.fromEnv(Map.of("TRIBUTARY_SCALER", "ecs", "TRIBUTARY_HOME", "/opt/t"), "local");
    assertThat(c.scaler()).isEqualTo("local");
    assertThat(c.runnerJar()).isEqualTo(Path.of("/opt/t/task-runner/target/quarkus-app/quarkus-run.jar"));
    assertThat(c.runnerLogDir()).isEqualTo(Path.of("/opt/t/.tributary/runners"));
  }

  @Test
  void badValuesBecomeProblemsAndAFailedScaler() {
    ScalingConfig c = ScalingConfig.fromEnv(Map.of("TRIBUTARY_SCALER", "nomad", "TRIBUTARY_SCALER_MAX_RUNNERS", "x",
        "TRIBUTARY_SCALING_HEADROOM", "-1"), null);
    assertThat(c.problems()).hasSize(3);
    assertThat(String.join("\n", c.problems())).contains("unknown scaler 'nomad'", "TRIBUTARY_SCALER_MAX_RUNNERS='x'",
        "TRIBUTARY_SCALING_HEADROOM=-1");
    Scaler s = Scalers.create(c, Map.of(), RunnerDrainer.NONE);
    assertThat(s).isInstanceOf(FailedScaler.class);
  }

  @Test
  void minAboveMaxIsAProblem() {
    ScalingConfig c = ScalingConfig.fromEnv(Map.of("TRIBUTARY_SCALER_MIN_RUNNERS", "5", "TRIBUTARY_SCALER_MAX_RUNNERS",
        "2"), null);
    assertThat(c.problems()).singleElement().asString().contains("below TRIBUTARY_SCALER_MIN_RUNNERS=5");
    assertThat(c.policy().maxRunners()).isEqualTo(5);
  }

  @Test
  void missingTargetsFailClearly() {
    Scaler ecs = Scalers.create(ScalingConfig.fromEnv(Map.of("TRIBUTARY_SCALER", "ecs", "AWS_REGION", "us-east-1"),
        null), Map.of(), RunnerDrainer.NONE);
    assertThat(ecs).isInstanceOf(FailedScaler.class);
    assertThat(ecs.name()).isEqualTo("ecs");
    org.assertj.core.api.Assertions.assertThatThrownBy(ecs::observe).hasMessageContaining("TRIBUTARY_ECS_CLUSTER");
    Scaler local = Scalers.create(ScalingConfig.fromEnv(Map.of("TRIBUTARY_SCALER", "local", "TRIBUTARY_SCALER_TARGET",
        "/nonexistent/runner.jar"), null), Map.of(), RunnerDrainer.NONE);
    assertThat(local).isInstanceOf(FailedScaler.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> local.scaleTo(1))
        .hasMessageContaining("/nonexistent/runner.jar does not exist");
  }
}
