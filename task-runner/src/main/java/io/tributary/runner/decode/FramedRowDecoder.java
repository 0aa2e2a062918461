package io.tributary.runner.decode;

import io.tributary.formats.registry.RegistrySchema;
import io.tributary.formats.registry.RegistryUnavailableException;
import io.tributary.formats.registry.UnknownSchemaException;
import io.tributary.runner.buffer.PartitionBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Decodes records in the schema-registry wire format: magic byte {@code 0}, a 4-byte big-endian
 * schema id, then the payload (for Protobuf, message indexes first). Each schema id is looked up once
 * and compiled into a {@link PayloadDecoder} for the table's columns; the compiled decoders are kept.
 *
 * <p>A wrong magic byte, a truncated frame or an id the registry does not know is a bad record (dead
 * letter) whose error names the cause; a registry that does not answer throws
 * {@link RegistryUnavailableException} (the caller pauses and retries the record). Not
 * thread-safe: one per poll thread.
 */
public final class FramedRowDecoder implements RowDecoder {
    /** How long an unknown id is remembered before the registry is asked again. */
    private static final long UNKNOWN_TTL_NANOS = 30_000_000_000L;

    /** Compiles a fetched writer schema for the table's columns (a refusing decoder when it cannot). */
    public interface Compiler {
        PayloadDecoder compile(RegistrySchema schema);
    }

    private final String format;
    private final IntFunction<RegistrySchema> lookup;
    private final Compiler compiler;
    private final long maxRecordBytes;
    private final Map<Integer, PayloadDecoder> decoders = new HashMap<>();
    private final Map<Integer, Long> unknownUntil = new HashMap<>();
    private final Map<Integer, String> unknownWhy = new HashMap<>();
    private int lastId = -1;
    private PayloadDecoder last;

    /**
     * @param format  {@code avro} or {@code protobuf}, for messages
     * @param lookup  schema id -> schema ({@link io.tributary.formats.registry.RegistryClient#byId}); may throw
     *                {@link UnknownSchemaException} or {@link RegistryUnavailableException}
     */
    public FramedRowDecoder(String format, IntFunction<RegistrySchema> lookup, Compiler compiler, long maxRecordBytes) {
        this.format = format;
        this.lookup = lookup;
        this.compiler = compiler;
        this.maxRecordBytes = maxRecordBytes;
    }

    /** Avro and Protobuf payload decoders read to the end of their array, so a range is copied out first. */
    @Override
    public String decode(byte[] value, int offset, int length, PartitionBuffer buffer) {
        return decodeWhole(RowDecoder.whole(value, offset, length), buffer);
    }

    private String decodeWhole(byte[] value, PartitionBuffer buffer) {
        if (value == null) {
            return "null value (tombstone): expected a framed " + format + " record";
        }
        if (value.length > maxRecordBytes) {
            return "record of " + value.length + " bytes exceeds max_record_bytes " + maxRecordBytes;
        }
        if (value.length < 5) {
            return "truncated frame: " + value.length + " bytes, expected magic byte 0 and a 4-byte schema id";
        }
        if (value[0] != 0) {
            return String.format("wrong magic byte 0x%02x: expected 0x00 (schema-registry wire format)", value[0] & 0xff);
        }
        int id = ((value[1] & 0xff) << 24) | ((value[2] & 0xff) << 16) | ((value[3] & 0xff) << 8) | (value[4] & 0xff);
        PayloadDecoder d = id == lastId ? last : decoders.get(id);
        if (d == null) {
            String unknown = unknown(id);
            if (unknown != null) {
                return unknown;
            }
            d = compile(id);
            if (d == null) {
                return unknownWhy.get(id);
            }
        }
        lastId = id;
        last = d;
        return d.decode(value, 5, buffer);
    }

    private String unknown(int id) {
        Long until = unknownUntil.get(id);
        if (until == null) {
            return null;
        }
        if (until - System.nanoTime() > 0) {
            return unknownWhy.get(id);
        }
        unknownUntil.remove(id);
        unknownWhy.remove(id);
        return null;
    }

    /** Fetches and compiles; null (with the reason remembered) when the id is unknown. */
    private PayloadDecoder compile(int id) {
        RegistrySchema schema;
        try {
            schema = lookup.apply(id);
        } catch (UnknownSchemaException e) {
            unknownUntil.put(id, System.nanoTime() + UNKNOWN_TTL_NANOS);
            unknownWhy.put(id, e.getMessage());
            return null;
        }
        String expected = format.equals("avro") ? "AVRO" : "PROTOBUF";
        PayloadDecoder d;
        if (!expected.equalsIgnoreCase(schema.type())) {
            d = PayloadDecoder.refusing("schema id " + id + " is a " + schema.type() + " schema; this table's format is "
                    + format);
        } else {
            d = compiler.compile(schema);
        }
        decoders.put(id, d);
        return d;
    }
}
