package io.tributary.scheduler.scaling;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import org.jboss.logging.Logger;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.DescribeServicesResponse;
import software.amazon.awssdk.services.ecs.model.Failure;
import software.amazon.awssdk.services.ecs.model.Service;

/**
 * Scales the runner pool as an ECS (Fargate) service: {@code UpdateService desiredCount} to change
 * it, {@code DescribeServices} for desiredCount and runningCount. ECS stops surplus tasks with
 * SIGTERM and the task definition's stop timeout, in which a runner flushes and commits.
 *
 * <p>Needs {@code ecs:UpdateService} and {@code ecs:DescribeServices} on the runner service (granted
 * by {@code terraform/main.tf}). Failures (unknown cluster or service, no credentials, unreachable
 * endpoint) become {@link ScalerException}s naming the cluster and service.
 *
 * <p>Thread-safety: thread-safe (the SDK client is).
 */
public final class EcsScaler implements Scaler {

  private static final Logger LOG = Logger.getLogger(EcsScaler.class);

  private final EcsClient ecs;
  private final String cluster;
  private final String service;

  /** Uses the given client (tests point one at a local endpoint). */
  public EcsScaler(EcsClient ecs, String cluster, String service) {
    this.ecs = Objects.requireNonNull(ecs, "ecs");
    this.cluster = requireText(cluster, "TRIBUTARY_ECS_CLUSTER");
    this.service = requireText(service, "TRIBUTARY_SCALER_TARGET");
  }

  /**
   * A client for {@code region} (default credentials chain; {@code endpoint} null = AWS), with a
   * 10 s call timeout and one retry, so a hanging endpoint never stalls the scaling tick for long
   * (the tick itself retries every period).
   */
  public static EcsClient client(String region, URI endpoint, AwsCredentialsProvider credentials) {
    var b = EcsClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(3)).socketTimeout(Duration.ofSeconds(8)))
        .credentialsProvider(credentials != null ? credentials : DefaultCredentialsProvider.builder().build())
        .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofSeconds(10)).apiCallAttemptTimeout(Duration.ofSeconds(5))
            .retryStrategy(r -> r.maxAttempts(2)));
    if (region != null && !region.isBlank()) {
      b.region(Region.of(region));
    }
    if (endpoint != null) {
      b.endpointOverride(endpoint);
    }
    return b.build();
  }

  @Override
  public String name() {
    return "ecs";
  }

  @Override
  public Observed observe() {
    Service s = describe();
    return new Observed(nz(s.desiredCount()), nz(s.runningCount()));
  }

  @Override
  public void scaleTo(int desired) {
    try {
      var r = ecs.updateService(b -> b.cluster(cluster).service(service).desiredCount(desired));
      LOG.infof("scaling(ecs): UpdateService cluster=%s service=%s desiredCount=%d accepted (running %d)", cluster,
          service, desired, r.service() == null ? -1 : nz(r.service().runningCount()));
    } catch (SdkException e) {
      throw new ScalerException("ecs: UpdateService of service '" + service + "' in cluster '" + cluster
          + "' to desiredCount " + desired + " failed: " + message(e), e);
    }
  }

  private Service describe() {
    DescribeServicesResponse r;
    try {
      r = ecs.describeServices(b -> b.cluster(cluster).services(service));
    } catch (SdkException e) {
      throw new ScalerException("ecs: DescribeServices of service '" + service + "' in cluster '" + cluster
          + "' failed: " + message(e), e);
    }
    for (Failure f : r.failures()) {
      throw new ScalerException("ecs: service '" + service + "' in cluster '" + cluster + "': " + f.reason()
          + (f.detail() == null ? "" : " (" + f.detail() + ")") + " — check TRIBUTARY_ECS_CLUSTER and "
          + "TRIBUTARY_SCALER_TARGET");
    }
    if (r.services().isEmpty()) {
      throw new ScalerException("ecs: service '" + service + "' not found in cluster '" + cluster + "'");
    }
    return r.services().get(0);
  }

  /** The SDK's message without the attempt count, so the same failure reads the same every tick. */
  private static String message(SdkException e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m.replaceAll("\\s*\\(SDK Attempt Count: \\d+\\)", "");
  }

  private static int nz(Integer v) {
    return v == null ? -1 : v;
  }

  private static String requireText(String v, String env) {
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(env + " is not set (the ECS scaler needs it)");
    }
    return v;
  }

  @Override
  public void close() {
    ecs.close();
  }
}
