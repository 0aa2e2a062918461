package io.tributary.runner.decode.proto;

import io.tributary.formats.proto.ProtoField;
import io.tributary.runner.decode.RowSchema;

/**
 * One table column in a {@link ProtoPlan}: the slot its value comes from and the op that writes it
 * ({@code OP_*}, chosen once by {@link ProtoPlanner} from the writer's field kind and the column type,
 * dispatched per record by {@link ProtoColumnWriter}). Exists so the per-record path never looks at
 * types again.
 */
final class ProtoColumn {
    static final int OP_NONE = 0;
    static final int OP_INT = 1;
    static final int OP_LONG = 2;
    static final int OP_DOUBLE = 3;
    static final int OP_BOOL = 4;
    static final int OP_STRING = 5;
    static final int OP_BASE64 = 6;
    static final int OP_ENUM_NAME = 7;
    static final int OP_TS_STRING = 8;
    static final int OP_DATE_STRING = 9;
    static final int OP_DATE_INT = 10;
    static final int OP_DEC_STRING = 11;
    static final int OP_DEC_INT = 12;
    static final int OP_DEC_FLOAT = 13;
    static final int OP_MILLIS_MSG = 14;
    static final int OP_DATE_MSG = 15;
    static final int OP_JSON_SCALAR = 16;
    static final int OP_JSON_MESSAGE = 17;
    static final int OP_JSON_REPEATED = 18;
    static final int OP_JSON_MAP = 19;
    static final int OP_JSON_ROOT = 20;

    final RowSchema.Field f;
    ProtoTarget target; // null: the writer schema has no such field
    ProtoNode parent; // the message whose presence makes an absent leaf its default
    ProtoField leaf;
    int op;
    boolean defaultable;
    long defaultRaw;
    byte[][] enumNames; // by number, for small non-negative enum numbers

    ProtoColumn(RowSchema.Field f) {
        this.f = f;
    }
}
