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
     * Decodes the value {@code value[offset, offset + length)}: the runner passes the record's bytes where the Kafka
     * client fetched them (no copy per record), so a decoder reads only that range and never keeps the array.
     *
     * @param value null for a tombstone (then {@code offset} and {@code length} are 0)
     * @return null when the row was appended, else why not (the buffer is unchanged)
     */
    String decode(byte[] value, int offset, int length, PartitionBuffer buffer);

    /** {@link #decode(byte[], int, int, PartitionBuffer)} of the whole array. */
    default String decode(byte[] value, PartitionBuffer buffer) {
        return decode(value, 0, value == null ? 0 : value.length, buffer);
    }

    /** The range as an array of its own (the array itself when the range is all of it). */
    static byte[] whole(byte[] value, int offset, int length) {
        return value == null || (offset == 0 && length == value.length) ? value
                : java.util.Arrays.copyOfRange(value, offset, offset + length);
    }
}
