package io.tributary.runner.write;

import io.tributary.runner.decode.RowSchema;

import io.tributary.catalog.ColumnType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * The Parquet schema of a table's parts (DESIGN.md "Column types -> Parquet"): the table's columns
 * in definition order, then {@code _partition} INT32, {@code _offset} INT64, {@code _timestamp}
 * TIMESTAMP(MILLIS, UTC) and, when asked, {@code _key} STRING.
 */
public final class PartSchema {
    static final String PARTITION = "_partition";
    static final String OFFSET = "_offset";
    static final String TIMESTAMP = "_timestamp";
    static final String KEY = "_key";

    private PartSchema() {
    }

    public static MessageType of(String table, RowSchema schema) {
        Types.MessageTypeBuilder b = Types.buildMessage();
        for (RowSchema.Field f : schema.fields()) {
            b.addField(column(f));
        }
        b.addField(Types.required(PrimitiveTypeName.INT32).named(PARTITION));
        b.addField(Types.required(PrimitiveTypeName.INT64).named(OFFSET));
        b.addField(Types.required(PrimitiveTypeName.INT64)
                .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MILLIS)).named(TIMESTAMP));
        if (schema.includeKey()) {
            b.addField(Types.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(KEY));
        }
        return b.named(table);
    }

    private static Type column(RowSchema.Field f) {
        Type.Repetition rep = f.nullable() ? Type.Repetition.OPTIONAL : Type.Repetition.REQUIRED;
        ColumnType t = f.type();
        return switch (t.kind()) {
            case STRING, JSON -> Types.primitive(PrimitiveTypeName.BINARY, rep).as(LogicalTypeAnnotation.stringType())
                    .named(f.name());
            case INT -> Types.primitive(PrimitiveTypeName.INT32, rep).named(f.name());
            case LONG -> Types.primitive(PrimitiveTypeName.INT64, rep).named(f.name());
            case DOUBLE -> Types.primitive(PrimitiveTypeName.DOUBLE, rep).named(f.name());
            case BOOLEAN -> Types.primitive(PrimitiveTypeName.BOOLEAN, rep).named(f.name());
            case TIMESTAMP -> Types.primitive(PrimitiveTypeName.INT64, rep)
                    .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MILLIS)).named(f.name());
            case DATE -> Types.primitive(PrimitiveTypeName.INT32, rep).as(LogicalTypeAnnotation.dateType()).named(f.name());
            case DECIMAL -> f.decimalAsLong()
                    ? Types.primitive(PrimitiveTypeName.INT64, rep)
                            .as(LogicalTypeAnnotation.decimalType(t.scale(), t.precision())).named(f.name())
                    : Types.primitive(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY, rep).length(f.decimalBytes())
                            .as(LogicalTypeAnnotation.decimalType(t.scale(), t.precision())).named(f.name());
        };
    }
}
