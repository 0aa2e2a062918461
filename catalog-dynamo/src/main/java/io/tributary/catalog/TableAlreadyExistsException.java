package io.tributary.catalog;

/**
 * A table with this name already exists, possibly DROPPED: a dropped table keeps its commit chains,
 * so its name is never reused.
 */
public class TableAlreadyExistsException extends CatalogException {
  private static final long serialVersionUID = 1L;
  private final String table;
  private final TableState state;

  public TableAlreadyExistsException(String table, TableState state) {
    super("table '" + table + "' already exists (state " + state + ")"
        + (state == TableState.DROPPED ? "; a dropped table keeps its commit chains, choose another name" : ""));
    this.table = table;
    this.state = state;
  }

  /** The name that is taken. */
  public String table() {
    return table;
  }

  /** The state of the existing table. */
  public TableState state() {
    return state;
  }
}
