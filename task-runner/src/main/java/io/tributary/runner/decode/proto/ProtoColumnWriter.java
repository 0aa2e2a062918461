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
import static io.tributary.runner.decode.proto.ProtoColumn.OP_STRING;
import static io.tributary.runner.decode.proto.ProtoColumn.OP_TS_STRING;

import io.tributary.catalog.ColumnType;
import io.tributary.formats.proto.ProtoField;
import io.tributary.formats.proto.ProtoMessage;
import io.tributary.runner.buffer.ColumnVector;
import io.tributary.runner.decode.BadRecord;
import io.tributary.runner.decode.ColumnValues;
import io.tributary.runner.decode.RowSchema;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

/**
 * The write side of a {@link ProtoPlan}: turns a column's per-row slot (a raw wire value, a byte range,
 * or a chain of repeated occurrences) into the column vector's value, by the op {@link ProtoPlanner}
 * chose (integers range-checked, strings copied as they are or parsed into timestamp/date/decimal,
 * Timestamp messages to millis, structured values rendered by {@link ProtoJson}). Exists to keep the
 * conversions apart from the wire walk; one per plan, holds no per-row state. Not thread-safe (shares
 * the decoder's scratch space).
 */
final class ProtoColumnWriter {
    private static final long MILLIS_PER_DAY = 86_400_000L;
    private static final long[] POW10 = new long[19];

    static {
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) {
            POW10[i] = POW10[i - 1] * 10;
        }
    }

    private final ProtoMessage type;
    private final String label;
    private final ProtoCursor c;
    private final ProtoJson json;
    private final ProtoJsonScalars scalars;
    private final ProtoTimestamps times;

    /** {@code c} and {@code json} are null for a refusing plan (which never writes). */
    ProtoColumnWriter(ProtoMessage type, String label, ProtoCursor c, ProtoJson json) {
        this.type = type;
        this.label = label;
        this.c = c;
        this.json = json;
        this.scalars = json == null ? null : json.scalars;
        this.times = json == null ? null : json.times;
    }

    /**
     * Writes one column value from its slot: {@code raw} is the wire value, or the offset of a
     * length-delimited one ({@code len} bytes; for {@code OP_JSON_ROOT} the whole message); {@code head}
     * the first occurrence of a repeated field in {@code pool} (start, end, wire type, next per entry).
     */
    void emit(ProtoColumn col, ColumnVector v, long raw, int len, int head, int[] pool) {
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
                scalars.base64(b, (int) raw, len, out, false);
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
            case OP_MILLIS_MSG -> ((ColumnVector.Longs) v).append(times.millis((int) raw, (int) raw + len));
            case OP_DATE_MSG -> ((ColumnVector.Ints) v).append(
                    (int) Math.floorDiv(times.millis((int) raw, (int) raw + len), MILLIS_PER_DAY));
            case OP_JSON_SCALAR -> {
                ColumnVector.Binaries out = (ColumnVector.Binaries) v;
                scalars.scalar(leaf, raw, (int) raw, len, out);
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
                json.message(type, (int) raw, (int) raw + len, out);
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
