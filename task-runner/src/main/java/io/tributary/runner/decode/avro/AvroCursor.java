package io.tributary.runner.decode.avro;

import io.tributary.runner.decode.BadRecord;

/**
 * A read position in one Avro binary payload (the value bytes of a Kafka record): zig-zag varints,
 * little-endian floats, length-prefixed bytes, with bounds checks that turn a short or corrupt payload
 * into a {@link BadRecord} naming the byte. Reused across records; not thread-safe.
 */
final class AvroCursor {
    byte[] b;
    int pos;
    int limit;
    private int start;
    private String label;

    void reset(byte[] value, int offset, String schemaLabel) {
        this.b = value;
        this.pos = offset;
        this.start = offset;
        this.limit = value.length;
        this.label = schemaLabel;
    }

    /** Byte position within the payload, for messages. */
    int at() {
        return pos - start;
    }

    BadRecord bad(String what) {
        return new BadRecord("avro payload (" + label + "): " + what + " at byte " + at());
    }

    long readLong() {
        long v = 0;
        int shift = 0;
        while (true) {
            if (pos >= limit) {
                throw bad("truncated: the payload ends inside a number");
            }
            int x = b[pos++];
            v |= (long) (x & 0x7f) << shift;
            if (x >= 0) {
                break;
            }
            shift += 7;
            if (shift > 63) {
                throw bad("malformed varint (more than 10 bytes)");
            }
        }
        return (v >>> 1) ^ -(v & 1);
    }

    int readInt() {
        long v = readLong();
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw bad("int out of range: " + v);
        }
        return (int) v;
    }

    boolean readBoolean() {
        if (pos >= limit) {
            throw bad("truncated: the payload ends before a boolean");
        }
        int x = b[pos++];
        if (x != 0 && x != 1) {
            pos--;
            throw bad("malformed boolean byte " + x);
        }
        return x == 1;
    }

    float readFloat() {
        return Float.intBitsToFloat((int) fixed(4));
    }

    double readDouble() {
        return Double.longBitsToDouble(fixed(8));
    }

    private long fixed(int n) {
        if (limit - pos < n) {
            throw bad("truncated: " + n + " bytes expected, " + (limit - pos) + " left");
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            v |= (long) (b[pos + i] & 0xff) << (8 * i);
        }
        pos += n;
        return v;
    }

    /** Reads a length prefix and checks the bytes are there; the caller reads {@code b[pos, pos+len)} then {@link #skip}s. */
    int readLength() {
        long n = readLong();
        if (n < 0 || n > limit - pos) {
            throw bad(n < 0 ? "negative length " + n
                    : "truncated: a length of " + n + " runs past the end of the payload (" + (limit - pos) + " bytes left)");
        }
        return (int) n;
    }

    void skip(int n) {
        if (n < 0 || n > limit - pos) {
            throw bad("truncated: " + n + " bytes expected, " + (limit - pos) + " left");
        }
        pos += n;
    }

    /** Skips a length-prefixed value (string, bytes). */
    void skipBytes() {
        int n = readLength(); // not `pos += readLength()`: that adds to the position before the prefix
        pos += n;
    }

    /**
     * Reads an array or map block header: the item count, or 0 at the end. A negative count is followed
     * by the block's byte size, which the caller may use to skip (Avro spec "Arrays").
     */
    long blockCount() {
        long n = readLong();
        if (n < 0) {
            readLong(); // block size in bytes; we walk the items instead
            n = -n;
        }
        if (n > limit - pos) {
            throw bad("truncated: a block of " + n + " items cannot fit in the " + (limit - pos) + " bytes left");
        }
        return n;
    }
}
