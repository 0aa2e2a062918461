package io.tributary.runner.decode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.catalog.TableDefinition;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * Fetches writer schemas by id from a schema registry speaking the Confluent-compatible REST API
 * ({@code GET <url>/schemas/ids/<id>}; Apicurio serves it under {@code /apis/ccompat/v7}). Ids are
 * immutable, so callers cache what they get forever.
 *
 * <p>Outcomes: the schema; {@link UnknownSchemaException} when the registry answers that the id does
 * not exist (the record becomes a dead letter); {@link SchemaRegistryUnavailableException} for
 * anything else (no answer, 5xx, 401/403, garbage): the record is kept and retried.
 */
public final class SchemaRegistryClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    /** The registry answered that this schema id does not exist. */
    public static final class UnknownSchemaException extends RuntimeException {
        public UnknownSchemaException(String message) {
            super(message, null, false, false);
        }
    }

    private final String url;
    private final String authorization;

    public SchemaRegistryClient(TableDefinition.Registry registry) {
        this.url = registry.url();
        this.authorization = registry.username() == null ? null : "Basic " + Base64.getEncoder().encodeToString(
                (registry.username() + ":" + registry.password()).getBytes(StandardCharsets.UTF_8));
    }

    public String url() {
        return url;
    }

    /** The schema with this id; see the class comment for the three outcomes. */
    public WriterSchemaText byId(int id) {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url + "/schemas/ids/" + id))
                .timeout(REQUEST_TIMEOUT).header("Accept", "application/vnd.schemaregistry.v1+json, application/json").GET();
        if (authorization != null) {
            req.header("Authorization", authorization);
        }
        HttpResponse<String> resp;
        try {
            resp = HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new SchemaRegistryUnavailableException("schema registry " + url + " unreachable fetching schema id " + id
                    + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryUnavailableException("interrupted fetching schema id " + id, e);
        }
        int code = resp.statusCode();
        if (code == 404) {
            throw new UnknownSchemaException("unknown schema id " + id + " (registry " + url + " answered 404: "
                    + abbreviate(resp.body()) + ")");
        }
        if (code != 200) {
            throw new SchemaRegistryUnavailableException("schema registry " + url + " answered HTTP " + code
                    + " fetching schema id " + id + ": " + abbreviate(resp.body()), null);
        }
        try {
            JsonNode n = JSON.readTree(resp.body());
            JsonNode schema = n.get("schema");
            if (schema == null || !schema.isTextual()) {
                throw new SchemaRegistryUnavailableException("schema registry " + url + " sent no schema for id " + id
                        + ": " + abbreviate(resp.body()), null);
            }
            JsonNode type = n.get("schemaType");
            return new WriterSchemaText(id, type == null || type.isNull() ? "AVRO" : type.asText(), schema.asText());
        } catch (IOException e) {
            throw new SchemaRegistryUnavailableException("schema registry " + url + " sent invalid JSON for id " + id, e);
        }
    }

    private static String abbreviate(String s) {
        s = s == null ? "" : s.replace('\n', ' ');
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
