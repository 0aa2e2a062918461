package io.tributary.runner.decode;

import io.tributary.runner.buffer.ColumnVector;
import io.tributary.runner.buffer.PartitionBuffer;

import io.tributary.catalog.ColumnType;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Decodes one JSON document into one row of a {@link PartitionBuffer}, by the table's columns: first
 * with {@link JsonFastPath} (bytes straight into the column vectors), and where that is not sure of a
 * record, with Jackson's streaming parser: one pass, only the subtrees named by some column path are
 * visited, values go straight into the column vectors.
 *
 * <p>A record that cannot become a row (invalid JSON, wrong type, missing or null required column,
 * too large) leaves the buffer unchanged and yields an error message that names the column or the
 * JSON position. Not thread-safe: one decoder per poll thread.
 */
public final class JsonRowDecoder implements RowDecoder {
    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    /** A bad record; cheap (no stack trace), thrown to unwind the parse. */
    private static final class BadRecord extends RuntimeException {
        BadRecord(String message) {
            super(message, null, false, false);
        }
    }

    private final RowSchema schema;
    private final RowSchema.Field[] fields;
    private final JsonPathTrie.Node root;
    private final JsonFastPath fast;
    private final long maxRecordBytes;
    private final int[] stamp;
    private int current;
    private PartitionBuffer buf;
    private JsonParser p;
    private byte[] doc;
    private int docOffset;

    public JsonRowDecoder(RowSchema schema, long maxRecordBytes) {
        this(schema, maxRecordBytes, true);
    }

    /** {@code fastPath} false: every record through Jackson (the reference the fast path is tested against). */
    JsonRowDecoder(RowSchema schema, long maxRecordBytes, boolean fastPath) {
        this.schema = schema;
        this.fields = schema.fields().toArray(new RowSchema.Field[0]);
        this.maxRecordBytes = maxRecordBytes;
        this.stamp = new int[fields.length];
        Arrays.fill(stamp, -1);
        this.root = JsonPathTrie.build(fields);
        this.fast = fastPath ? new JsonFastPath(fields, root) : null;
    }

    RowSchema schema() {
        return schema;
    }

    /**
     * Appends the decoded columns of {@code value} as the next row of {@code buffer} (the caller then
     * ends the row with its Kafka metadata).
     *
     * @return null when the row was appended, else why not (the buffer is unchanged)
     */
    @Override
    public String decode(byte[] value, int offset, int length, PartitionBuffer buffer) {
        if (value == null) {
            return "null value (tombstone): expected a JSON object";
        }
        if (length > maxRecordBytes) {
            return "record of " + length + " bytes exceeds max_record_bytes " + maxRecordBytes;
        }
        if (fast != null) {
            if (fast.decode(value, offset, length, buffer)) {
                return null;
            }
            buffer.abortRow(); // not sure or not valid: Jackson decides, and names the error
        }
        this.buf = buffer;
        this.doc = value;
        this.docOffset = offset;
        current++;
        if (current == Integer.MAX_VALUE) {
            Arrays.fill(stamp, -1);
            current = 0;
        }
        // Jackson's locations count from `offset`, so messages and the raw copies below are relative to the record
        try (JsonParser parser = FACTORY.createParser(value, offset, length)) {
            this.p = parser;
            JsonToken t = parser.nextToken();
            if (t == null) {
                throw new BadRecord("invalid JSON: empty document");
            }
            if (t != JsonToken.START_OBJECT && root.columns.length == 0) {
                throw new BadRecord("invalid JSON at " + where(parser.currentTokenLocation()) + ": expected an object, got "
                        + describe(t));
            }
            readValue(root, t);
            JsonToken after = parser.nextToken();
            if (after != null) {
                throw new BadRecord("invalid JSON at " + where(parser.currentTokenLocation())
                        + ": trailing content after the document");
            }
            for (int i = 0; i < fields.length; i++) {
                if (stamp[i] != current) {
                    if (fields[i].nullable()) {
                        buf.columns()[i].appendNull();
                    } else {
                        throw new BadRecord(fields[i].describe() + ": missing required value");
                    }
                }
            }
            return null;
        } catch (BadRecord e) {
            buffer.abortRow();
            return e.getMessage();
        } catch (JsonProcessingException e) {
            buffer.abortRow();
            String msg = e.getOriginalMessage();
            if (msg != null && msg.length() > 240) {
                msg = msg.substring(0, 240) + "...";
            }
            return "invalid JSON at " + where(e.getLocation()) + ": " + msg;
        } catch (IOException | RuntimeException e) {
            buffer.abortRow();
            return "invalid JSON: " + e;
        } finally {
            this.p = null;
            this.buf = null;
            this.doc = null;
        }
    }

