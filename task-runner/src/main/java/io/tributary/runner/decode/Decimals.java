package io.tributary.runner.decode;

import java.math.BigInteger;

/**
 * Decimal helpers of the decoders: a fast path from the text of a plain decimal to its unscaled
 * {@code long} (no BigDecimal per value), and the big-endian two's-complement bytes of a
 * FIXED_LEN_BYTE_ARRAY decimal. Stateless.
 */
final class Decimals {
    private Decimals() {
    }

    static final long NO_FAST_PATH = Long.MIN_VALUE;
    private static final long[] POW10 = new long[19];

    static {
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) {
            POW10[i] = POW10[i - 1] * 10;
        }
    }

    /**
     * The unscaled value of a plain decimal ({@code -123.45}, no exponent, no blanks) that fits
     * {@code decimal(precision <= 18, scale)}, or {@link #NO_FAST_PATH} for anything else (the exact
     * BigDecimal path then decides and names the error).
     */
    static long fastUnscaled(char[] c, int off, int len, int precision, int scale) {
        int i = off;
        int end = off + len;
        boolean neg = false;
        if (i < end && (c[i] == '-' || c[i] == '+')) {
            neg = c[i] == '-';
            i++;
        }
        long v = 0;
        int digits = 0;
        int frac = -1;
        boolean any = false;
        for (; i < end; i++) {
            char ch = c[i];
            if (ch >= '0' && ch <= '9') {
                any = true;
                if (frac >= 0) {
                    frac++;
                    if (frac > scale) {
                        if (ch != '0') {
                            return NO_FAST_PATH;
                        }
                        continue; // trailing zero beyond the scale
                    }
                }
                if (v != 0 || ch != '0') {
                    digits++;
                    if (digits > 18) {
                        return NO_FAST_PATH;
                    }
                }
                v = v * 10 + (ch - '0');
            } else if (ch == '.' && frac < 0) {
                frac = 0;
            } else {
                return NO_FAST_PATH;
            }
        }
        return any ? scaled(v, digits, frac, neg, precision, scale) : NO_FAST_PATH;
    }

    /** The digits read scaled up to {@code scale} if they fit {@code decimal(precision, scale)} and a long. */
    private static long scaled(long v, int digits, int frac, boolean neg, int precision, int scale) {
        int f = Math.max(frac, 0);
        int shift = scale - Math.min(f, scale);
        int total = digits + shift;
        if (v != 0 && total > precision) {
            return NO_FAST_PATH;
        }
        if (total > 18) {
            return NO_FAST_PATH;
        }
        v *= POW10[shift];
        return neg ? -v : v;
    }

    /** {@link #fastUnscaled(char[], int, int, int, int)} over the ASCII bytes of a number or string. */
    static long fastUnscaled(byte[] c, int off, int len, int precision, int scale) {
        int i = off;
        int end = off + len;
        boolean neg = false;
        if (i < end && (c[i] == '-' || c[i] == '+')) {
            neg = c[i] == '-';
            i++;
        }
        long v = 0;
        int digits = 0;
        int frac = -1;
        boolean any = false;
        for (; i < end; i++) {
            byte ch = c[i];
            if (ch >= '0' && ch <= '9') {
                any = true;
                if (frac >= 0) {
                    frac++;
                    if (frac > scale) {
                        if (ch != '0') {
                            return NO_FAST_PATH;
                        }
                        continue; // trailing zero beyond the scale
                    }
                }
                if (v != 0 || ch != '0') {
                    digits++;
                    if (digits > 18) {
                        return NO_FAST_PATH;
                    }
                }
                v = v * 10 + (ch - '0');
            } else if (ch == '.' && frac < 0) {
                frac = 0;
            } else {
                return NO_FAST_PATH;
            }
        }
        return any ? scaled(v, digits, frac, neg, precision, scale) : NO_FAST_PATH;
    }

    /** {@code unscaled} as {@code n} big-endian two's-complement bytes (sign-extended). */
    static byte[] fixedBytes(BigInteger unscaled, int n) {
        byte[] raw = unscaled.toByteArray();
        byte[] fixed = new byte[n];
        byte pad = (byte) (unscaled.signum() < 0 ? 0xFF : 0);
        int lead = n - raw.length;
        for (int i = 0; i < lead; i++) {
            fixed[i] = pad;
        }
        System.arraycopy(raw, 0, fixed, lead, raw.length);
        return fixed;
    }
}
