package io.tributary.runner.decode.avro;

import io.tributary.catalog.ColumnType;
import io.tributary.runner.buffer.ColumnVector;
import io.tributary.runner.decode.BadRecord;
import io.tributary.runner.decode.ColumnValues;
import io.tributary.runner.decode.RowSchema;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

/**
 * The column half of an {@link AvroPlan}: which writer type may fill which column type (decided once,
 * when the plan is compiled), and the readers that land one value in one column. An incompatible pairing
 * becomes a reader that refuses the record with a message naming the column and the writer's type.
 */
final class AvroColumns {
    private final AvroPayloadDecoder d;
    private final String label;
    private final AvroSkippers skippers;

    AvroColumns(AvroPayloadDecoder d, String label, AvroSkippers skippers) {
        this.d = d;
        this.label = label;
        this.skippers = skippers;
    }

    static AvroPlan.Reader refuse(String why) {
        return new AvroPlan.Reader() {
            @Override
            void read(AvroCursor c) {
                throw new BadRecord(why);
            }
        };
    }

    /** The reader of a value of {@code s} into column {@code col}, or one that refuses the record. */
    AvroPlan.Reader column(Schema s, int col) {
        RowSchema.Field f = d.fields[col];
        ColumnType.Kind k = f.type().kind();
        if (k == ColumnType.Kind.JSON) {
            return new Json(s, col);
        }
        LogicalType lt = s.getLogicalType();
        switch (s.getType()) {
            case BOOLEAN -> {
                if (k == ColumnType.Kind.BOOLEAN) {
                    return new Bool(col);
                }
            }
            case INT -> {
                if (lt instanceof LogicalTypes.Date) {
                    if (k == ColumnType.Kind.DATE || k == ColumnType.Kind.INT) {
                        return new IntToInt(col);
                    }
                } else if (k == ColumnType.Kind.INT) {
                    return new IntToInt(col);
                }
                if (k == ColumnType.Kind.LONG) {
                    return new LongTo(col, 1);
                }
                if (k == ColumnType.Kind.DOUBLE) {
                    return new ToDouble(col, false);
                }
            }
            case LONG -> {
                if (k == ColumnType.Kind.LONG) {
                    return new LongTo(col, 1);
                }
                if (k == ColumnType.Kind.DOUBLE) {
                    return new ToDouble(col, false);
                }
                if (k == ColumnType.Kind.TIMESTAMP) {
                    long div = lt instanceof LogicalTypes.TimestampMicros || lt instanceof LogicalTypes.LocalTimestampMicros
                            ? 1_000L
                            : lt instanceof LogicalTypes.TimestampNanos || lt instanceof LogicalTypes.LocalTimestampNanos
                                    ? 1_000_000L : 1L;
                    return new LongTo(col, div);
                }
            }
            case FLOAT -> {
                if (k == ColumnType.Kind.DOUBLE) {
                    return new ToDouble(col, true);
                }
            }
            case DOUBLE -> {
                if (k == ColumnType.Kind.DOUBLE) {
                    return new ToDouble(col, false);
                }
            }
            case STRING -> {
                if (k == ColumnType.Kind.STRING || k == ColumnType.Kind.TIMESTAMP || k == ColumnType.Kind.DATE
                        || k == ColumnType.Kind.DECIMAL) {
                    return new Text(col, k);
                }
            }
            case BYTES, FIXED -> {
                int fixed = s.getType() == Schema.Type.FIXED ? s.getFixedSize() : -1;
                if (lt instanceof LogicalTypes.Decimal dec && k == ColumnType.Kind.DECIMAL) {
                    return new Decimal(col, fixed, dec.getScale());
                }
                if (k == ColumnType.Kind.STRING && lt == null) {
                    return new Base64(col, fixed);
                }
            }
            case ENUM -> {
                if (k == ColumnType.Kind.STRING) {
                    return new EnumSymbol(col, s);
                }
            }
            default -> {
            }
        }
        return refuse(f.describe() + ": " + label + " has " + describe(s) + ", which cannot fill a " + f.type()
                + " column" + (s.getType() == Schema.Type.RECORD || s.getType() == Schema.Type.ARRAY
                        || s.getType() == Schema.Type.MAP ? " (use type json)" : ""));
    }

    private static String describe(Schema s) {
        String t = s.getType().getName();
        if (s.getLogicalType() != null) {
            t += " (" + s.getLogicalType().getName() + ")";
        }
        return t;
    }

    private ColumnVector col(int i) {
        return d.cols[i];
    }

    /** Sets the node's columns to null (a null branch of a union, or a null field). */
    AvroPlan.Reader nulls(int[] columns) {
        return new Nulls(columns);
    }

    /** The null branch of a union (or a null field): the node's columns are null. */
    private final class Nulls extends AvroPlan.Reader {
        final int[] columns;

        Nulls(int[] columns) {
            this.columns = columns;
        }

        @Override
        void read(AvroCursor c) {
            for (int col : columns) {
                if (d.claim(col)) {
                    if (!d.fields[col].nullable()) {
                        throw new BadRecord(d.fields[col].describe() + ": null in a non-nullable column (" + label + ")");
                    }
                    col(col).appendNull();
                }
            }
        }
    }

    /** A value landing in one column; reads it even when the column was already set (first wins). */
    private abstract class Col extends AvroPlan.Reader {
        final int col;

        Col(int col) {
            this.col = col;
        }
    }

    private final class Bool extends Col {
        Bool(int col) {
            super(col);
        }

