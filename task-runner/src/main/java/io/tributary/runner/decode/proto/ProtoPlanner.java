package io.tributary.runner.decode.proto;

import static io.tributary.runner.decode.proto.ProtoColumn.OP_BASE64;
import static io.tributary.runner.decode.proto.ProtoColumn.OP_BOOL;
import static io.tributary.runner.decode.proto.ProtoColumn.OP_DATE_INT;
import static io.tributary.runner.decode.proto.ProtoColumn.OP_DATE_MSG;
import static io.tributary.runner.decode.proto.ProtoColumn.OP_DATE_STRING;
import static io.tributary.runner.decode.proto.ProtoColumn.OP_DEC_FLOAT;
import static io.tributary.runner.decode.proto.ProtoColumn.OP_DEC_INT;
import static io.tributary.runner.decode.proto.ProtoColumn.OP_DEC_STRING;
import static io.tributary.runner.decode.proto.ProtoColumn.OP_DOUBLE;
import static io.tributary.runner.decode.proto.ProtoColumn.OP_ENUM_NAME;
import static io.tributary.runner.decode.proto.ProtoColumn.OP_INT;
import static io.tributary.runner.decode.proto.ProtoColumn.OP_JSON_MAP;
import static io.tributary.runner.decode.proto.ProtoColumn.OP_JSON_MESSAGE;
import static io.tributary.runner.decode.proto.ProtoColumn.OP_JSON_REPEATED;
import static io.tributary.runner.decode.proto.ProtoColumn.OP_JSON_ROOT;
import static io.tributary.runner.decode.proto.ProtoColumn.OP_JSON_SCALAR;
import static io.tributary.runner.decode.proto.ProtoColumn.OP_LONG;
import static io.tributary.runner.decode.proto.ProtoColumn.OP_MILLIS_MSG;
import static io.tributary.runner.decode.proto.ProtoColumn.OP_NONE;
import static io.tributary.runner.decode.proto.ProtoColumn.OP_STRING;
import static io.tributary.runner.decode.proto.ProtoColumn.OP_TS_STRING;

import io.tributary.catalog.ColumnType;
import io.tributary.formats.proto.ProtoEnum;
import io.tributary.formats.proto.ProtoField;
import io.tributary.formats.proto.ProtoMessage;
import io.tributary.formats.proto.WellKnownTypes;
import io.tributary.runner.decode.RowSchema;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Compile time of the Protobuf decoder: resolves each column path against one message type of the
 * writer schema (proto name, else JSON name), builds the {@link ProtoNode}/{@link ProtoTarget} tree
 * the wire walk dispatches on, and decides each column's type pairing ({@link ProtoColumn} op) once.
 * An incompatible pairing makes the {@link ProtoPlan} refuse every record of this message type with a
 * message naming the column and the writer's field. Exists so that none of this runs per record.
 * Stateless.
 */
final class ProtoPlanner {
    private ProtoPlanner() {
    }

    /** Compiles message {@code m} of a writer schema for the table's columns. */
    static ProtoPlan compile(ProtoMessage m, RowSchema rows, String label, ProtoCursor c, ProtoJson json) {
        List<ProtoNode> nodes = new ArrayList<>();
        ProtoNode root = new ProtoNode(m, 0);
        nodes.add(root);
        int[] targetCount = {0};
        ProtoColumn[] cols = new ProtoColumn[rows.size()];
        String refusal = null;
        for (int i = 0; i < cols.length; i++) {
            RowSchema.Field f = rows.field(i);
            ProtoColumn col = new ProtoColumn(f);
            cols[i] = col;
            List<Object> steps = f.path().steps();
            List<ProtoField> chain = new ArrayList<>(steps.size());
            ProtoMessage msg = m;
            boolean present = true;
            for (Object step : steps) {
                if (!(step instanceof String name)) {
                    if (refusal == null) {
                        refusal = f.describe() + ": array indexes in paths are not supported for Protobuf; land the"
                                + " repeated field as a json column (" + label + ")";
                    }
                    present = false;
                    break;
                }
                ProtoField pf = msg == null ? null : field(msg, name);
                if (pf == null) {
                    present = false; // not in this writer schema, or below a non-message: never present
                    break;
                }
                chain.add(pf);
                msg = pf.kind() == ProtoField.Kind.MESSAGE && !pf.isRepeated() ? pf.messageType() : null;
            }
            ColumnType.Kind k = f.type().kind();
            if (steps.isEmpty()) {
                if (k == ColumnType.Kind.JSON) {
                    col.op = OP_JSON_ROOT;
                } else if (refusal == null) {
                    refusal = f.describe() + ": " + label + " has message " + m.fullName() + " at the root, which cannot"
                            + " fill a " + f.type() + " column (use type json)";
                }
                continue;
            }
            if (!present) {
                continue;
            }
            ProtoNode node = root;
            ProtoTarget t = null;
            for (int s = 0; s < chain.size(); s++) {
                t = targetFor(node, chain.get(s), targetCount);
                if (s < chain.size() - 1) {
                    node = childOf(t, nodes);
                }
            }
            ProtoField leaf = chain.get(chain.size() - 1);
            if (!leaf.isRepeated() && leaf.kind() == ProtoField.Kind.MESSAGE && WellKnownTypes.isWrapper(leaf.messageType())
                    && k != ColumnType.Kind.JSON) {
                node = childOf(t, nodes);
                leaf = leaf.messageType().fieldByNumber(1);
                t = targetFor(node, leaf, targetCount);
            }
            col.target = t;
            col.parent = node;
            col.leaf = leaf;
            col.op = op(leaf, k);
            if (col.op == OP_NONE) {
                if (refusal == null) {
                    ProtoField declared = chain.get(chain.size() - 1);
                    boolean structured = declared.isRepeated() || declared.kind() == ProtoField.Kind.MESSAGE;
                    refusal = f.describe() + ": " + label + " has " + declared.declaration() + " "
                            + declared.declaringMessage().fullName() + "." + declared.name() + ", which cannot fill a "
                            + f.type() + " column" + (structured ? " (use type json)" : "");
                }
                continue;
            }
            col.defaultable = !leaf.hasPresence() && col.op != OP_TS_STRING && col.op != OP_DATE_STRING
                    && col.op != OP_DEC_STRING;
            if (leaf.kind() == ProtoField.Kind.ENUM && !leaf.isRepeated()) {
                col.defaultRaw = leaf.enumType().first().number();
                col.enumNames = enumNames(leaf.enumType());
            }
        }
        for (ProtoNode n : nodes) {
            n.seal();
        }
        return new ProtoPlan(m, label, refusal, root, nodes, cols, targetCount[0], c, json);
    }

