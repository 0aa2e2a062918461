package io.tributary.runner.decode;

import io.tributary.catalog.ColumnType;
import io.tributary.runner.buffer.ColumnVector;
import io.tributary.runner.buffer.PartitionBuffer;

import java.util.Arrays;

/**
 * The common case of {@link JsonRowDecoder}: one pass over the document's UTF-8 bytes that checks it as
 * strictly as Jackson does and appends values straight from the bytes into the column vectors, with no
 * parser object, no String or char[] per value and no map lookup per key (Jackson's parser set-up, its
 * char decoding and re-encoding, and the name map were ~40 % of the decode CPU).
 *
 * <p>It answers true only when Jackson would have appended the same row. Anything it is not sure of —
 * invalid JSON, a type mismatch, a missing or null required value, an escape inside a string or key it
 * would have to decode, a number, timestamp or decimal outside the simple forms, deep nesting, very long
 * tokens — makes it answer false; the caller rolls the row back and Jackson decides and names the error.
 * Not thread-safe: one per decoder.
 */
final class JsonFastPath extends JsonByteScanner {
    private static final int MAX_DEPTH = 200; // Jackson's default limit is 1000

    private final RowSchema.Field[] fields;
    private final ColumnType.Kind[] kinds;
    private final JsonPathTrie.Node root;
    private final int[] stamp;
    private int current;
    private ColumnVector[] cols;
    private int depth;

    JsonFastPath(RowSchema.Field[] fields, JsonPathTrie.Node root) {
        this.fields = fields;
        this.root = root;
        this.kinds = new ColumnType.Kind[fields.length];
        for (int i = 0; i < fields.length; i++) {
            kinds[i] = fields[i].type().kind();
        }
        this.stamp = new int[fields.length];
        Arrays.fill(stamp, -1);
    }

    /**
     * Appends the columns of the document {@code doc[offset, offset + length)} and answers true, or answers false
     * (maybe leaving a partial row).
     */
    boolean decode(byte[] doc, int offset, int length, PartitionBuffer buf) {
        if (++current == Integer.MAX_VALUE) {
            Arrays.fill(stamp, -1);
            current = 0;
        }
        d = doc;
        pos = offset;
        end = offset + length;
        depth = 0;
        cols = buf.columns();
        try {
            skipWs();
            if (at(pos) != '{' || root.columns.length != 0) {
                return false;
            }
            object(root);
            skipWs();
            if (pos != end) {
                return false;
            }
            for (int i = 0; i < stamp.length; i++) {
                if (stamp[i] != current) {
                    if (!fields[i].nullable()) {
                        return false;
                    }
                    cols[i].appendNull();
                }
            }
            return true;
        } catch (NotSure e) {
            return false;
        } finally {
            d = null;
            cols = null;
        }
    }

    /** The value at {@code pos}, for trie node {@code node} (null: no column below, just validate). */
    private void value(JsonPathTrie.Node node) {
        byte c = at(pos);
        boolean container = c == '{' || c == '[';
        if (node == null || node.columns.length == 0 || container) {
            int start = pos;
            if (c == '{') {
                object(node == null || node.fields == null ? null : node);
            } else if (c == '[') {
                array(node == null || node.items == null ? null : node);
            } else {
                scalar(c);
            }
            if (node != null && container) {
                for (int col : node.columns) { // a json column: the document's own bytes
                    if (stamp[col] != current) {
                        if (kinds[col] != ColumnType.Kind.JSON) {
                            throw NOT_SURE;
                        }
                        stamp[col] = current;
                        ((ColumnVector.Binaries) cols[col]).append(d, start, pos - start);
                    }
                }
            }
            return;
        }
        scalar(c);
        for (int col : node.columns) {
            if (stamp[col] != current) { // a duplicate key: the first value wins
                set(col);
                stamp[col] = current;
            }
        }
    }

