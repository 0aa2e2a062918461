package io.tributary.runner.decode.proto;

import io.tributary.catalog.ColumnType;
import io.tributary.formats.proto.ProtoEnum;
import io.tributary.formats.proto.ProtoField;
import io.tributary.formats.proto.ProtoMessage;
import io.tributary.formats.proto.WellKnownTypes;
import io.tributary.runner.buffer.ColumnVector;
import io.tributary.runner.buffer.PartitionBuffer;
import io.tributary.runner.decode.BadRecord;
import io.tributary.runner.decode.ColumnValues;
import io.tributary.runner.decode.RowSchema;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One message type of a writer schema compiled against the table's column paths: a tree of
 * {@link Node}s (the messages on some path) whose {@link Target}s are the fields some column path
 * goes through or ends at, dispatched by field number. Decoding walks the wire format once: fields
 * without a target are skipped by wire type, targets keep their value in a per-row slot (so the last
 * occurrence of a singular field wins and nested messages merge, as protobuf's parsers do), repeated
 * fields keep their occurrences; the columns are written at the end, in order. Type pairings are
 * decided here, once; an incompatible one makes the plan refuse every record of this message type
 * with a message naming the column and the writer's field.
 *
 * <p>Holds the per-row state; not thread-safe.
 */
final class ProtoPlan {
    // ---------------------------------------------------------------- column ops
    private static final int OP_NONE = 0;
    private static final int OP_INT = 1;
    private static final int OP_LONG = 2;
    private static final int OP_DOUBLE = 3;
    private static final int OP_BOOL = 4;
    private static final int OP_STRING = 5;
    private static final int OP_BASE64 = 6;
    private static final int OP_ENUM_NAME = 7;
    private static final int OP_TS_STRING = 8;
    private static final int OP_DATE_STRING = 9;
    private static final int OP_DATE_INT = 10;
    private static final int OP_DEC_STRING = 11;
    private static final int OP_DEC_INT = 12;
    private static final int OP_DEC_FLOAT = 13;
    private static final int OP_MILLIS_MSG = 14;
    private static final int OP_DATE_MSG = 15;
    private static final int OP_JSON_SCALAR = 16;
    private static final int OP_JSON_MESSAGE = 17;
    private static final int OP_JSON_REPEATED = 18;
    private static final int OP_JSON_MAP = 19;
    private static final int OP_JSON_ROOT = 20;

    private static final int DENSE_LIMIT = 4096;
    private static final long MILLIS_PER_DAY = 86_400_000L;
    private static final long[] POW10 = new long[19];

    static {
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) {
            POW10[i] = POW10[i - 1] * 10;
        }
    }

    /** A message on some column path. */
    static final class Node {
        final ProtoMessage type;
        final int id;
        final List<Target> targets = new ArrayList<>();
        Target[] dense = new Target[0];
        int[] sparseNumbers;
        Target[] sparseTargets;

        Node(ProtoMessage type, int id) {
            this.type = type;
            this.id = id;
        }

        Target target(int number) {
            if (number < dense.length) {
                return dense[number];
            }
            if (sparseNumbers == null) {
                return null;
            }
            int i = Arrays.binarySearch(sparseNumbers, number);
            return i >= 0 ? sparseTargets[i] : null;
        }

        void seal() {
            int max = 0;
            for (Target t : targets) {
                max = Math.max(max, t.field.number());
            }
            if (max < DENSE_LIMIT) {
                dense = new Target[max + 1];
                for (Target t : targets) {
                    dense[t.field.number()] = t;
                }
            } else {
                List<Target> sorted = new ArrayList<>(targets);
                sorted.sort((a, b) -> Integer.compare(a.field.number(), b.field.number()));
                sparseNumbers = new int[sorted.size()];
                sparseTargets = sorted.toArray(new Target[0]);
                for (int i = 0; i < sparseNumbers.length; i++) {
                    sparseNumbers[i] = sparseTargets[i].field.number();
                }
            }
        }
    }

    /** A field some column path goes through or ends at. */
    static final class Target {
        final ProtoField field;
        final int id;
        final int wireType;
        final boolean repeated;
        final boolean packable;
        Node child;

        Target(ProtoField field, int id) {
            this.field = field;
            this.id = id;
            this.wireType = field.kind().wireType();
            this.repeated = field.isRepeated();
            this.packable = field.kind().isPackable();
        }
    }

    /** One column: where its value comes from and how it is written. */
    static final class Column {
        final RowSchema.Field f;
        Target target; // null: the writer schema has no such field
        Node parent; // the message whose presence makes an absent leaf its default
        ProtoField leaf;
        int op;
        boolean defaultable;
        long defaultRaw;
        byte[][] enumNames; // by number, for small non-negative enum numbers

        Column(RowSchema.Field f) {
            this.f = f;
        }
    }

    private final ProtoMessage type;
    private final String label;
    final String refusal;
    private final Node root;
    private final Node[] nodes;
    private final Column[] columns;
    private final ProtoCursor c;
    private final ProtoJson json;

    // per-row state
    private int cur;
    private final int[] tStamp;
    private final long[] tVal;
    private final int[] tLen;
    private final int[] tHead;
    private final int[] tTail;
    private final int[] mStamp;
    private int[] pool = new int[64]; // repeated occurrences: start, end, wire type, next
    private int poolTop;
    private int rootStart;
    private int rootEnd;

    private ProtoPlan(ProtoMessage type, String label, String refusal, Node root, List<Node> nodes, Column[] columns,
                      int targets, ProtoCursor c, ProtoJson json) {
        this.type = type;
        this.label = label;
        this.refusal = refusal;
        this.root = root;
        this.nodes = nodes.toArray(new Node[0]);
        this.columns = columns;
        this.c = c;
        this.json = json;
        this.tStamp = new int[targets];
        this.tVal = new long[targets];
        this.tLen = new int[targets];
        this.tHead = new int[targets];
        this.tTail = new int[targets];
        this.mStamp = new int[this.nodes.length];
        Arrays.fill(tStamp, -1);
        Arrays.fill(mStamp, -1);
    }

    ProtoMessage type() {
        return type;
    }

    // ---------------------------------------------------------------- compile

    /** Compiles message {@code m} of a writer schema for the table's columns. */
    static ProtoPlan compile(ProtoMessage m, RowSchema rows, String label, ProtoCursor c, ProtoJson json) {
        List<Node> nodes = new ArrayList<>();
        Node root = new Node(m, 0);
        nodes.add(root);
        int[] targetCount = {0};
        Column[] cols = new Column[rows.size()];
        String refusal = null;
        for (int i = 0; i < cols.length; i++) {
            RowSchema.Field f = rows.field(i);
            Column col = new Column(f);
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
            Node node = root;
            Target t = null;
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
        for (Node n : nodes) {
            n.seal();
        }
        return new ProtoPlan(m, label, refusal, root, nodes, cols, targetCount[0], c, json);
    }

    /** A refusing plan (a message-index path that names no message, a schema that cannot fill the columns). */
    static ProtoPlan refusing(ProtoMessage m, String why) {
        return new ProtoPlan(m, "", why, new Node(m, 0), List.of(), new Column[0], 0, null, null);
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

    private static Target targetFor(Node node, ProtoField pf, int[] count) {
        for (Target t : node.targets) {
            if (t.field == pf) {
                return t;
            }
        }
        Target t = new Target(pf, count[0]++);
        node.targets.add(t);
        return t;
    }

    private static Node childOf(Target t, List<Node> nodes) {
        if (t.child == null) {
            t.child = new Node(t.field.messageType(), nodes.size());
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

    // ---------------------------------------------------------------- decode

    /**
     * Decodes the message at {@code [start, end)} of the cursor's bytes into the next row.
     *
     * @throws BadRecord when the payload or a value does not fit (the caller aborts the row)
     */
    void decode(int start, int end, PartitionBuffer buffer) {
        if (++cur == Integer.MAX_VALUE) {
            Arrays.fill(tStamp, -1);
            Arrays.fill(mStamp, -1);
            cur = 1;
        }
        poolTop = 0;
        json.reset();
        rootStart = start;
        rootEnd = end;
        mStamp[root.id] = cur;
        walk(root, start, end);
        ColumnVector[] vectors = buffer.columns();
        for (int i = 0; i < columns.length; i++) {
            Column col = columns[i];
            ColumnVector v = vectors[i];
            Target t = col.target;
            if (t != null && tStamp[t.id] == cur) {
                int id = t.id;
                emit(col, v, tVal[id], tLen[id], tHead[id]);
            } else if (col.op == OP_JSON_ROOT) {
                emit(col, v, 0, 0, -1);
            } else if (t != null && col.defaultable && mStamp[col.parent.id] == cur) {
                emit(col, v, col.defaultRaw, 0, -1);
            } else if (col.f.nullable()) {
                v.appendNull();
            } else {
                throw new BadRecord(col.f.describe() + ": missing required value (" + label + ")");
            }
        }
    }

    private void walk(Node node, int s, int e) {
        ProtoCursor c = this.c;
        c.pos = s;
        while (c.pos < e) {
            int at = c.pos;
            int tag = c.tag(e);
            Target t = node.target(tag >>> 3);
            if (t == null) {
                c.skip(tag, e, at);
                continue;
            }
            int wt = tag & 7;
            int id = t.id;
            if (t.repeated) {
                int vs;
                int ve;
                if (wt == ProtoCursor.LEN && (t.packable || t.wireType == ProtoCursor.LEN)) {
                    int n = c.length(e);
                    vs = c.pos;
                    ve = vs + n;
                    c.pos = ve;
                } else if (wt == t.wireType) {
                    vs = c.pos;
                    c.skip(tag, e, at);
                    ve = c.pos;
                } else {
                    throw wrongWireType(t.field, wt, at);
                }
                occurrence(id, vs, ve, wt);
                continue;
            }
            if (wt != t.wireType) {
                throw wrongWireType(t.field, wt, at);
            }
            switch (wt) {
                case ProtoCursor.VARINT -> tVal[id] = c.varint(e);
                case ProtoCursor.I64 -> tVal[id] = c.fixed64(e);
                case ProtoCursor.I32 -> tVal[id] = c.fixed32(e);
                default -> {
                    int n = c.length(e);
                    int vs = c.pos;
                    tVal[id] = vs;
                    tLen[id] = n;
                    Node child = t.child;
                    if (child != null) {
                        mStamp[child.id] = cur;
                        walk(child, vs, vs + n);
                    }
                    c.pos = vs + n;
                }
            }
            tStamp[id] = cur;
        }
    }

    private void occurrence(int id, int s, int e, int wt) {
        if (poolTop + 4 > pool.length) {
            pool = Arrays.copyOf(pool, pool.length * 2);
        }
        int at = poolTop;
        pool[at] = s;
        pool[at + 1] = e;
        pool[at + 2] = wt;
        pool[at + 3] = -1;
        poolTop += 4;
        if (tStamp[id] != cur) {
            tStamp[id] = cur;
            tHead[id] = at;
        } else {
            pool[tTail[id] + 3] = at;
        }
        tTail[id] = at;
    }

    private BadRecord wrongWireType(ProtoField f, int wt, int at) {
        return c.bad("field '" + f.name() + "' (number " + f.number() + ", " + f.declaration() + ") has wire type "
                + ProtoCursor.wireTypeName(wt) + ", expected " + ProtoCursor.wireTypeName(f.kind().wireType()), at);
    }

    // ---------------------------------------------------------------- write

    /** Writes one column value from its slot ({@code raw}: the wire value, or the offset of a length-delimited one). */
    private void emit(Column col, ColumnVector v, long raw, int len, int head) {
        RowSchema.Field f = col.f;
        ProtoField leaf = col.leaf;
        byte[] b = c.b;
        switch (col.op) {
            case OP_INT -> {
                long x = ProtoValues.integer(leaf.kind(), raw);
                if (x != (int) x) {
                    throw outOfRange(f, leaf, x, "int");
                }
                ((ColumnVector.Ints) v).append((int) x);
            }
            case OP_LONG -> ((ColumnVector.Longs) v).append(ProtoValues.integer(leaf.kind(), raw));
            case OP_DOUBLE -> ((ColumnVector.Doubles) v).append(ProtoValues.floating(leaf.kind(), raw));
            case OP_BOOL -> ((ColumnVector.Booleans) v).append(raw != 0);
            case OP_STRING -> ((ColumnVector.Binaries) v).append(b, (int) raw, len);
            case OP_BASE64 -> {
                ColumnVector.Binaries out = (ColumnVector.Binaries) v;
                json.base64(b, (int) raw, len, out, false);
                out.endValue();
            }
            case OP_ENUM_NAME -> {
                ColumnVector.Binaries out = (ColumnVector.Binaries) v;
                int n = (int) raw;
                byte[][] names = col.enumNames;
                byte[] name = names != null && n >= 0 && n < names.length ? names[n] : null;
                if (name != null) {
                    out.append(name, 0, name.length);
                } else {
                    String s = names != null ? null : leaf.enumType().nameOf(n);
                    out.putAscii(s != null ? s : Integer.toString(n));
                    out.endValue();
                }
            }
            case OP_TS_STRING -> {
                String s = new String(b, (int) raw, len, StandardCharsets.UTF_8);
                long ms;
                if (allDigits(s)) {
                    ms = Long.parseLong(s);
                } else {
                    ms = ColumnValues.isoMillis(f, s);
                }
                ((ColumnVector.Longs) v).append(ms);
            }
            case OP_DATE_STRING -> ((ColumnVector.Ints) v).append(
                    ColumnValues.isoDate(f, new String(b, (int) raw, len, StandardCharsets.UTF_8)));
            case OP_DATE_INT -> {
                long x = ProtoValues.integer(leaf.kind(), raw);
                if (x != (int) x) {
                    throw outOfRange(f, leaf, x, "date (epoch days)");
                }
                ((ColumnVector.Ints) v).append((int) x);
            }
            case OP_DEC_STRING -> ColumnValues.appendDecimalText(f, v, new String(b, (int) raw, len,
                    StandardCharsets.UTF_8));
            case OP_DEC_INT -> appendDecimal(f, v, leaf, raw);
            case OP_DEC_FLOAT -> {
                double d = ProtoValues.floating(leaf.kind(), raw);
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    throw new BadRecord(f.describe() + ": " + d + " is not a decimal number (" + label + ")");
                }
                ColumnValues.appendDecimal(f, v, leaf.kind() == ProtoField.Kind.FLOAT
                        ? new BigDecimal(Float.toString((float) d)) : BigDecimal.valueOf(d));
            }
            case OP_MILLIS_MSG -> ((ColumnVector.Longs) v).append(json.millis((int) raw, (int) raw + len));
            case OP_DATE_MSG -> ((ColumnVector.Ints) v).append(
                    (int) Math.floorDiv(json.millis((int) raw, (int) raw + len), MILLIS_PER_DAY));
            case OP_JSON_SCALAR -> {
                ColumnVector.Binaries out = (ColumnVector.Binaries) v;
                json.scalar(leaf, raw, (int) raw, len, out);
                out.endValue();
            }
            case OP_JSON_MESSAGE -> {
                ColumnVector.Binaries out = (ColumnVector.Binaries) v;
                json.message(leaf.messageType(), (int) raw, (int) raw + len, out);
                out.endValue();
            }
            case OP_JSON_REPEATED -> {
                ColumnVector.Binaries out = (ColumnVector.Binaries) v;
                out.put((byte) '[');
                int count = 0;
                for (int k = head; k >= 0; k = pool[k + 3]) {
                    count = json.elements(leaf, pool[k + 2], pool[k], pool[k + 1], count, out);
                }
                out.put((byte) ']');
                out.endValue();
            }
            case OP_JSON_MAP -> {
                ColumnVector.Binaries out = (ColumnVector.Binaries) v;
                out.put((byte) '{');
                boolean first = true;
                for (int k = head; k >= 0; k = pool[k + 3]) {
                    json.mapEntry(leaf, pool[k], pool[k + 1], first, out);
                    first = false;
                }
                out.put((byte) '}');
                out.endValue();
            }
            case OP_JSON_ROOT -> {
                ColumnVector.Binaries out = (ColumnVector.Binaries) v;
                json.message(type, rootStart, rootEnd, out);
                out.endValue();
            }
            default -> throw new IllegalStateException("column op " + col.op);
        }
    }

    private void appendDecimal(RowSchema.Field f, ColumnVector v, ProtoField leaf, long raw) {
        long x = ProtoValues.integer(leaf.kind(), raw);
        ColumnType t = f.type();
        if (f.decimalAsLong() && (x >= 0 || !ProtoValues.unsigned64(leaf.kind()))) {
            int intDigits = t.precision() - t.scale();
            if (intDigits < 19 && Math.abs(x) < POW10[intDigits] && x != Long.MIN_VALUE) {
                ((ColumnVector.Longs) v).append(x * POW10[t.scale()]);
                return;
            }
        }
        BigDecimal d = x < 0 && ProtoValues.unsigned64(leaf.kind())
                ? new BigDecimal(Long.toUnsignedString(x)) : BigDecimal.valueOf(x);
        ColumnValues.appendDecimal(f, v, d);
    }

    private BadRecord outOfRange(RowSchema.Field f, ProtoField leaf, long x, String what) {
        String text = x < 0 && ProtoValues.unsigned64(leaf.kind()) ? Long.toUnsignedString(x) : Long.toString(x);
        return new BadRecord(f.describe() + ": " + text + " is out of range for " + what + " (" + label + ")");
    }

    private static boolean allDigits(String s) {
        int n = s.length();
        if (n == 0 || n > 19) {
            return false;
        }
        int i = s.charAt(0) == '-' && n > 1 ? 1 : 0;
        for (; i < n; i++) {
            char ch = s.charAt(i);
            if (ch < '0' || ch > '9') {
                return false;
            }
        }
        return true;
    }
}
