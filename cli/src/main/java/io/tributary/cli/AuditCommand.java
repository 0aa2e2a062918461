package io.tributary.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.catalog.AuditReport;
import io.tributary.catalog.AwsClients;
import io.tributary.catalog.StoredTable;
import io.tributary.catalog.TableNotFoundException;
import io.tributary.iceberg.IcebergAudit;
import io.tributary.iceberg.IcebergCatalogs;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code tributary audit TABLE [--deep] [--json]}: proves a table landed exactly once by walking
 * its commit chains in the catalog (and, with {@code --deep}, reading every committed object).
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {"Prove a table landed exactly once (walks the commit chains; --deep reads every part).",
            "Walks every partition's commit chain in the catalog (contiguous, no gap, no overlap, counts consistent).",
            "--deep also reads every committed Parquet part and dead-letter object from S3 and checks each row's "
                + "_partition/_offset against its record's range (every offset at most once, counts equal).",
            "--deep reads the live objects: a compaction link's object instead of the parts it replaced (proven per covered record: "
                + "the rows with _offset in the record's range number exactly its rows, _partition is the partition, offsets distinct); "
                + "nothing at or below a retention checkpoint.",
            "--deep also proves the Iceberg side when the table is published: the current snapshot's data files are exactly "
                + "the data parts of the chain records up to the snapshot's chain heads (none missing, extra or twice; rows equal).",
            "Exit 0 only when exact (with --deep: the chains, the parts and the Iceberg side), 2 when a problem was found, 1 on error."})
public class AuditCommand implements Callable<Integer> {
    static final int NOT_EXACT = 2;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(paramLabel = "TABLE", description = "Table name")
    String table;
    @Option(names = "--deep", description = "Also read every committed object from S3.")
    boolean deep;
    @Option(names = "--json", description = "Print JSON: {\"table\",\"exact\",\"partitions\",\"records\",\"rows\",\"dlq_rows\",\"lost\",\"problems\",\"losses\"[,\"deep\",\"iceberg\"]};"
            + " with --deep, iceberg is {\"exact\",\"snapshot_id\",\"files\",\"rows\",\"heads\",\"problems\"} or null when the table is not published;"
            + " deep is {\"exact\",\"records\",\"data_objects\",\"dlq_objects\",\"rows_read\",\"dlq_rows_read\",\"compacted_objects\",\"bytes\",\"problems\"[,\"freshness_p50_ms\",\"freshness_p99_ms\"]}.")
    boolean json;

    /**
     * The audit's combined outcome. {@code iceberg} is the Iceberg side's report (with --deep, when
     * the table is published), else null with {@code icebergNote} saying why (not published, or not
     * audited without --deep).
     */
    record Outcome(AuditReport report, DeepAudit.Result deep, IcebergAudit.Report iceberg, String icebergNote) {
        Outcome(AuditReport report, DeepAudit.Result deep) {
            this(report, deep, null, null);
        }

        boolean exact() {
            return report.exact() && (deep == null || deep.exact()) && (iceberg == null || iceberg.exact());
        }

        List<String> problems() {
            List<String> p = new ArrayList<>(report.problems());
            if (deep != null) {
                p.addAll(deep.problems);
                if (deep.problemCount > deep.problems.size()) {
                    p.add("... and " + (deep.problemCount - deep.problems.size()) + " more deep problems");
                }
            }
            if (iceberg != null) {
                iceberg.problems().forEach(x -> p.add("iceberg: " + x));
            }
            return p;
        }
    }

    @Override
    public Integer call() throws Exception {
        Outcome o = audit(Home.env(), table, deep, json ? null : System.err);
        System.out.println(json ? toJson(o) : text(o));
        return o.exact() ? 0 : NOT_EXACT;
    }

    /** Runs the audit; {@code progress} (may be null) gets a progress line while reading parts. */
    static Outcome audit(Map<String, String> env, String table, boolean deep, PrintStream progress) {
        try (CatalogAccess c = new CatalogAccess(env)) {
            StoredTable t = c.call(cat -> cat.getTable(table))
                    .orElseThrow(() -> new CliException("no table '" + table + "' in catalog " + CatalogAccess.tableName(env)));
            AuditReport report;
            try {
                report = c.call(cat -> cat.audit(table));
            } catch (TableNotFoundException e) {
                throw new CliException("no table '" + table + "' in catalog " + CatalogAccess.tableName(env));
            }
            if (!deep) {
                return new Outcome(report, null, null, null);
            }
            List<Integer> parts = report.partitions().stream().map(AuditReport.PartitionSummary::partition).toList();
            long total = report.records();
            boolean tty = progress != null && System.console() != null;
            try (S3Client s3 = AwsClients.s3(env); PartFiles files = new PartFiles(s3, t.definition().output().bucket())) {
                long[] done = {0};
                DeepAudit.Result d = c.call(cat -> DeepAudit.run(cat, files, table, parts,
                        t.definition().metadata().contains("_timestamp"), rec -> {
                            done[0]++;
                            if (tty && (done[0] % 5 == 0 || done[0] == total)) {
                                progress.printf("\raudit: read %,d of %,d commit records", done[0], total);
                            }
                        }));
                if (tty) {
                    progress.print("\r\033[K");
                }
                try (IcebergCatalogs catalogs = IcebergView.catalogs(env)) {
                    var off = IcebergView.notPublished(catalogs, t.definition());
                    if (off.isPresent()) {
                        return new Outcome(report, d, null, off.get());
                    }
                    return new Outcome(report, d, c.call(cat -> icebergAudit(catalogs, cat, t)), null);
                }
            }
        }
    }

