package io.tributary.runner.decode.proto;

import io.tributary.formats.proto.ProtoEnum;
import io.tributary.formats.proto.ProtoField;
import io.tributary.formats.proto.ProtoMessage;
import io.tributary.formats.proto.WellKnownTypes;
import io.tributary.runner.buffer.ColumnVector;
import io.tributary.runner.decode.BadRecord;
import io.tributary.runner.decode.ColumnValues;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
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
 * Scratch space is reused; no allocation per value except the text of floating-point numbers,
 * timestamps and unsigned 64-bit values above 2^63-1. Not thread-safe.
 */
final class ProtoJson {
    private static final byte[] B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
            .getBytes(StandardCharsets.US_ASCII);
    private static final int GENERIC = 0;
    private static final int TIMESTAMP = 1;
    private static final int DURATION = 2;
    private static final int WRAPPER = 3;
    private static final int STRUCT = 4;
    private static final int VALUE = 5;
    private static final int LIST_VALUE = 6;
    private static final int MAX_DEPTH = 100;

    /** The JSON view of one message type: fields by number, their pre-rendered keys. */
    static final class Shape {
        final ProtoMessage type;
        final ProtoField[] fields;
        final byte[][] keys;
        final int[] indexByNumber; // number -> field index + 1 (0: unknown), for small numbers
        final int wkt;

        Shape(ProtoMessage type) {
            this.type = type;
            List<ProtoField> fs = type.fields();
            this.fields = fs.toArray(new ProtoField[0]);
            this.keys = new byte[fields.length][];
            int max = 0;
            for (int i = 0; i < fields.length; i++) {
                keys[i] = ("\"" + fields[i].name() + "\":").getBytes(StandardCharsets.UTF_8);
                max = Math.max(max, fields[i].number());
            }
            this.indexByNumber = new int[Math.min(max, 4096) + 1];
            for (int i = 0; i < fields.length; i++) {
                if (fields[i].number() < indexByNumber.length) {
                    indexByNumber[fields[i].number()] = i + 1;
                }
            }
            String n = type.fullName();
            if (WellKnownTypes.TIMESTAMP.equals(n)) {
                wkt = TIMESTAMP;
            } else if (WellKnownTypes.DURATION.equals(n)) {
                wkt = DURATION;
            } else if (WellKnownTypes.WRAPPERS.contains(n)) {
                wkt = WRAPPER;
            } else if (WellKnownTypes.STRUCT.equals(n)) {
                wkt = STRUCT;
            } else if (WellKnownTypes.VALUE.equals(n)) {
                wkt = VALUE;
            } else if (WellKnownTypes.LIST_VALUE.equals(n)) {
                wkt = LIST_VALUE;
            } else {
                wkt = GENERIC;
            }
        }

        /** Index of the field numbered {@code number}, or -1. */
        int index(int number) {
            if (number < indexByNumber.length) {
                return indexByNumber[number] - 1;
            }
            for (int i = 0; i < fields.length; i++) {
                if (fields[i].number() == number) {
                    return i;
                }
            }
            return -1;
        }
    }

    private final ProtoCursor c;
    private final Map<ProtoMessage, Shape> shapes = new IdentityHashMap<>();
    /** Fields found while scanning messages: (field index, start, end, wire type) per entry, a stack across nesting. */
    private int[] entries = new int[64];
    private int top;
    private final byte[] digits = new byte[24];
    private byte[] b64 = new byte[256];
    private int depth;

    ProtoJson(ProtoCursor c) {
        this.c = c;
    }

    Shape shape(ProtoMessage m) {
        Shape s = shapes.get(m);
        if (s == null) {
            s = new Shape(m);
            shapes.put(m, s);
        }
        return s;
    }

    void reset() {
        top = 0;
        depth = 0;
    }

    // ---------------------------------------------------------------- entry points

    /** A singular scalar or enum value whose raw wire value (or bytes range) was kept by the plan. */
    void scalar(ProtoField f, long raw, int off, int len, ColumnVector.Binaries out) {
        switch (f.kind()) {
            case STRING -> ColumnValues.putJsonString(out, c.b, off, len);
            case BYTES -> base64(c.b, off, len, out, true);
            case ENUM -> enumValue(f.enumType(), (int) raw, out);
            case BOOL -> out.putAscii(raw != 0 ? "true" : "false");
            case FLOAT -> out.putAscii(floatText(Float.intBitsToFloat((int) raw)));
            case DOUBLE -> out.putAscii(ColumnValues.jsonNumber(Double.longBitsToDouble(raw)));
            default -> integerText(f.kind(), raw, out);
        }
    }

