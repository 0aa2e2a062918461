package io.tributary.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.RequestCosts;
import io.tributary.catalog.TableDefinition;
import java.util.List;

/**
 * The requests a stage's commit chain caused (issue 15 item 6): every commit record is one DynamoDB write and
 * one S3 PUT per object ({@link RequestCosts#of(CommitRecord)}; the data path only, no Iceberg publication runs
 * in the bench's e2e stage). Reported per GB of input and per partition-day at the table's settings: a partition
 * that always has data cuts a part every {@code max(max_age, min_interval)}, each costing what a commit of the
 * chain cost on average.
 */
final class RequestStats {
    private RequestStats() {
    }

    /**
     * Puts {@code requests_per_gb} and {@code requests_per_partition_day} into {@code res} and the detail
     * ({@code requests}: commits, S3 PUTs, DynamoDB writes and WRUs, USD at list prices) into {@code d}.
     */
    static void put(Results res, ObjectNode d, TableDefinition def, List<CommitRecord> chain, long inputBytes) {
        RequestCosts.Requests r = RequestCosts.Requests.NONE;
        long commits = 0;
        for (CommitRecord c : chain) {
            if (!c.isGenesis()) {
                r = r.plus(RequestCosts.of(c));
                commits++;
            }
        }
        if (commits == 0 || inputBytes <= 0) {
            res.note("requests: no commit records to count");
            return;
        }
        double gb = inputBytes / 1e9;
        double perCommit = (double) r.requests() / commits;
        double partsPerPartitionDay = (double) RequestCosts.DAY_MILLIS / def.flush().ageCutIntervalMillis();
        res.put("requests_per_gb", r.requests() / gb);
        res.put("requests_per_partition_day", perCommit * partsPerPartitionDay);
        d.putObject("requests").put("commits", commits).put("s3_puts", r.s3Puts()).put("dynamodb_writes", r.dynamoWrites())
                .put("dynamodb_wru", r.dynamoWriteUnits()).put("requests_per_commit", Results.round(perCommit))
                .put("usd", Results.round(r.usd())).put("usd_per_gb", Results.round(r.usd() / gb))
                .put("cut_interval_ms", def.flush().ageCutIntervalMillis())
                .put("parts_per_partition_day", Results.round(partsPerPartitionDay))
                .put("usd_per_partition_day", Results.round(r.usd() / commits * partsPerPartitionDay))
                .put("prices", "AWS " + RequestCosts.PRICE_REGION + " list prices, " + RequestCosts.PRICES_AS_OF);
    }
}
