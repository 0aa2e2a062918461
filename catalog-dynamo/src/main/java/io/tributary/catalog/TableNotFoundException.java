package io.tributary.catalog;

/** The named table has no definition in the catalog (it was never created). */
public class TableNotFoundException extends CatalogException {
  private static final long serialVersionUID = 1L;
  private final String table;

  public TableNotFoundException(String table) {
    super("table '" + table + "' does not exist");
    this.table = table;
  }

  /** The table name that was looked up. */
  public String table() {
    return table;
  }
}
