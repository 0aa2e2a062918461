package io.tributary.formats.registry;

/**
 * The schema registry did not give an answer we can act on (no connection, timeout, 5xx, 401/403,
 * not JSON). For the runner this is not a bad record: it pauses the partition and retries.
 */
public final class RegistryUnavailableException extends RuntimeException {
    public RegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
