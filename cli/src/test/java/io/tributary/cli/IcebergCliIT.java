package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.bench.load.LoadProducer;
import io.tributary.catalog.AwsClients;
import io.tributary.catalog.CommitOutcome;
import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.DynamoCatalog;
import io.tributary.catalog.PartObject;
import io.tributary.catalog.StoredTable;
import io.tributary.iceberg.IcebergCatalogs;
import io.tributary.iceberg.IcebergTables;
import io.tributary.iceberg.Publisher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The Iceberg side of the CLI through the packaged command, on the real local stack (Kafka, the
 * DynamoDB-API and S3-API servers, the SQLite Iceberg catalog {@code local up} configures):
 * {@code table create} creates the Iceberg table; after the chains are published (here by
 * {@link Publisher} in the test, as the scheduler leader's publisher does) {@code audit --deep
 * --json} carries {@code "iceberg"} with {@code exact: true}; {@code table describe --json} shows the
 * snapshot, heads and publication lag; a file planted in the Iceberg table through Iceberg's API
 * makes it not exact and the command exit 2; a table with {@code iceberg.enabled: false} audits
 * with {@code "iceberg": null}.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class IcebergCliIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path state;
    @TempDir
    Path work;

    @AfterEach
    void down() throws Exception {
        CliProcess.run(state, Map.of(), "local", "down");
    }

    @Test
    void createAuditDescribeAndAPlantedFile() throws Exception {
        CliProcess.Result up = CliProcess.run(state, Map.of(), "local", "up");
        assertThat(up.exitCode()).as(up.stderr()).isZero();
        Map<String, String> env = parse(up.stdout());
        assertThat(env).containsKeys("TRIBUTARY_ICEBERG_CATALOG", "TRIBUTARY_ICEBERG_JDBC_URI");
        String bucket = env.get("TRIBUTARY_BUCKET");
        new LoadProducer(env.get("TRIBUTARY_KAFKA_BOOTSTRAP")).ensureTopic("ice", 2);
        new LoadProducer(env.get("TRIBUTARY_KAFKA_BOOTSTRAP")).ensureTopic("plain", 1);

        // table create: the chain table and the Iceberg table tributary.ice
        CliProcess.Result created = CliProcess.run(state, Map.of(), "table", "create", "-f", yaml("ice", "").toString());
        assertThat(created.exitCode()).as(created.stdout() + created.stderr()).isZero();
        assertThat(created.stdout()).contains("created Iceberg table tributary.ice in catalog local at s3://" + bucket + "/tables/ice");

        try (DynamoDbClient ddb = AwsClients.dynamo(env); S3Client s3 = AwsClients.s3(env);
                IcebergCatalogs catalogs = new IcebergCatalogs(env)) {
            DynamoCatalog chains = DynamoCatalog.builder().client(ddb).tableName(env.get("TRIBUTARY_CATALOG_TABLE")).build();
            Table iceberg = catalogs.catalog(null).loadTable(org.apache.iceberg.catalog.TableIdentifier.of("tributary", "ice"));
            assertThat(iceberg.location()).isEqualTo("s3://" + bucket + "/tables/ice");
            assertThat(iceberg.currentSnapshot()).isNull();

            // land two parts per partition (what runners would do) and publish them
            commit(chains, s3, bucket, "ice", 0, 0, 10);
            commit(chains, s3, bucket, "ice", 0, 10, 25);
            commit(chains, s3, bucket, "ice", 1, 0, 7);
            StoredTable stored = chains.getTable("ice").orElseThrow();
            Publisher publisher = new Publisher(chains, catalogs::catalog, catalogs.defaultNamespace(), "test");
            Publisher.Result published = publisher.publish(stored);
            assertThat(published.outcome()).isEqualTo(Publisher.Outcome.PUBLISHED);

            CliProcess.Result audit = CliProcess.run(state, Map.of(), "audit", "ice", "--deep", "--json");
            assertThat(audit.exitCode()).as(audit.stdout() + audit.stderr()).isZero();
            JsonNode a = JSON.readTree(audit.stdout());
            assertThat(a.get("exact").asBoolean()).isTrue();
            JsonNode ice = a.get("iceberg");
            assertThat(names(ice)).containsExactly("exact", "snapshot_id", "files", "rows", "heads", "problems");
            assertThat(ice.get("exact").asBoolean()).as(ice.toString()).isTrue();
            assertThat(ice.get("snapshot_id").asLong()).isEqualTo(published.snapshotId());
            assertThat(ice.get("files").asLong()).isEqualTo(3);
            assertThat(ice.get("rows").asLong()).isEqualTo(32);
            assertThat(ice.get("heads").toString()).isEqualTo("{\"0\":2,\"1\":1}");
            assertThat(ice.get("problems").size()).isZero();

            // committed but not published: describe shows the lag
            commit(chains, s3, bucket, "ice", 1, 7, 12);
            CliProcess.Result describe = CliProcess.run(state, Map.of(), "table", "describe", "ice", "--json");
            assertThat(describe.exitCode()).as(describe.stderr()).isZero();
            JsonNode d = JSON.readTree(describe.stdout()).get("iceberg");
            assertThat(names(d)).containsExactly("table", "catalog", "location", "snapshot_id", "heads", "pending_rows",
                    "lag_s", "error");
            assertThat(d.get("table").asText()).isEqualTo("tributary.ice");
            assertThat(d.get("snapshot_id").asLong()).isEqualTo(published.snapshotId());
            assertThat(d.get("pending_rows").asLong()).isEqualTo(5);
            assertThat(d.get("lag_s").asDouble()).isGreaterThanOrEqualTo(0);
            assertThat(d.get("error").isNull()).isTrue();
            CliProcess.Result describeText = CliProcess.run(state, Map.of(), "table", "describe", "ice");
            assertThat(describeText.stdout()).contains("iceberg tributary.ice").contains("snapshot " + published.snapshotId())
                    .contains("publication lag 5 rows");

            // a planted file: an object no commit record references, appended through Iceberg's API
            String orphanKey = "tables/ice/dt=2026-01-01/p0-99-100-planted.parquet";
            long size = upload(s3, bucket, orphanKey, 0, 99, 100);
            iceberg.refresh();
            iceberg.newAppend().appendFile(DataFiles.builder(iceberg.spec()).withPath("s3://" + bucket + "/" + orphanKey)
                    .withFormat(FileFormat.PARQUET).withFileSizeInBytes(size).withRecordCount(1).build()).commit();
            CliProcess.Result bad = CliProcess.run(state, Map.of(), "audit", "ice", "--deep", "--json");
            assertThat(bad.exitCode()).as(bad.stdout() + bad.stderr()).isEqualTo(AuditCommand.NOT_EXACT);
            JsonNode b = JSON.readTree(bad.stdout());
            assertThat(b.get("exact").asBoolean()).isFalse();
            assertThat(b.at("/iceberg/exact").asBoolean()).isFalse();
            assertThat(b.at("/iceberg/problems").toString()).contains("extra file").contains("planted.parquet");
            CliProcess.Result badText = CliProcess.run(state, Map.of(), "audit", "ice", "--deep");
            assertThat(badText.exitCode()).isEqualTo(AuditCommand.NOT_EXACT);
            assertThat(badText.stdout()).contains("iceberg: NOT EXACT").contains("PROBLEM: iceberg: extra file");
        }

        // not published: iceberg.enabled false
        CliProcess.Result plain = CliProcess.run(state, Map.of(), "table", "create", "-f",
                yaml("plain", "iceberg: { enabled: false }\n").toString());
        assertThat(plain.exitCode()).as(plain.stdout() + plain.stderr()).isZero();
        assertThat(plain.stdout()).contains("not published to Iceberg: iceberg.enabled is false");
        CliProcess.Result plainAudit = CliProcess.run(state, Map.of(), "audit", "plain", "--deep", "--json");
        assertThat(plainAudit.exitCode()).as(plainAudit.stdout() + plainAudit.stderr()).isZero();
        JsonNode p = JSON.readTree(plainAudit.stdout());
        assertThat(p.has("iceberg")).isTrue();
        assertThat(p.get("iceberg").isNull()).isTrue();
        CliProcess.Result plainText = CliProcess.run(state, Map.of(), "audit", "plain", "--deep");
        assertThat(plainText.stdout()).contains("iceberg: not published to Iceberg: iceberg.enabled is false");
    }

    private Path yaml(String name, String extra) throws Exception {
        Path f = work.resolve(name + ".yaml");
        Files.writeString(f, """
                name: %s
                source:
                  bootstrap: ${TRIBUTARY_KAFKA_BOOTSTRAP}
                  topic: %s
                  start: earliest
                format: json
                columns:
                  - { name: event_id, type: string, path: $.event_id }
                metadata: [ _partition, _offset, _timestamp ]
                output:
                  bucket: ${TRIBUTARY_BUCKET}
                  prefix: tables
                """.formatted(name, name) + extra);
        return f;
    }

    /** A Parquet part holding offsets [start, end) of partition {@code p} (written by DuckDB), uploaded; its size. */
    private long upload(S3Client s3, String bucket, String key, int p, long start, long end) throws Exception {
        Path f = work.resolve(key.replace('/', '_'));
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement st = db.createStatement()) {
            st.execute("COPY (SELECT 'e' || o AS event_id, " + p + "::INTEGER AS _partition, o::BIGINT AS _offset, "
                    + "make_timestamptz(2026, 1, 1, 0, 0, 0) AS _timestamp FROM range(" + start + ", " + end + ") t(o)) TO '"
                    + f + "' (FORMAT parquet)");
        }
        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromFile(f));
        return Files.size(f);
    }

    /** Lands [start, end) of partition {@code p} as one part and one commit record, as a runner does. */
    private void commit(DynamoCatalog chains, S3Client s3, String bucket, String table, int p, long start, long end)
            throws Exception {
        String key = IcebergTables.location(chains.getTable(table).orElseThrow().definition())
                .substring(("s3://" + bucket + "/").length()) + "/dt=2026-01-01/p" + p + "-" + start + "-" + end + "-x.parquet";
        long size = upload(s3, bucket, key, p, start, end);
        CommitRecord head = chains.head(table, p).orElseThrow();
        assertThat(head.endOffset()).isEqualTo(start);
        long now = System.currentTimeMillis();
        CommitRecord next = head.successor().endOffset(end).rows(end - start).dlqRows(0)
                .objects(List.of(PartObject.data(key, end - start, size))).writer("test").epoch(1)
                .minTs(1_767_225_600_000L).maxTs(1_767_225_600_000L).committedAt(now).build();
        assertThat(chains.commit(head, next)).isInstanceOf(CommitOutcome.Committed.class);
    }

    private static Map<String, String> parse(String out) {
        Map<String, String> env = new LinkedHashMap<>();
        out.lines().filter(l -> l.contains("=")).forEach(l -> env.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        return env;
    }

    private static List<String> names(JsonNode n) {
        List<String> out = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
