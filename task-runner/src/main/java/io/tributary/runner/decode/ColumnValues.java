package io.tributary.runner.decode;

import io.tributary.catalog.ColumnType;
import io.tributary.runner.buffer.ColumnVector;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Base64;

/**
 * Conversions the binary decoders (Avro, Protobuf) share when a value goes into a column: decimals
 * from unscaled big-endian bytes, JSON string escaping, base64 for bytes. Errors are
 * {@link BadRecord}s naming the column. Stateless.
 */
public final class ColumnValues {
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private ColumnValues() {
    }

    /**
     * Appends a decimal given as big-endian two's-complement unscaled bytes {@code b[off, off+len)} with
     * scale {@code scale} to the decimal column of {@code f}. Same scale and a fitting precision take
     * the fast path (no BigInteger); otherwise the value is rescaled exactly or refused.
     */
    public static void appendDecimal(RowSchema.Field f, ColumnVector v, byte[] b, int off, int len, int scale) {
        ColumnType t = f.type();
        if (scale == t.scale() && f.decimalAsLong() && len <= 8) {
            long x = len == 0 ? 0 : b[off]; // sign-extended first byte
            for (int i = 1; i < len; i++) {
                x = (x << 8) | (b[off + i] & 0xff);
            }
            if (fitsPrecision(x, t.precision())) {
                ((ColumnVector.Longs) v).append(x);
                return;
            }
        }
        BigInteger unscaled = len == 0 ? BigInteger.ZERO : new BigInteger(b, off, len);
        appendDecimal(f, v, new BigDecimal(unscaled, scale));
    }

    /** Appends {@code d} to the decimal column of {@code f}, exactly (more fraction digits or precision is an error). */
    public static void appendDecimal(RowSchema.Field f, ColumnVector v, BigDecimal d) {
        ColumnType type = f.type();
        BigDecimal scaled;
        try {
            scaled = d.setScale(type.scale(), RoundingMode.UNNECESSARY);
        } catch (ArithmeticException e) {
            throw new BadRecord(f.describe() + ": " + d.toPlainString() + " has more than " + type.scale()
                    + " fraction digits for " + type);
        }
        if (scaled.precision() > type.precision() && scaled.signum() != 0) {
            throw new BadRecord(f.describe() + ": " + d.toPlainString() + " has more than " + type.precision()
                    + " digits for " + type);
        }
        BigInteger unscaled = scaled.unscaledValue();
        if (f.decimalAsLong()) {
            ((ColumnVector.Longs) v).append(unscaled.longValueExact());
        } else {
            int n = f.decimalBytes();
            ((ColumnVector.Binaries) v).append(Decimals.fixedBytes(unscaled, n), 0, n);
        }
    }

    private static boolean fitsPrecision(long x, int precision) {
        long limit = 1; // precision <= 18 here, so 10^precision fits a long
        for (int i = 0; i < precision; i++) {
            limit *= 10;
        }
        return x > -limit && x < limit;
    }

    /** Writes {@code b[off, off+len)} (UTF-8) as a quoted, escaped JSON string into the value being built. */
    public static void putJsonString(ColumnVector.Binaries v, byte[] b, int off, int len) {
        v.put((byte) '"');
        int run = off;
        int end = off + len;
        for (int i = off; i < end; i++) {
            int c = b[i] & 0xff;
            if (c == '"' || c == '\\' || c < 0x20) {
                if (i > run) {
                    v.put(b, run, i - run);
                }
                v.put((byte) '\\');
                switch (c) {
                    case '"' -> v.put((byte) '"');
                    case '\\' -> v.put((byte) '\\');
                    case '\n' -> v.put((byte) 'n');
                    case '\r' -> v.put((byte) 'r');
                    case '\t' -> v.put((byte) 't');
                    default -> {
                        v.put((byte) 'u');
                        v.put((byte) '0');
                        v.put((byte) '0');
                        v.put(HEX[c >> 4]);
                        v.put(HEX[c & 0xf]);
                    }
                }
                run = i + 1;
            }
        }
        if (end > run) {
            v.put(b, run, end - run);
        }
        v.put((byte) '"');
    }

    /** Base64 (RFC 4648, padded) of {@code b[off, off+len)}: how bytes land in string and json columns. */
    public static byte[] base64(byte[] b, int off, int len) {
        byte[] src = off == 0 && len == b.length ? b : java.util.Arrays.copyOfRange(b, off, off + len);
        return Base64.getEncoder().encode(src);
    }

    /** Epoch millis of an ISO-8601 timestamp text (as JSON columns accept it), or a bad record naming the column. */
    public static long isoMillis(RowSchema.Field f, String text) {
        char[] c = text.toCharArray();
        try {
            return TimeParsing.isoToEpochMillis(c, 0, c.length);
        } catch (IllegalArgumentException e) {
            throw new BadRecord(f.describe() + ": " + e.getMessage());
        }
    }

    /** Epoch day of an ISO-8601 date text, or a bad record naming the column. */
    public static int isoDate(RowSchema.Field f, String text) {
        char[] c = text.toCharArray();
        try {
            return TimeParsing.isoDateToEpochDay(c, 0, c.length);
        } catch (IllegalArgumentException e) {
            throw new BadRecord(f.describe() + ": " + e.getMessage());
        }
    }

    /** A decimal from its text, or a bad record naming the column. */
    public static void appendDecimalText(RowSchema.Field f, ColumnVector v, String text) {
        String t = text.trim();
        BigDecimal d;
        try {
            if (t.isEmpty() || t.length() > 100) {
                throw new NumberFormatException();
            }
            d = new BigDecimal(t);
        } catch (NumberFormatException e) {
            throw new BadRecord(f.describe() + ": \"" + (t.length() > 64 ? t.substring(0, 64) + "..." : t)
                    + "\" is not a decimal number");
        }
        appendDecimal(f, v, d);
    }

    /** A JSON number for a double; NaN and infinities, which JSON lacks, as strings. */
    public static String jsonNumber(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return "\"" + d + "\"";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return Double.toString(d);
    }
}
