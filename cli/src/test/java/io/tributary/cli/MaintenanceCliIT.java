package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.catalog.AwsClients;
import io.tributary.catalog.Compaction;
import io.tributary.catalog.DynamoCatalog;
import io.tributary.iceberg.IcebergCatalogs;
import io.tributary.iceberg.SnapshotExpiry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Table maintenance through the packaged {@code ./tributary} launcher on the local stack, with a
 * scheduler (runner assignment, Iceberg publication) and one runner: a table with many small parts
 * ({@code max_age: 1s}, 3,000 click events over 3 partitions at 300/s, 2% malformed) lands and is published;
 * {@code audit --deep --json} is exact; {@code compact --dry-run} plans the runs, {@code compact}
 * leaves at most one live part per partition, {@code audit --deep} stays exact (chain, the compacted
 * objects proven per covered record, and the Iceberg side once the publisher applied the
 * {@code RewriteFiles}), {@code query} returns the same result; {@code sweep --grace 1s} keeps the
 * replaced parts while a retained Iceberg snapshot lists them and deletes exactly them once the old
 * snapshots are expired; the audit stays exact and Iceberg's own reader returns every row once.
 * {@code describe}/{@code status} show the live parts, links and checkpoints; {@code retention} on a
 * table without {@code retention:} does nothing.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class MaintenanceCliIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long EVENTS = 3_000;
    private static final double BAD = 0.02;
    private static final String QUERY = "SELECT count(*) AS n, count(DISTINCT event_id) AS ids, "
            + "count(DISTINCT (_partition, _offset)) AS offsets, sum(amount) AS amount, min(_offset) AS lo, max(_offset) AS hi FROM small";

    @TempDir
    Path state;
    private Launcher cli;

    @BeforeEach
    void apps() {
        cli = Launcher.assumingBuilt(state, "scheduler", "task-runner", "cli");
    }

    @AfterEach
    void stopEverything() throws Exception {
        if (cli != null) {
            cli.close();
        }
    }

    private JsonNode okJson(String... args) throws Exception {
        return JSON.readTree(cli.ok(args).stdout());
    }

    /** Runs {@code args} every second until its JSON satisfies {@code done}. */
    private JsonNode until(String what, Duration timeout, Predicate<JsonNode> done, String... args) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            CliProcess.Result r = cli.run(args);
            last = r.stdout() + r.stderr();
            if (!r.stdout().isBlank() && r.stdout().strip().startsWith("{")) {
                JsonNode n = JSON.readTree(r.stdout());
                if (done.test(n)) {
                    return n;
                }
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("timed out waiting for " + what + "; last: " + last + "\n" + cli.logs());
    }

    private static long committed(JsonNode status) {
        long sum = 0;
        for (JsonNode t : status.get("tables")) {
            for (JsonNode p : t.get("partitions")) {
                sum += p.get("committed").asLong();
            }
        }
        return sum;
    }

    /** The query's result table without the footer (which names the part count and the time). */
    private String queryResult() throws Exception {
        String out = cli.ok("query", "small", QUERY).stdout();
        return out.substring(0, out.lastIndexOf("\n("));
    }

    @Test
    void compactAuditQuerySweep() throws Exception {
        Map<String, String> env = parse(cli.ok("local", "up").stdout());
        Path yaml = state.resolve("small.yaml");
        Files.writeString(yaml, """
                name: small
                source:
                  bootstrap: ${TRIBUTARY_KAFKA_BOOTSTRAP}
                  topic: small
                  start: earliest
                format: json
                columns:
                  - { name: event_id,  type: string,          path: $.event_id, nullable: false }
                  - { name: user_id,   type: long,            path: $.user.id }
                  - { name: country,   type: string,          path: $.user.country }
                  - { name: ts,        type: timestamp,       path: $.ts }
                  - { name: amount,    type: "decimal(12,2)", path: $.amount }
                  - { name: session,   type: int,             path: $.session }
                  - { name: price,     type: double,          path: $.price }
                  - { name: is_mobile, type: boolean,         path: $.is_mobile }
                metadata: [ _partition, _offset, _timestamp ]
                output:
                  bucket: ${TRIBUTARY_BUCKET}
                  prefix: tables
                flush: { max_rows: 100000, max_bytes: 16MiB, max_age: 1s }
                errors: { policy: dlq }
                iceberg: { commit_interval: 1s }
                """);
        cli.ok("produce", "--topic", "small", "--count", "0", "--partitions", "3");
        cli.ok("table", "create", "-f", yaml.toString());
        // snapshot expiry is the test's to run (below): the scheduler keeps its default window
        cli.service("scheduler", Map.of(), "scheduler");
        cli.service("runner", Map.of(), "runner", "--id", "r1");
        until("a runner attached", Duration.ofMinutes(4), s -> s.get("runners").size() == 1, "status", "--json");

        // ~10 s of 1 s parts per partition
        CliProcess.Result produced = cli.ok("produce", "--topic", "small", "--count", Long.toString(EVENTS), "--bad-ratio",
                Double.toString(BAD), "--rate", "300");
        java.util.regex.Matcher mm = java.util.regex.Pattern.compile("([\\d,]+) malformed").matcher(produced.stdout());
        assertThat(mm.find()).as(produced.stdout()).isTrue();
        long bad = Long.parseLong(mm.group(1).replace(",", ""));
        assertThat(bad).isPositive();
        assertThat(produced.stdout()).contains("produced 3,000 events");
        until("all offsets committed", Duration.ofMinutes(5), s -> committed(s) == EVENTS, "status", "--json");
        until("published", Duration.ofMinutes(2), d -> d.at("/iceberg/pending_rows").asLong(-1) == 0
                && d.at("/iceberg/snapshot_id").asLong() > 0, "table", "describe", "small", "--json");

        JsonNode a0 = okJson("audit", "small", "--deep", "--json");
        assertThat(a0.get("exact").asBoolean()).as(a0.toString()).isTrue();
        assertThat(a0.get("rows").asLong()).isEqualTo(EVENTS - bad);
        assertThat(a0.get("dlq_rows").asLong()).isEqualTo(bad);
        assertThat(a0.at("/deep/rows_read").asLong()).isEqualTo(EVENTS - bad);
        assertThat(a0.at("/deep/dlq_rows_read").asLong()).isEqualTo(bad);
        assertThat(a0.at("/deep/compacted_objects").asLong()).isZero();
        assertThat(a0.at("/iceberg/exact").asBoolean()).as(a0.toString()).isTrue();
        long partsBefore = a0.at("/deep/data_objects").asLong();
        assertThat(partsBefore).as("many small parts").isGreaterThanOrEqualTo(9);
        assertThat(a0.at("/iceberg/files").asLong()).isEqualTo(partsBefore);
        String before = queryResult();
        JsonNode d0 = okJson("table", "describe", "small", "--json").get("maintenance");
        assertThat(d0.get("parts").asLong()).isEqualTo(partsBefore);
        assertThat(d0.get("compaction_links").asLong()).isZero();

        // dry run: the runs, nothing written
        JsonNode dry = okJson("compact", "small", "--dry-run", "--json");
        assertThat(dry.get("dry_run").asBoolean()).isTrue();
        assertThat(dry.get("live_parts_before").asLong()).isEqualTo(partsBefore);
        assertThat(dry.get("runs").size()).isBetween(1, 3);
        assertThat(dry.get("parts_replaced").asLong()).isGreaterThan(1);
        assertThat(okJson("table", "describe", "small", "--json").at("/maintenance/compaction_links").asLong()).isZero();

        JsonNode c = okJson("compact", "small", "--json");
        assertThat(c.get("links").asLong()).isEqualTo(dry.get("links").asLong());
        assertThat(c.get("parts_replaced").asLong()).isEqualTo(dry.get("parts_replaced").asLong());
        assertThat(c.get("rows").asLong()).isEqualTo(dry.get("rows").asLong());
        assertThat(c.get("bytes_before").asLong()).isEqualTo(dry.get("bytes_before").asLong());
        assertThat(c.get("bytes_after").asLong()).isPositive();
        assertThat(c.get("failed").asLong() + c.get("unknown").asLong()).isZero();
        long partsAfter = c.get("live_parts_after").asLong();
        assertThat(partsAfter).as("at most one part per partition (all far below 128 MiB)").isLessThanOrEqualTo(3);
        assertThat(partsAfter).isEqualTo(partsBefore - c.get("parts_replaced").asLong() + c.get("links").asLong());
        JsonNode d1 = okJson("table", "describe", "small", "--json").get("maintenance");
        assertThat(d1.get("parts").asLong()).isEqualTo(partsAfter);
        assertThat(d1.get("compaction_links").asLong()).isEqualTo(c.get("links").asLong());
        assertThat(d1.get("checkpoints").size()).isZero();
        assertThat(okJson("compact", "small", "--json").get("links").asLong()).as("nothing left to compact").isZero();

        // the chain and the compacted objects are exact at once; Iceberg once the publisher applied the RewriteFiles
        JsonNode a1 = until("the Iceberg side applies the compaction", Duration.ofMinutes(1),
                a -> a.get("exact").asBoolean() && a.at("/iceberg/files").asLong() == partsAfter,
                "audit", "small", "--deep", "--json");
        assertThat(a1.at("/deep/data_objects").asLong()).isEqualTo(partsAfter);
        assertThat(a1.at("/deep/compacted_objects").asLong()).isEqualTo(c.get("links").asLong());
        assertThat(a1.at("/deep/rows_read").asLong()).isEqualTo(EVENTS - bad);
        assertThat(a1.at("/deep/dlq_rows_read").asLong()).isEqualTo(bad);
        assertThat(queryResult()).isEqualTo(before);

        try (DynamoDbClient ddb = AwsClients.dynamo(env); S3Client s3 = AwsClients.s3(env);
                IcebergCatalogs catalogs = new IcebergCatalogs(env)) {
            DynamoCatalog chains = DynamoCatalog.builder().client(ddb).tableName(env.get("TRIBUTARY_CATALOG_TABLE")).build();
            Set<String> replaced = new HashSet<>();
            for (int p : chains.partitions("small")) {
                for (Compaction l : chains.compactions("small", p)) {
                    replaced.addAll(l.replaced());
                }
            }
            assertThat(replaced).hasSize((int) c.get("parts_replaced").asLong());
            String bucket = env.get("TRIBUTARY_BUCKET");

            // retained snapshots still list the replaced parts: kept however old
            Thread.sleep(2000);
            JsonNode s1 = okJson("sweep", "small", "--grace", "1s", "--json");
            assertThat(s1.get("replaced_deleted").asLong()).as(s1.toString()).isZero();
            for (JsonNode k : s1.get("orphan_keys")) {
                assertThat(replaced).doesNotContain(k.asText());
            }
            for (String k : replaced) {
                s3.headObject(b -> b.bucket(bucket).key(k));
            }

            // expire every snapshot but the current one (what the publisher's expiry does after its window)
            Table ice = catalogs.catalog(null).loadTable(TableIdentifier.of("tributary", "small"));
            SnapshotExpiry.expire(ice, 1, Duration.ZERO, System.currentTimeMillis());
            JsonNode dry2 = okJson("sweep", "small", "--grace", "1s", "--dry-run", "--json");
            Set<String> wouldDelete = new HashSet<>();
            dry2.get("orphan_keys").forEach(k -> wouldDelete.add(k.asText()));
            assertThat(wouldDelete).containsAll(replaced);
            JsonNode s2 = okJson("sweep", "small", "--grace", "1s", "--json");
            assertThat(s2.get("replaced_deleted").asLong()).as(s2.toString()).isEqualTo(replaced.size());
            assertThat(s2.get("deleted").asLong()).isEqualTo(s2.get("orphans").asLong());
            assertThat(s2.get("bytes_deleted").asLong()).isPositive();
            for (String k : replaced) {
                try {
                    s3.headObject(b -> b.bucket(bucket).key(k));
                    throw new AssertionError(k + " still exists");
                } catch (NoSuchKeyException e) {
                    // deleted
                } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
                    assertThat(e.statusCode()).isEqualTo(404);
                }
            }

            System.out.printf("maintenance numbers: live parts %d -> %d (%d links replacing %d parts, %d rows, %d -> %d bytes);"
                    + " sweep kept the replaced parts while snapshots listed them (%d orphans then), then deleted %d objects"
                    + " (%d replaced, %d bytes)%n", partsBefore, partsAfter, c.get("links").asLong(),
                    c.get("parts_replaced").asLong(), c.get("rows").asLong(), c.get("bytes_before").asLong(),
                    c.get("bytes_after").asLong(), s1.get("orphans").asLong(), s2.get("deleted").asLong(),
                    s2.get("replaced_deleted").asLong(), s2.get("bytes_deleted").asLong());
            JsonNode a2 = okJson("audit", "small", "--deep", "--json");
            assertThat(a2.get("exact").asBoolean()).as(a2.toString()).isTrue();
            assertThat(a2.at("/iceberg/exact").asBoolean()).isTrue();
            assertThat(a2.at("/deep/rows_read").asLong()).isEqualTo(EVENTS - bad);
            assertThat(queryResult()).isEqualTo(before);

            // Iceberg's own reader: every row once
            ice.refresh();
            Set<String> keys = new HashSet<>();
            long n = 0;
            try (CloseableIterable<Record> rows = IcebergGenerics.read(ice).select("event_id", "_offset").build()) {
                for (Record r : rows) {
                    n++;
                    keys.add(String.valueOf(r.getField("event_id")));
                }
            }
            assertThat(n).isEqualTo(EVENTS - bad);
            assertThat(keys).hasSize((int) (EVENTS - bad));
        }

        // status shows the maintenance state; retention without `retention:` does nothing
        JsonNode st = okJson("status", "--json");
        assertThat(st.at("/tables/0/maintenance/parts").asLong()).isEqualTo(partsAfter);
        assertThat(st.at("/tables/0/maintenance/compaction_links").asLong()).isEqualTo(c.get("links").asLong());
        assertThat(cli.ok("table", "describe", "small").stdout()).contains("maintenance: " + partsAfter + " live parts");
        JsonNode ret = okJson("retention", "small", "--json");
        assertThat(ret.get("retention_s").asLong()).isZero();
        assertThat(ret.get("records").asLong()).isZero();
        assertThat(cli.ok("retention", "small").stdout()).contains("keeps everything");
        CliProcess.Result missing = cli.run("compact", "nosuch");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.stderr().strip()).doesNotContain("\n").startsWith("tributary: no table 'nosuch'");

        retentionFoldsOldRecords(env);
    }

    /**
     * Retention through the CLI on the same stack: a table with {@code retention: 1h} gets records whose
     * Kafka timestamps are two days old, then recent ones; {@code tributary retention} folds the old records
     * into a checkpoint, deletes their objects and removes them from the Iceberg table; the deep audit
     * (chain from the checkpoint, Iceberg) stays exact and {@code query} sees exactly the recent rows.
     */
    private void retentionFoldsOldRecords(Map<String, String> env) throws Exception {
        Path yaml = state.resolve("aged.yaml");
        Files.writeString(yaml, """
                name: aged
                source: { bootstrap: "${TRIBUTARY_KAFKA_BOOTSTRAP}", topic: aged, start: earliest }
                columns:
                  - { name: event_id, type: string, path: $.event_id, nullable: false }
                  - { name: n,        type: long,   path: $.n }
                output: { bucket: "${TRIBUTARY_BUCKET}", prefix: tables }
                flush: { max_rows: 100000, max_bytes: 16MiB, max_age: 1s }
                iceberg: { commit_interval: 1s }
                retention: 1h
                """);
        cli.ok("produce", "--topic", "aged", "--count", "0", "--partitions", "2");
        cli.ok("table", "create", "-f", yaml.toString());
        long old = System.currentTimeMillis() - Duration.ofDays(2).toMillis();
        int oldCount = 400;
        int newCount = 300;
        sendWithTimestamps(env, 0, oldCount, old);
        until("old records committed", Duration.ofMinutes(3), d -> committedOf(d) == oldCount,
                "table", "describe", "aged", "--json");
        sendWithTimestamps(env, oldCount, oldCount + newCount, System.currentTimeMillis());
        until("all committed and published", Duration.ofMinutes(3), d -> committedOf(d) == oldCount + newCount
                && d.at("/iceberg/pending_rows").asLong(-1) == 0, "table", "describe", "aged", "--json");
        JsonNode before = okJson("audit", "aged", "--deep", "--json");
        assertThat(before.get("exact").asBoolean()).as(before.toString()).isTrue();
        assertThat(before.get("rows").asLong()).isEqualTo(oldCount + newCount);

        JsonNode dry = okJson("retention", "aged", "--dry-run", "--json");
        assertThat(dry.get("rows").asLong()).as(dry.toString()).isEqualTo(oldCount);
        assertThat(okJson("audit", "aged", "--deep", "--json").at("/deep/rows_read").asLong())
                .as("a dry run changes nothing").isEqualTo(oldCount + newCount);
        JsonNode ret = okJson("retention", "aged", "--json");
        assertThat(ret.get("rows").asLong()).as(ret.toString()).isEqualTo(oldCount);
        assertThat(ret.get("objects_deleted").asLong()).isPositive();
        assertThat(ret.get("iceberg_files_removed").asLong()).isPositive();

        JsonNode after = until("the Iceberg side without the expired parts", Duration.ofMinutes(1),
                a -> a.get("exact").asBoolean() && a.at("/iceberg/rows").asLong() == newCount,
                "audit", "aged", "--deep", "--json");
        assertThat(after.at("/deep/rows_read").asLong()).isEqualTo(newCount);
        assertThat(after.get("rows").asLong()).as("the chain audit counts the folded rows from the checkpoints")
                .isEqualTo(oldCount + newCount);
        String counted = cli.ok("query", "aged", "SELECT count(*) AS n, min(n) AS lo FROM aged").stdout();
        assertThat(counted).contains(Integer.toString(newCount)).contains(Integer.toString(oldCount));
        JsonNode d = okJson("table", "describe", "aged", "--json").get("maintenance");
        assertThat(d.get("checkpoints").size()).isPositive();
        System.out.printf("retention numbers: %d old rows folded (%d objects deleted, %d Iceberg files removed),"
                + " %d recent rows kept; audits exact%n", ret.get("rows").asLong(), ret.get("objects_deleted").asLong(),
                ret.get("iceberg_files_removed").asLong(), newCount);
    }

    private static long committedOf(JsonNode describe) {
        long sum = 0;
        for (JsonNode p : describe.get("partitions")) {
            sum += p.get("committed").asLong();
        }
        return sum;
    }

    /** Records n = from..to-1 with Kafka timestamp {@code ts} (the CLI's producer stamps "now"). */
    private static void sendWithTimestamps(Map<String, String> env, int from, int to, long ts) throws Exception {
        java.util.Properties p = new java.util.Properties();
        p.put("bootstrap.servers", env.get("TRIBUTARY_KAFKA_BOOTSTRAP"));
        p.put("acks", "all");
        p.put("delivery.timeout.ms", "120000");
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, String>(p,
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.StringSerializer())) {
            for (int i = from; i < to; i++) {
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("aged", i % 2, ts, null,
                        "{\"event_id\":\"a" + i + "\",\"n\":" + i + "}"));
            }
            producer.flush();
        }
    }

    private static Map<String, String> parse(String out) {
        Map<String, String> env = new LinkedHashMap<>();
        out.lines().filter(l -> l.contains("=")).forEach(l -> env.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        return env;
    }
}
