package io.tributary.catalog;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A table's current partition assignment (item {@code assign#<table>}/{@code current}), written by
 * the scheduler leader with compare-and-set on {@link #version()}.
 *
 * @param table   table name
 * @param version incremented by every successful write; 1 for the first
 * @param owners  partition to runner id
 * @param epochs  partition to assignment epoch
 */
public record Assignment(String table, long version, Map<Integer, String> owners, Map<Integer, Long> epochs) {
  public Assignment {
    Objects.requireNonNull(table, "table");
    owners = Collections.unmodifiableMap(new TreeMap<>(owners == null ? Map.of() : owners));
    epochs = Collections.unmodifiableMap(new TreeMap<>(epochs == null ? Map.of() : epochs));
  }
}
