package io.tributary.runner.decode;

import io.tributary.runner.buffer.PartitionBuffer;

/**
 * Turns one Kafka record value into one row of a partition's buffer, by the table's columns: the
 * seam a table's {@code format} plugs into ({@link JsonRowDecoder} for {@code json}; Avro and
 * Protobuf decoders implement the same contract).
 *
 * <p>Contract: on success the decoded columns are appended as the buffer's next row and the caller
 * ends the row with its Kafka metadata; on failure the buffer is unchanged and the result is a one-line
 * reason naming the column or the position in the record (it becomes the dead letter's
 * {@code error}). Not thread-safe: one decoder per poll thread.
 */
public interface RowDecoder {
    /**
     * @return null when the row was appended, else why not (the buffer is unchanged)
     */
    String decode(byte[] value, PartitionBuffer buffer);
}
