package io.tributary.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.catalog.StoredTable;
import io.tributary.catalog.TableDefinition;
import io.tributary.iceberg.IcebergAudit;
import io.tributary.iceberg.IcebergCatalogs;
import io.tributary.iceberg.IcebergTables;
import io.tributary.iceberg.Publisher;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * The Iceberg side of a table as the CLI shows it (DESIGN.md "Iceberg publication"): whether it is
 * published at all and why not, its identifier and location, the current snapshot and its chain
 * heads, and the publication lag (rows committed to the chain but not yet in a snapshot, and the age
 * of the oldest of them). Computed here from the chains and the Iceberg catalog named by the same
 * environment the scheduler reads ({@link IcebergCatalogs}), with {@link Publisher#status}; nothing
 * is committed. The JSON field names are a contract:
 * <pre>{"table","catalog","location","snapshot_id","heads":{"partition":seq},"pending_rows","lag_s","error"}</pre>
 * {@code snapshot_id} is -1 when the table has no snapshot yet; {@code pending_rows} and {@code lag_s}
 * are null when they could not be computed; {@code error} is null unless the Iceberg table could not
 * be read (then it says why, in one line).
 */
final class IcebergView {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Recorded as {@code tributary.publisher} if {@code table create} ever had to commit (it does not publish). */
    static final String PUBLISHER_ID = "tributary-cli";

    private IcebergView() {
    }

    /** Why {@code def} is not published from this environment, or empty when it is. */
    static Optional<String> notPublished(IcebergCatalogs catalogs, TableDefinition def) {
        if (def.iceberg() != null && !def.iceberg().enabled()) {
            return Optional.of("not published to Iceberg: iceberg.enabled is false in the table definition");
        }
        if (!catalogs.enabled()) {
            return Optional.of("not published to Iceberg: no Iceberg catalog configured here ("
                    + IcebergCatalogs.ENV_CATALOG + " is unset or none; `tributary local up` writes local, Terraform sets glue or rest)");
        }
        return Optional.empty();
    }

    static String catalogName(IcebergCatalogs catalogs, TableDefinition def) {
        return catalogs.resolve(def.iceberg() == null ? null : def.iceberg().catalog());
    }

    static TableIdentifier identifier(IcebergCatalogs catalogs, TableDefinition def) {
        return IcebergTables.identifier(def, catalogs.defaultNamespace());
    }

    private static Catalog catalog(IcebergCatalogs catalogs, TableDefinition def) {
        try {
            return catalogs.catalog(def.iceberg() == null ? null : def.iceberg().catalog());
        } catch (RuntimeException e) {
            throw new CliException("Iceberg catalog '" + catalogName(catalogs, def) + "': " + Errors.firstLine(String.valueOf(e.getMessage())));
        }
    }

    /** Creates the Iceberg table (and namespace) if absent, schema and properties synced; what the publisher does first. */
    static Table create(IcebergCatalogs catalogs, io.tributary.catalog.Catalog chains, StoredTable stored) {
        try {
            catalog(catalogs, stored.definition()); // a one-line error when the catalog cannot be opened
        } catch (CliException e) {
            throw new CliException(e.getMessage() + " (table " + stored.name() + " itself was created; the scheduler leader's"
                    + " publisher creates the Iceberg table when the catalog answers)");
        }
        Publisher p = new Publisher(chains, catalogs::catalog, catalogs.defaultNamespace(), PUBLISHER_ID);
        try {
            return p.table(stored);
        } catch (RuntimeException e) {
            throw new CliException("creating Iceberg table " + identifier(catalogs, stored.definition()) + " failed: "
                    + Errors.firstLine(String.valueOf(e.getMessage())) + " (table " + stored.name() + " itself was created;"
                    + " the scheduler leader's publisher creates the Iceberg table when the catalog answers)");
        }
    }

    /** The Iceberg table when it exists (never creates it). */
    static Optional<Table> load(IcebergCatalogs catalogs, TableDefinition def) {
        return IcebergTables.find(catalog(catalogs, def), def, catalogs.defaultNamespace());
    }

    /** A published table's Iceberg state; see the class comment for its JSON. */
    record Status(String table, String catalog, String location, long snapshotId, SortedMap<Integer, Long> heads,
            Long pendingRows, Long lagMillis, String error) {
        ObjectNode toJson() {
            ObjectNode o = JSON.createObjectNode();
            o.put("table", table);
            o.put("catalog", catalog);
            o.put("location", location);
            o.put("snapshot_id", snapshotId);
            ObjectNode h = o.putObject("heads");
            heads.forEach((p, s) -> h.put(Integer.toString(p), s));
            if (pendingRows == null) {
                o.putNull("pending_rows");
                o.putNull("lag_s");
            } else {
                o.put("pending_rows", pendingRows);
                o.put("lag_s", Math.round(lagMillis / 100.0) / 10.0);
            }
            if (error == null) {
                o.putNull("error");
            } else {
                o.put("error", error);
            }
            return o;
        }

        /** One line: {@code iceberg tributary.clicks  snapshot 123  heads {0=41}  pending 12 rows (1.5 s)}. */
        String text() {
            StringBuilder sb = new StringBuilder("iceberg ").append(table).append(" (").append(catalog).append(", ")
                    .append(location).append(")");
            if (error != null) {
                return sb.append("  ").append(error).toString();
            }
            sb.append("  snapshot ").append(snapshotId < 0 ? "none yet" : Long.toString(snapshotId));
            sb.append("  heads ").append(heads.isEmpty() ? "none" : heads.toString());
            if (pendingRows != null) {
                sb.append(String.format("  publication lag %s rows, %.1f s", TextTable.num(pendingRows), lagMillis / 1000.0));
            }
            return sb.toString();
        }
    }

    /**
     * The Iceberg state of {@code stored}, or empty (with {@link #notPublished}) when it is not
     * published; a catalog or table that cannot be read is reported in {@link Status#error()}.
     */
    static Optional<Status> status(IcebergCatalogs catalogs, io.tributary.catalog.Catalog chains, StoredTable stored,
            long nowMillis) {
        TableDefinition def = stored.definition();
        if (notPublished(catalogs, def).isPresent()) {
            return Optional.empty();
        }
        String id = identifier(catalogs, def).toString();
        String cat = catalogName(catalogs, def);
        String location = IcebergTables.location(def);
        try {
            Optional<Table> t = load(catalogs, def);
            if (t.isEmpty()) {
                return Optional.of(new Status(id, cat, location, -1, new TreeMap<>(), null, null,
                        "Iceberg table not created yet (the scheduler leader's publisher creates it; so does `table create`)"));
            }
            Publisher p = new Publisher(chains, catalogs::catalog, catalogs.defaultNamespace(), PUBLISHER_ID);
            Publisher.Result r = p.status(stored, t.get());
            long lag = r.pending() > 0 && r.oldestPendingCommitMillis() > 0 ? Math.max(0, nowMillis - r.oldestPendingCommitMillis()) : 0;
            return Optional.of(new Status(id, cat, t.get().location(), r.snapshotId(), new TreeMap<>(r.heads().heads()),
                    r.pending(), lag, null));
        } catch (RuntimeException e) {
            String msg = e instanceof CliException ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
            return Optional.of(new Status(id, cat, location, -1, new TreeMap<>(), null, null,
                    "cannot read the Iceberg table: " + Errors.firstLine(String.valueOf(msg))));
        }
    }

    /** {@code "iceberg"} of {@code audit --json}: exactly {"exact","snapshot_id","files","rows","heads","problems"}. */
    static ObjectNode auditJson(IcebergAudit.Report r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("exact", r.exact());
        o.put("snapshot_id", r.snapshotId());
        o.put("files", r.files());
        o.put("rows", r.rows());
        ObjectNode h = o.putObject("heads");
        r.heads().forEach((p, s) -> h.put(Integer.toString(p), s));
        ArrayNode problems = o.putArray("problems");
        r.problems().forEach(problems::add);
        return o;
    }

    /** A report for an Iceberg side that could not be audited at all (not exact). */
    static IcebergAudit.Report failed(String problem) {
        return new IcebergAudit.Report(false, -1, 0, 0, new TreeMap<>(), java.util.List.of(problem));
    }

    /** What describe and status show for one table: the {@code "iceberg"} JSON (null when not published) and one line. */
    record Shown(com.fasterxml.jackson.databind.JsonNode json, String text) {
    }

    /** {@link #status} of the table {@code name} read from {@code chains}, as JSON and text. */
    static Shown show(IcebergCatalogs catalogs, io.tributary.catalog.Catalog chains, String name, long nowMillis) {
        Optional<StoredTable> st;
        try {
            st = chains.getTable(name);
        } catch (RuntimeException e) {
            return new Shown(com.fasterxml.jackson.databind.node.NullNode.getInstance(),
                    "iceberg: unknown (cannot read the catalog: " + Errors.firstLine(String.valueOf(e.getMessage())) + ")");
        }
        if (st.isEmpty()) {
            return new Shown(com.fasterxml.jackson.databind.node.NullNode.getInstance(), "iceberg: unknown (table not in the catalog)");
        }
        Optional<String> off = notPublished(catalogs, st.get().definition());
        if (off.isPresent()) {
            return new Shown(com.fasterxml.jackson.databind.node.NullNode.getInstance(), "iceberg: " + off.get());
        }
        Status s = status(catalogs, chains, st.get(), nowMillis).orElseThrow();
        return new Shown(s.toJson(), s.text());
    }

    /**
     * What the scheduler leader's publisher reports for this table ({@code TableStatus.iceberg}), when it
     * publishes it; empty when the scheduler does not (publication off there, not picked up yet, or a
     * scheduler without the field), and the CLI then computes the status itself ({@link #show}).
     */
    static Optional<Shown> fromScheduler(IcebergCatalogs catalogs, io.tributary.api.v1.TableStatus t) {
        if (!t.hasIceberg() || !t.getIceberg().getEnabled() || t.getIceberg().getTable().isEmpty()) {
            return Optional.empty();
        }
        io.tributary.api.v1.IcebergStatus i = t.getIceberg();
        TableDefinition def;
        try {
            def = io.tributary.catalog.TableDefinitions.fromJson(t.getTable().getDefinitionJson());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        SortedMap<Integer, Long> heads = new TreeMap<>(i.getHeadsMap());
        Status s = new Status(identifier(catalogs, def).toString(), catalogName(catalogs, def), IcebergTables.location(def),
                i.getSnapshotId(), heads, i.getPendingRows(), Math.round(i.getLagSeconds() * 1000),
                i.getLastError().isEmpty() ? null : "last publication round failed: " + Errors.firstLine(i.getLastError()));
        return Optional.of(new Shown(s.toJson(), s.text() + "  (from the scheduler's publisher)"));
    }

    /** Iceberg catalogs of {@code env} (the CLI's environment: local.env overridden by the process env). */
    static IcebergCatalogs catalogs(Map<String, String> env) {
        return new IcebergCatalogs(env);
    }
}
