package io.tributary.runner.decode;

import io.tributary.runner.buffer.PartitionBuffer;

/**
 * Decodes records that are a bare Avro or Protobuf payload (no schema-registry framing), all written
 * with the one schema the table definition names ({@code schema: <file>}).
 */
public final class UnframedRowDecoder implements RowDecoder {
    private final String format;
    private final PayloadDecoder payload;
    private final long maxRecordBytes;

    public UnframedRowDecoder(String format, PayloadDecoder payload, long maxRecordBytes) {
        this.format = format;
        this.payload = payload;
        this.maxRecordBytes = maxRecordBytes;
    }

    /** Avro and Protobuf payload decoders read to the end of their array, so a range is copied out first. */
    @Override
    public String decode(byte[] value, int offset, int length, PartitionBuffer buffer) {
        return decodeWhole(RowDecoder.whole(value, offset, length), buffer);
    }

    private String decodeWhole(byte[] value, PartitionBuffer buffer) {
        if (value == null) {
            return "null value (tombstone): expected an " + format + " payload";
        }
        if (value.length > maxRecordBytes) {
            return "record of " + value.length + " bytes exceeds max_record_bytes " + maxRecordBytes;
        }
        return payload.decode(value, 0, buffer);
    }
}
