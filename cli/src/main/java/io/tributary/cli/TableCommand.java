package io.tributary.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.api.v1.CreateTableRequest;
import io.tributary.api.v1.ListTablesRequest;
import io.tributary.api.v1.PartitionStatus;
import io.tributary.api.v1.TableInfo;
import io.tributary.api.v1.TableRef;
import io.tributary.api.v1.TableStatus;
import io.tributary.catalog.InvalidDefinitionException;
import io.tributary.catalog.RequestCosts;
import io.tributary.catalog.StoredTable;
import io.tributary.catalog.TableDefinition;
import io.tributary.catalog.TableDefinitions;
import io.tributary.catalog.admin.TableLifecycle;
import io.tributary.iceberg.IcebergCatalogs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tributary table create|list|describe|pause|resume|drop}: through the scheduler leader's
 * gRPC API when one runs, else directly in the catalog ({@link TableAccess}); each command says
 * which path it took.
 */
@Command(name = "table", mixinStandardHelpOptions = true,
        description = "Create, list, describe, pause, resume and drop tables (through the scheduler leader, or"
                + " directly in the catalog when no scheduler runs).",
        subcommands = {TableCommand.Create.class, TableCommand.ListTables.class, TableCommand.Describe.class,
            TableUpdate.class, TableCommand.Pause.class, TableCommand.Resume.class, TableCommand.Drop.class})
