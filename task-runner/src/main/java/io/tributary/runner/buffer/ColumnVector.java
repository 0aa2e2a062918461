package io.tributary.runner.buffer;

import java.util.Arrays;

/**
 * One growable column of a partition buffer. Values are appended at row index {@link #size()};
 * {@link #truncate(int)} rolls back a row that failed to decode. Not thread-safe: owned by the
 * poll thread while filling, then handed over whole to one flush thread.
 */
public abstract class ColumnVector {
    protected int size;
    protected boolean[] nulls;

    ColumnVector(boolean nullable, int capacity) {
        this.nulls = nullable ? new boolean[capacity] : null;
    }

    public final int size() {
        return size;
    }

    public final boolean isNull(int row) {
        return nulls != null && nulls[row];
    }

    public abstract void appendNull();

    public abstract void truncate(int rows);

    /** Bytes this column holds (used size, not capacity). */
    public abstract long bytes();

    /** The bytes each value adds to {@link #bytes()} besides variable-length data. */
    abstract long bytesPerRow();

    protected final void markNull(boolean isNull) {
        if (nulls != null) {
            if (size >= nulls.length) {
                nulls = Arrays.copyOf(nulls, Math.max(16, nulls.length * 2));
            }
            nulls[size] = isNull;
        }
    }

    public static final class Longs extends ColumnVector {
        long[] values;

        /** The values (row i at index i); read-only for writers, valid until the next append. */
        public long[] values() {
            return values;
        }

        Longs(boolean nullable, int capacity) {
            super(nullable, capacity);
            values = new long[capacity];
        }

