/**
 * Decode: one Kafka record value into one row of a partition buffer, by the table's columns.
 * {@link io.tributary.runner.decode.RowDecoder} is the seam a table's {@code format} plugs into;
 * {@link io.tributary.runner.decode.JsonRowDecoder} is the JSON implementation (one streaming pass,
 * values straight into column vectors). {@link io.tributary.runner.decode.RowSchema} is the row shape
 * decoded from a table definition. Runs on the poll thread; one decoder per table worker.
 */
package io.tributary.runner.decode;
