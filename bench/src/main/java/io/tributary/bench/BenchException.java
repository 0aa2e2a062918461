package io.tributary.bench;

/** A bench stage failed; the message says what and why (it ends up in the report's notes). */
final class BenchException extends RuntimeException {
    BenchException(String message) {
        super(message);
    }

    BenchException(String message, Throwable cause) {
        super(message, cause);
    }
}
