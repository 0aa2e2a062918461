package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.api.v1.ClusterStatus;
import io.tributary.api.v1.PartitionStatus;
import io.tributary.api.v1.RunnerInfo;
import io.tributary.api.v1.ScalingStatus;
import io.tributary.api.v1.TableInfo;
import io.tributary.api.v1.TableStatus;
import io.tributary.catalog.AuditReport;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The field names of {@code status --json} and {@code audit --json} are a contract: scripts rely on them. */
class JsonOutputTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static ClusterStatus sample() {
        return ClusterStatus.newBuilder().setLeader("127.0.0.1:9000")
                .addRunners(RunnerInfo.newBuilder().setId("r1").setPartitions(2).setLastHeartbeatMs(1000).setRowsPerS(5)
                        .setCpuLoad(0.75).setHttpAddress("127.0.0.1:23456"))
                .addRunners(RunnerInfo.newBuilder().setId("r0").setPartitions(0))
                .addTables(TableStatus.newBuilder().setLag(7)
                        .setTable(TableInfo.newBuilder().setName("clicks").setState("ACTIVE").setVersion(1))
                        .addPartitions(PartitionStatus.newBuilder().setPartition(0).setOwner("r1").setEpoch(3).setCommittedOffset(10)
                                .setEndOffset(17).setLag(7).setFreshnessS(1.25))
                        .addPartitions(PartitionStatus.newBuilder().setPartition(1).setFreshnessS(-1)))
                .setScaling(ScalingStatus.newBuilder().setDesired(2).setActual(1).setReason("lag"))
                .build();
    }

    @Test
    void statusJsonHasExactlyTheDocumentedFields() throws Exception {
        JsonNode n = JSON.readTree(StatusView.toJsonText(sample()));
        assertThat(names(n)).containsExactly("leader", "runners", "tables", "scaling");
        assertThat(n.get("leader").asText()).isEqualTo("127.0.0.1:9000");
        assertThat(names(n.get("runners").get(0))).containsExactly("id", "partitions", "last_heartbeat_ms", "cpu_load", "http");
        assertThat(n.at("/runners/0/partitions").asInt()).isEqualTo(2);
        assertThat(n.at("/runners/0/http").asText()).isEqualTo("127.0.0.1:23456");
        assertThat(n.at("/runners/1/http").isNull()).as("a runner that did not report its address").isTrue();
        assertThat(n.at("/runners/0/cpu_load").asDouble()).isEqualTo(0.75);
        JsonNode t = n.get("tables").get(0);
        assertThat(names(t)).containsExactly("name", "state", "lag", "partitions");
        assertThat(t.get("lag").asLong()).isEqualTo(7);
        JsonNode p0 = t.get("partitions").get(0);
        assertThat(names(p0)).containsExactly("partition", "owner", "epoch", "committed", "end", "lag", "freshness_s");
        assertThat(p0.get("committed").asLong()).isEqualTo(10);
        assertThat(p0.get("end").asLong()).isEqualTo(17);
        assertThat(p0.get("freshness_s").asDouble()).isEqualTo(1.25);
        JsonNode p1 = t.get("partitions").get(1);
        assertThat(p1.get("owner").isNull()).as("unassigned owner is null").isTrue();
        assertThat(p1.get("freshness_s").isNull()).as("unknown freshness is null").isTrue();
        assertThat(names(n.get("scaling"))).containsExactly("desired", "actual", "reason");
    }

    @Test
    void statusTextShowsTablesRunnersAndLag() {
        String text = StatusView.render(sample(), 3000);
        assertThat(text).contains("leader 127.0.0.1:9000").contains("r1").contains("table clicks  ACTIVE  lag 7")
                .contains("PARTITION").contains("2.0s ago");
    }

    @Test
    void auditJsonHasTheContractFieldsAndDeepProblemsCount() throws Exception {
        AuditReport report = new AuditReport("clicks",
                List.of(new AuditReport.PartitionSummary(0, 3, 90, 2, 0, 100, 8)), List.of(), List.of("p0: 8 offsets lost"));
        JsonNode exact = JSON.readTree(AuditCommand.toJson(new AuditCommand.Outcome(report, null)));
        assertThat(names(exact)).contains("table", "exact", "partitions", "rows", "dlq_rows", "problems");
        assertThat(exact.get("table").asText()).isEqualTo("clicks");
        assertThat(exact.get("exact").asBoolean()).isTrue();
        assertThat(exact.get("rows").asLong()).isEqualTo(90);
        assertThat(exact.get("dlq_rows").asLong()).isEqualTo(2);
        assertThat(exact.get("partitions").isArray()).isTrue();
        assertThat(exact.get("problems").size()).isZero();

        DeepAudit.Result deep = new DeepAudit.Result();
        deep.problem("partition 0 seq 2 [10, 20): offset 12 appears more than once");
        JsonNode notExact = JSON.readTree(AuditCommand.toJson(new AuditCommand.Outcome(report, deep)));
        assertThat(notExact.get("exact").asBoolean()).as("a deep problem makes it not exact").isFalse();
        assertThat(notExact.get("problems").get(0).asText()).contains("more than once");
        assertThat(names(notExact.get("deep"))).contains("exact", "records", "data_objects", "dlq_objects", "rows_read",
                "dlq_rows_read", "problems");
        assertThat(AuditCommand.text(new AuditCommand.Outcome(report, deep))).startsWith("table clicks: NOT EXACT (deep)");
    }

    @Test
    void statusJsonGainsTheIcebergObjectPerTable() throws Exception {
        IcebergView.Status st = new IcebergView.Status("tributary.clicks", "local", "s3://b/tables/clicks", 42,
                new java.util.TreeMap<>(Map.of(0, 41L, 1, 40L)), 1234L, 3250L, null);
        Map<String, IcebergView.Shown> ice = Map.of("clicks", new IcebergView.Shown(st.toJson(), st.text()));
        JsonNode t = JSON.readTree(StatusView.toJsonText(sample(), ice)).get("tables").get(0);
        assertThat(names(t)).containsExactly("name", "state", "lag", "partitions", "iceberg");
        JsonNode i = t.get("iceberg");
        assertThat(names(i)).containsExactly("table", "catalog", "location", "snapshot_id", "heads", "pending_rows", "lag_s",
                "error");
        assertThat(i.get("snapshot_id").asLong()).isEqualTo(42);
        assertThat(i.get("heads").toString()).isEqualTo("{\"0\":41,\"1\":40}");
        assertThat(i.get("pending_rows").asLong()).isEqualTo(1234);
        assertThat(i.get("lag_s").asDouble()).isEqualTo(3.3);
        assertThat(i.get("error").isNull()).isTrue();
        assertThat(StatusView.render(sample(), 3000, ice)).contains("iceberg tributary.clicks (local, s3://b/tables/clicks)"
                + "  snapshot 42  heads {0=41, 1=40}  publication lag 1,234 rows, 3.3 s");
        JsonNode off = JSON.readTree(StatusView.toJsonText(sample(), Map.of())).get("tables").get(0);
        assertThat(off.get("iceberg").isNull()).as("not published").isTrue();
    }

    @Test
    void statusJsonGainsTheCostObjectPerTable() throws Exception {
        io.tributary.catalog.TableDefinition def = io.tributary.catalog.TableDefinition.builder("clicks")
                .source("k:9092", "clicks").column("event_id", "string").output("bkt")
                .flush(new io.tributary.catalog.TableDefinition.Flush(500_000, 64L << 20, 1_000, 60_000)).build();
        io.tributary.catalog.InMemoryCatalog catalog = new io.tributary.catalog.InMemoryCatalog();
        catalog.createTable(def, Map.of(0, 0L, 1, 0L));
        ClusterStatus withDef = sample().toBuilder().setTables(0, sample().getTables(0).toBuilder().setTable(
                sample().getTables(0).getTable().toBuilder().setDefinitionJson(io.tributary.catalog.TableDefinitions.toJson(def))))
                .build();
        Map<String, io.tributary.catalog.RequestCosts.Estimate> costs = StatusView.costs(withDef, catalog, System.currentTimeMillis());
        JsonNode t = JSON.readTree(StatusView.toJsonText(withDef, null, null, costs)).get("tables").get(0);
        assertThat(names(t)).containsExactly("name", "state", "lag", "partitions", "cost");
        JsonNode c = t.get("cost");
        assertThat(names(c)).containsExactly("basis", "commits_last_hour", "per_day", "ceiling_per_day", "partitions",
                "cut_interval_ms", "prices", "error");
        assertThat(c.get("basis").asText()).isEqualTo("last hour x 24");
        assertThat(c.get("commits_last_hour").asLong()).isZero();
        assertThat(names(c.get("per_day"))).containsExactly("s3_puts", "data_puts", "dlq_puts", "iceberg_puts",
                "dynamodb_writes", "dynamodb_wru", "usd");
        // 2 partitions x 1,440 parts (min_interval 1m); an Iceberg snapshot (3 PUTs) per commit_interval (2 s) with a
        // new part: at most one per part
        assertThat(c.at("/ceiling_per_day/data_puts").asLong()).isEqualTo(2_880);
        assertThat(c.at("/ceiling_per_day/iceberg_puts").asLong()).isEqualTo(8_640);
        assertThat(c.at("/ceiling_per_day/dynamodb_writes").asLong()).isEqualTo(2_880);
        assertThat(c.get("partitions").asInt()).isEqualTo(2);
        assertThat(c.get("cut_interval_ms").asLong()).isEqualTo(60_000);
        assertThat(c.at("/prices/region").asText()).isEqualTo("us-east-1");
        assertThat(c.at("/prices/s3_put_usd_per_1000").asDouble()).isEqualTo(0.005);
        assertThat(c.at("/prices/dynamodb_wru_usd_per_million").asDouble()).isEqualTo(0.625);
        assertThat(c.get("error").isNull()).isTrue();
        assertThat(StatusView.render(withDef, 3000, null, null, costs)).contains("\n  cost: no commits in the last hour ($0/day);"
                + " at most 11,520 PUTs + 2,880 writes/day = ~$0.0594/day at max_age 1s, min_interval 1m, 2 partitions"
                + " (AWS us-east-1 list prices, 2026-12)\n");
        // a table whose definition does not parse (sample() has none) gets "cost": null; no map: no key
        JsonNode none = JSON.readTree(StatusView.toJsonText(sample(), null, null, StatusView.costs(sample(), catalog, 0)));
        assertThat(none.at("/tables/0/cost").isNull()).isTrue();
        assertThat(names(JSON.readTree(StatusView.toJsonText(sample())).get("tables").get(0))).doesNotContain("cost");
        // describe uses the same estimate
        assertThat(TableCommand.Describe.cost(withDef.getTables(0).getTable(), catalog, System.currentTimeMillis()))
                .hasValueSatisfying(e -> assertThat(e.json().toString()).isEqualTo(c.toString()));
        assertThat(TableCommand.Describe.cost(sample().getTables(0).getTable(), catalog, 0)).isEmpty();
    }

    @Test
    void statusUsesTheSchedulersIcebergStatusWhenItPublishes() throws Exception {
        String def = io.tributary.catalog.TableDefinitions.toJson(io.tributary.catalog.TableDefinition.builder("clicks")
                .source("k:9092", "clicks").column("event_id", "string").output("bkt").build());
        TableStatus t = TableStatus.newBuilder().setTable(TableInfo.newBuilder().setName("clicks").setDefinitionJson(def))
                .setIceberg(io.tributary.api.v1.IcebergStatus.newBuilder().setEnabled(true).setTable("tributary_local.tributary.clicks")
                        .setSnapshotId(9).putHeads(0, 5L).setPendingRows(3).setLagSeconds(1.25))
                .build();
        try (io.tributary.iceberg.IcebergCatalogs catalogs = new io.tributary.iceberg.IcebergCatalogs(Map.of())) {
            IcebergView.Shown shown = IcebergView.fromScheduler(catalogs, t).orElseThrow();
            assertThat(shown.json().get("table").asText()).isEqualTo("tributary.clicks");
            assertThat(shown.json().get("snapshot_id").asLong()).isEqualTo(9);
            assertThat(shown.json().get("heads").toString()).isEqualTo("{\"0\":5}");
            assertThat(shown.json().get("pending_rows").asLong()).isEqualTo(3);
            assertThat(shown.json().get("lag_s").asDouble()).isEqualTo(1.3);
            assertThat(shown.text()).contains("from the scheduler's publisher");
            assertThat(IcebergView.fromScheduler(catalogs, t.toBuilder().clearIceberg().build())).as("no field: computed by the CLI")
                    .isEmpty();
        }
    }

    @Test
    void deepAuditJsonHasTheIcebergContractAndItDecidesExactness() throws Exception {
        AuditReport report = new AuditReport("clicks",
                List.of(new AuditReport.PartitionSummary(0, 3, 90, 2, 0, 100, 0)), List.of(), List.of());
        DeepAudit.Result deep = new DeepAudit.Result();
        io.tributary.iceberg.IcebergAudit.Report ok = new io.tributary.iceberg.IcebergAudit.Report(true, 7, 3, 90,
                new java.util.TreeMap<>(Map.of(0, 3L)), List.of());
        JsonNode exact = JSON.readTree(AuditCommand.toJson(new AuditCommand.Outcome(report, deep, ok, null)));
        assertThat(exact.get("exact").asBoolean()).isTrue();
        assertThat(names(exact.get("iceberg"))).containsExactly("exact", "snapshot_id", "files", "rows", "heads", "problems");
        assertThat(exact.at("/iceberg/snapshot_id").asLong()).isEqualTo(7);
        assertThat(exact.at("/iceberg/heads/0").asLong()).isEqualTo(3);

        io.tributary.iceberg.IcebergAudit.Report bad = new io.tributary.iceberg.IcebergAudit.Report(false, 8, 4, 91,
                new java.util.TreeMap<>(Map.of(0, 3L)), List.of("extra file (no chain record up to the heads references it as data): s3://b/x"));
        AuditCommand.Outcome notExact = new AuditCommand.Outcome(report, deep, bad, null);
        JsonNode n = JSON.readTree(AuditCommand.toJson(notExact));
        assertThat(n.get("exact").asBoolean()).as("an Iceberg problem makes the audit not exact").isFalse();
        assertThat(n.at("/iceberg/problems/0").asText()).startsWith("extra file");
        assertThat(AuditCommand.text(notExact)).contains("iceberg: NOT EXACT").contains("PROBLEM: iceberg: extra file");

        AuditCommand.Outcome off = new AuditCommand.Outcome(report, deep, null, "not published to Iceberg: iceberg.enabled is false");
        JsonNode o = JSON.readTree(AuditCommand.toJson(off));
        assertThat(o.has("iceberg") && o.get("iceberg").isNull()).isTrue();
        assertThat(o.get("exact").asBoolean()).isTrue();
        assertThat(AuditCommand.text(off)).contains("iceberg: not published to Iceberg: iceberg.enabled is false");
    }

    private static List<String> names(JsonNode n) {
        List<String> out = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = n.fields();
        it.forEachRemaining(e -> out.add(e.getKey()));
        return out;
    }
}
