package io.tributary.formats.registry;

/**
 * A schema as a registry serves it: its global id, its type ({@code AVRO}, {@code PROTOBUF},
 * {@code JSON}), its text (Avro JSON schema, or .proto source) and, when read from a subject, the
 * subject and version (else null and 0).
 */
public record RegistrySchema(int id, String type, String text, String subject, int version) {
    /** A schema read by id (no subject). */
    public static RegistrySchema byId(int id, String type, String text) {
        return new RegistrySchema(id, type, text, null, 0);
    }

    public boolean isAvro() {
        return "AVRO".equalsIgnoreCase(type);
    }

    public boolean isProtobuf() {
        return "PROTOBUF".equalsIgnoreCase(type);
    }
}
