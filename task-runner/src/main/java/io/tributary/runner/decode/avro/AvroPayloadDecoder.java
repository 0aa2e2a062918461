package io.tributary.runner.decode.avro;

import io.tributary.catalog.ColumnType;
import io.tributary.runner.buffer.ColumnVector;
import io.tributary.runner.buffer.PartitionBuffer;
import io.tributary.runner.decode.BadRecord;
import io.tributary.runner.decode.PayloadDecoder;
import io.tributary.runner.decode.RowSchema;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * Decodes Avro binary payloads of ONE writer schema straight into the table's column vectors: the
 * schema is compiled once ({@link AvroPlan}) into readers that walk the payload in writer order, read
 * the fields some column's {@code path} names, and skip the rest; no record object is built.
 *
 * <p>Schema resolution is by field name (Avro's rule): a field the table has no column for is skipped,
 * a column whose field the writer schema lacks is null (or a bad record naming the column when it is
 * not nullable), numeric promotions int -> long -> double apply. A record that does not match its
 * schema (short, trailing bytes, bad union index or enum symbol) is a bad record naming the byte.
 * Not thread-safe: one per poll thread (inside {@link io.tributary.runner.decode.FramedRowDecoder}).
 */
public final class AvroPayloadDecoder implements PayloadDecoder {
    final RowSchema.Field[] fields;
    final int[] stamp;
    int current;
    ColumnVector[] cols;
    private final AvroCursor cursor = new AvroCursor();
    private final String label;
    private final AvroPlan.Reader root;

    private AvroPayloadDecoder(RowSchema rows, Schema writer, String label) {
        this.fields = rows.fields().toArray(new RowSchema.Field[0]);
        this.stamp = new int[fields.length];
        Arrays.fill(stamp, -1);
        this.label = label;
        this.root = new AvroPlan(this, label).compile(writer, rows);
    }

    /**
     * Compiles {@code schemaText} (an Avro JSON schema) for the table's columns. A schema that does not
     * parse yields a decoder refusing every record with the parser's message.
     *
     * @param label names the schema in errors, e.g. {@code schema id 7} or {@code schema file clicks.avsc}
     */
    public static PayloadDecoder compile(String schemaText, RowSchema rows, String label) {
        Schema writer;
        try {
            writer = new Schema.Parser().setValidateDefaults(false).parse(schemaText);
        } catch (SchemaParseException | IllegalArgumentException e) {
            return PayloadDecoder.refusing(label + " is not a valid Avro schema: " + e.getMessage());
        }
        return new AvroPayloadDecoder(rows, writer, label);
    }

    @Override
    public String decode(byte[] value, int offset, PartitionBuffer buffer) {
        cursor.reset(value, offset, label);
        cols = buffer.columns();
        if (++current == Integer.MAX_VALUE) {
            Arrays.fill(stamp, -1);
            current = 0;
        }
        try {
            root.read(cursor);
            if (cursor.pos != cursor.limit) {
                throw cursor.bad((cursor.limit - cursor.pos) + " bytes left over after the record (the payload does not"
                        + " match " + label + ")");
            }
            for (int i = 0; i < fields.length; i++) {
                if (stamp[i] != current) {
                    if (!fields[i].nullable()) {
                        throw new BadRecord(fields[i].describe() + ": missing required value (" + label + ")");
                    }
                    cols[i].appendNull();
                }
            }
            return null;
        } catch (BadRecord e) {
            buffer.abortRow();
            return e.getMessage();
        } catch (RuntimeException e) {
            buffer.abortRow();
            return "avro payload (" + label + "): cannot decode at byte " + cursor.at() + ": " + e;
        } finally {
            cols = null;
        }
    }

    /** Marks column {@code col} set in this row; false if it already was (a path reached twice: first wins). */
    boolean claim(int col) {
        if (stamp[col] == current) {
            return false;
        }
        stamp[col] = current;
        return true;
    }

    ColumnType.Kind kind(int col) {
        return fields[col].type().kind();
    }
}
