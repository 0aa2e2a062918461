package io.tributary.bench.load;

/**
 * Turns a drawn click event into a Kafka record value in a binary format, framed for a schema registry
 * (magic byte 0, the 4-byte schema id, the payload). A malformed kind becomes a framing or payload
 * error of that format: {@code INVALID_JSON} a truncated payload, {@code TYPE_MISMATCH} an unknown
 * schema id, {@code MISSING_EVENT_ID} a wrong magic byte. Not thread-safe.
 */
public interface ClickEncoding {
    /** The schema id framed records carry for an unknown schema. */
    int UNKNOWN_ID_OFFSET = 1_000_000;

    byte[] encode(EventGenerator.Click click, EventGenerator.Kind kind);

    /** Frames {@code payload} with {@code id}, or breaks it as {@code kind} says. */
    static byte[] frame(int id, byte[] prefix, byte[] payload, EventGenerator.Kind kind) {
        int len = kind == EventGenerator.Kind.INVALID_JSON ? payload.length / 2 : payload.length;
        byte[] out = new byte[5 + prefix.length + len];
        int frameId = kind == EventGenerator.Kind.TYPE_MISMATCH ? id + UNKNOWN_ID_OFFSET : id;
        out[0] = (byte) (kind == EventGenerator.Kind.MISSING_EVENT_ID ? 1 : 0);
        out[1] = (byte) (frameId >>> 24);
        out[2] = (byte) (frameId >>> 16);
        out[3] = (byte) (frameId >>> 8);
        out[4] = (byte) frameId;
        System.arraycopy(prefix, 0, out, 5, prefix.length);
        System.arraycopy(payload, 0, out, 5 + prefix.length, len);
        return out;
    }
}
