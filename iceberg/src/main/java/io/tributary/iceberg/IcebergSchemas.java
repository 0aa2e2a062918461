package io.tributary.iceberg;

import io.tributary.catalog.ColumnType;
import io.tributary.catalog.TableDefinition;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * A table definition's Iceberg schema: the declared columns, then the metadata columns, each with
 * the field id the definition stores ({@code field_ids}, the same ids the runners write into every
 * Parquet part), so Iceberg readers resolve part columns by id across schema versions.
 *
 * <p>Types: {@code string}/{@code json} -> string, {@code int} -> int, {@code long} -> long,
 * {@code double} -> double, {@code boolean} -> boolean, {@code timestamp} -> timestamptz (parts hold
 * TIMESTAMP(MICROS, UTC), as Iceberg requires: with millis, Iceberg's row-group filter compares
 * millis statistics with micros literals and drops matching rows), {@code date} -> date, {@code decimal(p,s)} -> decimal(p,s).
 */
final class IcebergSchemas {
  private IcebergSchemas() {
  }

  /**
   * The Iceberg table's column for the part column {@code _partition}: Iceberg engines reserve
   * {@code _partition} for a metadata column (Spark refuses to project a data column of that name),
   * so the table names it {@value}; it reads the parts' {@code _partition} by field id.
   */
  static final String TABLE_PARTITION_COLUMN = "_kafka_partition";

  /** The table's Iceberg schema: {@link #schema} with {@code _partition} named {@value #TABLE_PARTITION_COLUMN}. */
  static Schema tableSchema(TableDefinition def) {
    List<Types.NestedField> fields = new ArrayList<>();
    for (Types.NestedField f : schema(def).columns()) {
      fields.add(f.name().equals("_partition") ? Types.NestedField.of(f.fieldId(), f.isOptional(),
          TABLE_PARTITION_COLUMN, f.type()) : f);
    }
    return new Schema(fields);
  }

  /** How part columns are named in Parquet (what the runner and the compactor write), with the ids. */
  static Schema schema(TableDefinition def) {
    List<Types.NestedField> fields = new ArrayList<>();
    for (TableDefinition.Column c : def.columns()) {
      int id = def.fieldIds().id(c.name());
      fields.add(c.nullable() ? Types.NestedField.optional(id, c.name(), type(c.type()))
          : Types.NestedField.required(id, c.name(), type(c.type())));
    }
    for (String m : def.metadata()) {
      int id = def.fieldIds().id(m);
      fields.add(switch (m) {
        case "_partition" -> Types.NestedField.required(id, m, Types.IntegerType.get());
        case "_offset" -> Types.NestedField.required(id, m, Types.LongType.get());
        case "_timestamp" -> Types.NestedField.required(id, m, Types.TimestampType.withZone());
        case "_key" -> Types.NestedField.optional(id, m, Types.StringType.get());
        default -> throw new IllegalArgumentException("unknown metadata column " + m);
      });
    }
    return new Schema(fields);
  }

  static Type type(ColumnType t) {
    return switch (t.kind()) {
      case STRING, JSON -> Types.StringType.get();
      case INT -> Types.IntegerType.get();
      case LONG -> Types.LongType.get();
      case DOUBLE -> Types.DoubleType.get();
      case BOOLEAN -> Types.BooleanType.get();
      case TIMESTAMP -> Types.TimestampType.withZone();
      case DATE -> Types.DateType.get();
      case DECIMAL -> Types.DecimalType.of(t.precision(), t.scale());
    };
  }
}
