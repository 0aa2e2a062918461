package io.tributary.runner.decode.avro;

import io.tributary.catalog.ColumnType;
import io.tributary.runner.buffer.ColumnVector;
import io.tributary.runner.decode.BadRecord;
import io.tributary.runner.decode.ColumnValues;
import io.tributary.runner.decode.RowSchema;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

/**
 * Compiles a writer schema against the table's column paths into a tree of {@link Reader}s: per
 * record field either a reader into a column, a descent into a nested record, or a skipper. Type
 * pairings are decided here, once: an incompatible pairing compiles to a reader that refuses the
 * record with a message naming the column and the writer's type.
 */
final class AvroPlan {
    /** Reads one value of its schema at the cursor (and writes it into columns, or skips it). */
    abstract static class Reader {
        abstract void read(AvroCursor c);
    }

    /** A position in the path trie: the columns whose path ends here and the named children. */
    private static final class Node {
        int[] columns = new int[0];
        Map<String, Node> fields;
    }

    private final AvroPayloadDecoder d;
    private final String label;
    private final Map<Schema, Reader> skippers = new IdentityHashMap<>();

    AvroPlan(AvroPayloadDecoder d, String label) {
        this.d = d;
        this.label = label;
    }

    Reader compile(Schema writer, RowSchema rows) {
        Node root = new Node();
        for (int i = 0; i < rows.size(); i++) {
            RowSchema.Field f = rows.field(i);
            Node n = root;
            boolean indexed = false;
            for (Object step : f.path().steps()) {
                if (!(step instanceof String name)) {
                    indexed = true;
                    break;
                }
                if (n.fields == null) {
                    n.fields = new HashMap<>();
                }
                n = n.fields.computeIfAbsent(name, k -> new Node());
            }
            if (indexed) {
                String why = f.describe() + ": array indexes in paths are not supported for Avro; land the array as a"
                        + " json column";
                return refuse(why);
            }
            n.columns = Arrays.copyOf(n.columns, n.columns.length + 1);
            n.columns[n.columns.length - 1] = i;
        }
        return value(writer, root);
    }

    private Reader refuse(String why) {
        return new Reader() {
            @Override
            void read(AvroCursor c) {
                throw new BadRecord(why);
            }
        };
    }

    // ---------------------------------------------------------------- values on a path

    private Reader value(Schema s, Node node) {
        if (node == null) {
            return skipper(s);
        }
        if (s.getType() == Schema.Type.UNION) {
            List<Schema> types = s.getTypes();
            Reader[] branches = new Reader[types.size()];
            for (int i = 0; i < branches.length; i++) {
                branches[i] = value(types.get(i), node);
            }
            return new Union(branches);
        }
        if (s.getType() == Schema.Type.NULL) {
            return new Nulls(node.columns);
        }
        Reader descend = null;
        if (s.getType() == Schema.Type.RECORD && node.fields != null) {
            descend = record(s, node);
        }
        if (node.columns.length == 0) {
            return descend != null ? descend : skipper(s); // the path goes on below a non-record: missing
        }
        Reader[] cols = new Reader[node.columns.length];
        for (int i = 0; i < cols.length; i++) {
            cols[i] = column(s, node.columns[i]);
        }
        return new Tee(descend, cols);
    }

