package io.tributary.runner.decode;

import io.tributary.catalog.ColumnType;
import io.tributary.catalog.FieldIds;
import io.tributary.catalog.TableDefinition;
import java.util.ArrayList;
import java.util.List;

/**
 * The decoded shape of a table's rows: its columns (in definition order), whether the Kafka key
 * is kept as {@code _key}, and the Iceberg field ids the part schema carries
 * ({@link io.tributary.catalog.TableDefinition#fieldIds()}). Built once per table definition version.
 */
public record RowSchema(List<Field> fields, boolean includeKey, FieldIds fieldIds) {

    /** One column: name, type, parsed JSON path, nullability. */
    public record Field(String name, ColumnType type, JsonPath path, boolean nullable) {
        public static Field of(String name, String type, String path, boolean nullable) {
            return new Field(name, ColumnType.parse(type), JsonPath.parse(path == null ? "$." + name : path), nullable);
        }

        /** DECIMAL with precision <= 18 is stored as INT64, else as FIXED_LEN_BYTE_ARRAY. */
        public boolean decimalAsLong() {
            return type.kind() == ColumnType.Kind.DECIMAL && type.precision() <= 18;
        }

        /** Bytes of the FIXED_LEN_BYTE_ARRAY holding an unscaled decimal of this precision. */
        public int decimalBytes() {
            return decimalBytes(type.precision());
        }

        public static int decimalBytes(int precision) {
            java.math.BigInteger max = java.math.BigInteger.TEN.pow(precision);
            int bytes = 1;
            while (java.math.BigInteger.ONE.shiftLeft(8 * bytes - 1).compareTo(max) < 0) {
                bytes++;
            }
            return bytes;
        }

        public String describe() {
            return "column '" + name + "' (" + path.text() + ")";
        }
    }

    public RowSchema {
        fields = List.copyOf(fields);
        if (fieldIds == null) {
            fieldIds = positionalIds(fields, includeKey);
        }
    }

    /** Columns and metadata columns with positional field ids (as a new table's definition has them). */
    public RowSchema(List<Field> fields, boolean includeKey) {
        this(fields, includeKey, null);
    }

    /** The row shape of a table definition, with its field ids. */
    public static RowSchema of(TableDefinition def) {
        List<Field> fs = new ArrayList<>();
        for (TableDefinition.Column c : def.columns()) {
            fs.add(new Field(c.name(), c.type(), JsonPath.parse(c.path()), c.nullable()));
        }
        return new RowSchema(fs, def.metadata().contains("_key"), def.fieldIds());
    }

    private static FieldIds positionalIds(List<Field> fields, boolean includeKey) {
        List<String> names = new ArrayList<>(fields.size());
        for (Field f : fields) {
            names.add(f.name());
        }
        return FieldIds.positional(names, includeKey ? TableDefinition.METADATA_COLUMNS
                : TableDefinition.DEFAULT_METADATA);
    }

    public int size() {
        return fields.size();
    }

    public Field field(int i) {
        return fields.get(i);
    }
}
