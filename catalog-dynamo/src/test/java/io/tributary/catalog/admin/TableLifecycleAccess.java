package io.tributary.catalog.admin;

import io.tributary.catalog.TableDefinition;

/** Test access to TableLifecycle's package-private helpers. */
public final class TableLifecycleAccess {
  private TableLifecycleAccess() {
  }

  public static TableDefinition resolve(TableDefinition def, String envNamespace) {
    return TableLifecycle.withResolvedNamespace(def, envNamespace);
  }
}
