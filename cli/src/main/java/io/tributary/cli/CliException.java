package io.tributary.cli;

/** An error the user can act on: printed as one line, exit code 1. */
class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CliException(String message) {
        super(message);
    }

    /** With the underlying failure, shown by {@code --verbose}. */
    CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