    /**
     * The Iceberg side of the deep audit ({@link IcebergAudit}) on the table as it is now (never
     * created here); a missing table or an unreadable catalog is a problem (the table is published).
     */
    static IcebergAudit.Report icebergAudit(IcebergCatalogs catalogs, io.tributary.catalog.Catalog chains, StoredTable t) {
        String id = IcebergView.identifier(catalogs, t.definition()).toString();
        try {
            var table = IcebergView.load(catalogs, t.definition());
            if (table.isEmpty()) {
                return IcebergView.failed("Iceberg table " + id + " does not exist in catalog "
                        + IcebergView.catalogName(catalogs, t.definition()) + " (publication is on for this table)");
            }
            return IcebergAudit.audit(chains, t, table.get());
        } catch (RuntimeException e) {
            String msg = e instanceof CliException ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
            return IcebergView.failed("cannot audit Iceberg table " + id + ": " + Errors.firstLine(String.valueOf(msg)));
        }
    }

    static String toJson(Outcome o) throws Exception {
        ObjectNode n = (ObjectNode) JSON.readTree(o.report().toJson());
        n.put("exact", o.exact());
        ArrayNode problems = n.putArray("problems");
        o.problems().forEach(problems::add);
        if (o.deep() != null) {
            DeepAudit.Result d = o.deep();
            ObjectNode dn = n.putObject("deep");
            dn.put("exact", d.exact());
            dn.put("records", d.records);
            dn.put("data_objects", d.dataObjects);
            dn.put("dlq_objects", d.dlqObjects);
            dn.put("rows_read", d.dataRows);
            dn.put("dlq_rows_read", d.dlqRows);
            dn.put("compacted_objects", d.compactedObjects);
            dn.put("bytes", d.bytes);
            dn.put("problems", d.problemCount);
            long p50 = d.freshnessQuantile(0.5);
            long p99 = d.freshnessQuantile(0.99);
            if (p50 >= 0) {
                dn.put("freshness_p50_ms", p50);
                dn.put("freshness_p99_ms", p99);
            }
            // with --deep: the Iceberg side, or null when the table is not published
            if (o.iceberg() != null) {
                n.set("iceberg", IcebergView.auditJson(o.iceberg()));
            } else {
                n.putNull("iceberg");
            }
        }
        return JSON.writeValueAsString(n);
    }

    static String text(Outcome o) {
        AuditReport r = o.report();
        StringBuilder sb = new StringBuilder();
        sb.append("table ").append(r.table()).append(": ").append(o.exact() ? "EXACT" : "NOT EXACT")
                .append(o.deep() != null ? " (deep)" : " (chains)").append('\n');
        sb.append(String.format("  %d partitions, %,d commit records, %,d rows, %,d dead letters, %,d offsets lost at the source%n",
                r.partitions().size(), r.records(), r.rows(), r.dlqRows(), r.lost()));
        if (o.deep() != null) {
            DeepAudit.Result d = o.deep();
            sb.append(String.format("  read %,d parts (%,d rows%s) and %,d dead-letter objects (%,d lines), %,.1f MiB: %s%n",
                    d.dataObjects, d.dataRows, d.compactedObjects == 0 ? "" : String.format("; %,d compacted, serving %,d commit records",
                            d.compactedObjects, d.compactedRecords), d.dlqObjects, d.dlqRows, d.bytes / 1048576.0,
                    d.exact() ? "every offset in its record's range, at most once; counts equal" : d.problemCount + " problems"));
        }
        if (o.iceberg() != null) {
            IcebergAudit.Report ice = o.iceberg();
            sb.append(String.format("  iceberg: %s, snapshot %s, %,d data files, %,d rows, heads %s%n",
                    ice.exact() ? "EXACT (every part up to the snapshot's chain heads once, nothing else; rows equal)"
                            : "NOT EXACT (" + ice.problems().size() + " problems)",
                    ice.snapshotId() < 0 ? "none yet" : Long.toString(ice.snapshotId()), ice.files(), ice.rows(),
                    ice.heads().isEmpty() ? "none" : ice.heads().toString()));
        } else if (o.icebergNote() != null) {
            sb.append("  iceberg: ").append(o.icebergNote()).append('\n');
        } else if (o.deep() == null) {
            sb.append("  iceberg: not audited (add --deep)\n");
        }
        TextTable tt = new TextTable("PARTITION", "RECORDS", "START", "END", "ROWS", "DLQ", "LOST").right(0, 1, 2, 3, 4, 5, 6);
        for (AuditReport.PartitionSummary p : r.partitions()) {
            tt.row(p.partition(), TextTable.num(p.records()), TextTable.num(p.start()), TextTable.num(p.end()),
                    TextTable.num(p.rows()), TextTable.num(p.dlqRows()), TextTable.num(p.lost()));
        }
        sb.append(tt.render("  "));
        for (String l : r.losses()) {
            sb.append("  loss at the source: ").append(l).append('\n');
        }
        for (String p : o.problems()) {
            sb.append("  PROBLEM: ").append(p).append('\n');
        }
        return sb.toString().stripTrailing();
    }
}
