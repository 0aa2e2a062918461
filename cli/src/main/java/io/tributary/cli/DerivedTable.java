package io.tributary.cli;

import io.tributary.catalog.TableDefinition;
import io.tributary.formats.avro.AvroColumns;
import io.tributary.formats.proto.ProtoColumns;
import io.tributary.formats.proto.ProtoFile;
import io.tributary.formats.proto.ProtoParser;
import io.tributary.formats.registry.RegistrySchema;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The table YAML {@code table create --from-registry} derives from a subject's latest schema: the
 * same layout as {@code examples/clicks.yaml}, so what it prints is what a user would write and edit.
 */
final class DerivedTable {
    /** The env var the YAML names for the registry URL unless {@code --registry} was given. */
    static final String REGISTRY_VAR = "TRIBUTARY_SCHEMA_REGISTRY_URL";

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$.\\-]*");
    private static final Set<String> YAML_WORDS = Set.of("true", "false", "null", "yes", "no", "on", "off", "y", "n");

    /**
     * What the user asked for.
     *
     * @param subject         the registry subject
     * @param name            {@code --name}, or null (derived from the subject)
     * @param topic           {@code --topic}, or null (derived from the subject)
     * @param registryLiteral {@code --registry} (written into the YAML), or null ({@code ${TRIBUTARY_SCHEMA_REGISTRY_URL}})
     * @param registryUrl     the URL the schema was read from (for the header)
     * @param message         {@code --message} (Protobuf), or null for the first message
     */
    record Request(String subject, String name, String topic, String registryLiteral, String registryUrl, String message) {
    }

    private DerivedTable() {
    }

    /** The subject without Confluent's TopicNameStrategy {@code -value} suffix. */
    static String base(String subject) {
        return subject.endsWith("-value") ? subject.substring(0, subject.length() - "-value".length()) : subject;
    }

    /** A table name matching {@code [a-z][a-z0-9_]{0,62}} made from {@code text}. */
    static String sanitize(String text) {
        String s = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]+", "_").replaceAll("_+", "_")
                .replaceAll("^_|_$", "");
        if (s.isEmpty() || s.charAt(0) < 'a' || s.charAt(0) > 'z') {
            s = "t_" + s;
        }
        s = s.length() > 63 ? s.substring(0, 63) : s;
        return s.endsWith("_") && s.length() > 1 ? s.substring(0, s.length() - 1) : s;
    }

    /** The columns of {@code s} (Avro record, or the Protobuf message {@code message}, default the first). */
    static List<TableDefinition.Column> columns(RegistrySchema s, String message) {
        if (s.isAvro()) {
            return AvroColumns.derive(s.text());
        }
        if (s.isProtobuf()) {
            return ProtoColumns.derive(ProtoParser.parse(s.text()), message);
        }
        throw new IllegalArgumentException("it holds a " + s.type() + " schema; --from-registry derives columns from AVRO"
                + " and PROTOBUF schemas");
    }

    /** The message the Protobuf columns come from (its full name), or null for Avro. */
    static String messageName(RegistrySchema s, String message) {
        if (!s.isProtobuf()) {
            return null;
        }
        ProtoFile f = ProtoParser.parse(s.text());
        var m = message == null || message.isEmpty() ? f.firstMessage() : f.message(message);
        return m == null ? message : m.fullName();
    }

    /** The YAML definition, header comment first. */
    static String yaml(RegistrySchema s, Request r) {
        List<TableDefinition.Column> cols = columns(s, r.message());
        String format = s.isAvro() ? "avro" : "protobuf";
        String message = messageName(s, r.message());
        String name = r.name() != null ? r.name() : sanitize(base(r.subject()));
        String topic = r.topic() != null ? r.topic() : base(r.subject());
        StringBuilder y = new StringBuilder();
        y.append("# Derived by `tributary table create --from-registry ").append(r.subject()).append("` from subject ")
                .append(r.subject()).append(" version ").append(s.version()).append(" (schema id ").append(s.id())
                .append(", ").append(s.type().toUpperCase(Locale.ROOT))
                .append(message == null ? "" : ", message " + message).append(")\n");
        y.append("# at ").append(r.registryUrl()).append(". Review the columns (names, types, nullable), then:\n");
        y.append("#   ./tributary table create -f THIS_FILE.yaml\n");
        y.append("# ${VAR} is expanded from the environment and .tributary/local.env (written by `tributary local up`).\n");
        y.append("name: ").append(scalar(name)).append('\n');
        y.append("source:\n");
        y.append("  bootstrap: ${TRIBUTARY_KAFKA_BOOTSTRAP}\n");
        y.append("  topic: ").append(scalar(topic)).append('\n');
        y.append("  start: earliest\n");
        y.append("format: ").append(format).append('\n');
        y.append("registry:\n");
        y.append("  url: ").append(r.registryLiteral() == null ? "${" + REGISTRY_VAR + "}" : scalar(r.registryLiteral()))
                .append('\n');
        y.append("  subject: ").append(scalar(r.subject())).append('\n');
        y.append("columns:\n");
        appendColumns(y, cols);
        y.append("metadata: [ _partition, _offset, _timestamp ]\n");
        y.append("output:\n");
        y.append("  bucket: ${TRIBUTARY_BUCKET}\n");
        y.append("  prefix: tables\n");
        y.append("  compression: zstd\n");
        y.append("flush: { max_rows: 500000, max_bytes: 64MiB, max_age: 5s }\n");
        y.append("errors: { policy: dlq }\n");
        return y.toString();
    }

    /** One flow mapping per column, aligned as in {@code examples/clicks.yaml}. */
    private static void appendColumns(StringBuilder y, List<TableDefinition.Column> cols) {
        int nameWidth = 0;
        int typeWidth = 0;
        for (TableDefinition.Column c : cols) {
            nameWidth = Math.max(nameWidth, scalar(c.name()).length() + 1);
            typeWidth = Math.max(typeWidth, scalar(c.type().toString()).length() + 1);
        }
        for (TableDefinition.Column c : cols) {
            y.append("  - { name: ").append(pad(scalar(c.name()) + ",", nameWidth))
                    .append(" type: ").append(pad(scalar(c.type().toString()) + ",", typeWidth))
                    .append(" path: ").append(scalar(c.path()));
            if (!c.nullable()) {
                y.append(", nullable: false");
            }
            y.append(" }\n");
        }
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    /** A YAML scalar: plain when it reads back as that string, else double-quoted. */
    static String scalar(String v) {
        if (PLAIN.matcher(v).matches() && !YAML_WORDS.contains(v.toLowerCase(Locale.ROOT)) && !v.contains("${")) {
            return v;
        }
        return '"' + v.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
