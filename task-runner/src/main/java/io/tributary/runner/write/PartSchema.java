package io.tributary.runner.write;

import io.tributary.runner.decode.RowSchema;

import io.tributary.catalog.ColumnType;
import io.tributary.catalog.FieldIds;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * The Parquet schema of a table's parts (DESIGN.md "Column types -> Parquet"): the table's columns
 * in definition order, then {@code _partition} INT32, {@code _offset} INT64, {@code _timestamp}
 * TIMESTAMP(MICROS, UTC) (Iceberg's timestamptz; the buffers hold millis, the writer scales) and, when asked, {@code _key} STRING. Every field carries its Iceberg field
 * id from {@link RowSchema#fieldIds()} (DESIGN.md "Iceberg publication"); a metadata column the
 * definition does not list in {@code metadata} has no id (it is not part of the Iceberg schema).
 */
public final class PartSchema {
    static final String PARTITION = "_partition";
    static final String OFFSET = "_offset";
    static final String TIMESTAMP = "_timestamp";
    static final String KEY = "_key";

    private PartSchema() {
    }

    public static MessageType of(String table, RowSchema schema) {
        FieldIds ids = schema.fieldIds();
        Types.MessageTypeBuilder b = Types.buildMessage();
        for (RowSchema.Field f : schema.fields()) {
            b.addField(column(f, ids.id(f.name())));
        }
        b.addField(withId(Types.required(PrimitiveTypeName.INT32), ids, PARTITION).named(PARTITION));
        b.addField(withId(Types.required(PrimitiveTypeName.INT64), ids, OFFSET).named(OFFSET));
        b.addField(withId(Types.required(PrimitiveTypeName.INT64), ids, TIMESTAMP)
                .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS)).named(TIMESTAMP));
        if (schema.includeKey()) {
            b.addField(withId(Types.optional(PrimitiveTypeName.BINARY), ids, KEY)
                    .as(LogicalTypeAnnotation.stringType()).named(KEY));
        }
        return b.named(table);
    }

    /** The builder with the field id of metadata column {@code name}, if the definition gives it one. */
    private static Types.PrimitiveBuilder<PrimitiveType> withId(Types.PrimitiveBuilder<PrimitiveType> b, FieldIds ids,
            String name) {
        return ids.contains(name) ? b.id(ids.id(name)) : b;
    }

    private static Type column(RowSchema.Field f, int id) {
        Type.Repetition rep = f.nullable() ? Type.Repetition.OPTIONAL : Type.Repetition.REQUIRED;
        ColumnType t = f.type();
        return switch (t.kind()) {
            case STRING, JSON -> Types.primitive(PrimitiveTypeName.BINARY, rep).id(id)
                    .as(LogicalTypeAnnotation.stringType()).named(f.name());
            case INT -> Types.primitive(PrimitiveTypeName.INT32, rep).id(id).named(f.name());
            case LONG -> Types.primitive(PrimitiveTypeName.INT64, rep).id(id).named(f.name());
            case DOUBLE -> Types.primitive(PrimitiveTypeName.DOUBLE, rep).id(id).named(f.name());
            case BOOLEAN -> Types.primitive(PrimitiveTypeName.BOOLEAN, rep).id(id).named(f.name());
            case TIMESTAMP -> Types.primitive(PrimitiveTypeName.INT64, rep).id(id)
                    .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS)).named(f.name());
            case DATE -> Types.primitive(PrimitiveTypeName.INT32, rep).id(id).as(LogicalTypeAnnotation.dateType())
                    .named(f.name());
            case DECIMAL -> f.decimalAsLong()
                    ? Types.primitive(PrimitiveTypeName.INT64, rep).id(id)
                            .as(LogicalTypeAnnotation.decimalType(t.scale(), t.precision())).named(f.name())
                    : Types.primitive(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY, rep).id(id).length(f.decimalBytes())
                            .as(LogicalTypeAnnotation.decimalType(t.scale(), t.precision())).named(f.name());
        };
    }
}
