package io.tributary.catalog;

/**
 * The commit request may or may not have been applied, and reading the record back did not settle
 * it before the resolve deadline. The caller must treat the commit as possibly successful: never
 * delete the objects it references (the orphan sweeper decides later), stop work on the partition
 * and re-read the head before doing anything else with it.
 */
public class CommitOutcomeUnknownException extends CatalogException {
  private static final long serialVersionUID = 1L;
  private final CommitRecord attempted;

  public CommitOutcomeUnknownException(CommitRecord attempted, Throwable cause) {
    super("outcome of commit " + attempted.commitId() + " (table " + attempted.table() + " partition "
        + attempted.partition() + " seq " + attempted.seq() + ") is unknown: keep its objects, re-read the head", cause);
    this.attempted = attempted;
  }

  /** A maintenance write (compaction link) whose outcome is unknown; {@link #attempted()} is null. */
  public CommitOutcomeUnknownException(String message, Throwable cause) {
    super(message + ": keep its object, the sweeper decides later", cause);
    this.attempted = null;
  }

  /** The record whose write may or may not have happened (null for a maintenance write). */
  public CommitRecord attempted() {
    return attempted;
  }
}
