package io.tributary.peer;

import java.util.HashMap;
import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SchemaParser;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.jdbc.JdbcCatalog;

/**
 * The bench's window on the peer's Iceberg table, through the same JDBC catalog (SQLite) and
 * S3FileIO the sink uses.
 *
 * <pre>
 * PeerProbe create  --catalog-props FILE --table ns.name --schema-json FILE
 * PeerProbe watch   --catalog-props FILE --table ns.name --target RECORDS --timeout-s S
 * </pre>
 * {@code watch} prints {@code PROBE <epoch ms> <total-records> <snapshots>} whenever the current
 * snapshot changes, and {@code DONE <epoch ms> <records>} once it holds {@code target} records, then
 * {@code SNAPS <ms> ...}, the timestamps of all its snapshots (also before {@code TIMEOUT}).
 */
public final class PeerProbe {
    private PeerProbe() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Map<String, String> props = new HashMap<>();
        java.util.Properties p = new java.util.Properties();
        try (var in = java.nio.file.Files.newInputStream(java.nio.file.Path.of(a.get("catalog-props")))) {
            p.load(in);
        }
        p.forEach((k, v) -> props.put(k.toString(), v.toString()));
        JdbcCatalog catalog = new JdbcCatalog();
        catalog.initialize(a.getOrDefault("catalog-name", "iceberg"), props);
        TableIdentifier id = TableIdentifier.parse(a.get("table"));
        switch (args[0]) {
            case "create" -> {
                if (!catalog.namespaceExists(id.namespace())) {
                    catalog.createNamespace(id.namespace());
                }
                Schema schema = SchemaParser.fromJson(java.nio.file.Files.readString(java.nio.file.Path.of(a.get("schema-json"))));
                Map<String, String> tp = new HashMap<>();
                tp.put("write.format.default", "parquet");
                tp.put("write.parquet.compression-codec", "zstd");
                catalog.createTable(id, schema, PartitionSpec.unpartitioned(), tp);
                System.out.println("CREATED " + id);
            }
            case "watch" -> {
                long target = Long.parseLong(a.get("target"));
                long deadline = System.currentTimeMillis() + Long.parseLong(a.getOrDefault("timeout-s", "900")) * 1000;
                long period = Long.parseLong(a.getOrDefault("period-ms", "250"));
                Table t = catalog.loadTable(id);
                long lastSnap = -1;
                while (System.currentTimeMillis() < deadline) {
                    t.refresh();
                    Snapshot s = t.currentSnapshot();
                    if (s != null && s.snapshotId() != lastSnap) {
                        lastSnap = s.snapshotId();
                        long records = Long.parseLong(s.summary().getOrDefault("total-records", "0"));
                        System.out.println("PROBE " + System.currentTimeMillis() + " " + records + " "
                                + s.summary().getOrDefault("total-files-size", "0"));
                        if (records >= target) {
                            System.out.println("DONE " + System.currentTimeMillis() + " " + records);
                            snapshotTimes(t);
                            return;
                        }
                    }
                    Thread.sleep(period);
                }
                snapshotTimes(t);
                System.out.println("TIMEOUT " + System.currentTimeMillis());
                System.exit(3);
            }
            default -> throw new IllegalArgumentException("create | watch");
        }
    }

    /** {@code SNAPS <commit ms> ...}: every snapshot's timestamp, oldest first (the sink's commit cadence). */
    private static void snapshotTimes(Table t) {
        StringBuilder b = new StringBuilder("SNAPS");
        java.util.List<Long> times = new java.util.ArrayList<>();
        for (Snapshot s : t.snapshots()) {
            times.add(s.timestampMillis());
        }
        times.sort(null);
        times.forEach(x -> b.append(' ').append(x));
        System.out.println(b);
    }
}
