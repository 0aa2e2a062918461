package io.tributary.infra;

/**
 * A local-stack server could not be started, answered wrongly, or could not be stopped. The
 * message says which server, what failed and, where there is one, the tail of its log.
 */
public class LocalStackException extends RuntimeException {
    public LocalStackException(String message) {
        super(message);
    }

    public LocalStackException(String message, Throwable cause) {
        super(message, cause);
    }
}
