package io.tributary.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.api.v1.ClusterStatus;
import io.tributary.api.v1.PartitionStatus;
import io.tributary.api.v1.RunnerInfo;
import io.tributary.api.v1.TableStatus;
import io.tributary.catalog.Catalog;
import io.tributary.catalog.RequestCosts;
import io.tributary.catalog.TableDefinition;
import io.tributary.catalog.TableDefinitions;

/**
 * How {@code tributary status} shows a {@link ClusterStatus}. The JSON field names are a contract
 * (scripts rely on them):
 * <pre>{"leader":..., "runners":[{"id","partitions","last_heartbeat_ms","cpu_load","http"}],
 *  "tables":[{"name","state","lag","partitions":[{"partition","owner","epoch","committed","end","lag","freshness_s"}],
 *             "iceberg":{"table","catalog","location","snapshot_id","heads","pending_rows","lag_s","error"}|null,
 *             "maintenance":{"parts","compaction_links","checkpoints","error","sweep":{...}|null},
 *             "cost":{"basis","commits_last_hour","per_day","ceiling_per_day","partitions","cut_interval_ms","prices","error"}|null}],
 *  "scaling":{"desired","actual","reason"}}</pre>
 * {@code owner} is null when unassigned, {@code freshness_s} null when unknown, {@code http} (the
 * runner's {@code host:port} for /q/health and /q/metrics) null when not reported.
 */
final class StatusView {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StatusView() {
    }

    static ObjectNode toJson(ClusterStatus s) {
        return toJson(s, null);
    }

    /**
     * As {@link #toJson(ClusterStatus)}; with {@code iceberg} (table name -> what {@link IcebergView#show}
     * found) each table also gets {@code "iceberg"}: {@code {"table","catalog","location","snapshot_id",
     * "heads","pending_rows","lag_s","error"}}, or null when the table is not published.
     */
    static ObjectNode toJson(ClusterStatus s, java.util.Map<String, IcebergView.Shown> iceberg) {
        return toJson(s, iceberg, null);
    }

    /**
     * As {@link #toJson(ClusterStatus, java.util.Map)}; with {@code maintenance} (table name -> its
     * {@link Maintenance.State}) each table also gets {@code "maintenance"}:
     * {@code {"parts","compaction_links","checkpoints","error","sweep"}} ({@link Maintenance#json}).
     */
    static ObjectNode toJson(ClusterStatus s, java.util.Map<String, IcebergView.Shown> iceberg,
            java.util.Map<String, Maintenance.State> maintenance) {
        return toJson(s, iceberg, maintenance, null);
    }

    /**
     * As above; with {@code costs} (table name -> its {@link RequestCosts.Estimate}) each table also gets
     * {@code "cost"}: {@link RequestCosts.Estimate#json()}, or null when its definition could not be read.
     */
    static ObjectNode toJson(ClusterStatus s, java.util.Map<String, IcebergView.Shown> iceberg,
            java.util.Map<String, Maintenance.State> maintenance, java.util.Map<String, RequestCosts.Estimate> costs) {
        ObjectNode o = JSON.createObjectNode();
        o.put("leader", s.getLeader());
        ArrayNode runners = o.putArray("runners");
        for (RunnerInfo r : s.getRunnersList()) {
            ObjectNode n = runners.addObject();
            n.put("id", r.getId());
            n.put("partitions", r.getPartitions());
            n.put("last_heartbeat_ms", r.getLastHeartbeatMs());
            n.put("cpu_load", r.getCpuLoad());
            if (r.getHttpAddress().isEmpty()) {
                n.putNull("http");
            } else {
                n.put("http", r.getHttpAddress());
            }
        }
        ArrayNode tables = o.putArray("tables");
        for (TableStatus t : s.getTablesList()) {
            ObjectNode n = tables.addObject();
            n.put("name", t.getTable().getName());
            n.put("state", t.getTable().getState());
            n.put("lag", t.getLag());
            ArrayNode ps = n.putArray("partitions");
            for (PartitionStatus p : t.getPartitionsList()) {
                ps.add(partitionJson(p));
            }
            if (iceberg != null) {
                IcebergView.Shown ice = iceberg.get(t.getTable().getName());
                n.set("iceberg", ice == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : ice.json());
            }
            Maintenance.State m = maintenance == null ? null : maintenance.get(t.getTable().getName());
            if (m != null) {
                n.set("maintenance", Maintenance.json(m, t));
            }
            if (costs != null) {
                RequestCosts.Estimate c = costs.get(t.getTable().getName());
                n.set("cost", c == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : c.json());
            }
        }
        ObjectNode sc = o.putObject("scaling");
        sc.put("desired", s.getScaling().getDesired());
        sc.put("actual", s.getScaling().getActual());
        sc.put("reason", s.getScaling().getReason());
        return o;
    }

