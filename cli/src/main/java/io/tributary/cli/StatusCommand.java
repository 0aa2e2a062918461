package io.tributary.cli;

import io.tributary.api.v1.ClusterStatus;
import io.tributary.api.v1.GetStatusRequest;
import io.tributary.api.v1.TableStatus;
import io.tributary.iceberg.IcebergCatalogs;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tributary status [--watch] [--json]}: the scheduler's GetStatus as a table or JSON. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show tables, runners, per-partition lag and freshness (from the scheduler leader), each table's Iceberg"
                + " publication (snapshot, chain heads, rows committed but not yet published; from the catalogs) and its maintenance"
                + " (live parts, compaction links, retention checkpoints from the chains; the leader's last sweep when it reports one)"
                + " and its projected request cost per day (S3 PUTs + DynamoDB writes: the last hour x 24, and the most its"
                + " settings allow; AWS us-east-1 list prices).",
            "--json prints {\"leader\", \"runners\":[{\"id\",\"partitions\",\"last_heartbeat_ms\"}], \"tables\":[{\"name\",\"state\",\"lag\","
                + "\"partitions\":[{\"partition\",\"owner\",\"epoch\",\"committed\",\"end\",\"lag\",\"freshness_s\"}], "
                + "\"iceberg\":{\"table\",\"catalog\",\"location\",\"snapshot_id\",\"heads\",\"pending_rows\",\"lag_s\",\"error\"}|null, "
                + "\"maintenance\":{\"parts\",\"compaction_links\",\"checkpoints\":{\"partition\":seq},\"error\",\"sweep\":{\"last_pass_ms\","
                + "\"objects_listed\",\"orphans_found\",\"orphans_deleted\",\"bytes_deleted\",\"replaced_deleted\",\"skipped_too_young\","
                + "\"failures\",\"last_error\",\"grace_s\",\"interval_s\"}|null}, \"cost\":{\"basis\",\"commits_last_hour\","
                + "\"per_day\":{\"s3_puts\",\"data_puts\",\"dlq_puts\",\"iceberg_puts\",\"dynamodb_writes\",\"dynamodb_wru\",\"usd\"}|null,"
                + "\"ceiling_per_day\":{...},\"partitions\",\"cut_interval_ms\",\"prices\":{...},\"error\"}|null}], "
                + "\"scaling\":{\"desired\",\"actual\",\"reason\"}}."})
public class StatusCommand implements Callable<Integer> {
    @Option(names = "--watch", description = "Refresh until interrupted (Ctrl-C).")
    boolean watch;
    @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "2", description = "Refresh interval of --watch (default ${DEFAULT-VALUE}).")
    double interval;
    @Option(names = "--json", description = "Print JSON (one document, or one line per refresh with --watch).")
    boolean json;
    @Mixin
    SchedulerOption scheduler;

    @Override
    public Integer call() throws Exception {
        if (!(interval > 0)) {
            throw new CliException("--interval must be positive, got " + interval);
        }
        Map<String, String> env = Home.env();
        try (SchedulerClient c = scheduler.connect(); IcebergCatalogs catalogs = IcebergView.catalogs(env)) {
            CatalogAccess chains = null;
            try {
                while (true) {
                    ClusterStatus s = c.call("GetStatus", stub -> stub.getStatus(GetStatusRequest.getDefaultInstance()));
                    if (chains == null && s.getTablesCount() > 0) {
                        chains = new CatalogAccess(env);
                    }
                    Map<String, IcebergView.Shown> iceberg = iceberg(s, catalogs, chains);
                    Map<String, Maintenance.State> maintenance = new LinkedHashMap<>();
                    for (TableStatus t : s.getTablesList()) {
                        CatalogAccess ch = chains;
                        maintenance.put(t.getTable().getName(), Maintenance.State.of(ch.catalog, t.getTable().getName()));
                    }
                    Map<String, io.tributary.catalog.RequestCosts.Estimate> costs = chains == null ? Map.of()
                            : StatusView.costs(s, chains.catalog, System.currentTimeMillis());
                    if (json) {
                        System.out.println(StatusView.toJsonText(s, iceberg, maintenance, costs));
                    } else {
                        if (watch) {
                            System.out.print("\033[H\033[2J");
                        }
                        System.out.print(StatusView.render(s, System.currentTimeMillis(), iceberg, maintenance, costs));
                    }
                    System.out.flush();
                    if (!watch) {
                        return 0;
                    }
                    Thread.sleep((long) (interval * 1000));
                }
            } finally {
                if (chains != null) {
                    chains.close();
                }
            }
        }
    }

    /**
     * Each table's Iceberg publication: what the scheduler's publisher reports ({@code TableStatus.iceberg})
     * when it publishes the table, else computed here from the chains and the Iceberg catalog
     * ({@link IcebergView#show}, i.e. {@code Publisher.status}).
     */
    static Map<String, IcebergView.Shown> iceberg(ClusterStatus s, IcebergCatalogs catalogs, CatalogAccess chains) {
        Map<String, IcebergView.Shown> out = new LinkedHashMap<>();
        long now = System.currentTimeMillis();
        for (TableStatus t : s.getTablesList()) {
            out.put(t.getTable().getName(), IcebergView.fromScheduler(catalogs, t)
                    .orElseGet(() -> IcebergView.show(catalogs, chains.catalog, t.getTable().getName(), now)));
        }
        return out;
    }
}
