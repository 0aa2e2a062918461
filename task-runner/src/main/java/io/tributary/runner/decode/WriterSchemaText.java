package io.tributary.runner.decode;

/**
 * A writer schema as a registry serves it: its id, its type ({@code AVRO} or {@code PROTOBUF}) and its
 * text (Avro JSON schema, or .proto source).
 */
public record WriterSchemaText(int id, String type, String text) {
}
