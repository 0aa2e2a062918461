package io.tributary.runner.decode.proto;

import io.tributary.formats.proto.ProtoField;

/**
 * A field some column path goes through or ends at, in a {@link ProtoNode}. Exists to give the field a
 * slot number ({@link #id}) in the {@link ProtoPlan}'s per-row arrays and to carry what the wire walk
 * checks per occurrence (wire type, repeated, packable) without going back to the schema.
 */
final class ProtoTarget {
    final ProtoField field;
    final int id;
    final int wireType;
    final boolean repeated;
    final boolean packable;
    ProtoNode child;

    ProtoTarget(ProtoField field, int id) {
        this.field = field;
        this.id = id;
        this.wireType = field.kind().wireType();
        this.repeated = field.isRepeated();
        this.packable = field.kind().isPackable();
    }
}