        public void append(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, Math.max(16, values.length * 2));
            }
            markNull(false);
            values[size++] = v;
        }

        public long get(int row) {
            return values[row];
        }

        @Override
        public void appendNull() {
            if (size == values.length) {
                values = Arrays.copyOf(values, Math.max(16, values.length * 2));
            }
            markNull(true);
            values[size++] = 0;
        }

        @Override
        public void truncate(int rows) {
            size = Math.min(size, rows);
        }

        @Override
        public long bytes() {
            return size * (nulls == null ? 8L : 9L);
        }

        @Override
        long bytesPerRow() {
            return nulls == null ? 8L : 9L;
        }
    }

    public static final class Ints extends ColumnVector {
        int[] values;

        /** The values (row i at index i); read-only for writers, valid until the next append. */
        public int[] values() {
            return values;
        }

        Ints(boolean nullable, int capacity) {
            super(nullable, capacity);
            values = new int[capacity];
        }

        public void append(int v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, Math.max(16, values.length * 2));
            }
            markNull(false);
            values[size++] = v;
        }

        public int get(int row) {
            return values[row];
        }

        @Override
        public void appendNull() {
            if (size == values.length) {
                values = Arrays.copyOf(values, Math.max(16, values.length * 2));
            }
            markNull(true);
            values[size++] = 0;
        }

        @Override
        public void truncate(int rows) {
            size = Math.min(size, rows);
        }

        @Override
        public long bytes() {
            return size * (nulls == null ? 4L : 5L);
        }

        @Override
        long bytesPerRow() {
            return nulls == null ? 4L : 5L;
        }
    }

    public static final class Doubles extends ColumnVector {
        double[] values;

        /** The values (row i at index i); read-only for writers, valid until the next append. */
        public double[] values() {
            return values;
        }

        Doubles(boolean nullable, int capacity) {
            super(nullable, capacity);
            values = new double[capacity];
        }

        public void append(double v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, Math.max(16, values.length * 2));
            }
            markNull(false);
            values[size++] = v;
        }

        public double get(int row) {
            return values[row];
        }

        @Override
        public void appendNull() {
            if (size == values.length) {
                values = Arrays.copyOf(values, Math.max(16, values.length * 2));
            }
            markNull(true);
            values[size++] = 0;
        }

        @Override
        public void truncate(int rows) {
            size = Math.min(size, rows);
        }

        @Override
        public long bytes() {
            return size * (nulls == null ? 8L : 9L);
        }

        @Override
        long bytesPerRow() {
            return nulls == null ? 8L : 9L;
        }
    }

    public static final class Booleans extends ColumnVector {
        boolean[] values;

        /** The values (row i at index i); read-only for writers, valid until the next append. */
        public boolean[] values() {
            return values;
        }

        Booleans(boolean nullable, int capacity) {
            super(nullable, capacity);
            values = new boolean[capacity];
        }

        public void append(boolean v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, Math.max(16, values.length * 2));
            }
            markNull(false);
            values[size++] = v;
        }

        public boolean get(int row) {
            return values[row];
        }

        @Override
        public void appendNull() {
            if (size == values.length) {
                values = Arrays.copyOf(values, Math.max(16, values.length * 2));
            }
            markNull(true);
            values[size++] = false;
        }

        @Override
        public void truncate(int rows) {
            size = Math.min(size, rows);
        }

        @Override
        public long bytes() {
            return size * (nulls == null ? 1L : 2L);
        }

        @Override
        long bytesPerRow() {
            return nulls == null ? 1L : 2L;
        }
    }

    /** Variable-length values (UTF-8 strings, JSON text, big decimals) in one shared byte array. */
    public static final class Binaries extends ColumnVector {
        byte[] data;
        int[] ends; // ends[i] = end (exclusive) of value i in data
        int dataLength;

        Binaries(boolean nullable, int capacity) {
            this(nullable, capacity, Math.max(64, capacity * 16));
        }

        Binaries(boolean nullable, int capacity, int dataBytes) {
            super(nullable, capacity);
            ends = new int[capacity];
            data = new byte[dataBytes];
        }

        public int start(int row) {
            return row == 0 ? 0 : ends[row - 1];
        }

        public int end(int row) {
            return ends[row];
        }

        /** Ensures room for {@code more} bytes after {@link #dataLength}. */
        public void reserve(int more) {
            long need = (long) dataLength + more;
            if (need > data.length) {
                if (need > Integer.MAX_VALUE - 16) {
                    throw new IllegalStateException("column buffer over 2 GiB");
                }
                data = Arrays.copyOf(data, (int) Math.min(Integer.MAX_VALUE - 16, Math.max(need, data.length * 2L)));
            }
        }

        /** Ends the value whose bytes were written at {@code data[start(size) .. dataLength)}. */
        public void endValue() {
            if (size == ends.length) {
                ends = Arrays.copyOf(ends, Math.max(16, ends.length * 2));
            }
            markNull(false);
            ends[size++] = dataLength;
        }

        /** The value bytes (values end at {@link #end}); read-only for writers, valid until the next append. */
        public byte[] data() {
            return data;
        }

        /** Appends {@code src} in double quotes as one value (a JSON string that was already escaped). */
        public void appendQuoted(byte[] src) {
            reserve(src.length + 2);
            data[dataLength++] = '"';
            System.arraycopy(src, 0, data, dataLength, src.length);
            dataLength += src.length;
            data[dataLength++] = '"';
            endValue();
        }

        /** Writes bytes of the value being built (end it with {@link #endValue()}). */
        public void put(byte[] src, int off, int len) {
            reserve(len);
            System.arraycopy(src, off, data, dataLength, len);
            dataLength += len;
        }

        /** Writes one byte of the value being built (end it with {@link #endValue()}). */
        public void put(byte b) {
            reserve(1);
            data[dataLength++] = b;
        }

        /** Writes ASCII text of the value being built (end it with {@link #endValue()}). */
        public void putAscii(String s) {
            int n = s.length();
            reserve(n);
            for (int i = 0; i < n; i++) {
                data[dataLength++] = (byte) s.charAt(i);
            }
        }

        /** Drops the bytes written since the last value ended (a value abandoned half-way). */
        public void discardPartial() {
            dataLength = size == 0 ? 0 : ends[size - 1];
        }

        public void append(byte[] src, int off, int len) {
            reserve(len);
            System.arraycopy(src, off, data, dataLength, len);
            dataLength += len;
            endValue();
        }

        /** Appends chars as UTF-8 (lone surrogates become '?'). */
        public void appendUtf8(char[] chars, int off, int len) {
            reserve(len * 3);
            byte[] d = data;
            int p = dataLength;
            int end = off + len;
            for (int i = off; i < end; i++) {
                char c = chars[i];
                if (c < 0x80) {
                    d[p++] = (byte) c;
                } else if (c < 0x800) {
                    d[p++] = (byte) (0xC0 | (c >> 6));
                    d[p++] = (byte) (0x80 | (c & 0x3F));
                } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(chars[i + 1])) {
                    int cp = Character.toCodePoint(c, chars[++i]);
                    d[p++] = (byte) (0xF0 | (cp >> 18));
                    d[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                    d[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                    d[p++] = (byte) (0x80 | (cp & 0x3F));
                } else if (Character.isSurrogate(c)) {
                    d[p++] = '?';
                } else {
                    d[p++] = (byte) (0xE0 | (c >> 12));
                    d[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                    d[p++] = (byte) (0x80 | (c & 0x3F));
                }
            }
            dataLength = p;
            endValue();
        }

        @Override
        public void appendNull() {
            if (size == ends.length) {
                ends = Arrays.copyOf(ends, Math.max(16, ends.length * 2));
            }
            markNull(true);
            ends[size++] = dataLength;
        }

        @Override
        public void truncate(int rows) {
            size = Math.min(size, rows);
            dataLength = size == 0 ? 0 : ends[size - 1]; // also drops a value left half-written
        }

        @Override
        public long bytes() {
            return dataLength + size * (nulls == null ? 4L : 5L);
        }

        @Override
        long bytesPerRow() {
            return nulls == null ? 4L : 5L;
        }
    }
}
