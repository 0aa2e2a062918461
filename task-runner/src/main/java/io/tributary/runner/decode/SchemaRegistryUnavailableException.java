package io.tributary.runner.decode;

/**
 * The schema registry did not answer a schema lookup (connection refused, timeout, 5xx). Thrown out of
 * {@link RowDecoder#decode}: the record is NOT bad, so the poll thread pauses the partition at this
 * record and retries later; nothing becomes a dead letter because the registry was down.
 */
public final class SchemaRegistryUnavailableException extends RuntimeException {
    public SchemaRegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