        @Override
        void read(AvroCursor c) {
            boolean v = c.readBoolean();
            if (d.claim(col)) {
                ((ColumnVector.Booleans) col(col)).append(v);
            }
        }
    }

    private final class IntToInt extends Col {
        IntToInt(int col) {
            super(col);
        }

        @Override
        void read(AvroCursor c) {
            int v = c.readInt();
            if (d.claim(col)) {
                ((ColumnVector.Ints) col(col)).append(v);
            }
        }
    }

    /** int/long into a long or timestamp column; {@code div} turns micros/nanos into the buffer's millis. */
    private final class LongTo extends Col {
        final long div;

        LongTo(int col, long div) {
            super(col);
            this.div = div;
        }

        @Override
        void read(AvroCursor c) {
            long v = c.readLong();
            if (d.claim(col)) {
                ((ColumnVector.Longs) col(col)).append(div == 1 ? v : Math.floorDiv(v, div));
            }
        }
    }

    private final class ToDouble extends Col {
        final boolean isFloat;

        ToDouble(int col, boolean isFloat) {
            super(col);
            this.isFloat = isFloat;
        }

        @Override
        void read(AvroCursor c) {
            double v = isFloat ? c.readFloat() : c.readDouble();
            if (d.claim(col)) {
                ((ColumnVector.Doubles) col(col)).append(v);
            }
        }
    }

    /** A string into a string column (bytes copied as they are), or parsed into timestamp/date/decimal. */
    private final class Text extends Col {
        final ColumnType.Kind kind;

        Text(int col, ColumnType.Kind kind) {
            super(col);
            this.kind = kind;
        }

        @Override
        void read(AvroCursor c) {
            int n = c.readLength();
            int from = c.pos;
            c.pos += n;
            if (!d.claim(col)) {
                return;
            }
            RowSchema.Field f = d.fields[col];
            ColumnVector v = col(col);
            switch (kind) {
                case STRING -> ((ColumnVector.Binaries) v).append(c.b, from, n);
                case TIMESTAMP -> ((ColumnVector.Longs) v).append(
                        ColumnValues.isoMillis(f, new String(c.b, from, n, StandardCharsets.UTF_8)));
                case DATE -> ((ColumnVector.Ints) v).append(
                        ColumnValues.isoDate(f, new String(c.b, from, n, StandardCharsets.UTF_8)));
                default -> ColumnValues.appendDecimalText(f, v, new String(c.b, from, n, StandardCharsets.UTF_8));
            }
        }
    }

    /** bytes/fixed with the decimal logical type into a decimal column. */
    private final class Decimal extends Col {
        final int fixed;
        final int scale;

        Decimal(int col, int fixed, int scale) {
            super(col);
            this.fixed = fixed;
            this.scale = scale;
        }

        @Override
        void read(AvroCursor c) {
            int n = fixed >= 0 ? fixed : c.readLength();
            c.skip(n);
            if (d.claim(col)) {
                ColumnValues.appendDecimal(d.fields[col], col(col), c.b, c.pos - n, n, scale);
            }
        }
    }

    /** bytes/fixed into a string column, base64. */
    private final class Base64 extends Col {
        final int fixed;

        Base64(int col, int fixed) {
            super(col);
            this.fixed = fixed;
        }

        @Override
        void read(AvroCursor c) {
            int n = fixed >= 0 ? fixed : c.readLength();
            c.skip(n);
            if (d.claim(col)) {
                byte[] b64 = ColumnValues.base64(c.b, c.pos - n, n);
                ((ColumnVector.Binaries) col(col)).append(b64, 0, b64.length);
            }
        }
    }

    private final class EnumSymbol extends Col {
        final byte[][] symbols;
        final String name;

        EnumSymbol(int col, Schema s) {
            super(col);
            List<byte[]> l = new ArrayList<>();
            for (String sym : s.getEnumSymbols()) {
                l.add(sym.getBytes(StandardCharsets.UTF_8));
            }
            this.symbols = l.toArray(new byte[0][]);
            this.name = s.getFullName();
        }

        @Override
        void read(AvroCursor c) {
            long i = c.readLong();
            if (i < 0 || i >= symbols.length) {
                throw c.bad("enum " + name + " has no symbol " + i);
            }
            if (d.claim(col)) {
                byte[] s = symbols[(int) i];
                ((ColumnVector.Binaries) col(col)).append(s, 0, s.length);
            }
        }
    }

    /** Any value into a json column, rendered by {@link AvroJson}. */
    private final class Json extends Col {
        final Schema schema;

        Json(Schema schema, int col) {
            super(col);
            this.schema = schema;
        }

        @Override
        void read(AvroCursor c) {
            if (!d.claim(col)) {
                skippers.skipper(schema).read(c);
                return;
            }
            ColumnVector.Binaries v = (ColumnVector.Binaries) col(col);
            if (schema.getType() == Schema.Type.UNION) {
                long i = c.readLong();
                List<Schema> types = schema.getTypes();
                if (i < 0 || i >= types.size()) {
                    throw c.bad("union branch " + i + " does not exist (the union has " + types.size() + ")");
                }
                if (types.get((int) i).getType() == Schema.Type.NULL) {
                    if (!d.fields[col].nullable()) {
                        throw new BadRecord(d.fields[col].describe() + ": null in a non-nullable column (" + label + ")");
                    }
                    v.appendNull();
                    return;
                }
                AvroJson.render(types.get((int) i), c, v);
            } else if (schema.getType() == Schema.Type.NULL) {
                v.appendNull();
                return;
            } else {
                AvroJson.render(schema, c, v);
            }
            v.endValue();
        }
    }
}
