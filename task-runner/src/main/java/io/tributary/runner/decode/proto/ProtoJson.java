package io.tributary.runner.decode.proto;

import io.tributary.formats.proto.ProtoField;
import io.tributary.formats.proto.ProtoMessage;
import io.tributary.runner.buffer.ColumnVector;
import io.tributary.runner.decode.BadRecord;
import io.tributary.runner.decode.ColumnValues;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Renders Protobuf values, read from the wire bytes by their writer schema, as JSON text straight
 * into the value being built in a {@code json} column:
 * <ul>
 * <li>a message is an object keyed by the proto field names, fields in declaration order, only the
 * fields present on the wire (a singular field seen twice: the last wins; repeated occurrences
 * concatenate);</li>
 * <li>repeated fields are arrays (packed or not), maps objects with string keys;</li>
 * <li>enums their value's name (an unknown number: the number); bytes base64 strings; int64 and
 * uint64 numbers (uint64 unsigned); float/double numbers (NaN and infinities as strings);</li>
 * <li>well-known types as in protobuf's JSON mapping: Timestamp an RFC 3339 string
 * ({@code "2024-01-01T00:00:00.123Z"}), Duration {@code "1.500s"}, wrappers their value,
 * Struct/Value/ListValue plain JSON; Any, Empty, FieldMask as ordinary messages.</li>
 * </ul>
 * This class walks messages, repeated fields and maps (and the structured well-known types); leaf
 * values are written by {@link ProtoJsonScalars}, Timestamp/Duration by {@link ProtoTimestamps}, and
 * each message type's field table is a cached {@link ProtoJsonShape}. Exists so a {@code json} column
 * needs no message object. Scratch space is reused; no allocation per value except the text of
 * floating-point numbers, timestamps and unsigned 64-bit values above 2^63-1. Not thread-safe.
 */
final class ProtoJson {
    private static final int MAX_DEPTH = 100;

    private final ProtoCursor c;
    final ProtoJsonScalars scalars;
    final ProtoTimestamps times;
    private final Map<ProtoMessage, ProtoJsonShape> shapes = new IdentityHashMap<>();
    /** Fields found while scanning messages: (field index, start, end, wire type) per entry, a stack across nesting. */
    private int[] entries = new int[64];
    private int top;
    private int depth;

    ProtoJson(ProtoCursor c) {
        this.c = c;
        this.scalars = new ProtoJsonScalars(c);
        this.times = new ProtoTimestamps(c, scalars);
    }

    ProtoJsonShape shape(ProtoMessage m) {
        ProtoJsonShape s = shapes.get(m);
        if (s == null) {
            s = new ProtoJsonShape(m);
            shapes.put(m, s);
        }
        return s;
    }

    void reset() {
        top = 0;
        depth = 0;
    }

    // ---------------------------------------------------------------- entry points

    /** A message whose bytes are {@code [s, e)}. */
    void message(ProtoMessage m, int s, int e, ColumnVector.Binaries out) {
        if (++depth > MAX_DEPTH) {
            throw c.bad("messages nested deeper than " + MAX_DEPTH, s);
        }
        ProtoJsonShape sh = shape(m);
        switch (sh.wkt) {
            case ProtoJsonShape.TIMESTAMP -> times.timestamp(s, e, out);
            case ProtoJsonShape.DURATION -> times.duration(s, e, out);
            case ProtoJsonShape.WRAPPER -> wrapper(sh, s, e, out);
            case ProtoJsonShape.STRUCT -> struct(sh, s, e, out);
            case ProtoJsonShape.VALUE -> value(sh, s, e, out);
            case ProtoJsonShape.LIST_VALUE -> listValue(sh, s, e, out);
            default -> generic(sh, s, e, out);
        }
        depth--;
    }

    /**
     * The elements of one occurrence of repeated field {@code f} ({@code [s, e)} holds one value, or a
     * packed run when {@code wt} is 2 and the kind is packable), each preceded by a comma unless it is
     * the first of the array; returns the element count so far.
     */
    int elements(ProtoField f, int wt, int s, int e, int count, ColumnVector.Binaries out) {
        if (wt == ProtoCursor.LEN && f.kind().isPackable()) {
            int save = c.pos;
            c.pos = s;
            int ewt = f.kind().wireType();
            while (c.pos < e) {
                if (count++ > 0) {
                    out.put((byte) ',');
                }
                long raw = ewt == ProtoCursor.VARINT ? c.varint(e) : ewt == ProtoCursor.I64 ? c.fixed64(e) : c.fixed32(e);
                scalars.scalar(f, raw, 0, 0, out);
            }
            c.pos = save;
            return count;
        }
        if (count++ > 0) {
            out.put((byte) ',');
        }
        element(f, wt, s, e, out);
        return count;
    }

