package io.tributary.runner.consume;

import io.tributary.catalog.TableDefinition;
import io.tributary.runner.TableContext;
import io.tributary.runner.buffer.PartitionBuffer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.jboss.logging.Logger;

/**
 * Which buffers are cut by age. {@code max_age} is there for freshness, so it applies to a partition that is
 * caught up: a buffer older than {@code max_age}, whose partition cut its previous part at least
 * {@code flush.min_interval} ago, is cut. While a partition is <b>behind</b> (its consumer lag, which the
 * consumer knows from its last fetch without asking the broker, is at least one part's worth of records:
 * {@code max_rows}, or fewer when {@code max_bytes} fills first at the buffer's bytes per record), its rows are
 * not fresh whatever we do, and an age cut would only make small parts; so age cuts wait and the part is cut by
 * rows, bytes or the memory budget. It stays behind while the lag can still fill the current part; after that
 * age cuts resume, the first one at once if the buffer is already older than {@code max_age}. A partition whose lag is unknown (no fetch yet) counts as caught
 * up. Transitions are logged at INFO. Poll thread only.
 */
final class AgeCuts {
    private static final Logger LOG = Logger.getLogger(AgeCuts.class);

    private final TableContext ctx;
    private final KafkaConsumer<byte[], ByteBuffer> consumer;

    AgeCuts(TableContext ctx, KafkaConsumer<byte[], ByteBuffer> consumer) {
        this.ctx = ctx;
        this.consumer = consumer;
    }

    /** The partitions of {@code parts} whose filling buffer is due for an age cut now. */
    List<PartitionState> due(Collection<PartitionState> parts) {
        long now = System.nanoTime();
        TableDefinition.Flush flush = ctx.flush();
        long maxAge = flush.maxAgeMillis() * 1_000_000L;
        long minInterval = flush.minIntervalMillis() * 1_000_000L;
        List<PartitionState> due = new ArrayList<>();
        for (PartitionState st : parts) {
            PartitionBuffer b = st.buffer;
            if (b == null || b.isEmpty() || behind(st, b, flush)) {
                continue;
            }
            if (b.ageNanos(now) >= maxAge
                    && (st.lastCutNanos == PartitionState.NEVER_CUT || now - st.lastCutNanos >= minInterval)) {
                due.add(st);
            }
        }
        return due;
    }

    /** Whether {@code st} is behind by at least a part; updates and logs {@link PartitionState#behind}. */
    private boolean behind(PartitionState st, PartitionBuffer b, TableDefinition.Flush flush) {
        OptionalLong lag = st.consuming ? consumer.currentLag(st.tp) : OptionalLong.empty();
        long part = partRecords(b, flush);
        // behind from a part's worth of lag on, and until the rest of the backlog can no longer fill the current part
        boolean behind = lag.isPresent() && lag.getAsLong() >= (st.behind ? part - b.records() : part);
        if (behind != st.behind) {
            st.behind = behind;
            if (behind) {
                LOG.infof("table %s partition %d: behind by %d records; cutting parts by size until caught up"
                        + " (max_age waits; a part is about %d records)", ctx.table(), st.partition, lag.getAsLong(), part);
            } else {
                LOG.infof("table %s partition %d: caught up (lag %s records); cutting parts by max_age again",
                        ctx.table(), st.partition, lag.isPresent() ? Long.toString(lag.getAsLong()) : "unknown");
            }
        }
        return behind;
    }

    /** One part's worth of records: {@code max_rows}, or what fills {@code max_bytes} at {@code b}'s bytes per record. */
    static long partRecords(PartitionBuffer b, TableDefinition.Flush flush) {
        long records = b.records();
        long bytes = b.bytes();
        long byBytes = records > 0 && bytes > 0 ? (long) (flush.maxBytes() * (double) records / bytes) : Long.MAX_VALUE;
        return Math.max(1, Math.min(flush.maxRows(), byBytes));
    }
}
