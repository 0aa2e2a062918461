package io.tributary.cli;

import io.tributary.catalog.TableDefinition;
import io.tributary.formats.registry.RegistryClient;
import io.tributary.formats.registry.RegistrySchema;
import io.tributary.formats.registry.RegistryUnavailableException;
import io.tributary.formats.registry.UnknownSchemaException;
import java.util.Map;
import java.util.Optional;

/**
 * The schema registry as the CLI meets it ({@code produce --format avro|protobuf},
 * {@code table create}): which URL, and its failures as one line naming the URL and the subject.
 */
final class Registries {
    private Registries() {
    }

    /** {@code --registry}, else {@code TRIBUTARY_SCHEMA_REGISTRY_URL}; a one-line error when neither is set. */
    static String url(String option, Map<String, String> env, String forWhat) {
        if (option != null && !option.isBlank()) {
            return option;
        }
        String v = env.get(DerivedTable.REGISTRY_VAR);
        if (v == null || v.isBlank()) {
            throw new CliException(forWhat + " needs a schema registry: give --registry URL or set "
                    + DerivedTable.REGISTRY_VAR + " (`tributary local up` starts one and writes it to "
                    + Home.localEnvFile() + ")");
        }
        return v;
    }

    /** Why a registry call failed, in words (no exception class names). */
    static String reason(RuntimeException e) {
        Throwable c = e.getCause();
        if (c instanceof java.net.http.HttpTimeoutException) {
            return "no answer within the timeout";
        }
        if (c instanceof java.net.ConnectException) {
            return "nothing answers there (connection refused)";
        }
        if (c instanceof java.io.IOException) {
            String m = c.getMessage();
            return "I/O error" + (m == null || m.isBlank() ? "" : ": " + Errors.firstLine(m));
        }
        return Errors.shorten(Errors.firstLine(e.getMessage()));
    }

    /** A client, or a one-line error for a URL that is not one. */
    static RegistryClient client(String url) {
        try {
            return new RegistryClient(url);
        } catch (IllegalArgumentException e) {
            throw new CliException("--registry: not a URL: '" + url + "'");
        }
    }

    /** The latest schema of {@code subject}; a missing subject or a registry that does not answer is one line. */
    static RegistrySchema latest(String url, String subject) {
        try {
            return client(url).latest(subject);
        } catch (UnknownSchemaException e) {
            throw new CliException("--from-registry: schema registry " + url + " has no subject '" + subject
                    + "' (register a schema first, e.g. `tributary produce --format avro --topic "
                    + DerivedTable.base(subject) + "`)", e);
        } catch (RegistryUnavailableException | IllegalArgumentException e) {
            throw new CliException("--from-registry: cannot read subject '" + subject + "' from schema registry " + url + ": "
                    + reason(e), e);
        }
    }

    /**
     * For a table whose records are framed by a registry with a {@code subject}: one warning line when the
     * registry does not answer, lacks the subject or holds another format there; empty when all is well.
     * The table is created either way (records carry their schema ids; only {@code produce} and
     * {@code --from-registry} need the subject).
     */
    static Optional<String> subjectWarning(TableDefinition def) {
        TableDefinition.WriterSchema ws = def.writerSchema();
        if (def.format() == TableDefinition.Format.JSON || ws == null || !ws.framed() || ws.registry().subject() == null) {
            return Optional.empty();
        }
        TableDefinition.Registry r = ws.registry();
        String where = "subject '" + r.subject() + "' at schema registry " + r.url();
        try {
            RegistrySchema s = new RegistryClient(r.url(), r.username(), r.password()).latest(r.subject());
            String expected = def.format() == TableDefinition.Format.AVRO ? "AVRO" : "PROTOBUF";
            if (!expected.equalsIgnoreCase(s.type())) {
                return Optional.of("warning: " + where + " holds a " + s.type() + " schema (id " + s.id()
                        + ") but the table's format is " + def.format().wire() + ": its records will be dead letters");
            }
            return Optional.empty();
        } catch (UnknownSchemaException e) {
            return Optional.of("warning: no " + where + " yet: created anyway (records decode by the schema ids they"
                    + " carry; only produce and --from-registry need the subject)");
        } catch (RegistryUnavailableException | IllegalArgumentException e) {
            return Optional.of("warning: cannot check " + where + " (" + reason(e)
                    + "): created anyway; runners wait for the registry before decoding");
        }
    }
}
