package io.tributary.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.catalog.StoredTable;
import io.tributary.iceberg.compact.Compactor;
import io.tributary.iceberg.compact.S3FileIOs;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.iceberg.aws.s3.S3FileIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tributary compact TABLE [--target-size 128MB] [--dry-run] [--json]}: one compaction pass
 * ({@link Compactor#pass}, docs/maintenance.md rule 1) over every partition of a table.
 */
@Command(name = "compact", mixinStandardHelpOptions = true,
        description = {"Rewrite runs of small parts into one object per run (one compaction pass; docs/maintenance.md rule 1).",
            "Per partition, contiguous commit records after the last compaction link and the retention checkpoint whose parts "
                + "together stay within --target-size are rewritten into ONE Parquet object (same rows, sorted by _offset, "
                + "verified against the chain before committing), then ONE compaction link is committed with a conditional "
                + "write: readers (query, audit --deep, the Iceberg publisher) switch to it at that write. The commit chain is "
                + "never rewritten; replaced parts are deleted later by the sweeper (`tributary sweep`). Safe beside running "
                + "runners, the scheduler and other compactors.",
            "--json prints {\"table\",\"dry_run\",\"target_bytes\",\"links\",\"parts_replaced\",\"rows\",\"bytes_before\","
                + "\"bytes_after\",\"lost_races\",\"unknown\",\"failed\",\"live_parts_before\",\"live_parts_after\",\"millis\","
                + "\"runs\":[{\"partition\",\"from_seq\",\"to_seq\",\"start_offset\",\"end_offset\",\"parts\",\"rows\",\"bytes\"}]}"
                + " (runs: with --dry-run; bytes_after and live_parts_after are null with --dry-run).",
            "Exit 0 when the pass completed, 2 when a run failed verification or a commit outcome stayed unknown (nothing "
                + "is lost: the parts keep serving; see the log lines), 1 on error."})
public class CompactCommand implements Callable<Integer> {
    static final int INCOMPLETE = 2;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(paramLabel = "TABLE", description = "Table name")
    String table;
    @Option(names = "--target-size", paramLabel = "SIZE", defaultValue = "128MB",
            description = "Largest compacted object, in data bytes of the parts it replaces (binary units: 128MB = 128 MiB;"
                    + " default ${DEFAULT-VALUE}).")
    String targetSize;
    @Option(names = "--dry-run", description = "Print the runs a pass would rewrite; write nothing.")
    boolean dryRun;
    @Option(names = "--json", description = "Print JSON (see above).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        long target = Maintenance.size("--target-size", targetSize);
        Map<String, String> env = Home.env();
        try (CatalogAccess c = new CatalogAccess(env)) {
            StoredTable t = Maintenance.table(c, table);
            Maintenance.State before = c.call(cat -> Maintenance.State.of(cat, table));
            ObjectNode o = JSON.createObjectNode();
            o.put("table", table);
            o.put("dry_run", dryRun);
            o.put("target_bytes", target);
            String note = compactable(t);
            int code = 0;
            if (dryRun) {
                List<Compactor.Planned> runs = note != null ? List.of()
                        : c.call(cat -> Compactor.plan(cat, t, target));
                o.put("links", runs.size());
                o.put("parts_replaced", runs.stream().mapToLong(Compactor.Planned::parts).sum());
                o.put("rows", runs.stream().mapToLong(Compactor.Planned::rows).sum());
                o.put("bytes_before", runs.stream().mapToLong(Compactor.Planned::bytes).sum());
                o.putNull("bytes_after");
                o.put("lost_races", 0);
                o.put("unknown", 0);
                o.put("failed", 0);
                o.put("live_parts_before", before.parts());
                o.putNull("live_parts_after");
                o.put("millis", 0);
                ArrayNode rs = o.putArray("runs");
                for (Compactor.Planned r : runs) {
                    ObjectNode n = rs.addObject();
                    n.put("partition", r.partition());
                    n.put("from_seq", r.fromSeq());
                    n.put("to_seq", r.toSeq());
                    n.put("start_offset", r.startOffset());
                    n.put("end_offset", r.endOffset());
                    n.put("parts", r.parts());
                    n.put("rows", r.rows());
                    n.put("bytes", r.bytes());
                }
            } else {
                Compactor.Result r;
                try (S3FileIO io = S3FileIOs.fromEnv(env)) {
                    r = c.call(cat -> new Compactor(cat, io, Clock.systemUTC()).pass(t, target));
                }
                Maintenance.State after = c.call(cat -> Maintenance.State.of(cat, table));
                o.put("links", r.links());
                o.put("parts_replaced", r.partsReplaced());
                o.put("rows", r.rows());
                o.put("bytes_before", r.bytesBefore());
                o.put("bytes_after", r.bytesAfter());
                o.put("lost_races", r.deletedAfterLostRace());
                o.put("unknown", r.unknown());
                o.put("failed", r.failed());
                o.put("live_parts_before", before.parts());
                o.put("live_parts_after", after.parts());
                o.put("millis", r.millis());
                o.putArray("runs");
                code = r.failed() > 0 || r.unknown() > 0 ? INCOMPLETE : 0;
            }
            System.out.println(json ? JSON.writeValueAsString(o) : text(o, note));
            return code;
        }
    }

    /** Why the compactor leaves this table alone, or null (it mirrors {@link Compactor#pass}'s own check). */
    static String compactable(StoredTable t) {
        List<String> md = t.definition().metadata();
        if (!md.contains("_offset") || !md.contains("_partition")) {
            return "its parts carry no _partition/_offset column (metadata:), so a rewrite cannot be proven; not compacted";
        }
        return null;
    }

    static String text(ObjectNode o, String note) {
        StringBuilder sb = new StringBuilder();
        String table = o.get("table").asText();
        if (note != null) {
            return "table " + table + ": " + note;
        }
        boolean dry = o.get("dry_run").asBoolean();
        long links = o.get("links").asLong();
        if (dry) {
            sb.append(String.format("table %s (dry run, target %s): %,d runs would replace %,d parts (%,d rows, %s); "
                    + "%,d live parts now%n", table, Maintenance.mib(o.get("target_bytes").asLong()), links,
                    o.get("parts_replaced").asLong(), o.get("rows").asLong(), Maintenance.mib(o.get("bytes_before").asLong()),
                    o.get("live_parts_before").asLong()));
            if (links > 0) {
                TextTable tt = new TextTable("PARTITION", "SEQS", "OFFSETS", "PARTS", "ROWS", "BYTES").right(0, 3, 4, 5);
                for (var r : o.get("runs")) {
                    tt.row(r.get("partition").asInt(), r.get("from_seq").asLong() + ".." + r.get("to_seq").asLong(),
                            "[" + r.get("start_offset").asLong() + ", " + r.get("end_offset").asLong() + ")",
                            TextTable.num(r.get("parts").asLong()), TextTable.num(r.get("rows").asLong()),
                            TextTable.num(r.get("bytes").asLong()));
                }
                sb.append(tt.render("  "));
            }
            return sb.toString().stripTrailing();
        }
        sb.append(String.format("table %s: %,d compaction links committed, replacing %,d parts (%,d rows): %s -> %s; "
                + "live parts %,d -> %,d (%,d ms)", table, links, o.get("parts_replaced").asLong(), o.get("rows").asLong(),
                Maintenance.mib(o.get("bytes_before").asLong()), Maintenance.mib(o.get("bytes_after").asLong()),
                o.get("live_parts_before").asLong(), o.get("live_parts_after").asLong(), o.get("millis").asLong()));
        if (o.get("lost_races").asLong() > 0) {
            sb.append(String.format("%n  %,d runs lost a race to another compactor (their objects deleted)", o.get("lost_races").asLong()));
        }
        if (o.get("unknown").asLong() > 0) {
            sb.append(String.format("%n  %,d commit outcomes unknown: their objects are kept; the sweeper decides after the grace period",
                    o.get("unknown").asLong()));
        }
        if (o.get("failed").asLong() > 0) {
            sb.append(String.format("%n  %,d runs or partitions failed (see the log lines above); their parts keep serving",
                    o.get("failed").asLong()));
        }
        if (links > 0) {
            sb.append(String.format("%n  readers switched at each link; the Iceberg publisher applies them (RewriteFiles) on its next round;"
                    + " the replaced parts are deleted by the sweeper after its grace period"));
        }
        return sb.toString();
    }
}
