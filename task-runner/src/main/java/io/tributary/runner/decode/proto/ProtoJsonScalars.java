package io.tributary.runner.decode.proto;

import io.tributary.formats.proto.ProtoEnum;
import io.tributary.formats.proto.ProtoField;
import io.tributary.runner.buffer.ColumnVector;
import io.tributary.runner.decode.ColumnValues;
import java.nio.charset.StandardCharsets;

/**
 * JSON text of single Protobuf values that are not messages, as protobuf's JSON mapping writes them:
 * strings escaped, bytes base64, enums their value's name (an unknown number: the number), int64 and
 * uint64 numbers (uint64 unsigned), float/double numbers (NaN and infinities as strings), map keys as
 * strings. Exists to keep the leaf rendering (and its reused scratch buffers) apart from the message
 * walking in {@link ProtoJson}; also used by {@link ProtoColumnWriter} for base64 string columns.
 * No allocation per value except the text of floating-point numbers and unsigned 64-bit values above
 * 2^63-1. Not thread-safe.
 */
final class ProtoJsonScalars {
    private static final byte[] B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
            .getBytes(StandardCharsets.US_ASCII);

    private final ProtoCursor c;
    private final byte[] digits = new byte[24];
    private byte[] b64 = new byte[256];

    ProtoJsonScalars(ProtoCursor c) {
        this.c = c;
    }

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

    /**
     * A map key of kind {@code kf} as a JSON string: a string key's bytes at {@code [keyOff, keyOff+keyLen)}
     * ({@code keyOff} negative: absent, the empty string), else from its raw wire value.
     */
    void mapKey(ProtoField kf, long keyRaw, int keyOff, int keyLen, ColumnVector.Binaries out) {
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
    }

    void enumValue(ProtoEnum e, int number, ColumnVector.Binaries out) {
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
}
