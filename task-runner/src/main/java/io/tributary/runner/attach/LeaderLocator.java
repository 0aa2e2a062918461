package io.tributary.runner.attach;

import io.tributary.catalog.Catalog;
import io.tributary.catalog.Lease;
import java.util.Optional;

/** Finds the scheduler leader's gRPC address through the catalog lease ({@code lease#scheduler}). */
final class LeaderLocator {
  private final Catalog catalog;

  LeaderLocator(Catalog catalog) {
    this.catalog = catalog;
  }

  /** The live leader's host:port, or empty if no scheduler holds the lease right now. */
  Optional<String> leader() {
    return catalog.currentLease().filter(l -> l.isLive(System.currentTimeMillis())).map(Lease::address);
  }

  /** {@link #leader()} or null, also when the catalog cannot be read right now. */
  String leaderSafely() {
    try {
      return leader().orElse(null);
    } catch (RuntimeException e) {
      return null;
    }
  }
}
