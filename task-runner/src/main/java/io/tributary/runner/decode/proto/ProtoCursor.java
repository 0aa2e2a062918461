package io.tributary.runner.decode.proto;

import io.tributary.runner.decode.BadRecord;

/**
 * A read position in one Protobuf payload (the value bytes of a Kafka record): varints, little-endian
 * fixed values, length prefixes, skipping by wire type; every read is bounded by the end of the
 * enclosing message, so a short or corrupt payload becomes a {@link BadRecord} naming the byte
 * (counted from the start of the payload). Reused across records; not thread-safe.
 */
final class ProtoCursor {
    static final int VARINT = 0;
    static final int I64 = 1;
    static final int LEN = 2;
    static final int SGROUP = 3;
    static final int EGROUP = 4;
    static final int I32 = 5;

    private static final int MAX_GROUP_DEPTH = 64;

    byte[] b;
    int pos;
    int start;
    private String label;

    void reset(byte[] value, int offset, String schemaLabel) {
        this.b = value;
        this.pos = offset;
        this.start = offset;
        this.label = schemaLabel;
    }

    /** A bad record: {@code protobuf payload (label): what at byte N}. */
    BadRecord bad(String what, int at) {
        return new BadRecord("protobuf payload (" + label + "): " + what + " at byte " + (at - start));
    }

    String label() {
        return label;
    }

    /**
     * A truncation, worded as the Avro decoder's: {@code truncated: <what> runs past the end of the payload
     * (N bytes left)} ("enclosing message" when {@code end} is a nested message's end); {@code at} is
     * where the value starts. Off the hot path: only built when a read fails.
     */
    BadRecord truncated(String what, int end, int at) {
        return bad("truncated: " + what + " runs past the end of the " + region(end) + " (" + (end - at)
                + " bytes left)", at);
    }

    private String region(int end) {
        return end == b.length ? "payload" : "enclosing message";
    }

    /** A varint (up to 10 bytes) ending before {@code end}. */
    long varint(int end) {
        int p = pos;
        if (p < end) {
            byte x = b[p];
            if (x >= 0) {
                pos = p + 1;
                return x;
            }
        }
        return varintSlow(end);
    }

    private long varintSlow(int end) {
        int p = pos;
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (p >= end) {
                throw truncated("a varint", end, pos);
            }
            byte x = b[p++];
            v |= (long) (x & 0x7f) << shift;
            if (x >= 0) {
                pos = p;
                return v;
            }
        }
        throw bad("malformed varint (more than 10 bytes)", pos);
    }

    /** A field tag; field number 0 or above 2^29-1 is an error. */
    int tag(int end) {
        int at = pos;
        long t = varint(end);
        if (t >>> 3 == 0 || t > 0xFFFF_FFFFL) {
            throw bad("invalid field tag " + t + " (field number " + (t >>> 3) + ")", at);
        }
        return (int) t;
    }

    /** A length prefix; the bytes it announces must fit before {@code end}. */
    int length(int end) {
        int at = pos;
        long n = varint(end);
        if (n < 0 || n > end - pos) {
            throw n < 0 ? bad("negative length " + n, at) : lengthPastEnd(n, end, at);
        }
        return (int) n;
    }

    /** Bytes left are counted after the prefix (as the Avro decoder does); {@code at} is where the prefix starts. */
    private BadRecord lengthPastEnd(long n, int end, int at) {
        return bad("truncated: a length of " + n + " runs past the end of the " + region(end) + " (" + (end - pos)
                + " bytes left)", at);
    }

    long fixed64(int end) {
        int p = pos;
        if (end - p < 8) {
            throw truncated("a fixed64 (8 bytes)", end, p);
        }
        long v = (b[p] & 0xffL) | (b[p + 1] & 0xffL) << 8 | (b[p + 2] & 0xffL) << 16 | (b[p + 3] & 0xffL) << 24
                | (b[p + 4] & 0xffL) << 32 | (b[p + 5] & 0xffL) << 40 | (b[p + 6] & 0xffL) << 48
                | (b[p + 7] & 0xffL) << 56;
        pos = p + 8;
        return v;
    }

    /** A fixed32, unsigned in a long. */
    long fixed32(int end) {
        int p = pos;
        if (end - p < 4) {
            throw truncated("a fixed32 (4 bytes)", end, p);
        }
        long v = (b[p] & 0xffL) | (b[p + 1] & 0xffL) << 8 | (b[p + 2] & 0xffL) << 16 | (b[p + 3] & 0xffL) << 24;
        pos = p + 4;
        return v;
    }

    /** Skips the value of a field with wire type {@code wt} whose tag started at {@code tagPos}. */
    void skip(int tag, int end, int tagPos) {
        switch (tag & 7) {
            case VARINT -> {
                int p = pos;
                int limit = Math.min(end, p + 10);
                while (true) {
                    if (p >= limit) {
                        throw p >= end ? truncated("a varint", end, pos)
                                : bad("malformed varint (more than 10 bytes)", pos);
                    }
                    if (b[p++] >= 0) {
                        break;
                    }
                }
                pos = p;
            }
            case I64 -> {
                if (end - pos < 8) {
                    throw truncated("a fixed64 (8 bytes)", end, pos);
                }
                pos += 8;
            }
            case LEN -> {
                int n = length(end);
                pos += n;
            }
            case I32 -> {
                if (end - pos < 4) {
                    throw truncated("a fixed32 (4 bytes)", end, pos);
                }
                pos += 4;
            }
            case SGROUP -> skipGroup(tag >>> 3, end, tagPos, 1);
            case EGROUP -> throw bad("unexpected end-group tag of field " + (tag >>> 3), tagPos);
            default -> throw bad("invalid wire type " + (tag & 7) + " (field " + (tag >>> 3) + ")", tagPos);
        }
    }

    private void skipGroup(int number, int end, int tagPos, int depth) {
        if (depth > MAX_GROUP_DEPTH) {
            throw bad("groups nested deeper than " + MAX_GROUP_DEPTH, tagPos);
        }
        while (true) {
            if (pos >= end) {
                throw bad("group of field " + number + " is not closed", tagPos);
            }
            int at = pos;
            int t = tag(end);
            if ((t & 7) == EGROUP) {
                if (t >>> 3 != number) {
                    throw bad("end-group tag of field " + (t >>> 3) + " closes the group of field " + number, at);
                }
                return;
            }
            if ((t & 7) == SGROUP) {
                skipGroup(t >>> 3, end, at, depth + 1);
            } else {
                skip(t, end, at);
            }
        }
    }

    static String wireTypeName(int wt) {
        return switch (wt) {
            case VARINT -> "0 (varint)";
            case I64 -> "1 (fixed64)";
            case LEN -> "2 (length-delimited)";
            case SGROUP -> "3 (start group)";
            case EGROUP -> "4 (end group)";
            case I32 -> "5 (fixed32)";
            default -> wt + " (invalid)";
        };
    }
}
