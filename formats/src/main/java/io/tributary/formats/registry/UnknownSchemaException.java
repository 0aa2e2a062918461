package io.tributary.formats.registry;

/** The registry answered 404: no such schema id, subject or version. */
public final class UnknownSchemaException extends RuntimeException {
    public UnknownSchemaException(String message) {
        super(message, null, false, false);
    }
}
