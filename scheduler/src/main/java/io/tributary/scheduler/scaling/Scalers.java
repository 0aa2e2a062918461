package io.tributary.scheduler.scaling;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Builds the {@link Scaler} a {@link ScalingConfig} names. Never throws: a configuration that cannot
 * work (unknown scaler name, missing target or cluster, a client that cannot be built, a missing
 * runner jar) yields a {@link FailedScaler} whose error shows in status and metrics while the
 * scheduler keeps running.
 */
public final class Scalers {

  private static final Logger LOG = Logger.getLogger(Scalers.class);

  private Scalers() {
  }

  /**
   * The scaler for {@code config}.
   *
   * @param config   the configuration
   * @param childEnv environment additions for local runner children (e.g. the scheduler address)
   * @param drainer  the scheduler's drain hook for graceful local scale-in
   */
  public static Scaler create(ScalingConfig config, Map<String, String> childEnv, RunnerDrainer drainer) {
    String name = config.scaler();
    if (!config.problems().isEmpty()) {
      String msg = "bad scaling configuration: " + String.join("; ", config.problems());
      LOG.errorf("scaling: %s; the scheduler keeps running without scaling", msg);
      return new FailedScaler(name, msg);
    }
    try {
      Scaler s = switch (name) {
        case "none" -> new NoScaler();
        case "local" -> local(config, childEnv, drainer);
        case "ecs" -> new EcsScaler(EcsScaler.client(config.region(), config.ecsEndpoint(), null),
            config.ecsCluster(), config.target());
        case "kubernetes" -> new KubernetesDeploymentScaler(KubernetesScalers.client(), config.namespace(),
            config.target(), true);
        case "knative" -> new KnativeScaler(KubernetesScalers.client(), config.namespace(), config.target(), true);
        default -> new FailedScaler(name, "unknown scaler '" + name + "'");
      };
      LOG.infof("scaling: scaler %s (target '%s'%s), pool bounds [%d, %d]", s.name(), describeTarget(config),
          name.equals("ecs") ? ", cluster '" + config.ecsCluster() + "'" : "", config.policy().minRunners(),
          config.policy().maxRunners());
      return s;
    } catch (RuntimeException e) {
      String msg = name + " scaler cannot start: " + e.getMessage();
      LOG.errorf(e, "scaling: %s; the scheduler keeps running without scaling", msg);
      return new FailedScaler(name, msg);
    }
  }

  private static String describeTarget(ScalingConfig c) {
    return c.scaler().equals("local") ? c.runnerJar().toString() : c.target();
  }

  private static Scaler local(ScalingConfig config, Map<String, String> childEnv, RunnerDrainer drainer) {
    Path jar = config.runnerJar();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalArgumentException("runner jar " + jar + " does not exist (build it: ./mvnw -B -pl task-runner "
          + "package -DskipTests, or set TRIBUTARY_SCALER_TARGET to the jar)");
    }
    return new LocalProcessScaler(LocalProcessScaler.javaCommand(jar, config.runnerJavaOpts()), childEnv,
        config.runnerLogDir(), host() + "-local-" + ProcessHandle.current().pid(), config.stopTimeout(),
        "TRIBUTARY_HTTP_PORT", drainer);
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      String n = ManagementFactory.getRuntimeMXBean().getName();
      int at = n.indexOf('@');
      return at >= 0 ? n.substring(at + 1) : "localhost";
    }
  }
}