public class TableCommand {

    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Reads and validates a table file: {@code ${VAR}} from the process env and local.env; any
     * error is one line naming the file, the line and the field.
     */
    static TableDefinition readDefinition(Path file, Map<String, String> env) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new CliException(file + ": no such file");
        } catch (IOException e) {
            throw new CliException(file + ": cannot read: " + e.getMessage());
        }
        try {
            return TableDefinitions.fromYaml(text, env, file.toAbsolutePath().getParent());
        } catch (InvalidDefinitionException e) {
            throw new CliException(file + ": " + e.getMessage());
        }
    }

    /** {@link #formatLine(TableDefinition)} of a listed table; empty when its definition does not parse. */
    static Optional<String> formatLine(TableInfo t) {
        try {
            return t.getDefinitionJson().isEmpty() ? Optional.empty()
                    : Optional.of(formatLine(TableDefinitions.fromJson(t.getDefinitionJson())));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The stored definition as shown to a user: a registry password is masked. */
    static com.fasterxml.jackson.databind.JsonNode shownDefinition(TableInfo t) throws IOException {
        com.fasterxml.jackson.databind.JsonNode d = JSON.readTree(t.getDefinitionJson().isEmpty() ? "null" : t.getDefinitionJson());
        if (d.path("registry").has("password")) {
            ((ObjectNode) d.get("registry")).put("password", "********");
        }
        return d;
    }

    static String describe(TableInfo t) {
        return t.getName() + " (version " + t.getVersion() + ", " + t.getState() + ")";
    }

    /**
     * The one line saying how a table's records are encoded: {@code format: json},
     * {@code format: avro, registry URL subject S} or {@code format: protobuf, schema file F (message M)}.
     */
    static String formatLine(TableDefinition d) {
        TableDefinition.WriterSchema ws = d.writerSchema();
        if (d.format() == TableDefinition.Format.JSON || ws == null) {
            return "format: " + d.format().wire();
        }
        if (ws.framed()) {
            String subject = ws.registry().subject();
            return "format: " + d.format().wire() + ", registry " + ws.registry().url()
                    + (subject == null ? " (no subject)" : " subject " + subject);
        }
        String message = ws.message() != null ? " (message " + ws.message() + ")"
                : d.format() == TableDefinition.Format.PROTOBUF ? " (first message)" : "";
        return "format: " + d.format().wire() + ", " + (ws.file() == null ? "inline schema" : "schema file " + ws.file())
                + message;
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Create a table from a YAML definition file (see docs: \"Table definition file\"), or from the latest"
                    + " schema of a schema-registry subject (--from-registry: the columns are derived from the Avro record or"
                    + " Protobuf message; --dry-run prints the YAML to review and edit, then create it with -f).",
                "Also creates its Iceberg table (iceberg.namespace.iceberg.table, default tributary.<name>) when an Iceberg"
                    + " catalog is configured (TRIBUTARY_ICEBERG_CATALOG) and iceberg.enabled is true."})
    static class Create implements Callable<Integer> {
        @Option(names = {"-f", "--file"}, paramLabel = "FILE.yaml", description = "Table definition file")
        Path file;
        @Option(names = "--from-registry", paramLabel = "SUBJECT",
                description = "Derive the definition from this subject's latest schema (instead of -f)")
        String subject;
        @Option(names = "--registry", paramLabel = "URL",
                description = "With --from-registry: schema registry URL, written into the YAML (default: TRIBUTARY_SCHEMA_REGISTRY_URL,"
                        + " written as ${TRIBUTARY_SCHEMA_REGISTRY_URL})")
        String registry;
        @Option(names = "--name", description = "With --from-registry: table name (default: the subject without -value)")
        String name;
        @Option(names = "--topic", description = "With --from-registry: Kafka topic (default: the subject without -value)")
        String topic;
        @Option(names = "--message", paramLabel = "MESSAGE",
                description = "With --from-registry and a Protobuf subject: the message (default: the first one)")
        String message;
        @Option(names = {"-o", "--output"}, paramLabel = "FILE.yaml",
                description = "With --from-registry: write the derived YAML to this new file")
        Path output;
        @Option(names = "--dry-run", description = "Create nothing: with -f validate and print the canonical JSON definition;"
                + " with --from-registry print the derived YAML (or write it to -o FILE).")
        boolean dryRun;
        @Mixin
        SchedulerOption scheduler;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            validate();
            if (subject != null) {
                return fromRegistry();
            }
            TableDefinition def = readDefinition(file, Home.env());
            String json = TableDefinitions.toJson(def);
            if (dryRun) {
                System.out.println(json);
                return 0;
            }
            Optional<String> warning = Registries.subjectWarning(def);
            create(def, json, "from " + file);
            warning.ifPresent(w -> System.err.println("tributary: " + w));
            return 0;
        }

        void validate() {
            if ((file == null) == (subject == null)) {
                throw new ParameterException(spec.commandLine(), file == null
                        ? "give --file FILE.yaml or --from-registry SUBJECT"
                        : "--file and --from-registry are mutually exclusive");
            }
            if (file != null) {
                for (var o : new Object[][] {{"--registry", registry}, {"--name", name}, {"--topic", topic},
                    {"--message", message}, {"--output", output}}) {
                    if (o[1] != null) {
                        throw new ParameterException(spec.commandLine(), o[0] + " is only for --from-registry (with --file"
                                + " everything is in the file)");
                    }
                }
                return;
            }
            if (subject.isBlank()) {
                throw new ParameterException(spec.commandLine(), "--from-registry: the subject is empty");
            }
            if (name != null && !name.matches("[a-z][a-z0-9_]{0,62}")) {
                throw new ParameterException(spec.commandLine(), "--name must match [a-z][a-z0-9_]{0,62}, got '" + name + "'");
            }
            String t = topic != null ? topic : DerivedTable.base(subject);
            if (!t.matches("[a-zA-Z0-9._-]{1,249}") || t.equals(".") || t.equals("..")) {
                throw new ParameterException(spec.commandLine(), (topic != null ? "--topic" : "--from-registry " + subject
                        + ": the subject without -value") + " is not a Kafka topic name: '" + t + "'"
                        + (topic != null ? "" : "; give --topic"));
            }
            if (output != null && Files.exists(output)) {
                throw new CliException("--output " + output + " exists; remove it or choose another file");
            }
        }

        int fromRegistry() {
            return FromRegistryCreate.run(this);
        }

        void create(TableDefinition def, String json, String from) {
            try (TableAccess a = scheduler.tables()) {
                TableInfo t = a.run("CreateTable",
                        st -> st.createTable(CreateTableRequest.newBuilder().setDefinitionJson(json).build()),
                        d -> d.apply(def.name(), l -> TableAccess.info(l.create(def).table())));
                System.out.println("created table " + describe(t) + " " + from + " " + a.path());
            }
            createIceberg(Home.env(), def);
        }

        /**
         * The Iceberg table of a just-created table, when publication is on here (a configured Iceberg
         * catalog and {@code iceberg.enabled}); otherwise one line saying why not. The scheduler
         * leader's publisher would create it on its first round anyway; creating it now lets engines
         * see the (empty) table at once and surfaces catalog problems to whoever declared the table.
         */
        static void createIceberg(Map<String, String> env, TableDefinition def) {
            try (IcebergCatalogs catalogs = IcebergView.catalogs(env)) {
                var off = IcebergView.notPublished(catalogs, def);
                if (off.isPresent()) {
                    System.out.println(off.get());
                    return;
                }
                try (CatalogAccess c = new CatalogAccess(env)) {
                    StoredTable st = c.call(cat -> cat.getTable(def.name())).orElseThrow(() -> new CliException(
                            "table " + def.name() + " is not in catalog " + CatalogAccess.tableName(env) + " after create"));
                    org.apache.iceberg.Table t = c.call(cat -> IcebergView.create(catalogs, cat, st));
                    System.out.println("created Iceberg table " + IcebergView.identifier(catalogs, def) + " in catalog "
                            + IcebergView.catalogName(catalogs, def) + " at " + t.location());
                }
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List tables.")
    static class ListTables implements Callable<Integer> {
        @Option(names = "--all", description = "Include dropped tables.")
        boolean all;
        @Option(names = "--json", description = "Print JSON: [{name, version, state, topic}].")
        boolean json;
        @Mixin
        SchedulerOption scheduler;

        @Override
        public Integer call() throws Exception {
            try (TableAccess a = scheduler.tables()) {
                List<TableInfo> tables = a.run("ListTables",
                        s -> s.listTables(ListTablesRequest.newBuilder().setIncludeDropped(all).build()).getTablesList(),
                        d -> d.lifecycle.list(all).stream().map(TableAccess::info).toList());
                ArrayNode arr = JSON.createArrayNode();
                TextTable tt = new TextTable("NAME", "STATE", "VERSION", "TOPIC", "BUCKET/PREFIX").right(2);
                for (TableInfo t : tables) {
                    String topic = "";
                    String where = "";
                    try {
                        TableDefinition d = TableDefinitions.fromJson(t.getDefinitionJson());
                        topic = d.source().topic();
                        where = d.output().bucket() + "/" + d.output().prefix();
                    } catch (RuntimeException e) {
                        topic = "?";
                    }
                    ObjectNode o = arr.addObject();
                    o.put("name", t.getName());
                    o.put("version", t.getVersion());
                    o.put("state", t.getState());
                    o.put("topic", topic);
                    tt.row(t.getName(), t.getState(), t.getVersion(), topic, where);
                }
                if (json) {
                    System.out.println(JSON.writeValueAsString(arr));
                } else if (tt.size() == 0) {
                    System.out.println("no tables (create one with `tributary table create -f FILE.yaml`); read "
                            + a.path());
                } else {
                    System.out.print(tt.render(""));
                    System.out.println("(read " + a.path() + ")");
                }
            }
            return 0;
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "Show a table's definition, per-partition progress (owner, epoch, offsets, lag), its Iceberg"
                    + " publication (table, snapshot, chain heads, rows committed but not yet published), its maintenance"
                    + " (live parts, compaction links, retention checkpoints; the leader's last sweep) and its projected"
                    + " request cost per day (S3 PUTs + DynamoDB writes: the last hour x 24, and the most its settings allow"
                    + " when every partition always has data; AWS us-east-1 list prices).")
    static class Describe implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "Table name")
        String name;
        @Option(names = "--json", description = "Print JSON: {name, version, state, lag, definition, partitions, iceberg, maintenance, cost}"
                + " (iceberg: {table, catalog, location, snapshot_id, heads, pending_rows, lag_s, error}, or null when not published;"
                + " maintenance: {parts (live objects), compaction_links, checkpoints {partition: seq}, error, sweep: the leader's"
                + " last sweep {last_pass_ms, objects_listed, orphans_found, orphans_deleted, bytes_deleted, replaced_deleted,"
                + " skipped_too_young, failures, last_error, grace_s, interval_s} or null}; cost: {basis, commits_last_hour,"
                + " per_day {s3_puts, data_puts, dlq_puts, iceberg_puts, dynamodb_writes, dynamodb_wru, usd} or null,"
                + " ceiling_per_day {...}, partitions, cut_interval_ms, prices {region, as_of, s3_put_usd_per_1000,"
                + " dynamodb_wru_usd_per_million, sources}, error} or null).")
        boolean json;
        @Mixin
        SchedulerOption scheduler;

        @Override
        public Integer call() throws Exception {
            try (TableAccess a = scheduler.tables()) {
                TableStatus st = a.run("DescribeTable", s -> s.describeTable(TableRef.newBuilder().setName(name).build()),
                        d -> d.apply(name, l -> d.status(l.get(name))));
                TableInfo t = st.getTable();
                IcebergView.Shown ice;
                Maintenance.State m;
                Optional<RequestCosts.Estimate> cost;
                try (IcebergCatalogs catalogs = IcebergView.catalogs(Home.env());
                        CatalogAccess c = new CatalogAccess(Home.env())) {
                    ice = IcebergView.fromScheduler(catalogs, st)
                            .orElseGet(() -> IcebergView.show(catalogs, c.catalog, name, System.currentTimeMillis()));
                    m = Maintenance.State.of(c.catalog, name);
                    cost = cost(t, c.catalog, System.currentTimeMillis());
                }
                if (json) {
                    ObjectNode o = JSON.createObjectNode();
                    o.put("name", t.getName());
                    o.put("version", t.getVersion());
                    o.put("state", t.getState());
                    o.put("lag", st.getLag());
                    o.set("definition", shownDefinition(t));
                    ArrayNode ps = o.putArray("partitions");
                    for (PartitionStatus p : st.getPartitionsList()) {
                        ps.add(StatusView.partitionJson(p));
                    }
                    o.set("iceberg", ice.json());
                    o.set("maintenance", Maintenance.json(m, st));
                    o.set("cost", cost.<com.fasterxml.jackson.databind.JsonNode>map(RequestCosts.Estimate::json)
                            .orElse(com.fasterxml.jackson.databind.node.NullNode.getInstance()));
                    System.out.println(JSON.writeValueAsString(o));
                    return 0;
                }
                System.out.println("table " + describe(t) + ", lag " + TextTable.num(st.getLag()));
                formatLine(t).ifPresent(System.out::println);
                if (!t.getDefinitionJson().isEmpty()) {
                    System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(shownDefinition(t)));
                }
                System.out.print(StatusView.partitionTable(st, System.currentTimeMillis()).render("  "));
                System.out.println("  " + ice.text());
                System.out.println("  " + m.text());
                String sweep = Maintenance.sweepText(st, System.currentTimeMillis());
                if (sweep != null) {
                    System.out.println("  " + sweep);
                }
                cost.ifPresent(e -> System.out.println("  " + e.text()));
                System.out.println("(read " + a.path() + ")");
            }
            return 0;
        }

        /**
         * The table's projected request cost ({@link RequestCosts#estimate}: its last hour read back from the
         * chains x 24, and the ceiling at its settings); empty when the stored definition does not parse.
         */
        static Optional<RequestCosts.Estimate> cost(TableInfo t, io.tributary.catalog.Catalog catalog, long nowMillis) {
            TableDefinition def;
            try {
                def = TableDefinitions.fromJson(t.getDefinitionJson());
            } catch (RuntimeException e) {
                return Optional.empty();
            }
            return Optional.of(RequestCosts.estimate(catalog, def, nowMillis));
        }
    }

    abstract static class StateChange implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "Table name")
        String name;
        @Mixin
        SchedulerOption scheduler;

        abstract String rpc();

        abstract TableInfo apply(io.tributary.api.v1.SchedulerServiceGrpc.SchedulerServiceBlockingStub s, TableRef ref);

        /** The same change applied to the catalog (no scheduler reachable). */
        abstract StoredTable direct(TableLifecycle l, String name);

        abstract String verb();

        @Override
        public Integer call() {
            try (TableAccess a = scheduler.tables()) {
                TableRef ref = TableRef.newBuilder().setName(name).build();
                TableInfo t = a.run(rpc(), s -> apply(s, ref), d -> d.apply(name, l -> TableAccess.info(direct(l, name))));
                System.out.println(verb() + " table " + describe(t) + " " + a.path());
            }
            return 0;
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true,
            description = "Stop assigning the table's partitions (runners flush and commit what they hold).")
    static class Pause extends StateChange {
        String rpc() {
            return "PauseTable";
        }

        TableInfo apply(io.tributary.api.v1.SchedulerServiceGrpc.SchedulerServiceBlockingStub s, TableRef ref) {
            return s.pauseTable(ref);
        }

        StoredTable direct(TableLifecycle l, String name) {
            return l.pause(name);
        }

        String verb() {
            return "paused";
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resume a paused table.")
    static class Resume extends StateChange {
        String rpc() {
            return "ResumeTable";
        }

        TableInfo apply(io.tributary.api.v1.SchedulerServiceGrpc.SchedulerServiceBlockingStub s, TableRef ref) {
            return s.resumeTable(ref);
        }

        StoredTable direct(TableLifecycle l, String name) {
            return l.resume(name);
        }

        String verb() {
            return "resumed";
        }
    }

    @Command(name = "drop", mixinStandardHelpOptions = true,
            description = "Stop the table for good; its parts and commit chains are kept (audit still works). Names are never reused.")
    static class Drop extends StateChange {
        String rpc() {
            return "DropTable";
        }

        TableInfo apply(io.tributary.api.v1.SchedulerServiceGrpc.SchedulerServiceBlockingStub s, TableRef ref) {
            return s.dropTable(ref);
        }

        StoredTable direct(TableLifecycle l, String name) {
            return l.drop(name);
        }

        String verb() {
            return "dropped";
        }
    }
}
