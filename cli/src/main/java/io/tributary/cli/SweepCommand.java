package io.tributary.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.catalog.AwsClients;
import io.tributary.catalog.StoredTable;
import io.tributary.iceberg.IcebergCatalogs;
import io.tributary.iceberg.sweep.Sweeper;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code tributary sweep TABLE [--dry-run] [--grace DURATION] [--json]}: one orphan-sweeper pass
 * ({@link Sweeper#sweep}, docs/maintenance.md rule 3), as the scheduler leader runs it.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = {"Delete the objects of a table nothing can read any more (one orphan-sweeper pass; docs/maintenance.md rule 3).",
            "Lists <prefix>/<table>/ (never metadata/, which is Iceberg's), then reads the chains, and deletes an object only "
                + "when no commit record from the retention checkpoint on and no compaction link references it (a part "
                + "replaced by compaction counts as unreferenced once its link is older than the grace period and no retained "
                + "Iceberg snapshot lists it) AND it was last modified before the grace period. Any unreadable chain or "
                + "Iceberg table aborts the pass before anything is deleted.",
            "--json prints {\"table\",\"dry_run\",\"grace_s\",\"listed\",\"referenced\",\"orphans\",\"deleted\",\"bytes_deleted\","
                + "\"replaced_deleted\",\"skipped_too_young\",\"failed_deletes\",\"orphan_keys\":[...],\"millis\"}.",
            "Exit 0 when the pass completed, 2 when some deletes failed (retried next pass), 1 on error (nothing deleted)."})
public class SweepCommand implements Callable<Integer> {
    static final int INCOMPLETE = 2;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SHOWN_KEYS = 20;

    @Parameters(paramLabel = "TABLE", description = "Table name")
    String table;
    @Option(names = "--dry-run", description = "Report what would be deleted; delete nothing.")
    boolean dryRun;
    @Option(names = "--grace", paramLabel = "DURATION",
            description = "Keep objects (and parts replaced by compaction links) younger than this: 1s, 10m, 1h, PT1H"
                    + " (default: TRIBUTARY_SWEEP_GRACE, else 1h). Below 10m it is only safe while no runner commits"
                    + " (a commit outcome may stay unknown that long).")
    String grace;
    @Option(names = "--json", description = "Print JSON (see above).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = Home.env();
        Duration g;
        if (grace != null) {
            g = Maintenance.duration("--grace", grace);
            if (g.compareTo(Sweeper.MIN_GRACE) < 0 && !json) {
                System.err.println("tributary: warning: --grace " + grace + " is below " + Sweeper.MIN_GRACE.toMinutes()
                        + " min: an object whose commit outcome is still unknown could be deleted; use it only while no runner commits");
            }
        } else {
            try {
                g = Sweeper.grace(env);
            } catch (IllegalStateException e) {
                throw new CliException(e.getMessage(), e);
            }
        }
        try (CatalogAccess c = new CatalogAccess(env); S3Client s3 = AwsClients.s3(env);
                IcebergCatalogs catalogs = IcebergView.catalogs(env)) {
            StoredTable t = Maintenance.table(c, table);
            Sweeper sweeper = new Sweeper(c.catalog, s3, catalogs, g, Clock.systemUTC());
            Sweeper.Result r;
            try {
                r = c.call(cat -> sweeper.sweep(t, dryRun));
            } catch (Sweeper.SweepAbortedException e) {
                throw new CliException("sweep aborted, nothing deleted: " + e.getMessage(), e);
            }
            ObjectNode o = json(r, g);
            System.out.println(json ? JSON.writeValueAsString(o) : text(r, g));
            return r.failedDeletes() > 0 ? INCOMPLETE : 0;
        }
    }

    static ObjectNode json(Sweeper.Result r, Duration grace) {
        ObjectNode o = JSON.createObjectNode();
        o.put("table", r.table());
        o.put("dry_run", r.dryRun());
        o.put("grace_s", grace.toMillis() / 1000.0);
        o.put("listed", r.listed());
        o.put("referenced", r.referenced());
        o.put("orphans", r.orphans());
        o.put("deleted", r.deleted());
        o.put("bytes_deleted", r.bytesDeleted());
        o.put("replaced_deleted", r.replacedDeleted());
        o.put("skipped_too_young", r.skippedTooYoung());
        o.put("failed_deletes", r.failedDeletes());
        ArrayNode keys = o.putArray("orphan_keys");
        r.orphanKeys().forEach(keys::add);
        o.put("millis", r.durationMillis());
        return o;
    }

    static String text(Sweeper.Result r, Duration grace) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("table %s: sweep%s (grace %s): %,d objects listed, %,d referenced, %,d orphans, %,d too young to judge%n",
                r.table(), r.dryRun() ? " (dry run)" : "", human(grace), r.listed(), r.referenced(), r.orphans(),
                r.skippedTooYoung()));
        if (r.dryRun()) {
            sb.append(String.format("  would delete %,d objects:%n", r.orphans()));
            r.orphanKeys().stream().limit(SHOWN_KEYS).forEach(k -> sb.append("    ").append(k).append('\n'));
            if (r.orphanKeys().size() > SHOWN_KEYS) {
                sb.append(String.format("    ... and %,d more (--json lists them all)%n", r.orphanKeys().size() - SHOWN_KEYS));
            }
        } else {
            sb.append(String.format("  deleted %,d objects (%s; %,d replaced by compaction), %,d deletes failed%n", r.deleted(),
                    Maintenance.mib(r.bytesDeleted()), r.replacedDeleted(), r.failedDeletes()));
        }
        return sb.toString().stripTrailing();
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        if (s % 86400 == 0 && s > 0) {
            return s / 86400 + "d";
        }
        if (s % 3600 == 0 && s > 0) {
            return s / 3600 + "h";
        }
        if (s % 60 == 0 && s > 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