    /** A message whose bytes are {@code [s, e)}. */
    void message(ProtoMessage m, int s, int e, ColumnVector.Binaries out) {
        if (++depth > MAX_DEPTH) {
            throw c.bad("messages nested deeper than " + MAX_DEPTH, s);
        }
        Shape sh = shape(m);
        switch (sh.wkt) {
            case TIMESTAMP -> timestamp(s, e, out);
            case DURATION -> duration(s, e, out);
            case WRAPPER -> wrapper(sh, s, e, out);
            case STRUCT -> struct(sh, s, e, out);
            case VALUE -> value(sh, s, e, out);
            case LIST_VALUE -> listValue(sh, s, e, out);
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
                scalar(f, raw, 0, 0, out);
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
        switch (kf.kind()) {
            case STRING -> {
                if (keyOff < 0) {
                    out.putAscii("\"\"");
                } else {
                    ColumnValues.putJsonString(out, c.b, keyOff, keyLen);
                }
            }
            case BOOL -> out.putAscii(keyRaw != 0 ? "\"true\"" : "\"false\"");
            default -> {
                out.put((byte) '"');
                integerText(kf.kind(), keyRaw, out);
                out.put((byte) '"');
            }
        }
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
            case ENUM -> enumValue(f.enumType(), f.enumType().first().number(), out);
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
            case BYTES -> base64(c.b, s, e - s, out, true);
            default -> {
                int save = c.pos;
                c.pos = s;
                long raw = read(wt, e);
                c.pos = save;
                scalar(f, raw, 0, 0, out);
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

    private void enumValue(ProtoEnum e, int number, ColumnVector.Binaries out) {
        String name = e.nameOf(number);
        if (name == null) {
            putInt(number, out);
        } else {
            out.put((byte) '"');
            out.putAscii(name); // enum value names are identifiers
            out.put((byte) '"');
        }
    }

    private void integerText(ProtoField.Kind k, long raw, ColumnVector.Binaries out) {
        long v = ProtoValues.integer(k, raw);
        if (v < 0 && ProtoValues.unsigned64(k)) {
            out.putAscii(Long.toUnsignedString(v));
        } else {
            putLong(v, out);
        }
    }

    private void putInt(int v, ColumnVector.Binaries out) {
        putLong(v, out);
    }

    /** ASCII digits of {@code v} without allocating. */
    void putLong(long v, ColumnVector.Binaries out) {
        if (v == Long.MIN_VALUE) {
            out.putAscii("-9223372036854775808");
            return;
        }
        int i = digits.length;
        boolean neg = v < 0;
        long x = neg ? -v : v;
        do {
            digits[--i] = (byte) ('0' + (x % 10));
            x /= 10;
        } while (x != 0);
        if (neg) {
            digits[--i] = '-';
        }
        out.put(digits, i, digits.length - i);
    }

    static String floatText(float f) {
        if (Float.isNaN(f) || Float.isInfinite(f)) {
            return "\"" + f + "\"";
        }
        if (f == Math.rint(f) && Math.abs(f) < 1e15f) {
            return Long.toString((long) f);
        }
        return Float.toString(f);
    }

    /** Base64 (RFC 4648, padded) of {@code b[off, off+len)}, quoted when {@code quoted}. */
    void base64(byte[] src, int off, int len, ColumnVector.Binaries out, boolean quoted) {
        int n = (len + 2) / 3 * 4 + 2;
        if (b64.length < n) {
            b64 = new byte[Math.max(n, b64.length * 2)];
        }
        byte[] d = b64;
        int o = 0;
        if (quoted) {
            d[o++] = '"';
        }
        int end = off + len;
        int i = off;
        for (; i + 2 < end; i += 3) {
            int x = (src[i] & 0xff) << 16 | (src[i + 1] & 0xff) << 8 | (src[i + 2] & 0xff);
            d[o++] = B64[x >>> 18];
            d[o++] = B64[(x >>> 12) & 63];
            d[o++] = B64[(x >>> 6) & 63];
            d[o++] = B64[x & 63];
        }
        if (i < end) {
            int x = (src[i] & 0xff) << 16 | (i + 1 < end ? (src[i + 1] & 0xff) << 8 : 0);
            d[o++] = B64[x >>> 18];
            d[o++] = B64[(x >>> 12) & 63];
            d[o++] = i + 1 < end ? B64[(x >>> 6) & 63] : (byte) '=';
            d[o++] = '=';
        }
        if (quoted) {
            d[o++] = '"';
        }
        out.put(d, 0, o);
    }

    // ---------------------------------------------------------------- messages

    /** Scans {@code [s, e)} pushing (field index, start, end, wire type) for every known field; returns the mark. */
    private int scan(Shape sh, int s, int e) {
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

    private void generic(Shape sh, int s, int e, ColumnVector.Binaries out) {
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

    /** Seconds (field 1) and nanos (field 2) of a Timestamp or Duration at {@code [s, e)}; the last of each wins. */
    private long secondsAndNanos(int s, int e, int[] nanosOut) {
        int save = c.pos;
        c.pos = s;
        long seconds = 0;
        int nanos = 0;
        while (c.pos < e) {
            int at = c.pos;
            int tag = c.tag(e);
            int num = tag >>> 3;
            if ((num == 1 || num == 2) && (tag & 7) != ProtoCursor.VARINT) {
                throw c.bad("field '" + (num == 1 ? "seconds" : "nanos") + "' of a Timestamp/Duration has wire type "
                        + ProtoCursor.wireTypeName(tag & 7) + ", expected " + ProtoCursor.wireTypeName(0), at);
            }
            if (num == 1) {
                seconds = c.varint(e);
            } else if (num == 2) {
                nanos = (int) c.varint(e);
            } else {
                c.skip(tag, e, at);
            }
        }
        c.pos = save;
        nanosOut[0] = nanos;
        return seconds;
    }

    private final int[] nanosBox = new int[1];

    /** Epoch millis of a Timestamp (or milliseconds of a Duration) at {@code [s, e)}: seconds*1000 + floor(nanos/1e6). */
    long millis(int s, int e) {
        long seconds = secondsAndNanos(s, e, nanosBox);
        try {
            return Math.addExact(Math.multiplyExact(seconds, 1000L), Math.floorDiv(nanosBox[0], 1_000_000));
        } catch (ArithmeticException ex) {
            throw c.bad("timestamp of " + seconds + " seconds is out of range", s);
        }
    }

    private void timestamp(int s, int e, ColumnVector.Binaries out) {
        long seconds = secondsAndNanos(s, e, nanosBox);
        String text;
        try {
            text = Instant.ofEpochSecond(seconds, nanosBox[0]).toString();
        } catch (DateTimeException | ArithmeticException ex) {
            throw c.bad("timestamp of " + seconds + " seconds is out of range", s);
        }
        out.put((byte) '"');
        out.putAscii(text);
        out.put((byte) '"');
    }

    private void duration(int s, int e, ColumnVector.Binaries out) {
        long seconds = secondsAndNanos(s, e, nanosBox);
        int nanos = nanosBox[0];
        out.put((byte) '"');
        if (seconds < 0 || nanos < 0) {
            out.put((byte) '-');
            seconds = -seconds;
            nanos = -nanos;
        }
        putLong(seconds, out);
        if (nanos != 0) {
            String frac = String.format("%09d", nanos);
            if (nanos % 1_000_000 == 0) {
                frac = frac.substring(0, 3);
            } else if (nanos % 1_000 == 0) {
                frac = frac.substring(0, 6);
            }
            out.put((byte) '.');
            out.putAscii(frac);
        }
        out.putAscii("s\"");
    }

    private void wrapper(Shape sh, int s, int e, ColumnVector.Binaries out) {
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

    private void struct(Shape sh, int s, int e, ColumnVector.Binaries out) {
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

    private void value(Shape sh, int s, int e, ColumnVector.Binaries out) {
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

    private void listValue(Shape sh, int s, int e, ColumnVector.Binaries out) {
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
