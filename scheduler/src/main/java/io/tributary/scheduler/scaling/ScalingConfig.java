package io.tributary.scheduler.scaling;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scaling configuration from the environment (the contract of {@code terraform/main.tf} and
 * {@code infra/knative/}) and the scheduler's {@code --scaler} option. Parsing never throws: a bad
 * value is recorded in {@link #problems()} and its default used, so the scheduler starts anyway and
 * shows the problem in {@code scaling.reason}.
 *
 * <table>
 * <caption>Environment</caption>
 * <tr><td>{@code TRIBUTARY_SCALER}</td><td>{@code none} (default) | {@code local} | {@code ecs} |
 * {@code knative} | {@code kubernetes}; {@code --scaler X} on the command line wins</td></tr>
 * <tr><td>{@code TRIBUTARY_SCALER_TARGET}</td><td>ECS service / Knative Service / Deployment name; for
 * {@code local} the runner jar (default {@code $TRIBUTARY_HOME/task-runner/target/quarkus-app/quarkus-run.jar})</td></tr>
 * <tr><td>{@code TRIBUTARY_ECS_CLUSTER}</td><td>ECS cluster of the runner service</td></tr>
 * <tr><td>{@code TRIBUTARY_SCALER_MIN_RUNNERS}, {@code TRIBUTARY_SCALER_MAX_RUNNERS}</td><td>pool bounds (1, 8)</td></tr>
 * <tr><td>{@code TRIBUTARY_K8S_NAMESPACE}</td><td>namespace of the scale target (default: the client's)</td></tr>
 * <tr><td>{@code TRIBUTARY_ECS_ENDPOINT}</td><td>ECS API endpoint override (tests, VPC endpoints)</td></tr>
 * <tr><td>{@code TRIBUTARY_RUNNER_JAVA_OPTS}</td><td>JVM options of local runner children</td></tr>
 * <tr><td>{@code TRIBUTARY_SCALING_*}</td><td>policy tuning, see {@link #fromEnv}</td></tr>
 * </table>
 *
 * @param scaler          scaler name, lower case
 * @param target          scale target (see above), may be empty
 * @param ecsCluster      ECS cluster, may be empty
 * @param namespace       Kubernetes namespace, may be empty
 * @param region          AWS region, may be empty
 * @param ecsEndpoint     ECS endpoint override, or null
 * @param home            the Tributary home (checkout) for local defaults
 * @param runnerJavaOpts  JVM options for local children
 * @param tick            how often the scaling tick runs
 * @param rateWindow      window over which ingress rates are measured
 * @param stopTimeout     local scaler: SIGTERM grace before SIGKILL
 * @param policy          the policy settings
 * @param problems        configuration problems found (empty when all is well)
 */
public record ScalingConfig(String scaler, String target, String ecsCluster, String namespace, String region,
    URI ecsEndpoint, Path home, String runnerJavaOpts, Duration tick, Duration rateWindow, Duration stopTimeout,
    ScalingPolicy.Settings policy, List<String> problems) {

  /** Scaler names understood. */
  public static final List<String> SCALERS = List.of("none", "local", "ecs", "knative", "kubernetes");

  /** Copies the problems. */
  public ScalingConfig {
    problems = List.copyOf(problems);
  }

  /**
   * Reads the configuration.
   *
   * <p>Policy tuning (defaults in brackets): {@code TRIBUTARY_SCALING_RUNNER_CAPACITY} rows/s per
   * runner before measurement [20000], {@code _HEADROOM} [0.25], {@code _DRAIN_SECONDS} [60],
   * {@code _OUT_COOLDOWN_SECONDS} [30], {@code _IN_COOLDOWN_SECONDS} [120],
   * {@code _LOW_LAG_FOR_SECONDS} [60], {@code _LOW_LAG_ROWS} [10000], {@code _LOW_LAG_INGRESS_SECONDS}
   * [5], {@code _SCALE_IN_MARGIN} [0.2], {@code _TICK_MS} [2000], {@code _RATE_WINDOW_SECONDS} [10],
   * {@code _STOP_TIMEOUT_SECONDS} [60], {@code _MEASURE_CAPACITY} [true; false = always use
   * {@code _RUNNER_CAPACITY}].
   *
   * @param env         the environment (System.getenv() in production)
   * @param scalerFlag  value of {@code --scaler} on the command line, or null
   */
  public static ScalingConfig fromEnv(Map<String, String> env, String scalerFlag) {
    List<String> problems = new ArrayList<>();
    Reader r = new Reader(env, problems);
    String scaler = scalerFlag != null && !scalerFlag.isBlank() ? scalerFlag : r.str("TRIBUTARY_SCALER", "none");
    scaler = scaler.trim().toLowerCase(Locale.ROOT);
    if (!SCALERS.contains(scaler)) {
      problems.add("unknown scaler '" + scaler + "' (TRIBUTARY_SCALER or --scaler); use one of "
          + String.join("|", SCALERS));
    }
    int min = r.integer("TRIBUTARY_SCALER_MIN_RUNNERS", 1, 0);
    int max = r.integer("TRIBUTARY_SCALER_MAX_RUNNERS", 8, 1);
    if (max < Math.max(1, min)) {
      problems.add("TRIBUTARY_SCALER_MAX_RUNNERS=" + max + " is below TRIBUTARY_SCALER_MIN_RUNNERS=" + min
          + "; using max=" + Math.max(1, min));
      max = Math.max(1, min);
    }
    ScalingPolicy.Settings d = ScalingPolicy.Settings.defaults(min, max);
    ScalingPolicy.Settings settings = new ScalingPolicy.Settings(min, max,
        r.positive("TRIBUTARY_SCALING_RUNNER_CAPACITY", d.defaultCapacity()),
        r.nonNegative("TRIBUTARY_SCALING_HEADROOM", d.headroom()),
        r.seconds("TRIBUTARY_SCALING_DRAIN_SECONDS", d.drainTarget(), true),
        r.seconds("TRIBUTARY_SCALING_OUT_COOLDOWN_SECONDS", d.scaleOutCooldown(), false),
        r.seconds("TRIBUTARY_SCALING_IN_COOLDOWN_SECONDS", d.scaleInCooldown(), false),
        r.seconds("TRIBUTARY_SCALING_LOW_LAG_FOR_SECONDS", d.lowLagFor(), false),
        (long) r.nonNegative("TRIBUTARY_SCALING_LOW_LAG_ROWS", d.lowLagRows()),
        r.nonNegative("TRIBUTARY_SCALING_LOW_LAG_INGRESS_SECONDS", d.lowLagSeconds()),
        r.nonNegative("TRIBUTARY_SCALING_SCALE_IN_MARGIN", d.scaleInMargin()), d.capacitySmoothing(),
        r.bool("TRIBUTARY_SCALING_MEASURE_CAPACITY", true));
    Duration tick = Duration.ofMillis((long) r.positive("TRIBUTARY_SCALING_TICK_MS", 2000));
    Duration window = r.seconds("TRIBUTARY_SCALING_RATE_WINDOW_SECONDS", Duration.ofSeconds(10), true);
    Duration stop = r.seconds("TRIBUTARY_SCALING_STOP_TIMEOUT_SECONDS", Duration.ofSeconds(60), true);
    URI endpoint = null;
    String ep = r.str("TRIBUTARY_ECS_ENDPOINT", "");
    if (!ep.isBlank()) {
      try {
        endpoint = URI.create(ep.trim());
      } catch (IllegalArgumentException e) {
        problems.add("TRIBUTARY_ECS_ENDPOINT='" + ep + "' is not a URI");
      }
    }
    String homeStr = r.str("TRIBUTARY_HOME", System.getProperty("user.dir"));
    return new ScalingConfig(scaler, r.str("TRIBUTARY_SCALER_TARGET", "").trim(),
        r.str("TRIBUTARY_ECS_CLUSTER", "").trim(), r.str("TRIBUTARY_K8S_NAMESPACE", "").trim(),
        r.str("AWS_REGION", r.str("AWS_DEFAULT_REGION", "")).trim(), endpoint, Path.of(homeStr),
        r.str("TRIBUTARY_RUNNER_JAVA_OPTS", ""), tick, window, stop, settings, problems);
  }

  /** The local scaler's runner jar: the target if set, else the checkout's task-runner build. */
  public Path runnerJar() {
    return target.isBlank() ? home.resolve("task-runner/target/quarkus-app/quarkus-run.jar") : Path.of(target);
  }

  /** Where local runner logs go: {@code <home>/.tributary/runners}. */
  public Path runnerLogDir() {
    return home.resolve(".tributary").resolve("runners");
  }

  private record Reader(Map<String, String> env, List<String> problems) {

    String str(String key, String def) {
      String v = env.get(key);
      return v == null || v.isBlank() ? def : v;
    }

    int integer(String key, int def, int atLeast) {
      String v = env.get(key);
      if (v == null || v.isBlank()) {
        return def;
      }
      try {
        int n = Integer.parseInt(v.trim());
        if (n < atLeast) {
          problems.add(key + "=" + v + " must be >= " + atLeast + "; using " + def);
          return def;
        }
        return n;
      } catch (NumberFormatException e) {
        problems.add(key + "='" + v + "' is not an integer; using " + def);
        return def;
      }
    }

    double number(String key, double def, boolean positive) {
      String v = env.get(key);
      if (v == null || v.isBlank()) {
        return def;
      }
      try {
        double n = Double.parseDouble(v.trim());
        if (Double.isNaN(n) || (positive ? n <= 0 : n < 0)) {
          problems.add(key + "=" + v + " must be " + (positive ? "> 0" : ">= 0") + "; using " + def);
          return def;
        }
        return n;
      } catch (NumberFormatException e) {
        problems.add(key + "='" + v + "' is not a number; using " + def);
        return def;
      }
    }

    boolean bool(String key, boolean def) {
      String v = env.get(key);
      if (v == null || v.isBlank()) {
        return def;
      }
      String t = v.trim().toLowerCase(Locale.ROOT);
      if (t.equals("true") || t.equals("false")) {
        return Boolean.parseBoolean(t);
      }
      problems.add(key + "='" + v + "' is not true|false; using " + def);
      return def;
    }

    double positive(String key, double def) {
      return number(key, def, true);
    }

    double nonNegative(String key, double def) {
      return number(key, def, false);
    }

    Duration seconds(String key, Duration def, boolean positive) {
      double s = number(key, def.toMillis() / 1000.0, positive);
      return Duration.ofMillis(Math.round(s * 1000));
    }
  }
}
