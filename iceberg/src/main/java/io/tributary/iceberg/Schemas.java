package io.tributary.iceberg;

import io.tributary.catalog.TableDefinition;
import org.apache.iceberg.Schema;

/** Public access to a table definition's Iceberg schema (field ids as the runners write them), for other packages. */
public final class Schemas {
  private Schemas() {
  }

  /** The Iceberg schema of {@code def}: declared columns, then metadata columns, with the stored field ids. */
  public static Schema of(TableDefinition def) {
    return IcebergSchemas.schema(def);
  }
}
