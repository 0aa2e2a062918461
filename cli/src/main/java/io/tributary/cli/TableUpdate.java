package io.tributary.cli;

import io.tributary.api.v1.TableInfo;
import io.tributary.api.v1.TableRef;
import io.tributary.api.v1.UpdateTableRequest;
import io.tributary.catalog.TableDefinition;
import io.tributary.catalog.TableDefinitions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tributary table update -f FILE}: a new definition version of an existing table (add a column
 * for a field a newer writer schema brought, change flush, errors, retention, the registry...). Runners
 * restart the table's worker on the new version; parts already landed keep their columns; a column
 * keeps its Iceberg field id and a new one gets a new id. The topic cannot change.
 */
@Command(name = "update", mixinStandardHelpOptions = true,
        description = {"Update a table's definition from a YAML file (the same file format as create): a new definition"
            + " version.",
            "Typical use: add a column for a field that a newer Avro/Protobuf writer schema added (it is ignored until then)."
                + " Runners switch to the new version at their next part; landed parts keep their columns."})
class TableUpdate implements Callable<Integer> {
    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE.yaml", description = "Table definition file")
    Path file;
    @Option(names = "--expected-version", paramLabel = "N",
            description = "Refuse the update unless the table is at version N (default: its current version).")
    Long expectedVersion;
    @Option(names = "--dry-run", description = "Validate and show what would change; update nothing.")
    boolean dryRun;
    @Mixin
    SchedulerOption scheduler;

    @Override
    public Integer call() {
        TableDefinition def = TableCommand.readDefinition(file, Home.env());
        String name = def.name();
        try (TableAccess a = scheduler.tables()) {
            TableInfo current = a.run("DescribeTable",
                    s -> s.describeTable(TableRef.newBuilder().setName(name).build()).getTable(),
                    d -> d.apply(name, l -> TableAccess.info(l.get(name))));
            long expected = expectedVersion != null ? expectedVersion : current.getVersion();
            String changes = current.getDefinitionJson().isEmpty() ? "" : changes(
                    TableDefinitions.fromJson(current.getDefinitionJson()), def);
            if (dryRun) {
                System.out.println("table " + name + " is at version " + current.getVersion() + "; " + file + " would "
                        + (changes.isEmpty() ? "change no column" : changes));
                return 0;
            }
            String json = TableDefinitions.toJson(def);
            TableInfo t = a.run("UpdateTable",
                    s -> s.updateTable(UpdateTableRequest.newBuilder().setDefinitionJson(json).setExpectedVersion(expected)
                            .build()),
                    d -> d.apply(name, l -> TableAccess.info(l.update(def, expected))));
            System.out.println("updated table " + TableCommand.describe(t) + " from " + file
                    + (changes.isEmpty() ? "" : ": " + changes) + " " + a.path());
        }
        return 0;
    }

    /** "columns added: a, b; removed: c" for the column names that differ (empty when none). */
    static String changes(TableDefinition before, TableDefinition after) {
        List<String> added = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        for (TableDefinition.Column c : after.columns()) {
            if (before.column(c.name()) == null) {
                added.add(c.name());
            }
        }
        for (TableDefinition.Column c : before.columns()) {
            if (after.column(c.name()) == null) {
                removed.add(c.name());
            }
        }
        List<String> parts = new ArrayList<>();
        if (!added.isEmpty()) {
            parts.add("columns added: " + String.join(", ", added));
        }
        if (!removed.isEmpty()) {
            parts.add("columns removed: " + String.join(", ", removed));
        }
        return String.join("; ", parts);
    }
}
