package io.tributary.catalog;

/** The table's state forbids the operation (for example updating or resuming a DROPPED table). */
public class TableStateException extends CatalogException {
  private static final long serialVersionUID = 1L;
  private final String table;
  private final TableState state;

  public TableStateException(String table, TableState state, String operation) {
    super("cannot " + operation + " table '" + table + "': it is " + state);
    this.table = table;
    this.state = state;
  }

  /** The table concerned. */
  public String table() {
    return table;
  }

  /** Its state at the time of the refusal. */
  public TableState state() {
    return state;
  }
}
