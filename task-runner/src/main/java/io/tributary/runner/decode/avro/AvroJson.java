package io.tributary.runner.decode.avro;

import io.tributary.runner.buffer.ColumnVector;
import io.tributary.runner.decode.ColumnValues;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

/**
 * Renders one Avro value, read from the cursor by its writer schema, as JSON text into the value being
 * built in a {@code json} column: records and maps as objects, arrays as arrays, unions as the
 * branch's value (no Avro type wrapper), enums as their symbol, bytes and fixed as base64 strings,
 * decimals as numbers, other logical types as their underlying number or string. Stateless.
 */
final class AvroJson {
    private AvroJson() {
    }

    static void render(Schema s, AvroCursor c, ColumnVector.Binaries out) {
        switch (s.getType()) {
            case NULL -> out.putAscii("null");
            case BOOLEAN -> out.putAscii(c.readBoolean() ? "true" : "false");
            case INT -> out.putAscii(Integer.toString(c.readInt()));
            case LONG -> out.putAscii(Long.toString(c.readLong()));
            case FLOAT -> out.putAscii(ColumnValues.jsonNumber(c.readFloat()));
            case DOUBLE -> out.putAscii(ColumnValues.jsonNumber(c.readDouble()));
            case STRING -> {
                int n = c.readLength();
                ColumnValues.putJsonString(out, c.b, c.pos, n);
                c.pos += n;
            }
            case BYTES -> bytes(s, c, c.readLength(), out);
            case FIXED -> bytes(s, c, s.getFixedSize(), out);
            case ENUM -> {
                int i = c.readInt();
                List<String> symbols = s.getEnumSymbols();
                if (i < 0 || i >= symbols.size()) {
                    throw c.bad("enum " + s.getName() + " has no symbol " + i);
                }
                out.put((byte) '"');
                out.putAscii(symbols.get(i)); // Avro symbols are [A-Za-z_][A-Za-z0-9_]*
                out.put((byte) '"');
            }
            case RECORD -> {
                out.put((byte) '{');
                boolean first = true;
                for (Schema.Field f : s.getFields()) {
                    if (!first) {
                        out.put((byte) ',');
                    }
                    first = false;
                    out.put((byte) '"');
                    out.putAscii(f.name()); // Avro names are [A-Za-z_][A-Za-z0-9_]*
                    out.putAscii("\":");
                    render(f.schema(), c, out);
                }
                out.put((byte) '}');
            }
            case ARRAY -> {
                out.put((byte) '[');
                boolean first = true;
                for (long n = c.blockCount(); n != 0; n = c.blockCount()) {
                    for (long i = 0; i < n; i++) {
                        if (!first) {
                            out.put((byte) ',');
                        }
                        first = false;
                        render(s.getElementType(), c, out);
                    }
                }
                out.put((byte) ']');
            }
            case MAP -> {
                out.put((byte) '{');
                boolean first = true;
                for (long n = c.blockCount(); n != 0; n = c.blockCount()) {
                    for (long i = 0; i < n; i++) {
                        if (!first) {
                            out.put((byte) ',');
                        }
                        first = false;
                        int k = c.readLength();
                        ColumnValues.putJsonString(out, c.b, c.pos, k);
                        c.pos += k;
                        out.put((byte) ':');
                        render(s.getValueType(), c, out);
                    }
                }
                out.put((byte) '}');
            }
            case UNION -> {
                int i = c.readInt();
                List<Schema> types = s.getTypes();
                if (i < 0 || i >= types.size()) {
                    throw c.bad("union branch " + i + " does not exist (the union has " + types.size() + ")");
                }
                render(types.get(i), c, out);
            }
            default -> throw new IllegalStateException("avro type " + s.getType());
        }
    }

    private static void bytes(Schema s, AvroCursor c, int n, ColumnVector.Binaries out) {
        c.skip(n);
        int from = c.pos - n;
        if (s.getLogicalType() instanceof LogicalTypes.Decimal d) {
            BigInteger unscaled = n == 0 ? BigInteger.ZERO : new BigInteger(c.b, from, n);
            out.putAscii(new BigDecimal(unscaled, d.getScale()).toPlainString());
            return;
        }
        out.put((byte) '"');
        byte[] b64 = ColumnValues.base64(c.b, from, n);
        out.put(b64, 0, b64.length);
        out.put((byte) '"');
    }
}