    private Reader record(Schema s, Node node) {
        List<Schema.Field> wf = s.getFields();
        Reader[] steps = new Reader[wf.size()];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = value(wf.get(i).schema(), node.fields.get(wf.get(i).name()));
        }
        return new Sequence(steps);
    }

    // ---------------------------------------------------------------- one value into one column

    private Reader column(Schema s, int col) {
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

    // ---------------------------------------------------------------- structure readers

    /** Record fields in writer order. */
    private static final class Sequence extends Reader {
        final Reader[] steps;

        Sequence(Reader[] steps) {
            this.steps = steps;
        }

        @Override
        void read(AvroCursor c) {
            for (Reader r : steps) {
                r.read(c);
            }
        }
    }

    private static final class Union extends Reader {
        final Reader[] branches;

        Union(Reader[] branches) {
            this.branches = branches;
        }

        @Override
        void read(AvroCursor c) {
            long i = c.readLong();
            if (i < 0 || i >= branches.length) {
                throw c.bad("union branch " + i + " does not exist (the union has " + branches.length + ")");
            }
            branches[(int) i].read(c);
        }
    }

    /** The null branch of a union (or a null field): the node's columns are null. */
    private final class Nulls extends Reader {
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

    /** Several readers of the same value (a record descended into and also landed as json; two columns on one path). */
    private static final class Tee extends Reader {
        final Reader descend;
        final Reader[] columns;

        Tee(Reader descend, Reader[] columns) {
            this.descend = descend;
            this.columns = columns;
        }

        @Override
        void read(AvroCursor c) {
            if (descend == null && columns.length == 1) {
                columns[0].read(c);
                return;
            }
            int start = c.pos;
            int end = -1;
            if (descend != null) {
                descend.read(c);
                end = c.pos;
            }
            for (Reader r : columns) {
                c.pos = start;
                r.read(c);
                end = c.pos;
            }
            c.pos = end;
        }
    }

    // ---------------------------------------------------------------- column readers

    /** A value landing in one column; reads it even when the column was already set (first wins). */
    private abstract class Col extends Reader {
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
                skipper(schema).read(c);
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

    // ---------------------------------------------------------------- skipping

    /** A reader that only moves past a value of {@code s} (compiled once per schema; recursion-safe). */
    Reader skipper(Schema s) {
        Reader r = skippers.get(s);
        if (r != null) {
            return r;
        }
        switch (s.getType()) {
            case NULL -> r = NOTHING;
            case BOOLEAN -> r = fixedSkip(1);
            case INT, LONG, ENUM -> r = VARINT;
            case FLOAT -> r = fixedSkip(4);
            case DOUBLE -> r = fixedSkip(8);
            case FIXED -> r = fixedSkip(s.getFixedSize());
            case STRING, BYTES -> r = BYTES;
            case RECORD -> {
                Reader[] steps = new Reader[s.getFields().size()];
                Sequence seq = new Sequence(steps);
                skippers.put(s, seq); // before the fields: a recursive record refers to itself
                for (int i = 0; i < steps.length; i++) {
                    steps[i] = skipper(s.getFields().get(i).schema());
                }
                return seq;
            }
            case ARRAY -> r = new Items(skipper(s.getElementType()), false);
            case MAP -> r = new Items(skipper(s.getValueType()), true);
            case UNION -> {
                Reader[] branches = new Reader[s.getTypes().size()];
                Union u = new Union(branches);
                skippers.put(s, u);
                for (int i = 0; i < branches.length; i++) {
                    branches[i] = skipper(s.getTypes().get(i));
                }
                return u;
            }
            default -> throw new IllegalStateException("avro type " + s.getType());
        }
        skippers.put(s, r);
        return r;
    }

    private static final Reader NOTHING = new Reader() {
        @Override
        void read(AvroCursor c) {
        }
    };

    private static final Reader VARINT = new Reader() {
        @Override
        void read(AvroCursor c) {
            c.readLong();
        }
    };

    private static final Reader BYTES = new Reader() {
        @Override
        void read(AvroCursor c) {
            c.skipBytes();
        }
    };

    private static Reader fixedSkip(int n) {
        return new Reader() {
            @Override
            void read(AvroCursor c) {
                c.skip(n);
            }
        };
    }

    /** Array items or map entries (a string key, then the value), block by block. */
    private static final class Items extends Reader {
        final Reader item;
        final boolean map;

        Items(Reader item, boolean map) {
            this.item = item;
            this.map = map;
        }

        @Override
        void read(AvroCursor c) {
            for (long n = c.blockCount(); n != 0; n = c.blockCount()) {
                for (long i = 0; i < n; i++) {
                    if (map) {
                        c.skipBytes();
                    }
                    item.read(c);
                }
            }
        }
    }
}
