package io.tributary.scheduler.scaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;

/** The ECS scaler against a local HTTP server that checks the exact AWS JSON requests and answers like ECS. */
class EcsScalerTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113.";
  private static final AwsCredentialsProvider CREDS = StaticCredentialsProvider.create(
      AwsBasicCredentials.create("AKIDTEST", "secret"));

  /** One request as the server saw it. */
  record Seen(String method, String path, String target, String contentType, String authorization, JsonNode body) {
  }

  private HttpServer server;
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private volatile Function<Seen, Response> handler;

  record Response(int status, String body) {
  }

  // A tiny model of one ECS service.
  private volatile int desiredCount = 1;
  private volatile int runningCount = 1;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
    handler = this::ecs;
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private void handle(HttpExchange ex) throws IOException {
    byte[] in = ex.getRequestBody().readAllBytes();
    JsonNode body = in.length == 0 ? JSON.nullNode() : JSON.readTree(in);
    Seen s = new Seen(ex.getRequestMethod(), ex.getRequestURI().getPath(),
        ex.getRequestHeaders().getFirst("X-Amz-Target"), ex.getRequestHeaders().getFirst("Content-Type"),
        ex.getRequestHeaders().getFirst("Authorization"), body);
    seen.add(s);
    Response r = handler.apply(s);
    byte[] out = r.body().getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
    ex.getResponseHeaders().add("x-amzn-RequestId", "req-" + seen.size());
    ex.sendResponseHeaders(r.status(), out.length);
    ex.getResponseBody().write(out);
    ex.close();
  }

  private String service() {
    return "{\"serviceName\":\"tributary-runner\",\"serviceArn\":\"arn:aws:ecs:eu-west-1:123456789012:service/"
        + "tributary/tributary-runner\",\"clusterArn\":\"arn:aws:ecs:eu-west-1:123456789012:cluster/tributary\","
        + "\"status\":\"ACTIVE\",\"desiredCount\":" + desiredCount + ",\"runningCount\":" + runningCount
        + ",\"pendingCount\":0,\"launchType\":\"FARGATE\"}";
  }

  private Response ecs(Seen s) {
    if (!s.method().equals("POST") || !s.path().equals("/") || s.target() == null
        || !s.target().startsWith(TARGET_PREFIX)) {
      return new Response(400, "{\"__type\":\"InvalidAction\",\"message\":\"bad request\"}");
    }
    String op = s.target().substring(TARGET_PREFIX.length());
    String cluster = s.body().path("cluster").asText();
    if (!cluster.equals("tributary")) {
      return new Response(400, "{\"__type\":\"ClusterNotFoundException\",\"message\":\"Cluster not found.\"}");
    }
    switch (op) {
      case "DescribeServices" -> {
        if (!s.body().path("services").path(0).asText().equals("tributary-runner")) {
          return new Response(200, "{\"services\":[],\"failures\":[{\"arn\":\"arn:aws:ecs:eu-west-1:123456789012:"
              + "service/tributary/" + s.body().path("services").path(0).asText() + "\",\"reason\":\"MISSING\"}]}");
        }
        return new Response(200, "{\"services\":[" + service() + "],\"failures\":[]}");
      }
      case "UpdateService" -> {
        desiredCount = s.body().path("desiredCount").asInt();
        return new Response(200, "{\"service\":" + service() + "}");
      }
      default -> {
        return new Response(400, "{\"__type\":\"InvalidAction\",\"message\":\"" + op + "\"}");
      }
    }
  }

  private EcsScaler scaler(String cluster, String service) {
    return new EcsScaler(EcsScaler.client("eu-west-1", endpoint(), CREDS), cluster, service);
  }

  @Test
  void updateServiceSendsTheExactRequestAndDescribeReadsCountsBack() throws Exception {
    try (EcsScaler s = scaler("tributary", "tributary-runner")) {
      runningCount = 1;
      assertThat(s.observe()).isEqualTo(new Scaler.Observed(1, 1));
      s.scaleTo(4);
      runningCount = 3;
      assertThat(s.observe()).isEqualTo(new Scaler.Observed(4, 3));
    }
    assertThat(seen).hasSize(3);
    Seen describe = seen.get(0);
    assertThat(describe.method()).isEqualTo("POST");
    assertThat(describe.target()).isEqualTo("AmazonEC2ContainerServiceV20141113.DescribeServices");
    assertThat(describe.contentType()).startsWith("application/x-amz-json-1.1");
    assertThat(describe.body()).isEqualTo(JSON.readTree("{\"cluster\":\"tributary\",\"services\":[\"tributary-runner\"]}"));
    assertThat(describe.authorization()).startsWith("AWS4-HMAC-SHA256 Credential=AKIDTEST/")
        .contains("/eu-west-1/ecs/aws4_request");

    Seen update = seen.get(1);
    assertThat(update.target()).isEqualTo("AmazonEC2ContainerServiceV20141113.UpdateService");
    assertThat(update.contentType()).startsWith("application/x-amz-json-1.1");
    assertThat(update.body()).isEqualTo(JSON.readTree(
        "{\"cluster\":\"tributary\",\"service\":\"tributary-runner\",\"desiredCount\":4}"));
    assertThat(desiredCount).isEqualTo(4);
  }

  @Test
  void unknownClusterIsAClearError() {
    try (EcsScaler s = scaler("nope", "tributary-runner")) {
      assertThatThrownBy(s::observe).isInstanceOf(ScalerException.class)
          .hasMessageContaining("cluster 'nope'").hasMessageContaining("Cluster not found");
      assertThatThrownBy(() -> s.scaleTo(2)).isInstanceOf(ScalerException.class)
          .hasMessageContaining("UpdateService of service 'tributary-runner' in cluster 'nope' to desiredCount 2");
    }
  }

  @Test
  void missingServiceIsAClearError() {
    try (EcsScaler s = scaler("tributary", "other")) {
      assertThatThrownBy(s::observe).isInstanceOf(ScalerException.class)
          .hasMessageContaining("service 'other' in cluster 'tributary': MISSING")
          .hasMessageContaining("TRIBUTARY_SCALER_TARGET");
    }
  }

  @Test
  void noCredentialsIsAClearError() {
    AwsCredentialsProvider none = () -> {
      throw SdkClientException.create("Unable to load credentials from any of the providers in the chain");
    };
    try (EcsScaler s = new EcsScaler(EcsScaler.client("eu-west-1", endpoint(), none), "tributary",
        "tributary-runner")) {
      assertThatThrownBy(s::observe).isInstanceOf(ScalerException.class).hasMessageContaining("Unable to load credentials");
    }
    assertThat(seen).isEmpty();
  }

  @Test
  void unreachableEndpointFailsWithinSeconds() throws IOException {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    try (EcsScaler s = new EcsScaler(EcsScaler.client("eu-west-1", URI.create("http://127.0.0.1:" + port), CREDS),
        "tributary", "tributary-runner")) {
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> s.scaleTo(3)).isInstanceOf(ScalerException.class)
          .hasMessageContaining("cluster 'tributary'").hasMessageNotContaining("Attempt Count");
      // bounded by the 10 s call timeout (generous slack for a loaded 2-core machine)
      assertThat((System.nanoTime() - t0) / 1_000_000_000.0).isLessThan(40);
    }
  }
}