    /** One map entry message {@code [s, e)} as {@code "key":value}, after a comma unless first. */
    void mapEntry(ProtoField map, int s, int e, boolean first, ColumnVector.Binaries out) {
        ProtoField kf = map.mapKey();
        ProtoField vf = map.mapValue();
        int save = c.pos;
        c.pos = s;
        long keyRaw = 0;
        int keyOff = -1;
        int keyLen = 0;
        int vwt = -1;
        int vs = 0;
        int ve = 0;
        while (c.pos < e) {
            int at = c.pos;
            int tag = c.tag(e);
            int num = tag >>> 3;
            int wt = tag & 7;
            if (num == 1) {
                expectWireType(kf, wt, false, at);
                if (wt == ProtoCursor.LEN) {
                    keyLen = c.length(e);
                    keyOff = c.pos;
                    c.pos += keyLen;
                } else {
                    keyRaw = read(wt, e);
                }
            } else if (num == 2) {
                expectWireType(vf, wt, false, at);
                vwt = wt;
                if (wt == ProtoCursor.LEN) {
                    int n = c.length(e);
                    vs = c.pos;
                    ve = vs + n;
                    c.pos = ve;
                } else {
                    vs = c.pos;
                    c.skip(tag, e, at);
                    ve = c.pos;
                }
            } else {
                c.skip(tag, e, at);
            }
        }
        c.pos = save;
        if (!first) {
            out.put((byte) ',');
        }
        scalars.mapKey(kf, keyRaw, keyOff, keyLen, out);
        out.put((byte) ':');
        if (vwt < 0) {
            defaultValue(vf, out);
        } else {
            element(vf, vwt, vs, ve, out);
        }
    }

    /** The JSON of a field's default (an absent map value, an empty wrapper). */
    void defaultValue(ProtoField f, ColumnVector.Binaries out) {
        switch (f.kind()) {
            case STRING, BYTES -> out.putAscii("\"\"");
            case BOOL -> out.putAscii("false");
            case ENUM -> scalars.enumValue(f.enumType(), f.enumType().first().number(), out);
            case MESSAGE -> message(f.messageType(), 0, 0, out);
            default -> out.put((byte) '0');
        }
    }

    // ---------------------------------------------------------------- values

    /** One value of field {@code f} (element semantics for repeated fields) encoded at {@code [s, e)}. */
    private void element(ProtoField f, int wt, int s, int e, ColumnVector.Binaries out) {
        switch (f.kind()) {
            case MESSAGE -> message(f.messageType(), s, e, out);
            case STRING -> ColumnValues.putJsonString(out, c.b, s, e - s);
            case BYTES -> scalars.base64(c.b, s, e - s, out, true);
            default -> {
                int save = c.pos;
                c.pos = s;
                long raw = read(wt, e);
                c.pos = save;
                scalars.scalar(f, raw, 0, 0, out);
            }
        }
    }

    private long read(int wt, int end) {
        return switch (wt) {
            case ProtoCursor.VARINT -> c.varint(end);
            case ProtoCursor.I64 -> c.fixed64(end);
            default -> c.fixed32(end);
        };
    }

    // ---------------------------------------------------------------- messages

    /** Scans {@code [s, e)} pushing (field index, start, end, wire type) for every known field; returns the mark. */
    private int scan(ProtoJsonShape sh, int s, int e) {
        int mark = top;
        int save = c.pos;
        c.pos = s;
        while (c.pos < e) {
            int at = c.pos;
            int tag = c.tag(e);
            int wt = tag & 7;
            int idx = sh.index(tag >>> 3);
            if (idx < 0) {
                c.skip(tag, e, at);
                continue;
            }
            ProtoField f = sh.fields[idx];
            expectWireType(f, wt, f.isRepeated(), at);
            int vs;
            int ve;
            if (wt == ProtoCursor.LEN) {
                int n = c.length(e);
                vs = c.pos;
                ve = vs + n;
                c.pos = ve;
            } else {
                vs = c.pos;
                c.skip(tag, e, at);
                ve = c.pos;
            }
            push(idx, vs, ve, wt);
        }
        c.pos = save;
        return mark;
    }

