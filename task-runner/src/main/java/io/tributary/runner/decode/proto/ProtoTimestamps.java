package io.tributary.runner.decode.proto;

import io.tributary.runner.buffer.ColumnVector;
import java.time.DateTimeException;
import java.time.Instant;

/**
 * The two time well-known types, google.protobuf.Timestamp and Duration, read straight from their wire
 * bytes (seconds = field 1, nanos = field 2; the last of each wins): epoch milliseconds for timestamp,
 * date and long columns, and protobuf's JSON text ({@code "2024-01-01T00:00:00.123Z"}, {@code "1.500s"})
 * for {@link ProtoJson}. Exists because both the column writer and the JSON renderer need them.
 * Not thread-safe (a reused scratch slot).
 */
final class ProtoTimestamps {
    private final ProtoCursor c;
    private final ProtoJsonScalars scalars;
    private final int[] nanosBox = new int[1];

    ProtoTimestamps(ProtoCursor c, ProtoJsonScalars scalars) {
        this.c = c;
        this.scalars = scalars;
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

    /** Epoch millis of a Timestamp (or milliseconds of a Duration) at {@code [s, e)}: seconds*1000 + floor(nanos/1e6). */
    long millis(int s, int e) {
        long seconds = secondsAndNanos(s, e, nanosBox);
        try {
            return Math.addExact(Math.multiplyExact(seconds, 1000L), Math.floorDiv(nanosBox[0], 1_000_000));
        } catch (ArithmeticException ex) {
            throw c.bad("timestamp of " + seconds + " seconds is out of range", s);
        }
    }

    /** A Timestamp at {@code [s, e)} as an RFC 3339 JSON string. */
    void timestamp(int s, int e, ColumnVector.Binaries out) {
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

    /** A Duration at {@code [s, e)} as a JSON string: seconds, then 3, 6 or 9 fraction digits if any, then {@code s}. */
    void duration(int s, int e, ColumnVector.Binaries out) {
        long seconds = secondsAndNanos(s, e, nanosBox);
        int nanos = nanosBox[0];
        out.put((byte) '"');
        if (seconds < 0 || nanos < 0) {
            out.put((byte) '-');
            seconds = -seconds;
            nanos = -nanos;
        }
        scalars.putLong(seconds, out);
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
}
