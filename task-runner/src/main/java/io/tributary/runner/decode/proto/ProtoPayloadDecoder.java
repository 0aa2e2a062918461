package io.tributary.runner.decode.proto;

import io.tributary.formats.proto.ProtoFile;
import io.tributary.formats.proto.ProtoMessage;
import io.tributary.runner.buffer.PartitionBuffer;
import io.tributary.runner.decode.BadRecord;
import io.tributary.runner.decode.PayloadDecoder;
import io.tributary.runner.decode.RowSchema;
import java.util.Arrays;

/**
 * Decodes Protobuf payloads of ONE writer schema (a .proto file) straight into the table's column
 * vectors, walking the wire format once per record (no message object, no allocation per record on
 * the common paths). Each message type is compiled once (by {@link ProtoPlanner}) into a
 * {@link ProtoPlan}.
 *
 * <p>Framed ({@code 0, schema id} already consumed): the payload starts with the Confluent message
 * indexes (a zig-zag varint count, then that many zig-zag varints; count 0 means {@code [0]}), which
 * pick the message type; plans are kept per index path. Unframed: the payload is the bare message of
 * the type the table names (or the file's first message).
 *
 * <p>Semantics: fields are addressed by proto field name (or JSON name) along the column path; fields
 * no column needs, and field numbers the schema does not know, are skipped by wire type; the last
 * occurrence of a singular field wins and nested messages merge; an absent proto3 field without
 * presence reads as its default (0, "", false, the first enum value; repeated fields as [] / {}),
 * an absent field with presence as null, or a bad record {@code column 'x' ($.x): missing required
 * value} when the column is not nullable. Wire errors are bad records naming the byte (counted from
 * the start of the payload, message indexes included). On any bad record the row is aborted (the
 * buffer is unchanged). Not thread-safe: one per poll thread.
 */
public final class ProtoPayloadDecoder implements PayloadDecoder {
    private static final int MAX_INDEXES = 64;

    private final ProtoFile file;
    private final RowSchema rows;
    private final boolean framed;
    private final String label;
    private final ProtoCursor cursor = new ProtoCursor();
    private final ProtoJson json = new ProtoJson(cursor);
    private ProtoPlan single; // unframed, or framed [0]
    private int[][] paths = new int[4][];
    private ProtoPlan[] pathPlans = new ProtoPlan[4];
    private int pathCount;
    private final int[] indexes = new int[MAX_INDEXES];

    ProtoPayloadDecoder(ProtoFile file, RowSchema rows, boolean framed, ProtoMessage unframedType, String label) {
        this.file = file;
        this.rows = rows;
        this.framed = framed;
        this.label = label;
        if (!framed) {
            this.single = ProtoPlanner.compile(unframedType, rows, label, cursor, json);
        }
    }

    /** The writer schema. */
    public ProtoFile file() {
        return file;
    }

    @Override
    public String decode(byte[] value, int offset, PartitionBuffer buffer) {
        cursor.reset(value, offset, label);
        try {
            ProtoPlan plan = framed ? planForIndexes(value.length) : single;
            if (plan.refusal != null) {
                return plan.refusal;
            }
            plan.decode(cursor.pos, value.length, buffer);
            return null;
        } catch (BadRecord e) {
            buffer.abortRow();
            return e.getMessage();
        } catch (RuntimeException e) {
            buffer.abortRow();
            return "protobuf payload (" + label + "): cannot decode at byte " + (cursor.pos - cursor.start) + ": " + e;
        }
    }

    /** Reads the message indexes at the cursor and returns the plan of the message type they name. */
    private ProtoPlan planForIndexes(int end) {
        int at = cursor.pos;
        long count = zigzag(cursor.varint(end));
        if (count == 0) {
            if (single == null) {
                single = compile(file.messageAt(new int[] {0}), new int[] {0});
            }
            return single;
        }
        if (count < 0 || count > MAX_INDEXES) {
            throw cursor.bad("invalid message index count " + count + " (expected 0.." + MAX_INDEXES + ")", at);
        }
        int n = (int) count;
        for (int i = 0; i < n; i++) {
            int ia = cursor.pos;
            long x = zigzag(cursor.varint(end));
            if (x < 0 || x > Integer.MAX_VALUE) {
                throw cursor.bad("invalid message index " + x, ia);
            }
            indexes[i] = (int) x;
        }
        for (int p = 0; p < pathCount; p++) {
            int[] path = paths[p];
            if (path.length == n && Arrays.equals(path, 0, n, indexes, 0, n)) {
                return pathPlans[p];
            }
        }
        int[] path = Arrays.copyOf(indexes, n);
        ProtoMessage m = file.messageAt(path);
        if (m == null) {
            throw cursor.bad("message indexes " + Arrays.toString(path) + " name no message in " + label, at);
        }
        if (n == 1 && path[0] == 0) {
            if (single == null) {
                single = compile(m, path);
            }
            return single;
        }
        ProtoPlan plan = compile(m, path);
        if (pathCount == paths.length) {
            paths = Arrays.copyOf(paths, pathCount * 2);
            pathPlans = Arrays.copyOf(pathPlans, pathCount * 2);
        }
        paths[pathCount] = path;
        pathPlans[pathCount] = plan;
        pathCount++;
        return plan;
    }

    private ProtoPlan compile(ProtoMessage m, int[] path) {
        if (m == null) {
            return ProtoPlanner.refusing(null, "message indexes " + Arrays.toString(path) + " name no message in " + label
                    + " (it declares none)");
        }
        return ProtoPlanner.compile(m, rows, label + ", message " + m.fullName(), cursor, json);
    }

    private static long zigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }
}
