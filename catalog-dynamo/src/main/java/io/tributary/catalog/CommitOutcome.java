package io.tributary.catalog;

/**
 * The settled result of {@link Catalog#commit(CommitRecord, CommitRecord)}. There is no "unknown"
 * outcome: an implementation resolves it, or throws {@link CommitOutcomeUnknownException}.
 */
public sealed interface CommitOutcome permits CommitOutcome.Committed, CommitOutcome.Conflict,
    CommitOutcome.NotCommitted {

  /** For switch statements. */
  enum Status {
    /** The record is in the chain: the part is published and the offset advanced. */
    COMMITTED,
    /** Another commit holds that seq: drop the buffer, delete own objects, seek to the head's end. */
    CONFLICT,
    /** The record is not in the chain and nobody else's is at that seq yet: retry the same commit. */
    NOT_COMMITTED
  }

  /** Which outcome this is. */
  Status status();

  /** True only for {@link Committed}. */
  default boolean isCommitted() {
    return status() == Status.COMMITTED;
  }

  /**
   * The record is in the chain.
   *
   * @param record the stored record (committedAt stamped)
   */
  record Committed(CommitRecord record) implements CommitOutcome {
    @Override
    public Status status() {
      return Status.COMMITTED;
    }
  }

  /**
   * Another writer's record holds the seq the caller tried to write.
   *
   * @param currentHead the chain's head, read strongly consistently after the failed write; its
   *                    epoch tells whether a newer owner exists, its endOffset where to resume
   */
  record Conflict(CommitRecord currentHead) implements CommitOutcome {
    @Override
    public Status status() {
      return Status.CONFLICT;
    }
  }

  /**
   * The write did not happen (it never reached the server, was throttled, or a read-back after a
   * lost response found the seq empty). Retry the same commit (same expected head, same record,
   * same commit id): if the first attempt lands late, the retry resolves to COMMITTED. Do not
   * delete the objects right away; leave them to a retry or the orphan sweeper.
   *
   * @param reason what happened, for logs
   */
  record NotCommitted(String reason) implements CommitOutcome {
    @Override
    public Status status() {
      return Status.NOT_COMMITTED;
    }
  }
}
