package io.tributary.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.ObjectKeys;
import io.tributary.catalog.PartObject;
import io.tributary.catalog.TableDefinition;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestStatsTest {

    @Test
    void requestsPerGbAndPerPartitionDayFromTheChain() {
        TableDefinition def = TableDefinition.builder("bench_e2e").source("h:9092", "t").output("bucket")
                .column("event_id", "string").flush(new TableDefinition.Flush(500_000, 64L << 20, 5_000)).build();
        List<CommitRecord> chain = new ArrayList<>();
        CommitRecord head = CommitRecord.genesis("bench_e2e", 0, 0, 1, 1L);
        chain.add(head);
        for (int i = 0; i < 4; i++) {
            long end = head.endOffset() + 500_000;
            String key = ObjectKeys.data("tables", "bench_e2e", LocalDate.of(2026, 12, 6), 0, head.endOffset(), end, "r" + i);
            head = head.successor().endOffset(end).rows(500_000).bytes(4_000_000).writer("bench-runner-e2e").epoch(1)
                    .object(PartObject.data(key, 500_000, 4_000_000)).committedAt(1_000L + i).build();
            chain.add(head);
        }
        Results res = new Results();
        ObjectNode d = res.details("e2e");
        RequestStats.put(res, d, def, chain, 500_000_000L);
        // 4 commits: 4 PUTs + 4 writes over 0.5 GB
        assertThat(res.get("requests_per_gb")).isEqualTo(16.0);
        // 2 requests per commit x 17,280 parts (max_age 5 s) a partition-day
        assertThat(res.get("requests_per_partition_day")).isEqualTo(34_560.0);
        assertThat(d.at("/requests/commits").asLong()).isEqualTo(4);
        assertThat(d.at("/requests/s3_puts").asLong()).isEqualTo(4);
        assertThat(d.at("/requests/dynamodb_wru").asLong()).isEqualTo(4);
        assertThat(d.at("/requests/parts_per_partition_day").asDouble()).isEqualTo(17_280.0);
        // 17,280 x ($0.000005 + $0.000000625)
        assertThat(d.at("/requests/usd_per_partition_day").asDouble()).isEqualTo(0.0972);
        assertThat(Results.HEADLINE).contains("requests_per_gb", "requests_per_partition_day");

        TableDefinition quiet = def.toBuilder().flush(def.flush().withMinIntervalMillis(60_000)).build();
        Results q = new Results();
        RequestStats.put(q, q.details("e2e"), quiet, chain, 500_000_000L);
        assertThat(q.get("requests_per_partition_day")).isEqualTo(2_880.0);
    }
}
