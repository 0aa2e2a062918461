package io.tributary.runner.decode;

import java.nio.charset.StandardCharsets;

/**
 * The byte-level half of {@link JsonFastPath}: JSON tokens of a UTF-8 document by RFC 8259's grammar,
 * checked as strictly as Jackson checks them (strict UTF-8, valid escapes, no leading zeros, no control
 * characters), and the values of number tokens. Whatever it is not sure of throws {@link #NOT_SURE}.
 * The document and position are fields so the hot loops work on locals without allocation.
 */
abstract class JsonByteScanner {
    static final int T_STRING = 1;
    static final int T_INT = 2;
    static final int T_FLOAT = 3;
    static final int T_TRUE = 4;
    static final int T_FALSE = 5;
    static final int T_NULL = 6;
    /** Below Jackson's StreamReadConstraints defaults (number 1000 chars, name 50,000, string 20M). */
    static final int MAX_NUMBER_CHARS = 100;
    static final int MAX_NAME_BYTES = 1000;
    static final int MAX_STRING_BYTES = 1 << 20;
    static final double[] POW10 = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13,
        1e14, 1e15};

    /** Unwinds the scan; preallocated and stackless: not an error, just "ask Jackson". */
    static final class NotSure extends RuntimeException {
        NotSure() {
            super(null, null, false, false);
        }
    }

    static final NotSure NOT_SURE = new NotSure();

    byte[] d;
    int pos;
    int end;
    // the scalar token just scanned: its type, its bytes [start, end) (a string's without the quotes)
    int tokType;
    int tokStart;
    int tokEnd;
    boolean escaped;

    /** The byte at {@code i}, or 0 past the end: 0 is valid nowhere in JSON, so every check fails there. */
    byte at(int i) {
        return i < end ? d[i] : 0;
    }

    void skipWs() {
        while (pos < end) {
            byte b = d[pos];
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return;
            }
            pos++;
        }
    }

    /** The scalar token starting with {@code c} at {@code pos}; leaves {@code pos} after it. */
    void scalar(byte c) {
        tokStart = pos;
        switch (c) {
            case '"' -> {
                tokStart = pos + 1;
                string();
                tokType = T_STRING;
                tokEnd = pos - 1;
                return;
            }
            case 't' -> literal("true", T_TRUE);
            case 'f' -> literal("false", T_FALSE);
            case 'n' -> literal("null", T_NULL);
            default -> number(c);
        }
        tokEnd = pos;
    }

    void literal(String word, int type) {
        for (int i = 0; i < word.length(); i++) {
            if (at(pos + i) != word.charAt(i)) {
                throw NOT_SURE;
            }
        }
        pos += word.length();
        tokType = type;
    }

    /** A number by JSON's grammar (no leading zeros, no '+', digits after '.' and 'e'). */
    void number(byte c) {
        int start = pos;
        byte b = c;
        if (b == '-') {
            b = at(++pos);
        }
        if (b == '0') {
            b = at(++pos);
        } else if (b >= '1' && b <= '9') {
            b = digits();
        } else {
            throw NOT_SURE;
        }
        int type = T_INT;
        if (b == '.') {
            type = T_FLOAT;
            b = at(++pos);
            if (b < '0' || b > '9') {
                throw NOT_SURE;
            }
            b = digits();
        }
        if (b == 'e' || b == 'E') {
            type = T_FLOAT;
            b = at(++pos);
            if (b == '+' || b == '-') {
                b = at(++pos);
            }
            if (b < '0' || b > '9') {
                throw NOT_SURE;
            }
            digits();
        }
        if (pos - start > MAX_NUMBER_CHARS) {
            throw NOT_SURE;
        }
        tokType = type;
    }

    /** Skips the digits at {@code pos}; the byte after them. */
    byte digits() {
        byte b;
        do {
            b = at(++pos);
        } while (b >= '0' && b <= '9');
        return b;
    }

    /**
     * The string whose opening quote is at {@code pos}; leaves {@code pos} after the closing quote and
     * sets {@link #escaped}. Checks escapes and UTF-8 (strictly: no overlong forms, no surrogates).
     */
    void string() {
        byte[] d = this.d;
        int end = this.end;
        int p = pos + 1;
        boolean esc = false;
        while (true) {
            if (p >= end) {
                throw NOT_SURE;
            }
            byte b = d[p];
            // the hot loop: printable ASCII (a signed byte >= 0x20 is 0x20..0x7f) other than '"' and '\'
            if (b >= 0x20 && b != '"' && b != '\\') {
                p++;
            } else if (b == '"') {
                break;
            } else if (b == '\\') {
                esc = true;
                p = escape(p);
            } else if (b >= 0) {
                throw NOT_SURE; // an unescaped control character
            } else {
                p = utf8(p, b & 0xFF);
            }
        }
        if (p - pos > MAX_STRING_BYTES) {
            throw NOT_SURE;
        }
        escaped = esc;
        pos = p + 1;
    }

    /** Checks the escape at {@code p} (a backslash); the index after it. */
    int escape(int p) {
        byte e = at(p + 1);
        switch (e) {
            case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {
                return p + 2;
            }
            case 'u' -> {
                for (int i = p + 2; i < p + 6; i++) {
                    byte h = at(i);
                    if (!(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F')) {
                        throw NOT_SURE;
                    }
                }
                return p + 6;
            }
            default -> throw NOT_SURE;
        }
    }

    /** Checks the multi-byte UTF-8 sequence at {@code p} (lead byte {@code b0}); the index after it. */
    int utf8(int p, int b0) {
        if (b0 < 0xC2) {
            throw NOT_SURE; // a continuation byte, or an overlong 2-byte form
        }
        if (b0 < 0xE0) {
            cont(p + 1);
            return p + 2;
        }
        int b1 = at(p + 1) & 0xFF;
        if (b0 < 0xF0) {
            int lo = b0 == 0xE0 ? 0xA0 : 0x80;
            int hi = b0 == 0xED ? 0x9F : 0xBF; // no surrogates
            if (b1 < lo || b1 > hi) {
                throw NOT_SURE;
            }
            cont(p + 2);
            return p + 3;
        }
        if (b0 < 0xF5) {
            int lo = b0 == 0xF0 ? 0x90 : 0x80;
            int hi = b0 == 0xF4 ? 0x8F : 0xBF; // up to U+10FFFF
            if (b1 < lo || b1 > hi) {
                throw NOT_SURE;
            }
            cont(p + 2);
            cont(p + 3);
            return p + 4;
        }
        throw NOT_SURE;
    }

    void cont(int i) {
        if ((at(i) & 0xC0) != 0x80) {
            throw NOT_SURE;
        }
    }

    static void require(boolean sure) {
        if (!sure) {
            throw NOT_SURE;
        }
    }

    /** The token as a long: an optional '-' and at most 18 digits (more: not sure it fits). */
    long parseLong() {
        int i = tokStart;
        boolean neg = d[i] == '-';
        if (neg) {
            i++;
        }
        require(tokEnd - i <= 18 && tokEnd > i);
        long v = 0;
        for (; i < tokEnd; i++) {
            v = v * 10 + (d[i] - '0');
        }
        return neg ? -v : v;
    }

    /** A timestamp string of epoch millis (what JsonRowDecoder's allDigits accepts), checked here for digits. */
    boolean allDigits() {
        int len = tokEnd - tokStart;
        if (len == 0 || len > 19) {
            return false;
        }
        int i = tokStart;
        if (d[i] == '-' && len > 1) {
            i++;
        }
        for (; i < tokEnd; i++) {
            if (d[i] < '0' || d[i] > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * A JSON number as a double: exactly (one correctly rounded division) when it has no exponent and at
     * most 15 digits, else by {@link Double#parseDouble} like Jackson.
     */
    double parseDouble() {
        int i = tokStart;
        boolean neg = d[i] == '-';
        if (neg) {
            i++;
        }
        long m = 0;
        int digits = 0;
        int frac = -1;
        for (; i < tokEnd; i++) {
            byte b = d[i];
            if (b == '.') {
                frac = 0;
            } else if (b >= '0' && b <= '9' && digits < 15) {
                m = m * 10 + (b - '0');
                digits++;
                if (frac >= 0) {
                    frac++;
                }
            } else {
                return Double.parseDouble(new String(d, tokStart, tokEnd - tokStart, StandardCharsets.ISO_8859_1));
            }
        }
        double v = frac > 0 ? m / POW10[frac] : m;
        return neg ? -v : v;
    }
}
