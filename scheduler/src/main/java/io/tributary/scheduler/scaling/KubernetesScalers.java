package io.tributary.scheduler.scaling;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Builds the fabric8 client for the {@code kubernetes} and {@code knative} scalers: in-cluster
 * service account or kubeconfig (fabric8's auto-configuration), short timeouts and one retry, so an
 * unreachable API server costs a tick seconds, not minutes.
 */
public final class KubernetesScalers {

  private KubernetesScalers() {
  }

  /** An auto-configured client with bounded timeouts. */
  public static KubernetesClient client() {
    Config base = Config.autoConfigure(null);
    Config cfg = new ConfigBuilder(base).withConnectionTimeout(5_000).withRequestTimeout(10_000)
        .withRequestRetryBackoffLimit(1).withRequestRetryBackoffInterval(500).build();
    return new KubernetesClientBuilder().withConfig(cfg).build();
  }

  /** The namespace to use: {@code configured} if set, else the client's own (service account). */
  static String namespace(KubernetesClient client, String configured) {
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    String ns = client.getNamespace();
    return ns == null || ns.isBlank() ? "default" : ns;
  }

  /** A one-line reason from a client exception (HTTP code and status message when present). */
  static String message(KubernetesClientException e) {
    StringBuilder b = new StringBuilder();
    if (e.getCode() > 0) {
      b.append("HTTP ").append(e.getCode()).append(' ');
    }
    if (e.getStatus() != null && e.getStatus().getMessage() != null) {
      b.append(e.getStatus().getMessage());
    } else {
      Throwable t = e;
      while (t.getCause() != null && t.getCause() != t) {
        t = t.getCause();
      }
      b.append(e.getMessage());
      if (t != e) {
        b.append(" (").append(t).append(')');
      }
    }
    return b.toString().trim();
  }
}
