package io.tributary.scheduler.scaling;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.Map;
import java.util.Objects;
import org.jboss.logging.Logger;

/**
 * Scales the runner pool as a Knative Service ({@code infra/knative/30-runner-knative-service.yaml},
 * scaler {@code knative}, HPA class).
 *
 * <p>Editing the Service's {@code spec.template} annotations would roll out a new revision and
 * restart every runner, so this scaler instead moves {@code autoscaling.knative.dev/min-scale} on the
 * <b>PodAutoscaler of the latest ready revision</b> (same name as the revision) with a JSON merge
 * patch, which Knative applies in place (raising {@code max-scale} too if the new minimum exceeds
 * it). Desired is read back from that annotation, actual from the PodAutoscaler's
 * {@code status.actualScale}. See infra/knative/README.md for the caveat: if a future Knative copies
 * the revision's annotations back onto the PodAutoscaler, use the {@code kubernetes} scaler with a
 * Deployment instead.
 *
 * <p>Thread-safety: thread-safe (the fabric8 client is).
 */
public final class KnativeScaler implements Scaler {

  private static final Logger LOG = Logger.getLogger(KnativeScaler.class);

  /** The annotation the scaler moves. */
  public static final String MIN_SCALE = "autoscaling.knative.dev/min-scale";
  /** Raised only when the new minimum exceeds it. */
  public static final String MAX_SCALE = "autoscaling.knative.dev/max-scale";

  static final ResourceDefinitionContext SERVICES = new ResourceDefinitionContext.Builder()
      .withGroup("serving.knative.dev").withVersion("v1").withKind("Service").withPlural("services")
      .withNamespaced(true).build();
  static final ResourceDefinitionContext PODAUTOSCALERS = new ResourceDefinitionContext.Builder()
      .withGroup("autoscaling.internal.knative.dev").withVersion("v1alpha1").withKind("PodAutoscaler")
      .withPlural("podautoscalers").withNamespaced(true).build();

  private final KubernetesClient client;
  private final String namespace;
  private final String service;
  private final boolean ownsClient;

  /**
   * @param client     fabric8 client
   * @param namespace  namespace of the Knative Service (null = the client's)
   * @param service    Knative Service name ({@code TRIBUTARY_SCALER_TARGET})
   * @param ownsClient close the client on {@link #close()}
   */
  public KnativeScaler(KubernetesClient client, String namespace, String service, boolean ownsClient) {
    this.client = Objects.requireNonNull(client, "client");
    if (service == null || service.isBlank()) {
      throw new IllegalArgumentException("TRIBUTARY_SCALER_TARGET is not set (the knative scaler needs the "
          + "runner Knative Service's name)");
    }
    this.service = service;
    this.namespace = KubernetesScalers.namespace(client, namespace);
    this.ownsClient = ownsClient;
  }

  @Override
  public String name() {
    return "knative";
  }

  @Override
  public Observed observe() {
    GenericKubernetesResource pa = podAutoscaler(readyRevision());
    Map<String, String> ann = pa.getMetadata().getAnnotations();
    int desired = parse(ann == null ? null : ann.get(MIN_SCALE));
    Object actual = status(pa).get("actualScale");
    return new Observed(desired, actual instanceof Number n ? n.intValue() : -1);
  }

  @Override
  public void scaleTo(int desired) {
    String revision = readyRevision();
    GenericKubernetesResource pa = podAutoscaler(revision);
    Map<String, String> ann = pa.getMetadata().getAnnotations();
    int max = parse(ann == null ? null : ann.get(MAX_SCALE));
    String patch = max > 0 && desired > max
        ? "{\"metadata\":{\"annotations\":{\"" + MIN_SCALE + "\":\"" + desired + "\",\"" + MAX_SCALE + "\":\""
            + desired + "\"}}}"
        : "{\"metadata\":{\"annotations\":{\"" + MIN_SCALE + "\":\"" + desired + "\"}}}";
    try {
      client.genericKubernetesResources(PODAUTOSCALERS).inNamespace(namespace).withName(revision)
          .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
      LOG.infof("scaling(knative): PodAutoscaler %s/%s (ready revision of Service %s) %s -> %d%s", namespace,
          revision, service, MIN_SCALE, desired, max > 0 && desired > max ? " (max-scale raised from " + max + ")" : "");
    } catch (KubernetesClientException e) {
      throw new ScalerException("knative: patching PodAutoscaler '" + revision + "' (Service '" + service
          + "', namespace '" + namespace + "') to min-scale " + desired + " failed: " + KubernetesScalers.message(e), e);
    }
  }

  private String readyRevision() {
    GenericKubernetesResource svc;
    try {
      svc = client.genericKubernetesResources(SERVICES).inNamespace(namespace).withName(service).get();
    } catch (KubernetesClientException e) {
      throw new ScalerException("knative: reading Service '" + service + "' in namespace '" + namespace
          + "' failed: " + KubernetesScalers.message(e), e);
    }
    if (svc == null) {
      throw new ScalerException("knative: Service '" + service + "' not found in namespace '" + namespace
          + "' — check TRIBUTARY_SCALER_TARGET and TRIBUTARY_K8S_NAMESPACE");
    }
    Object rev = status(svc).get("latestReadyRevisionName");
    if (!(rev instanceof String s) || s.isBlank()) {
      throw new ScalerException("knative: Service '" + service + "' in namespace '" + namespace
          + "' has no ready revision yet (status.latestReadyRevisionName is empty)");
    }
    return s;
  }

  private GenericKubernetesResource podAutoscaler(String revision) {
    GenericKubernetesResource pa;
    try {
      pa = client.genericKubernetesResources(PODAUTOSCALERS).inNamespace(namespace).withName(revision).get();
    } catch (KubernetesClientException e) {
      throw new ScalerException("knative: reading PodAutoscaler '" + revision + "' in namespace '" + namespace
          + "' failed: " + KubernetesScalers.message(e), e);
    }
    if (pa == null) {
      throw new ScalerException("knative: PodAutoscaler '" + revision + "' (ready revision of Service '" + service
          + "') not found in namespace '" + namespace + "'");
    }
    return pa;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> status(GenericKubernetesResource r) {
    Object s = r.getAdditionalProperties().get("status");
    return s instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  private static int parse(String v) {
    if (v == null || v.isBlank()) {
      return -1;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public void close() {
    if (ownsClient) {
      client.close();
    }
  }
}