    /** A refusing plan (a message-index path that names no message, a schema that cannot fill the columns). */
    static ProtoPlan refusing(ProtoMessage m, String why) {
        return new ProtoPlan(m, "", why, new ProtoNode(m, 0), List.of(), new ProtoColumn[0], 0, null, null);
    }

    /** The field by its proto name, else by its JSON name. */
    private static ProtoField field(ProtoMessage m, String name) {
        ProtoField f = m.field(name);
        if (f == null) {
            for (ProtoField g : m.fields()) {
                if (g.jsonName().equals(name)) {
                    return g;
                }
            }
        }
        return f;
    }

    private static ProtoTarget targetFor(ProtoNode node, ProtoField pf, int[] count) {
        for (ProtoTarget t : node.targets) {
            if (t.field == pf) {
                return t;
            }
        }
        ProtoTarget t = new ProtoTarget(pf, count[0]++);
        node.targets.add(t);
        return t;
    }

    private static ProtoNode childOf(ProtoTarget t, List<ProtoNode> nodes) {
        if (t.child == null) {
            t.child = new ProtoNode(t.field.messageType(), nodes.size());
            nodes.add(t.child);
        }
        return t.child;
    }

    private static byte[][] enumNames(ProtoEnum e) {
        int max = -1;
        for (ProtoEnum.Value v : e.values()) {
            if (v.number() < 0 || v.number() > 1024) {
                return null;
            }
            max = Math.max(max, v.number());
        }
        byte[][] names = new byte[max + 1][];
        for (ProtoEnum.Value v : e.values()) {
            if (names[v.number()] == null) {
                names[v.number()] = v.name().getBytes(StandardCharsets.UTF_8);
            }
        }
        return names;
    }


    /** How a (singular or repeated) field fills a column of kind {@code k}; OP_NONE when it cannot. */
    private static int op(ProtoField leaf, ColumnType.Kind k) {
        if (leaf.isRepeated()) {
            if (k != ColumnType.Kind.JSON) {
                return OP_NONE;
            }
            return leaf.isMap() ? OP_JSON_MAP : OP_JSON_REPEATED;
        }
        ProtoField.Kind fk = leaf.kind();
        if (k == ColumnType.Kind.JSON) {
            return fk == ProtoField.Kind.MESSAGE ? OP_JSON_MESSAGE : OP_JSON_SCALAR;
        }
        switch (fk) {
            case MESSAGE -> {
                ProtoMessage t = leaf.messageType();
                if (WellKnownTypes.isTimestamp(t)) {
                    return k == ColumnType.Kind.TIMESTAMP || k == ColumnType.Kind.LONG ? OP_MILLIS_MSG
                            : k == ColumnType.Kind.DATE ? OP_DATE_MSG : OP_NONE;
                }
                if (WellKnownTypes.isDuration(t)) {
                    return k == ColumnType.Kind.LONG ? OP_MILLIS_MSG : OP_NONE;
                }
                return OP_NONE;
            }
            case ENUM -> {
                return switch (k) {
                    case STRING -> OP_ENUM_NAME;
                    case INT -> OP_INT;
                    case LONG -> OP_LONG;
                    default -> OP_NONE;
                };
            }
            case BOOL -> {
                return k == ColumnType.Kind.BOOLEAN ? OP_BOOL : OP_NONE;
            }
            case STRING -> {
                return switch (k) {
                    case STRING -> OP_STRING;
                    case TIMESTAMP -> OP_TS_STRING;
                    case DATE -> OP_DATE_STRING;
                    case DECIMAL -> OP_DEC_STRING;
                    default -> OP_NONE;
                };
            }
            case BYTES -> {
                return k == ColumnType.Kind.STRING ? OP_BASE64 : OP_NONE;
            }
            case FLOAT, DOUBLE -> {
                return switch (k) {
                    case DOUBLE -> OP_DOUBLE;
                    case DECIMAL -> OP_DEC_FLOAT;
                    default -> OP_NONE;
                };
            }
            default -> {
                return switch (k) { // the integer kinds
                    case INT -> OP_INT;
                    case LONG, TIMESTAMP -> OP_LONG;
                    case DOUBLE -> OP_DOUBLE;
                    case DATE -> OP_DATE_INT;
                    case DECIMAL -> OP_DEC_INT;
                    default -> OP_NONE;
                };
            }
        }
    }
}
