package io.tributary.runner.decode.proto;

import io.tributary.formats.proto.ProtoField;
import io.tributary.formats.proto.ProtoMessage;
import io.tributary.runner.buffer.ColumnVector;
import io.tributary.runner.buffer.PartitionBuffer;
import io.tributary.runner.decode.BadRecord;
import java.util.Arrays;
import java.util.List;

/**
 * One message type of a writer schema compiled (by {@link ProtoPlanner}) against the table's column
 * paths, and the per-record reader of it: a tree of {@link ProtoNode}s (the messages on some path) whose
 * {@link ProtoTarget}s are the fields some column path goes through or ends at, dispatched by field
 * number. Decoding walks the wire format once: fields without a target are skipped by wire type,
 * targets keep their value in a per-row slot (so the last occurrence of a singular field wins and
 * nested messages merge, as protobuf's parsers do), repeated fields keep their occurrences; the
 * columns are written at the end, in order, by the {@link ProtoColumnWriter}. A plan with a
 * {@link #refusal} refuses every record of this message type.
 *
 * <p>Exists to hold the per-row state (slots stamped with the row number, so nothing is cleared or
 * allocated per record); not thread-safe.
 */
final class ProtoPlan {
    private final ProtoMessage type;
    private final String label;
    final String refusal;
    private final ProtoNode root;
    private final ProtoNode[] nodes;
    private final ProtoColumn[] columns;
    private final ProtoCursor c;
    private final ProtoJson json;
    private final ProtoColumnWriter writer;

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

    ProtoPlan(ProtoMessage type, String label, String refusal, ProtoNode root, List<ProtoNode> nodes,
              ProtoColumn[] columns, int targets, ProtoCursor c, ProtoJson json) {
        this.type = type;
        this.label = label;
        this.refusal = refusal;
        this.root = root;
        this.nodes = nodes.toArray(new ProtoNode[0]);
        this.columns = columns;
        this.c = c;
        this.json = json;
        this.writer = new ProtoColumnWriter(type, label, c, json);
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
        mStamp[root.id] = cur;
        walk(root, start, end);
        ColumnVector[] vectors = buffer.columns();
        ProtoColumnWriter writer = this.writer;
        for (int i = 0; i < columns.length; i++) {
            ProtoColumn col = columns[i];
            ColumnVector v = vectors[i];
            ProtoTarget t = col.target;
            if (t != null && tStamp[t.id] == cur) {
                int id = t.id;
                writer.emit(col, v, tVal[id], tLen[id], tHead[id], pool);
            } else if (col.op == ProtoColumn.OP_JSON_ROOT) {
                writer.emit(col, v, start, end - start, -1, pool);
            } else if (t != null && col.defaultable && mStamp[col.parent.id] == cur) {
                writer.emit(col, v, col.defaultRaw, 0, -1, pool);
            } else if (col.f.nullable()) {
                v.appendNull();
            } else {
                throw new BadRecord(col.f.describe() + ": missing required value (" + label + ")");
            }
        }
    }

    private void walk(ProtoNode node, int s, int e) {
        ProtoCursor c = this.c;
        c.pos = s;
        while (c.pos < e) {
            int at = c.pos;
            int tag = c.tag(e);
            ProtoTarget t = node.target(tag >>> 3);
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
                    ProtoNode child = t.child;
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
}
