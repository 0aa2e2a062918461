package io.tributary.iceberg.compact;

import io.tributary.catalog.Catalog;
import io.tributary.catalog.Compaction;
import io.tributary.iceberg.DelegatingCatalog;
import java.util.function.BooleanSupplier;

/**
 * The real catalog with {@link #commitCompaction} passing through a hook, to inject what the real
 * servers do not produce on demand: a racing compactor committing first, a crash before the write,
 * a lost response after (or without) the write. Everything else goes straight to the delegate.
 */
final class HookedCatalog extends DelegatingCatalog {
  /** Called instead of the commit; {@code real} performs it. */
  interface Hook {
    boolean commit(Compaction prev, Compaction next, BooleanSupplier real);
  }

  volatile Hook hook;

  HookedCatalog(Catalog delegate) {
    super(delegate);
  }

  @Override
  public boolean commitCompaction(Compaction prev, Compaction next) {
    Hook h = hook;
    return h == null ? delegate.commitCompaction(prev, next)
        : h.commit(prev, next, () -> delegate.commitCompaction(prev, next));
  }
}