    private void object(JsonPathTrie.Node node) {
        if (++depth > MAX_DEPTH) {
            throw NOT_SURE;
        }
        pos++;
        skipWs();
        if (at(pos) == '}') {
            pos++;
            depth--;
            return;
        }
        while (true) {
            if (at(pos) != '"') {
                throw NOT_SURE;
            }
            int nameStart = pos + 1;
            string();
            int nameLen = pos - 1 - nameStart;
            if (escaped || nameLen > MAX_NAME_BYTES) {
                throw NOT_SURE;
            }
            JsonPathTrie.Node child = node == null ? null : node.child(d, nameStart, nameLen);
            skipWs();
            if (at(pos) != ':') {
                throw NOT_SURE;
            }
            pos++;
            skipWs();
            value(child);
            skipWs();
            byte c = at(pos++);
            if (c == '}') {
                depth--;
                return;
            }
            if (c != ',') {
                throw NOT_SURE;
            }
            skipWs();
        }
    }

    private void array(JsonPathTrie.Node node) {
        if (++depth > MAX_DEPTH) {
            throw NOT_SURE;
        }
        pos++;
        skipWs();
        if (at(pos) == ']') {
            pos++;
            depth--;
            return;
        }
        for (int i = 0;; i++) {
            value(node != null && i < node.items.length ? node.items[i] : null);
            skipWs();
            byte c = at(pos++);
            if (c == ']') {
                depth--;
                return;
            }
            if (c != ',') {
                throw NOT_SURE;
            }
            skipWs();
        }
    }

    /** Appends the scalar just scanned to column {@code col}, as {@code JsonRowDecoder.setScalar} would. */
    private void set(int col) {
        ColumnVector v = cols[col];
        int t = tokType;
        if (t == T_NULL) {
            if (!fields[col].nullable()) {
                throw NOT_SURE;
            }
            v.appendNull();
            return;
        }
        int len = tokEnd - tokStart;
        boolean plainString = t == T_STRING && !escaped;
        switch (kinds[col]) {
            case STRING -> {
                require(plainString);
                ((ColumnVector.Binaries) v).append(d, tokStart, len);
            }
            case INT -> {
                require(t == T_INT);
                long x = parseLong();
                require(x >= Integer.MIN_VALUE && x <= Integer.MAX_VALUE);
                ((ColumnVector.Ints) v).append((int) x);
            }
            case LONG -> {
                require(t == T_INT);
                ((ColumnVector.Longs) v).append(parseLong());
            }
            case DOUBLE -> {
                require(t == T_INT || t == T_FLOAT);
                ((ColumnVector.Doubles) v).append(t == T_INT ? (double) parseLong() : parseDouble());
            }
            case BOOLEAN -> {
                require(t == T_TRUE || t == T_FALSE);
                ((ColumnVector.Booleans) v).append(t == T_TRUE);
            }
            case TIMESTAMP -> {
                long ms;
                if (t == T_INT) {
                    ms = parseLong();
                } else {
                    require(plainString);
                    ms = allDigits() ? parseLong() : TimeParsing.isoToEpochMillisFast(d, tokStart, len);
                    require(ms != TimeParsing.NOT_FAST);
                }
                ((ColumnVector.Longs) v).append(ms);
            }
            case DATE -> {
                require(plainString);
                long day = TimeParsing.isoDateToEpochDayFast(d, tokStart, len);
                require(day != TimeParsing.NOT_FAST);
                ((ColumnVector.Ints) v).append((int) day);
            }
            case DECIMAL -> {
                RowSchema.Field f = fields[col];
                require(f.decimalAsLong() && (plainString || t == T_INT || t == T_FLOAT));
                long unscaled = Decimals.fastUnscaled(d, tokStart, len, f.type().precision(), f.type().scale());
                require(unscaled != Decimals.NO_FAST_PATH);
                ((ColumnVector.Longs) v).append(unscaled);
            }
            case JSON -> {
                require(t != T_STRING || !escaped); // Jackson re-quotes a decoded string; unescaped, that is its own bytes
                ((ColumnVector.Binaries) v).append(d, t == T_STRING ? tokStart - 1 : tokStart, t == T_STRING ? len + 2 : len);
            }
            default -> throw NOT_SURE;
        }
    }

}
