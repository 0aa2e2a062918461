package io.tributary.runner.decode;

/**
 * A record that cannot become a row; cheap (no stack trace). Binary decoders throw it to unwind and
 * turn its message into the dead letter's {@code error}.
 */
public final class BadRecord extends RuntimeException {
    public BadRecord(String message) {
        super(message, null, false, false);
    }
}
