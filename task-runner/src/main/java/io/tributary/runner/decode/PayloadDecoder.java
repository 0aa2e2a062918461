package io.tributary.runner.decode;

import io.tributary.runner.buffer.PartitionBuffer;

/**
 * Decodes one Avro or Protobuf payload, compiled for one writer schema, straight into the buffer's
 * column vectors (no record object per message). {@link FramedRowDecoder} picks one by the record's
 * schema id; an unframed table has exactly one.
 *
 * <p>Contract as {@link RowDecoder#decode}: null when the row was appended, else a one-line reason
 * naming the column or the position in the payload, with the buffer unchanged. Not thread-safe.
 */
public interface PayloadDecoder {
    /**
     * @param value  the whole Kafka record value
     * @param offset where the payload starts in {@code value} (after the framing, if any; for Protobuf
     *               framed records, at the message indexes)
     */
    String decode(byte[] value, int offset, PartitionBuffer buffer);

    /** A decoder that refuses every record with {@code reason} (a schema that cannot fill the columns). */
    static PayloadDecoder refusing(String reason) {
        return (value, offset, buffer) -> reason;
    }
}