    static ObjectNode partitionJson(PartitionStatus p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("partition", p.getPartition());
        if (p.getOwner().isEmpty()) {
            n.putNull("owner");
        } else {
            n.put("owner", p.getOwner());
        }
        n.put("epoch", p.getEpoch());
        n.put("committed", p.getCommittedOffset());
        n.put("end", p.getEndOffset());
        n.put("lag", p.getLag());
        if (p.getFreshnessS() < 0) {
            n.putNull("freshness_s");
        } else {
            n.put("freshness_s", Math.round(p.getFreshnessS() * 1000) / 1000.0);
        }
        return n;
    }

    static String toJsonText(ClusterStatus s) {
        return toJsonText(s, null);
    }

    static String toJsonText(ClusterStatus s, java.util.Map<String, IcebergView.Shown> iceberg) {
        return toJsonText(s, iceberg, null);
    }

    static String toJsonText(ClusterStatus s, java.util.Map<String, IcebergView.Shown> iceberg,
            java.util.Map<String, Maintenance.State> maintenance) {
        return toJsonText(s, iceberg, maintenance, null);
    }

    static String toJsonText(ClusterStatus s, java.util.Map<String, IcebergView.Shown> iceberg,
            java.util.Map<String, Maintenance.State> maintenance, java.util.Map<String, RequestCosts.Estimate> costs) {
        try {
            return JSON.writeValueAsString(toJson(s, iceberg, maintenance, costs));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The terminal view: leader, runners, then each table with its partitions. */
    static String render(ClusterStatus s, long nowMillis) {
        return render(s, nowMillis, null);
    }

    /** As {@link #render(ClusterStatus, long)}, with each table's Iceberg line when {@code iceberg} is given. */
    static String render(ClusterStatus s, long nowMillis, java.util.Map<String, IcebergView.Shown> iceberg) {
        return render(s, nowMillis, iceberg, null);
    }

    /** As above, with each table's maintenance line (live parts, links, checkpoints) and the sweeper's report. */
    static String render(ClusterStatus s, long nowMillis, java.util.Map<String, IcebergView.Shown> iceberg,
            java.util.Map<String, Maintenance.State> maintenance) {
        return render(s, nowMillis, iceberg, maintenance, null);
    }

    /** As above, with each table's projected request cost line ({@link RequestCosts.Estimate#text()}). */
    static String render(ClusterStatus s, long nowMillis, java.util.Map<String, IcebergView.Shown> iceberg,
            java.util.Map<String, Maintenance.State> maintenance, java.util.Map<String, RequestCosts.Estimate> costs) {
        StringBuilder sb = new StringBuilder();
        sb.append("leader ").append(s.getLeader().isEmpty() ? "(none)" : s.getLeader())
                .append("   scaling: desired ").append(s.getScaling().getDesired())
                .append(", actual ").append(s.getScaling().getActual());
        if (!s.getScaling().getReason().isEmpty()) {
            sb.append(" (").append(s.getScaling().getReason()).append(')');
        }
        sb.append("\n\n");
        if (s.getRunnersCount() == 0) {
            sb.append("runners: none attached\n");
        } else {
            TextTable rt = new TextTable("RUNNER", "HTTP", "PARTITIONS", "HEARTBEAT", "ROWS/S", "CPU", "HEAP", "BUFFERED")
                    .right(2, 3, 4, 5, 6, 7);
            for (RunnerInfo r : s.getRunnersList()) {
                rt.row(r.getId(), r.getHttpAddress().isEmpty() ? "-" : r.getHttpAddress(), r.getPartitions(), ago(r.getLastHeartbeatMs(), nowMillis), rate(r.getRowsPerS()),
                        String.format(java.util.Locale.ROOT, "%.2f", r.getCpuLoad()), mib(r.getHeapUsedBytes()),
                        mib(r.getBufferedBytes()));
            }
            sb.append(rt.render(""));
        }
        if (s.getTablesCount() == 0) {
            sb.append("\ntables: none\n");
        }
        for (TableStatus t : s.getTablesList()) {
            sb.append('\n').append("table ").append(t.getTable().getName()).append("  ").append(t.getTable().getState())
                    .append("  lag ").append(TextTable.num(t.getLag())).append('\n');
            sb.append(partitionTable(t, nowMillis).render("  "));
            IcebergView.Shown ice = iceberg == null ? null : iceberg.get(t.getTable().getName());
            if (ice != null) {
                sb.append("  ").append(ice.text()).append('\n');
            }
            Maintenance.State m = maintenance == null ? null : maintenance.get(t.getTable().getName());
            if (m != null) {
                sb.append("  ").append(m.text()).append('\n');
            }
            String sweep = Maintenance.sweepText(t, nowMillis);
            if (sweep != null) {
                sb.append("  ").append(sweep).append('\n');
            }
            RequestCosts.Estimate cost = costs == null ? null : costs.get(t.getTable().getName());
            if (cost != null) {
                sb.append("  ").append(cost.text()).append('\n');
            }
        }
        return sb.toString();
    }

    private static final long COST_REFRESH_MS = 60_000;
    private static final java.util.Map<String, RequestCosts.Estimate> COSTS = new java.util.concurrent.ConcurrentHashMap<>();
    private static final java.util.Map<String, Long> COSTS_AT = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Each table's {@link RequestCosts#estimate} (its last hour read back from the chains, x 24, and the ceiling
     * at its settings); a table whose definition does not parse has none. Kept for a minute per table and
     * definition version, so {@code status --watch} does not re-read an hour of chains every refresh.
     */
    static java.util.Map<String, RequestCosts.Estimate> costs(ClusterStatus s, Catalog catalog, long nowMillis) {
        java.util.Map<String, RequestCosts.Estimate> out = new java.util.LinkedHashMap<>();
        for (TableStatus t : s.getTablesList()) {
            TableDefinition def;
            try {
                def = TableDefinitions.fromJson(t.getTable().getDefinitionJson());
            } catch (RuntimeException e) {
                continue;
            }
            String key = t.getTable().getName() + "@" + t.getTable().getVersion();
            Long at = COSTS_AT.get(key);
            RequestCosts.Estimate e = COSTS.get(key);
            if (e == null || at == null || nowMillis - at >= COST_REFRESH_MS || e.error() != null) {
                e = RequestCosts.estimate(catalog, def, nowMillis);
                COSTS.put(key, e);
                COSTS_AT.put(key, nowMillis);
            }
            out.put(t.getTable().getName(), e);
        }
        return out;
    }

    static TextTable partitionTable(TableStatus t, long nowMillis) {
        TextTable pt = new TextTable("PARTITION", "OWNER", "EPOCH", "COMMITTED", "END", "LAG", "FRESHNESS", "ROWS/S",
                "LAST COMMIT", "ERROR").right(0, 2, 3, 4, 5, 6, 7, 8);
        for (PartitionStatus p : t.getPartitionsList()) {
            pt.row(p.getPartition(), p.getOwner().isEmpty() ? "-" : p.getOwner(), p.getEpoch(),
                    TextTable.num(p.getCommittedOffset()), TextTable.num(p.getEndOffset()), TextTable.num(p.getLag()),
                    p.getFreshnessS() < 0 ? "-" : String.format("%.1fs", p.getFreshnessS()), rate(p.getRowsPerS()),
                    p.getLastCommitMs() == 0 ? "-" : ago(p.getLastCommitMs(), nowMillis), p.getLastError());
        }
        return pt;
    }

    static String ago(long ms, long now) {
        if (ms <= 0) {
            return "never";
        }
        return String.format("%.1fs ago", Math.max(0, now - ms) / 1000.0);
    }

    static String rate(double r) {
        return r >= 10_000 ? String.format("%,.0fk", r / 1000) : String.format("%,.0f", r);
    }

    static String mib(long bytes) {
        return String.format("%.0f MiB", bytes / 1048576.0);
    }
}
