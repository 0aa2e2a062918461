package io.tributary.catalog;

/**
 * A compare-and-set on a version (table definition or assignment) failed: someone else changed the
 * item since the caller read it. Re-read, re-apply, retry if still wanted.
 */
public class VersionConflictException extends CatalogException {
  private static final long serialVersionUID = 1L;
  private final long expectedVersion;
  private final long actualVersion;

  public VersionConflictException(String what, long expectedVersion, long actualVersion) {
    super(what + ": expected version " + expectedVersion + " but the catalog holds "
        + (actualVersion == 0 ? "none" : "version " + actualVersion));
    this.expectedVersion = expectedVersion;
    this.actualVersion = actualVersion;
  }

  /** The version the caller expected. */
  public long expectedVersion() {
    return expectedVersion;
  }

  /** The version found (0 when the item does not exist). */
  public long actualVersion() {
    return actualVersion;
  }
}
