package io.tributary.iceberg;

import io.tributary.catalog.TableDefinition;
import org.apache.iceberg.Schema;

/** Public access to a table definition's Iceberg schema (field ids as the runners write them), for other packages. */
public final class Schemas {
  private Schemas() {
  }

  /**
   * The schema of {@code def}'s Parquet parts as Iceberg sees them: declared columns, then metadata
   * columns, with the stored field ids, named as in the parts ({@code _partition}, not the Iceberg
   * table's {@code _kafka_partition}). What the compactor reads and writes.
   */
  public static Schema of(TableDefinition def) {
    return IcebergSchemas.schema(def);
  }
}
