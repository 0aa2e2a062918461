/**
 * Consume: the poll loop of one table and its partitions' lifecycle on the Kafka consumer.
 * {@link io.tributary.runner.consume.TableWorker} owns one consumer and the <b>poll thread</b>, the
 * only thread that touches the consumer, the decoder and the filling buffers: it {@code assign()}s
 * (never subscribes), seeks each partition to its chain head, polls, decodes and appends, and seals
 * buffers. {@code Partitions} starts, seals, restarts, revokes and stops partitions (poll thread);
 * {@code FlushChain} runs each sealed buffer on the <b>flush executor</b>, in order per partition,
 * through the {@link io.tributary.runner.commit.Committer}, and reaches the poll thread only through
 * its event queue. Exposes {@code TableWorker} to the runner; everything else is package-private.
 */
package io.tributary.runner.consume;
