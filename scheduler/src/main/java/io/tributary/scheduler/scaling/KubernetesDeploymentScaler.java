package io.tributary.scheduler.scaling;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Objects;
import org.jboss.logging.Logger;

/**
 * Scales the runner pool as a Kubernetes Deployment ({@code infra/knative/30-runner-deployment.yaml},
 * scaler {@code kubernetes}) through its {@code scale} subresource; reads {@code spec.replicas} and
 * {@code status.readyReplicas} back. Kubernetes stops surplus pods with SIGTERM and the pod's grace
 * period, in which a runner flushes and commits.
 *
 * <p>Thread-safety: thread-safe (the fabric8 client is).
 */
public final class KubernetesDeploymentScaler implements Scaler {

  private static final Logger LOG = Logger.getLogger(KubernetesDeploymentScaler.class);

  private final KubernetesClient client;
  private final String namespace;
  private final String name;
  private final boolean ownsClient;

  /**
   * @param client     fabric8 client
   * @param namespace  namespace of the Deployment (null = the client's)
   * @param name       Deployment name ({@code TRIBUTARY_SCALER_TARGET})
   * @param ownsClient close the client on {@link #close()}
   */
  public KubernetesDeploymentScaler(KubernetesClient client, String namespace, String name, boolean ownsClient) {
    this.client = Objects.requireNonNull(client, "client");
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("TRIBUTARY_SCALER_TARGET is not set (the kubernetes scaler needs the "
          + "runner Deployment's name)");
    }
    this.name = name;
    this.namespace = KubernetesScalers.namespace(client, namespace);
    this.ownsClient = ownsClient;
  }

  @Override
  public String name() {
    return "kubernetes";
  }

  @Override
  public Observed observe() {
    Deployment d;
    try {
      d = client.apps().deployments().inNamespace(namespace).withName(name).get();
    } catch (KubernetesClientException e) {
      throw new ScalerException("kubernetes: reading Deployment '" + name + "' in namespace '" + namespace
          + "' failed: " + KubernetesScalers.message(e), e);
    }
    if (d == null) {
      throw new ScalerException("kubernetes: Deployment '" + name + "' not found in namespace '" + namespace
          + "' — check TRIBUTARY_SCALER_TARGET and TRIBUTARY_K8S_NAMESPACE");
    }
    Integer desired = d.getSpec() == null ? null : d.getSpec().getReplicas();
    Integer ready = d.getStatus() == null ? null : d.getStatus().getReadyReplicas();
    return new Observed(desired == null ? -1 : desired, ready == null ? 0 : ready);
  }

  @Override
  public void scaleTo(int desired) {
    try {
      client.apps().deployments().inNamespace(namespace).withName(name).scale(desired);
      LOG.infof("scaling(kubernetes): Deployment %s/%s scale -> replicas %d", namespace, name, desired);
    } catch (KubernetesClientException e) {
      throw new ScalerException("kubernetes: scaling Deployment '" + name + "' in namespace '" + namespace + "' to "
          + desired + " failed: " + KubernetesScalers.message(e), e);
    }
  }

  @Override
  public void close() {
    if (ownsClient) {
      client.close();
    }
  }
}
