package io.tributary.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The local stack's schema registry (Apicurio Registry, a real server in its own JVM) speaks the
 * Confluent schema-registry REST API: Avro and Protobuf schemas are registered and read back by id,
 * a compatible evolution gets a new id, an incompatible one is refused (BACKWARD by default), and
 * every id still resolves after the registry is stopped and started again, also after a SIGKILL.
 */
class SchemaRegistryIT {

    private static final String CT = "application/vnd.schemaregistry.v1+json";
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*(\\d+)");

    private static final String ORDER_V1 = "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"io.tributary.it\","
            + "\"fields\":[{\"name\":\"id\",\"type\":\"long\"},{\"name\":\"amount\",\"type\":\"double\"}]}";
    private static final String ORDER_V2 = "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"io.tributary.it\","
            + "\"fields\":[{\"name\":\"id\",\"type\":\"long\"},{\"name\":\"amount\",\"type\":\"double\"},"
            + "{\"name\":\"currency\",\"type\":\"string\",\"default\":\"EUR\"}]}";
    private static final String ORDER_BAD = "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"io.tributary.it\","
            + "\"fields\":[{\"name\":\"id\",\"type\":\"long\"},{\"name\":\"amount\",\"type\":\"double\"},"
            + "{\"name\":\"country\",\"type\":\"string\"}]}";
    private static final String CLICK_PROTO = "syntax = \"proto3\";\npackage io.tributary.it;\n\n"
            + "message Click {\n  int64 user_id = 1;\n  string url = 2;\n  int64 ts_ms = 3;\n}\n";

    private static Path dir;
    private static LocalStack stack;
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("registry-it-");
        stack = LocalStack.owned(dir);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void confluentApiSchemasAndIdsSurviveARestart() throws Exception {
        long t0 = System.nanoTime();
        URI base = stack.schemaRegistryUrl();
        System.out.printf("schema registry up at %s in %.1f s%n", base, (System.nanoTime() - t0) / 1e9);
        assertThat(base.toString()).startsWith("http://127.0.0.1:").endsWith("/apis/ccompat/v7");
        long pid = stack.schemaRegistryPid().orElseThrow();
        System.out.printf("schema registry rss %d MiB%n", rssKiB(pid) / 1024);

        // Avro: register, read back by id, evolve compatibly (new field with a default) -> new id.
        int v1 = register(base, "orders-value", ORDER_V1, null);
        assertThat(schemaById(base, v1)).contains("\"name\":\"Order\"").doesNotContain("currency");
        assertThat(register(base, "orders-value", ORDER_V1, null)).as("same schema, same id").isEqualTo(v1);
        int v2 = register(base, "orders-value", ORDER_V2, null);
        assertThat(v2).isNotEqualTo(v1);
        assertThat(schemaById(base, v2)).contains("currency");
        assertThat(get(base, "/subjects/orders-value/versions").body()).isEqualTo("[1,2]");
        assertThat(get(base, "/config").body()).contains("BACKWARD");
        HttpResponse<String> bad = post(base, "/subjects/orders-value/versions", body(ORDER_BAD, null));
        assertThat(bad.statusCode()).as("a new field without default breaks BACKWARD: %s", bad.body()).isEqualTo(409);

        // Protobuf.
        int proto = register(base, "clicks-value", CLICK_PROTO, "PROTOBUF");
        String protoBack = get(base, "/schemas/ids/" + proto).body();
        assertThat(protoBack).contains("\"schemaType\":\"PROTOBUF\"").contains("message Click").contains("int64 user_id = 1;");

        // Stop and start just the registry: same URL, same ids.
        stack.stopSchemaRegistry();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        long t1 = System.nanoTime();
        URI again = stack.schemaRegistryUrl();
        System.out.printf("schema registry restarted in %.1f s%n", (System.nanoTime() - t1) / 1e9);
        assertThat(again).isEqualTo(base);
        assertThat(stack.schemaRegistryPid().orElseThrow()).isNotEqualTo(pid);
        assertIdsResolve(base, v1, v2, proto);
        assertThat(register(base, "orders-value", ORDER_V2, null)).isEqualTo(v2);

        // A SIGKILL right after a registration loses nothing either (H2 file, WRITE_DELAY=0).
        int v3 = register(base, "orders-value", ORDER_V2.replace("\"EUR\"}]}", "\"EUR\"},"
                + "{\"name\":\"note\",\"type\":[\"null\",\"string\"],\"default\":null}]}"), null);
        ProcessHandle killed = ProcessHandle.of(stack.schemaRegistryPid().orElseThrow()).orElseThrow();
        killed.destroyForcibly();
        killed.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(stack.restartSchemaRegistry()).isEqualTo(base);
        assertIdsResolve(base, v1, v2, proto, v3);
        assertThat(get(base, "/subjects/orders-value/versions").body()).isEqualTo("[1,2,3]");

        // local.env / env() names the running registry (this starts Kafka, DynamoDB and S3 too).
        assertThat(stack.env()).containsEntry("TRIBUTARY_SCHEMA_REGISTRY_URL", base.toString());
    }

    private static void assertIdsResolve(URI base, int v1, int v2, int proto, int... more) throws Exception {
        assertThat(schemaById(base, v1)).doesNotContain("currency");
        assertThat(schemaById(base, v2)).contains("currency");
        assertThat(get(base, "/schemas/ids/" + proto).body()).contains("message Click");
        for (int id : more) {
            assertThat(get(base, "/schemas/ids/" + id).statusCode()).isEqualTo(200);
        }
    }

    private static int register(URI base, String subject, String schema, String type) throws Exception {
        HttpResponse<String> r = post(base, "/subjects/" + subject + "/versions", body(schema, type));
        assertThat(r.statusCode()).as("register %s: %s", subject, r.body()).isEqualTo(200);
        Matcher m = ID.matcher(r.body());
        assertThat(m.find()).as(r.body()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static String schemaById(URI base, int id) throws Exception {
        HttpResponse<String> r = get(base, "/schemas/ids/" + id);
        assertThat(r.statusCode()).as("schema %d: %s", id, r.body()).isEqualTo(200);
        return r.body().replace("\\\"", "\"");
    }

    private static String body(String schema, String type) {
        String escaped = schema.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
        return "{" + (type == null ? "" : "\"schemaType\":\"" + type + "\",") + "\"schema\":\"" + escaped + "\"}";
    }

    private static HttpResponse<String> post(URI base, String path, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", CT).header("Accept", CT)
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(URI base, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Accept", CT).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long rssKiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (Exception ignored) {
            // not Linux: no number
        }
        return -1;
    }
}
