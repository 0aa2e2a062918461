package io.tributary.formats.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * A client of a schema registry speaking the Confluent-compatible REST API (Confluent Schema
 * Registry, Apicurio's {@code /apis/ccompat/v7}, Karapace, Redpanda): schema by id, a subject's
 * latest version, registering a schema under a subject. Thread-safe.
 *
 * <p>Three outcomes for every call: the answer; {@link UnknownSchemaException} when the registry says
 * the id/subject does not exist (404); {@link RegistryUnavailableException} for everything else.
 */
public final class RegistryClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private final String url;
    private final String authorization;

    /**
     * @param url      base URL, e.g. {@code http://127.0.0.1:8081/apis/ccompat/v7} (a trailing / is dropped)
     * @param username HTTP basic user, or null
     * @param password HTTP basic password, or null
     */
    public RegistryClient(String url, String username, String password) {
        this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.authorization = username == null ? null : "Basic " + Base64.getEncoder().encodeToString(
                (username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    public RegistryClient(String url) {
        this(url, null, null);
    }

    public String url() {
        return url;
    }

    /** The schema with this global id. */
    public RegistrySchema byId(int id) {
        JsonNode n = send(get("/schemas/ids/" + id), "schema id " + id);
        return RegistrySchema.byId(id, type(n), schemaText(n, "schema id " + id));
    }

    /** The latest version of {@code subject}. */
    public RegistrySchema latest(String subject) {
        String what = "subject '" + subject + "'";
        JsonNode n = send(get("/subjects/" + enc(subject) + "/versions/latest"), what);
        return new RegistrySchema(n.path("id").asInt(), type(n), schemaText(n, what), subject, n.path("version").asInt());
    }

    /**
     * Registers {@code text} under {@code subject} (a no-op returning the existing id when the same schema
     * is already registered there); the registry's compatibility rules apply (409 is an error here).
     *
     * @param type {@code AVRO} or {@code PROTOBUF}
     * @return the schema's global id
     */
    public int register(String subject, String type, String text) {
        ObjectNode body = JSON.createObjectNode();
        body.put("schema", text);
        if (!"AVRO".equalsIgnoreCase(type)) {
            body.put("schemaType", type.toUpperCase(java.util.Locale.ROOT));
        }
        HttpRequest.Builder req = request("/subjects/" + enc(subject) + "/versions")
                .header("Content-Type", CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        JsonNode n = send(req, "registering a schema under subject '" + subject + "'");
        if (!n.has("id")) {
            throw new RegistryUnavailableException("registry " + url + " sent no id registering under '" + subject + "': " + n,
                    null);
        }
        return n.get("id").asInt();
    }

    private HttpRequest.Builder get(String path) {
        return request(path).GET();
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(REQUEST_TIMEOUT)
                .header("Accept", CONTENT_TYPE + ", application/json");
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b;
    }

    private JsonNode send(HttpRequest.Builder req, String what) {
        HttpResponse<String> resp;
        try {
            resp = HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new RegistryUnavailableException("schema registry " + url + " unreachable (" + what + "): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryUnavailableException("interrupted (" + what + ")", e);
        }
        int code = resp.statusCode();
        if (code == 404) {
            throw new UnknownSchemaException("unknown " + what + " (registry " + url + " answered 404: "
                    + abbreviate(resp.body()) + ")");
        }
        if (code / 100 != 2) {
            throw new RegistryUnavailableException("schema registry " + url + " answered HTTP " + code + " (" + what + "): "
                    + abbreviate(resp.body()), null);
        }
        try {
            return JSON.readTree(resp.body());
        } catch (IOException e) {
            throw new RegistryUnavailableException("schema registry " + url + " sent invalid JSON (" + what + ")", e);
        }
    }

    private String schemaText(JsonNode n, String what) {
        JsonNode schema = n.get("schema");
        if (schema == null || !schema.isTextual()) {
            throw new RegistryUnavailableException("schema registry " + url + " sent no schema (" + what + "): "
                    + abbreviate(n.toString()), null);
        }
        return schema.asText();
    }

    private static String type(JsonNode n) {
        JsonNode t = n.get("schemaType");
        return t == null || t.isNull() ? "AVRO" : t.asText();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String abbreviate(String s) {
        s = s == null ? "" : s.replace('\n', ' ');
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
