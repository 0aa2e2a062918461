/**
 * Buffer: the rows of one partition for one future part, as column vectors
 * ({@link io.tributary.runner.buffer.PartitionBuffer}, {@link io.tributary.runner.buffer.ColumnVector}),
 * with its dead letters and offset range; and the runner-wide
 * {@link io.tributary.runner.buffer.MemoryBudget}. A buffer is filled by the poll thread, then sealed
 * and handed to exactly one flush task, which only reads it.
 */
package io.tributary.runner.buffer;
