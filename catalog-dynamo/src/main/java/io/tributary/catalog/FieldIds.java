package io.tributary.catalog;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Stable Iceberg field ids of a table (DESIGN.md "Iceberg publication"): one positive id per
 * declared column and per metadata column in {@link TableDefinition#metadata()}, plus
 * {@link #lastId()}, the highest id ever assigned to the table (it may belong to a column that was
 * dropped since). Immutable.
 *
 * <p>Rules:
 * <ul>
 *   <li>A definition built without ids (YAML, the builder, a stored JSON without {@code field_ids})
 *       gets {@link #positional positional} ids: the declared columns 1..n in order, then the metadata
 *       columns present, in the order of {@link TableDefinition#METADATA_COLUMNS}, n+1...</li>
 *   <li>A new definition version gets {@link #evolve evolved} ids: a name that had an id keeps it;
 *       a new name gets {@code lastId + 1}, {@code + 2}, ... in definition order.</li>
 *   <li>Ids are never reused. A column that is dropped and later re-added under the same name is a
 *       new column to Iceberg: it gets a new id, not its old one (old data files do not carry
 *       values for it).</li>
 * </ul>
 *
 * <p>Stored in the canonical definition JSON as {@code "field_ids": {"event_id": 1, ...}} and
 * {@code "last_field_id": 7}. Users never write them (the YAML file does not accept them).
 */
public final class FieldIds {

  private final Map<String, Integer> ids;
  private final int lastId;

  /**
   * Ids as given; {@code ids} is copied (its iteration order kept).
   *
   * @throws IllegalArgumentException if an id is not positive, two names share an id, or
   *                                  {@code lastId} is below an id
   */
  public FieldIds(Map<String, Integer> ids, int lastId) {
    Objects.requireNonNull(ids, "ids");
    Map<String, Integer> copy = new LinkedHashMap<>();
    Map<Integer, String> seen = new LinkedHashMap<>();
    for (Map.Entry<String, Integer> e : ids.entrySet()) {
      String name = Objects.requireNonNull(e.getKey(), "column name");
      Integer id = e.getValue();
      if (id == null || id < 1) {
        throw new IllegalArgumentException("field id of column '" + name + "' must be positive, got " + id);
      }
      String other = seen.put(id, name);
      if (other != null) {
        throw new IllegalArgumentException("field id " + id + " is used by both '" + other + "' and '" + name + "'");
      }
      if (id > lastId) {
        throw new IllegalArgumentException("field id " + id + " of column '" + name
            + "' is above last_field_id " + lastId);
      }
      copy.put(name, id);
    }
    if (lastId < 0) {
      throw new IllegalArgumentException("last_field_id must not be negative, got " + lastId);
    }
    this.ids = Collections.unmodifiableMap(copy);
    this.lastId = lastId;
  }

  /** Ids as given, with {@code lastId} the highest of them (0 when empty). */
  public static FieldIds of(Map<String, Integer> ids) {
    int max = 0;
    for (Integer id : ids.values()) {
      if (id != null) {
        max = Math.max(max, id);
      }
    }
    return new FieldIds(ids, max);
  }

  /**
   * Positional ids for these names: declared columns 1..n in order, then the metadata columns of
   * {@code metadata}, in the order of {@link TableDefinition#METADATA_COLUMNS}.
   */
  public static FieldIds positional(List<String> columnNames, List<String> metadata) {
    Map<String, Integer> m = new LinkedHashMap<>();
    int next = 1;
    for (String name : names(columnNames, metadata)) {
      m.put(name, next++);
    }
    return new FieldIds(m, next - 1);
  }

  /** Positional ids of a definition (its own ids are ignored). */
  public static FieldIds positional(TableDefinition definition) {
    return positional(columnNames(definition.columns()), definition.metadata());
  }

  /**
   * The ids of {@code next} as a new version of a table whose ids were {@code previous}: every name
   * present in {@code previous} keeps its id; every other name gets {@code previous.lastId() + 1},
   * {@code + 2}, ... in definition order (columns, then metadata columns). Ids are never reused: a
   * name dropped in an earlier version and re-added gets a new id. {@code next}'s own ids are
   * ignored. A null {@code previous} gives positional ids.
   */
  public static FieldIds evolve(FieldIds previous, TableDefinition next) {
    return evolve(previous, columnNames(next.columns()), next.metadata());
  }

  /** {@link #evolve(FieldIds, TableDefinition)} on bare names. */
  public static FieldIds evolve(FieldIds previous, List<String> columnNames, List<String> metadata) {
    if (previous == null) {
      return positional(columnNames, metadata);
    }
    Map<String, Integer> m = new LinkedHashMap<>();
    int last = previous.lastId;
    for (String name : names(columnNames, metadata)) {
      Integer old = previous.ids.get(name);
      m.put(name, old != null ? old : ++last);
    }
    return new FieldIds(m, last);
  }

  /** Column names of these columns, in order. */
  static List<String> columnNames(List<TableDefinition.Column> columns) {
    List<String> out = new ArrayList<>(columns.size());
    for (TableDefinition.Column c : columns) {
      out.add(c == null ? null : c.name());
    }
    return out;
  }

  /** Columns in order, then the metadata columns present in canonical order. */
  static List<String> names(List<String> columnNames, List<String> metadata) {
    List<String> out = new ArrayList<>(columnNames);
    for (String md : TableDefinition.METADATA_COLUMNS) {
      if (metadata.contains(md)) {
        out.add(md);
      }
    }
    return out;
  }

  /**
   * The id of the column (declared or metadata) named {@code name}.
   *
   * @throws IllegalArgumentException naming the column if it has no id
   */
  public int id(String name) {
    Integer id = ids.get(name);
    if (id == null) {
      throw new IllegalArgumentException("column '" + name + "' has no field id (known: " + ids.keySet() + ")");
    }
    return id;
  }

  /** True when {@code name} has an id. */
  public boolean contains(String name) {
    return ids.containsKey(name);
  }

  /** Name to id, unmodifiable, in definition order (columns, then metadata columns). */
  public Map<String, Integer> asMap() {
    return ids;
  }

  /** The highest id ever assigned to the table (possibly to a dropped column); 0 when none. */
  public int lastId() {
    return lastId;
  }

  /**
   * These ids in canonical order (columns, then metadata columns) after checking that they cover
   * exactly the given names (no missing, no extra); throws {@link InvalidDefinitionException} on
   * {@code field_ids} otherwise.
   */
  FieldIds covering(List<String> columnNames, List<String> metadata) {
    List<String> expected = names(columnNames, metadata);
    Set<String> want = new HashSet<>(expected);
    Map<String, Integer> ordered = new LinkedHashMap<>();
    for (String name : expected) {
      Integer id = ids.get(name);
      if (id == null) {
        throw new InvalidDefinitionException("field_ids", "no field id for column " + DefinitionRules.quote(
            String.valueOf(name)));
      }
      ordered.put(name, id);
    }
    for (String name : ids.keySet()) {
      if (!want.contains(name)) {
        throw new InvalidDefinitionException("field_ids", "field id for unknown column "
            + DefinitionRules.quote(name));
      }
    }
    return new ArrayList<>(ordered.keySet()).equals(new ArrayList<>(ids.keySet())) ? this
        : new FieldIds(ordered, lastId);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FieldIds f && f.lastId == lastId && f.ids.equals(ids);
  }

  @Override
  public int hashCode() {
    return ids.hashCode() * 31 + lastId;
  }

  @Override
  public String toString() {
    return "FieldIds" + ids + " last=" + lastId;
  }
}
