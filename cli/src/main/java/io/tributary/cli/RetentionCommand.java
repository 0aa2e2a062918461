package io.tributary.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.catalog.AwsClients;
import io.tributary.catalog.StoredTable;
import io.tributary.iceberg.IcebergCatalogs;
import io.tributary.iceberg.retain.Retention;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code tributary retention TABLE [--dry-run] [--json]}: one retention pass ({@link Retention#expire},
 * docs/maintenance.md rule 4), as the scheduler leader runs it every 10 minutes.
 */
@Command(name = "retention", mixinStandardHelpOptions = true,
        description = {"Expire a table's records older than its retention (one retention pass; docs/maintenance.md rule 4).",
            "Per partition, the commit records whose newest row is older than now minus `retention:` (table YAML), contiguous "
                + "from the checkpoint and never the head, are expired: an Iceberg DeleteFiles snapshot first, then the "
                + "checkpoint folding them, then their objects are deleted, then the folded records. A table without "
                + "`retention:` keeps everything (nothing is done).",
            "--json prints {\"table\",\"dry_run\",\"retention_s\",\"cutoff_ms\",\"records\",\"rows\",\"objects_deleted\","
                + "\"iceberg_files_removed\",\"iceberg_snapshots\",\"partitions\":[{\"partition\",\"checkpoint_seq\","
                + "\"expired_from_seq\",\"expired_to_seq\",\"records\",\"rows\",\"objects_deleted\",\"records_deleted\"}]}"
                + " (retention_s 0: the table keeps everything).",
            "Exit 0 when the pass completed, 1 on error."})
public class RetentionCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(paramLabel = "TABLE", description = "Table name")
    String table;
    @Option(names = "--dry-run", description = "Report what would expire; change nothing.")
    boolean dryRun;
    @Option(names = "--json", description = "Print JSON (see above).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = Home.env();
        try (CatalogAccess c = new CatalogAccess(env); S3Client s3 = AwsClients.s3(env);
                IcebergCatalogs catalogs = IcebergView.catalogs(env)) {
            StoredTable t = Maintenance.table(c, table);
            Retention retention = new Retention(c.catalog, s3, catalogs.enabled() ? catalogs::catalog : null,
                    catalogs.defaultNamespace(), Clock.systemUTC());
            Retention.Result r = c.call(cat -> retention.expire(t, dryRun));
            System.out.println(json ? JSON.writeValueAsString(json(r)) : text(r));
            return 0;
        }
    }

    static ObjectNode json(Retention.Result r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("table", r.table());
        o.put("dry_run", r.dryRun());
        o.put("retention_s", r.retentionMillis() / 1000);
        o.put("cutoff_ms", r.cutoffMillis());
        o.put("records", r.records());
        o.put("rows", r.rows());
        o.put("objects_deleted", r.objectsDeleted());
        o.put("iceberg_files_removed", r.icebergFilesRemoved());
        o.put("iceberg_snapshots", r.icebergSnapshots());
        ArrayNode ps = o.putArray("partitions");
        for (Retention.PartitionResult p : r.partitions()) {
            ObjectNode n = ps.addObject();
            n.put("partition", p.partition());
            n.put("checkpoint_seq", p.checkpointSeq());
            n.put("expired_from_seq", p.expiredFromSeq());
            n.put("expired_to_seq", p.expiredToSeq());
            n.put("records", p.records());
            n.put("rows", p.rows());
            n.put("objects_deleted", p.objectsDeleted());
            n.put("records_deleted", p.recordsDeleted());
        }
        return o;
    }

    static String text(Retention.Result r) {
        if (r.retentionMillis() <= 0) {
            return "table " + r.table() + " keeps everything (no `retention:` in its definition); nothing to expire";
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("table %s: retention%s %s, cutoff %s: %s %,d records (%,d rows), %,d objects %s, "
                + "%,d Iceberg files removed in %,d snapshots%n", r.table(), r.dryRun() ? " (dry run)" : "",
                SweepCommand.human(java.time.Duration.ofMillis(r.retentionMillis())), Instant.ofEpochMilli(r.cutoffMillis()),
                r.dryRun() ? "would expire" : "expired", r.records(), r.rows(), r.objectsDeleted(),
                r.dryRun() ? "to delete" : "deleted", r.icebergFilesRemoved(), r.icebergSnapshots()));
        if (!r.partitions().isEmpty()) {
            TextTable tt = new TextTable("PARTITION", "CHECKPOINT", "EXPIRED SEQS", "RECORDS", "ROWS", "OBJECTS", "FOLDED DELETED")
                    .right(0, 1, 3, 4, 5, 6);
            for (Retention.PartitionResult p : r.partitions()) {
                tt.row(p.partition(), p.checkpointSeq() < 0 ? "-" : Long.toString(p.checkpointSeq()),
                        p.expiredFromSeq() < 0 ? "-" : p.expiredFromSeq() + ".." + p.expiredToSeq(), TextTable.num(p.records()),
                        TextTable.num(p.rows()), TextTable.num(p.objectsDeleted()), TextTable.num(p.recordsDeleted()));
            }
            sb.append(tt.render("  "));
        }
        return sb.toString().stripTrailing();
    }
}
