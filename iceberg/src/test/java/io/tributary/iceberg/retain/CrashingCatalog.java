package io.tributary.iceberg.retain;

import io.tributary.catalog.Catalog;
import io.tributary.catalog.Checkpoint;
import io.tributary.iceberg.DelegatingCatalog;

/**
 * The real catalog with {@link #putCheckpoint} and {@link #deleteFolded} passing through hooks, to
 * crash a retention pass between its steps: {@code beforeCheckpoint} throws after (a), the Iceberg
 * step; {@code afterCheckpoint} throws after (b) (the checkpoint is written); {@code beforeFold}
 * throws after (c) (objects deleted, records not yet). Everything else goes to the delegate.
 */
final class CrashingCatalog extends DelegatingCatalog {
  volatile boolean beforeCheckpoint;
  volatile boolean afterCheckpoint;
  volatile boolean beforeFold;

  CrashingCatalog(Catalog delegate) {
    super(delegate);
  }

  /** The injected crash. */
  static final class Crash extends RuntimeException {
    Crash(String where) {
      super("injected crash " + where);
    }
  }

  @Override
  public boolean putCheckpoint(Checkpoint expected, Checkpoint next) {
    if (beforeCheckpoint) {
      throw new Crash("after the Iceberg step, before the checkpoint");
    }
    boolean ok = delegate.putCheckpoint(expected, next);
    if (afterCheckpoint) {
      throw new Crash("after the checkpoint");
    }
    return ok;
  }

  @Override
  public int deleteFolded(String table, int partition, long upToSeq) {
    if (beforeFold) {
      throw new Crash("after the objects were deleted, before deleteFolded");
    }
    return delegate.deleteFolded(table, partition, upToSeq);
  }
}