    private void push(int idx, int s, int e, int wt) {
        if (top + 4 > entries.length) {
            entries = Arrays.copyOf(entries, entries.length * 2);
        }
        entries[top] = idx;
        entries[top + 1] = s;
        entries[top + 2] = e;
        entries[top + 3] = wt;
        top += 4;
    }

    private void expectWireType(ProtoField f, int wt, boolean repeated, int at) {
        int want = f.kind().wireType();
        if (wt != want && !(repeated && wt == ProtoCursor.LEN && f.kind().isPackable())) {
            throw c.bad("field '" + f.name() + "' (number " + f.number() + ", " + f.typeDescription() + ") has wire type "
                    + ProtoCursor.wireTypeName(wt) + ", expected " + ProtoCursor.wireTypeName(want), at);
        }
    }

    private void generic(ProtoJsonShape sh, int s, int e, ColumnVector.Binaries out) {
        int mark = scan(sh, s, e);
        int end = top;
        out.put((byte) '{');
        boolean first = true;
        for (int idx = 0; idx < sh.fields.length; idx++) {
            ProtoField f = sh.fields[idx];
            int last = -1;
            for (int k = mark; k < end; k += 4) {
                if (entries[k] == idx) {
                    last = k;
                    if (!f.isRepeated()) {
                        continue;
                    }
                    break;
                }
            }
            if (last < 0) {
                continue;
            }
            if (!first) {
                out.put((byte) ',');
            }
            first = false;
            out.put(sh.keys[idx], 0, sh.keys[idx].length);
            if (f.isMap()) {
                out.put((byte) '{');
                boolean firstEntry = true;
                for (int k = last; k < end; k += 4) {
                    if (entries[k] == idx) {
                        mapEntry(f, entries[k + 1], entries[k + 2], firstEntry, out);
                        firstEntry = false;
                    }
                }
                out.put((byte) '}');
            } else if (f.isRepeated()) {
                out.put((byte) '[');
                int count = 0;
                for (int k = last; k < end; k += 4) {
                    if (entries[k] == idx) {
                        count = elements(f, entries[k + 3], entries[k + 1], entries[k + 2], count, out);
                    }
                }
                out.put((byte) ']');
            } else {
                element(f, entries[last + 3], entries[last + 1], entries[last + 2], out);
            }
        }
        out.put((byte) '}');
        top = mark;
    }

    private void wrapper(ProtoJsonShape sh, int s, int e, ColumnVector.Binaries out) {
        int mark = scan(sh, s, e);
        int last = -1;
        for (int k = mark; k < top; k += 4) {
            last = k;
        }
        ProtoField f = sh.fields[0];
        if (last < 0) {
            defaultValue(f, out);
        } else {
            element(f, entries[last + 3], entries[last + 1], entries[last + 2], out);
        }
        top = mark;
    }

    private void struct(ProtoJsonShape sh, int s, int e, ColumnVector.Binaries out) {
        int mark = scan(sh, s, e);
        int end = top;
        ProtoField fields = sh.fields[0];
        out.put((byte) '{');
        boolean first = true;
        for (int k = mark; k < end; k += 4) {
            mapEntry(fields, entries[k + 1], entries[k + 2], first, out);
            first = false;
        }
        out.put((byte) '}');
        top = mark;
    }

    private void value(ProtoJsonShape sh, int s, int e, ColumnVector.Binaries out) {
        int mark = scan(sh, s, e);
        int last = -1;
        for (int k = mark; k < top; k += 4) {
            last = k; // oneof: the last member on the wire wins
        }
        if (last < 0) {
            out.putAscii("null");
        } else {
            ProtoField f = sh.fields[entries[last]];
            if (f.number() == 1) {
                out.putAscii("null");
            } else {
                element(f, entries[last + 3], entries[last + 1], entries[last + 2], out);
            }
        }
        top = mark;
    }

    private void listValue(ProtoJsonShape sh, int s, int e, ColumnVector.Binaries out) {
        int mark = scan(sh, s, e);
        int end = top;
        ProtoField values = sh.fields[0];
        out.put((byte) '[');
        int count = 0;
        for (int k = mark; k < end; k += 4) {
            count = elements(values, entries[k + 3], entries[k + 1], entries[k + 2], count, out);
        }
        out.put((byte) ']');
        top = mark;
    }

    /** For error messages. */
    BadRecord bad(String what, int at) {
        return c.bad(what, at);
    }
}