    private void readValue(JsonPathTrie.Node node, JsonToken t) throws IOException {
        if (node.columns.length == 0) {
            descend(node, t);
            return;
        }
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
            JsonLocation startLoc = p.currentTokenLocation();
            long start = startLoc.getByteOffset();
            if (node.hasChildren()) {
                descend(node, t);
            } else {
                p.skipChildren();
            }
            long end = p.currentLocation().getByteOffset();
            for (int col : node.columns) {
                if (stamp[col] == current) {
                    continue; // duplicate key: the first value wins
                }
                RowSchema.Field f = fields[col];
                if (f.type().kind() != ColumnType.Kind.JSON) {
                    throw mismatch(f, t, startLoc);
                }
                stamp[col] = current;
                ((ColumnVector.Binaries) buf.columns()[col]).append(docBytes(), docOffset + (int) start, (int) (end - start));
            }
            return;
        }
        for (int col : node.columns) {
            if (stamp[col] != current) {
                setScalar(col, t);
                stamp[col] = current;
            }
        }
    }

    private byte[] docBytes() {
        return doc;
    }

    private void descend(JsonPathTrie.Node node, JsonToken t) throws IOException {
        if (t == JsonToken.START_OBJECT) {
            if (node.fields == null) {
                p.skipChildren();
                return;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                JsonPathTrie.Node child = node.fields.get(p.currentName());
                JsonToken v = p.nextToken();
                if (child == null) {
                    p.skipChildren();
                } else {
                    readValue(child, v);
                }
            }
        } else if (t == JsonToken.START_ARRAY) {
            if (node.items == null) {
                p.skipChildren();
                return;
            }
            int i = 0;
            JsonToken v;
            while ((v = p.nextToken()) != JsonToken.END_ARRAY) {
                JsonPathTrie.Node child = i < node.items.length ? node.items[i] : null;
                if (child == null) {
                    p.skipChildren();
                } else {
                    readValue(child, v);
                }
                i++;
            }
        }
        // scalars: the paths below do not exist -> missing
    }

    private void setScalar(int col, JsonToken t) throws IOException {
        RowSchema.Field f = fields[col];
        ColumnVector v = buf.columns()[col];
        if (t == JsonToken.VALUE_NULL) {
            if (!f.nullable()) {
                throw new BadRecord(f.describe() + ": null in a non-nullable column at " + where(p.currentTokenLocation()));
            }
            v.appendNull();
            return;
        }
        switch (f.type().kind()) {
            case STRING -> {
                if (t != JsonToken.VALUE_STRING) {
                    throw mismatch(f, t, p.currentTokenLocation());
                }
                ((ColumnVector.Binaries) v).appendUtf8(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
            }
            case INT -> {
                if (t != JsonToken.VALUE_NUMBER_INT) {
                    throw mismatch(f, t, p.currentTokenLocation());
                }
                if (p.getNumberType() != JsonParser.NumberType.INT) {
                    throw new BadRecord(f.describe() + ": " + p.getText() + " is out of range for int at "
                            + where(p.currentTokenLocation()));
                }
                ((ColumnVector.Ints) v).append(p.getIntValue());
            }
            case LONG -> {
                if (t != JsonToken.VALUE_NUMBER_INT) {
                    throw mismatch(f, t, p.currentTokenLocation());
                }
                if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    throw new BadRecord(f.describe() + ": " + p.getText() + " is out of range for long at "
                            + where(p.currentTokenLocation()));
                }
                ((ColumnVector.Longs) v).append(p.getLongValue());
            }
            case DOUBLE -> {
                if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
                    throw mismatch(f, t, p.currentTokenLocation());
                }
                ((ColumnVector.Doubles) v).append(p.getDoubleValue());
            }
            case BOOLEAN -> {
                if (t == JsonToken.VALUE_TRUE) {
                    ((ColumnVector.Booleans) v).append(true);
                } else if (t == JsonToken.VALUE_FALSE) {
                    ((ColumnVector.Booleans) v).append(false);
                } else {
                    throw mismatch(f, t, p.currentTokenLocation());
                }
            }
            case TIMESTAMP -> {
                long ms;
                if (t == JsonToken.VALUE_NUMBER_INT) {
                    if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                        throw new BadRecord(f.describe() + ": epoch millis " + p.getText() + " out of range at "
                                + where(p.currentTokenLocation()));
                    }
                    ms = p.getLongValue();
                } else if (t == JsonToken.VALUE_STRING) {
                    char[] c = p.getTextCharacters();
                    int off = p.getTextOffset();
                    int len = p.getTextLength();
                    try {
                        ms = allDigits(c, off, len) ? Long.parseLong(new String(c, off, len))
                                : TimeParsing.isoToEpochMillis(c, off, len);
                    } catch (IllegalArgumentException e) {
                        throw new BadRecord(f.describe() + ": " + e.getMessage() + " at " + where(p.currentTokenLocation()));
                    }
                } else {
                    throw mismatch(f, t, p.currentTokenLocation());
                }
                ((ColumnVector.Longs) v).append(ms);
            }
            case DATE -> {
                if (t != JsonToken.VALUE_STRING) {
                    throw mismatch(f, t, p.currentTokenLocation());
                }
                try {
                    ((ColumnVector.Ints) v).append(
                            TimeParsing.isoDateToEpochDay(p.getTextCharacters(), p.getTextOffset(), p.getTextLength()));
                } catch (IllegalArgumentException e) {
                    throw new BadRecord(f.describe() + ": " + e.getMessage() + " at " + where(p.currentTokenLocation()));
                }
            }
            case DECIMAL -> appendDecimal(f, v, t);
            case JSON -> appendJsonScalar((ColumnVector.Binaries) v, t);
            default -> throw new IllegalStateException(f.type().toString());
        }
    }

    private void appendDecimal(RowSchema.Field f, ColumnVector v, JsonToken t) throws IOException {
        if (f.decimalAsLong() && (t == JsonToken.VALUE_STRING || t == JsonToken.VALUE_NUMBER_INT
                || t == JsonToken.VALUE_NUMBER_FLOAT)) {
            long unscaled = Decimals.fastUnscaled(p.getTextCharacters(), p.getTextOffset(), p.getTextLength(), f.type().precision(),
                    f.type().scale());
            if (unscaled != Decimals.NO_FAST_PATH) {
                ((ColumnVector.Longs) v).append(unscaled);
                return;
            }
        }
        BigDecimal d;
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
            d = p.getDecimalValue();
        } else if (t == JsonToken.VALUE_STRING) {
            String s = p.getText().trim();
            try {
                if (s.isEmpty() || s.length() > 100) {
                    throw new NumberFormatException();
                }
                d = new BigDecimal(s);
            } catch (NumberFormatException e) {
                throw new BadRecord(f.describe() + ": \"" + abbreviate(s) + "\" is not a decimal number at "
                        + where(p.currentTokenLocation()));
            }
        } else {
            throw mismatch(f, t, p.currentTokenLocation());
        }
        ColumnType type = f.type();
        BigDecimal scaled;
        try {
            scaled = d.setScale(type.scale(), RoundingMode.UNNECESSARY);
        } catch (ArithmeticException e) {
            throw new BadRecord(f.describe() + ": " + d.toPlainString() + " has more than " + type.scale()
                    + " fraction digits for " + type + " at " + where(p.currentTokenLocation()));
        }
        if (scaled.precision() > type.precision() && scaled.signum() != 0) {
            throw new BadRecord(f.describe() + ": " + d.toPlainString() + " has more than " + type.precision()
                    + " digits for " + type + " at " + where(p.currentTokenLocation()));
        }
        BigInteger unscaled = scaled.unscaledValue();
        if (f.decimalAsLong()) {
            ((ColumnVector.Longs) v).append(unscaled.longValueExact());
        } else {
            int n = f.decimalBytes();
            ((ColumnVector.Binaries) v).append(Decimals.fixedBytes(unscaled, n), 0, n);
        }
    }

    private void appendJsonScalar(ColumnVector.Binaries v, JsonToken t) throws IOException {
        switch (t) {
            case VALUE_STRING -> {
                byte[] quoted = JsonStringEncoder.getInstance().quoteAsUTF8(p.getText());
                v.appendQuoted(quoted);
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE -> {
                byte[] b = p.getText().getBytes(StandardCharsets.US_ASCII);
                v.append(b, 0, b.length);
            }
            default -> throw new IllegalStateException("unexpected token " + t);
        }
    }

    private static boolean allDigits(char[] c, int off, int len) {
        if (len == 0 || len > 19) {
            return false;
        }
        int i = off;
        if (c[i] == '-' && len > 1) {
            i++;
        }
        for (; i < off + len; i++) {
            if (c[i] < '0' || c[i] > '9') {
                return false;
            }
        }
        return true;
    }

    private BadRecord mismatch(RowSchema.Field f, JsonToken t, JsonLocation loc) throws IOException {
        String got = describe(t);
        if (t.isScalarValue()) {
            got += " " + abbreviate(p.getText());
        }
        return new BadRecord(f.describe() + ": expected " + f.type() + ", got " + got + " at " + where(loc));
    }

    private static String describe(JsonToken t) {
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            case VALUE_NULL -> "null";
            default -> String.valueOf(t);
        };
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }

    static String where(JsonLocation loc) {
        if (loc == null) {
            return "unknown position";
        }
        return "line " + loc.getLineNr() + ", column " + loc.getColumnNr() + " (byte " + loc.getByteOffset() + ")";
    }
}
