/**
 * Protobuf schemas: a .proto parser of our own ({@link io.tributary.formats.proto.ProtoParser}) into
 * a small model ({@link io.tributary.formats.proto.ProtoFile}, messages, fields, enums, with types
 * resolved and the well-known types built in), the columns a message maps to
 * ({@link io.tributary.formats.proto.ProtoColumns}) and protobuf-java descriptors built from the
 * model ({@link io.tributary.formats.proto.ProtoDescriptors}) for encoding with Google's
 * {@code DynamicMessage}. The runner's decoder walks the wire format itself using this model.
 */
package io.tributary.formats.proto;
