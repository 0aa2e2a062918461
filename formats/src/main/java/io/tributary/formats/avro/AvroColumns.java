package io.tributary.formats.avro;

import io.tributary.catalog.ColumnType;
import io.tributary.catalog.TableDefinition;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

/**
 * Derives a table's columns from an Avro record schema ({@code table create --from-registry}): one
 * column per leaf field, nested records flattened with {@code _}-joined names and {@code $.a.b} paths
 * (up to 4 levels; deeper or recursive records become {@code json}); arrays, maps and general unions
 * become {@code json}. A field is non-nullable only when it is not a union with null and has no
 * default, so a field later removed with a default keeps landing (as null).
 */
public final class AvroColumns {
    private static final int MAX_DEPTH = 4;

    private AvroColumns() {
    }

    /** The columns of {@code schema} (a record), in field order. */
    public static List<TableDefinition.Column> derive(Schema schema) {
        if (schema.getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException("the schema is a " + schema.getType().getName()
                    + ", not a record: give the table one column with path $ and type json");
        }
        List<TableDefinition.Column> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        add(schema, "", "$", false, 0, new HashSet<>(), out, names);
        return out;
    }

    /** Parses the schema text, then {@link #derive(Schema)}. */
    public static List<TableDefinition.Column> derive(String schemaText) {
        return derive(new Schema.Parser().setValidateDefaults(false).parse(schemaText));
    }

    private static void add(Schema record, String prefix, String path, boolean parentNullable, int depth,
            Set<String> seen, List<TableDefinition.Column> out, Set<String> names) {
        seen.add(record.getFullName());
        for (Schema.Field f : record.getFields()) {
            Schema s = f.schema();
            boolean nullable = parentNullable || f.hasDefaultValue();
            if (s.getType() == Schema.Type.UNION) {
                List<Schema> nonNull = new ArrayList<>();
                for (Schema t : s.getTypes()) {
                    if (t.getType() == Schema.Type.NULL) {
                        nullable = true;
                    } else {
                        nonNull.add(t);
                    }
                }
                s = nonNull.size() == 1 ? nonNull.get(0) : null; // null: a general union -> json
            }
            String name = unique(snake(prefix + f.name()), names);
            String p = path + "." + f.name();
            if (s != null && s.getType() == Schema.Type.RECORD && depth + 1 < MAX_DEPTH && !seen.contains(s.getFullName())) {
                add(s, prefix + f.name() + "_", p, nullable, depth + 1, seen, out, names);
                continue;
            }
            out.add(new TableDefinition.Column(name, s == null ? ColumnType.of(ColumnType.Kind.JSON) : type(s), p, nullable));
        }
        seen.remove(record.getFullName());
    }

    /** The column type a value of {@code s} lands as. */
    public static ColumnType type(Schema s) {
        LogicalType lt = s.getLogicalType();
        if (lt instanceof LogicalTypes.Decimal d && d.getPrecision() <= 38) {
            return ColumnType.decimal(d.getPrecision(), d.getScale());
        }
        return switch (s.getType()) {
            case BOOLEAN -> ColumnType.of(ColumnType.Kind.BOOLEAN);
            case INT -> ColumnType.of(lt instanceof LogicalTypes.Date ? ColumnType.Kind.DATE : ColumnType.Kind.INT);
            case LONG -> ColumnType.of(lt instanceof LogicalTypes.TimestampMillis || lt instanceof LogicalTypes.TimestampMicros
                    || lt instanceof LogicalTypes.TimestampNanos || lt instanceof LogicalTypes.LocalTimestampMillis
                    || lt instanceof LogicalTypes.LocalTimestampMicros || lt instanceof LogicalTypes.LocalTimestampNanos
                    ? ColumnType.Kind.TIMESTAMP : ColumnType.Kind.LONG);
            case FLOAT, DOUBLE -> ColumnType.of(ColumnType.Kind.DOUBLE);
            case STRING, ENUM, BYTES, FIXED -> ColumnType.of(ColumnType.Kind.STRING);
            default -> ColumnType.of(ColumnType.Kind.JSON);
        };
    }

    static String snake(String name) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0 && name.charAt(i - 1) != '_' && !Character.isUpperCase(name.charAt(i - 1))) {
                    b.append('_');
                }
                b.append(Character.toLowerCase(c));
            } else if (Character.isLetterOrDigit(c) || c == '_') {
                b.append(c);
            } else {
                b.append('_');
            }
        }
        String s = b.toString().toLowerCase(Locale.ROOT);
        if (s.isEmpty() || !Character.isLetter(s.charAt(0))) {
            s = "f_" + s;
        }
        return s.length() > 63 ? s.substring(0, 63) : s;
    }

    private static String unique(String name, Set<String> names) {
        String n = name;
        for (int i = 2; !names.add(n) || n.startsWith("_"); i++) {
            n = name + "_" + i;
        }
        return n;
    }
}
