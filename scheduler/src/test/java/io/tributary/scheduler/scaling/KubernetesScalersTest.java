package io.tributary.scheduler.scaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v1.Scale;
import io.fabric8.kubernetes.api.model.autoscaling.v1.ScaleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The kubernetes (Deployment scale) and knative (PodAutoscaler min-scale) scalers against fabric8's mock server. */
class KubernetesScalersTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NS = "tributary";
  private static final String DEPLOY = "/apis/apps/v1/namespaces/tributary/deployments/tributary-runner";
  private static final String KSVC = "/apis/serving.knative.dev/v1/namespaces/tributary/services/tributary-runner";
  private static final String PA = "/apis/autoscaling.internal.knative.dev/v1alpha1/namespaces/tributary/podautoscalers/"
      + "tributary-runner-00003";

  private KubernetesMockServer server;
  private KubernetesClient client;

  @BeforeEach
  void start() {
    server = new KubernetesMockServer(false);
    server.init();
    client = server.createClient();
  }

  @AfterEach
  void stop() {
    client.close();
    server.destroy();
  }

  private List<RecordedRequest> requests() throws InterruptedException {
    List<RecordedRequest> out = new ArrayList<>();
    RecordedRequest r;
    while ((r = server.takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
      out.add(r);
    }
    return out;
  }

  private static Deployment deployment(int replicas, int ready) {
    return new DeploymentBuilder().withNewMetadata().withName("tributary-runner").withNamespace(NS).endMetadata()
        .withNewSpec().withReplicas(replicas).endSpec().withNewStatus().withReplicas(replicas).withReadyReplicas(ready)
        .endStatus().build();
  }

  private static Scale scale(int replicas) {
    return new ScaleBuilder().withNewMetadata().withName("tributary-runner").withNamespace(NS).endMetadata()
        .withNewSpec().withReplicas(replicas).endSpec().withNewStatus().withReplicas(replicas).endStatus().build();
  }

  @Test
  void deploymentScalerSetsReplicasThroughTheScaleSubresource() throws Exception {
    server.expect().get().withPath(DEPLOY).andReturn(200, deployment(2, 1)).once();
    server.expect().get().withPath(DEPLOY + "/scale").andReturn(200, scale(2)).always();
    server.expect().put().withPath(DEPLOY + "/scale").andReturn(200, scale(5)).always();
    server.expect().patch().withPath(DEPLOY + "/scale").andReturn(200, scale(5)).always();
    try (KubernetesDeploymentScaler s = new KubernetesDeploymentScaler(client, NS, "tributary-runner", false)) {
      assertThat(s.observe()).isEqualTo(new Scaler.Observed(2, 1));
      requests();
      s.scaleTo(5);
    }
    List<RecordedRequest> writes = requests().stream().filter(r -> !r.getMethod().equals("GET")).toList();
    assertThat(writes).hasSize(1);
    RecordedRequest w = writes.get(0);
    assertThat(w.getPath()).isEqualTo(DEPLOY + "/scale");
    JsonNode body = JSON.readTree(w.getUtf8Body());
    assertThat(body.path("spec").path("replicas").asInt()).as("body %s", body).isEqualTo(5);
  }

  @Test
  void deploymentScalerNamesAMissingDeployment() {
    try (KubernetesDeploymentScaler s = new KubernetesDeploymentScaler(client, NS, "tributary-runner", false)) {
      assertThatThrownBy(s::observe).isInstanceOf(ScalerException.class)
          .hasMessageContaining("Deployment 'tributary-runner' not found in namespace 'tributary'");
    }
  }

  @Test
  void deploymentScalerReportsForbidden() {
    server.expect().get().withPath(DEPLOY).andReturn(403, Map.of("kind", "Status", "apiVersion", "v1", "status",
        "Failure", "message", "deployments.apps \"tributary-runner\" is forbidden", "code", 403)).always();
    try (KubernetesDeploymentScaler s = new KubernetesDeploymentScaler(client, NS, "tributary-runner", false)) {
      assertThatThrownBy(s::observe).isInstanceOf(ScalerException.class).hasMessageContaining("HTTP 403")
          .hasMessageContaining("forbidden");
    }
  }

  private static GenericKubernetesResource knativeService(String readyRevision) {
    GenericKubernetesResource r = new GenericKubernetesResourceBuilder().withApiVersion("serving.knative.dev/v1")
        .withKind("Service").withNewMetadata().withName("tributary-runner").withNamespace(NS).endMetadata().build();
    if (readyRevision != null) {
      r.setAdditionalProperty("status", Map.of("latestReadyRevisionName", readyRevision,
          "latestCreatedRevisionName", readyRevision));
    }
    return r;
  }

  private static GenericKubernetesResource podAutoscaler(String min, String max, Integer actual) {
    GenericKubernetesResource r = new GenericKubernetesResourceBuilder()
        .withApiVersion("autoscaling.internal.knative.dev/v1alpha1").withKind("PodAutoscaler").withNewMetadata()
        .withName("tributary-runner-00003").withNamespace(NS)
        .withAnnotations(Map.of(KnativeScaler.MIN_SCALE, min, KnativeScaler.MAX_SCALE, max,
            "autoscaling.knative.dev/class", "hpa.autoscaling.knative.dev"))
        .endMetadata().build();
    if (actual != null) {
      r.setAdditionalProperty("status", Map.of("actualScale", actual, "desiredScale", actual));
    }
    return r;
  }

  @Test
  void knativeScalerPatchesMinScaleOnTheReadyRevisionsPodAutoscaler() throws Exception {
    server.expect().get().withPath(KSVC).andReturn(200, knativeService("tributary-runner-00003")).always();
    server.expect().get().withPath(PA).andReturn(200, podAutoscaler("1", "8", 1)).always();
    server.expect().patch().withPath(PA).andReturn(200, podAutoscaler("3", "8", 1)).always();
    try (KnativeScaler s = new KnativeScaler(client, NS, "tributary-runner", false)) {
      assertThat(s.observe()).isEqualTo(new Scaler.Observed(1, 1));
      requests();
      s.scaleTo(3);
    }
    List<RecordedRequest> rs = requests();
    List<RecordedRequest> writes = rs.stream().filter(r -> !r.getMethod().equals("GET")).toList();
    assertThat(writes).hasSize(1);
    RecordedRequest w = writes.get(0);
    assertThat(w.getMethod()).isEqualTo("PATCH");
    assertThat(w.getPath()).isEqualTo(PA);
    assertThat(w.getHeader("Content-Type")).startsWith("application/merge-patch+json");
    assertThat(JSON.readTree(w.getUtf8Body())).isEqualTo(JSON.readTree(
        "{\"metadata\":{\"annotations\":{\"autoscaling.knative.dev/min-scale\":\"3\"}}}"));
    // the Service itself (its template, hence its revisions) is never written
    assertThat(rs).noneMatch(r -> r.getPath().startsWith(KSVC) && !r.getMethod().equals("GET"));
  }

  @Test
  void knativeScalerRaisesMaxScaleWhenTheMinimumWouldExceedIt() throws Exception {
    server.expect().get().withPath(KSVC).andReturn(200, knativeService("tributary-runner-00003")).always();
    server.expect().get().withPath(PA).andReturn(200, podAutoscaler("1", "4", 1)).always();
    server.expect().patch().withPath(PA).andReturn(200, podAutoscaler("6", "6", 1)).always();
    try (KnativeScaler s = new KnativeScaler(client, NS, "tributary-runner", false)) {
      s.scaleTo(6);
    }
    RecordedRequest w = requests().stream().filter(r -> r.getMethod().equals("PATCH")).findFirst().orElseThrow();
    assertThat(JSON.readTree(w.getUtf8Body())).isEqualTo(JSON.readTree("{\"metadata\":{\"annotations\":{"
        + "\"autoscaling.knative.dev/min-scale\":\"6\",\"autoscaling.knative.dev/max-scale\":\"6\"}}}"));
  }

  @Test
  void knativeScalerExplainsAServiceWithoutReadyRevision() {
    server.expect().get().withPath(KSVC).andReturn(200, knativeService(null)).always();
    try (KnativeScaler s = new KnativeScaler(client, NS, "tributary-runner", false)) {
      assertThatThrownBy(s::observe).isInstanceOf(ScalerException.class)
          .hasMessageContaining("has no ready revision yet");
    }
  }

  @Test
  void knativeScalerNamesAMissingService() {
    try (KnativeScaler s = new KnativeScaler(client, NS, "tributary-runner", false)) {
      assertThatThrownBy(() -> s.scaleTo(2)).isInstanceOf(ScalerException.class)
          .hasMessageContaining("Service 'tributary-runner' not found in namespace 'tributary'");
    }
  }
}
