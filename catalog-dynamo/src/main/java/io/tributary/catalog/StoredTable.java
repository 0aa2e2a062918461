package io.tributary.catalog;

import java.util.Collections;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A table as the catalog holds it: the definition plus its catalog-side state.
 *
 * @param definition the validated definition
 * @param version    definition version, 1 at creation, +1 per {@link Catalog#updateTable}; pause,
 *                   resume and drop do not change it
 * @param state      ACTIVE, PAUSED or DROPPED
 * @param partitions partitions that have a chain (a genesis record)
 */
public record StoredTable(TableDefinition definition, long version, TableState state, SortedSet<Integer> partitions) {
  public StoredTable {
    Objects.requireNonNull(definition, "definition");
    Objects.requireNonNull(state, "state");
    partitions = Collections.unmodifiableSortedSet(partitions == null ? new TreeSet<>() : new TreeSet<>(partitions));
  }

  /** The table name. */
  public String name() {
    return definition.name();
  }
}
