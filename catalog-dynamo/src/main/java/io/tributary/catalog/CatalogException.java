package io.tributary.catalog;

/**
 * Base of the catalog's own unchecked errors, so callers can tell a catalog refusal (table missing,
 * version moved, state forbids it) from an infrastructure failure (an SDK exception).
 */
public class CatalogException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CatalogException(String message) {
    super(message);
  }

  public CatalogException(String message, Throwable cause) {
    super(message, cause);
  }
}
