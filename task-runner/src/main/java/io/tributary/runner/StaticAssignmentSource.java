package io.tributary.runner;

import io.tributary.catalog.Catalog;
import io.tributary.catalog.StoredTable;
import io.tributary.catalog.TableNotFoundException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A fixed assignment given on the command line ({@code --table T --partitions 0-3 [--epoch N]}):
 * the table definition is read from the catalog once, then delivered as the runner's whole work.
 * {@code --table a,b,c} assigns several tables at once, each with the same partition spec (table
 * names cannot hold a comma).
 */
final class StaticAssignmentSource implements AssignmentSource {
    private final Catalog catalog;
    private final String table;
    private final String partitionSpec;
    private final long epoch;

    StaticAssignmentSource(Catalog catalog, String table, String partitionSpec, long epoch) {
        this.catalog = catalog;
        this.table = table;
        this.partitionSpec = partitionSpec;
        this.epoch = epoch;
    }

    @Override
    public void start(Listener listener) {
        List<TableAssignment> out = new ArrayList<>();
        for (String name : tableNames(table)) {
            StoredTable stored = catalog.getTable(name).orElseThrow(() -> new TableNotFoundException(name));
            SortedSet<Integer> parts = partitionSpec == null || partitionSpec.isBlank() || partitionSpec.equals("all")
                    ? stored.partitions() : parsePartitions(partitionSpec);
            Map<Integer, Long> epochs = new LinkedHashMap<>();
            for (int p : parts) {
                epochs.put(p, epoch);
            }
            out.add(new TableAssignment(stored, epochs));
        }
        listener.assignmentChanged(out);
    }

    /** {@code a} or {@code a,b,c}: the distinct names, in order. */
    static List<String> tableNames(String spec) {
        Set<String> out = new LinkedHashSet<>();
        for (String t : spec.split(",")) {
            if (!t.isBlank()) {
                out.add(t.trim());
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--table names no table: '" + spec + "'");
        }
        return List.copyOf(out);
    }

    /** {@code 0-3}, {@code 0,2,5-7}. */
    static SortedSet<Integer> parsePartitions(String spec) {
        SortedSet<Integer> out = new TreeSet<>();
        for (String part : spec.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int dash = p.indexOf('-');
            try {
                if (dash > 0) {
                    int from = Integer.parseInt(p.substring(0, dash).trim());
                    int to = Integer.parseInt(p.substring(dash + 1).trim());
                    if (from < 0 || to < from) {
                        throw new IllegalArgumentException("bad partition range '" + p + "' in --partitions " + spec);
                    }
                    for (int i = from; i <= to; i++) {
                        out.add(i);
                    }
                } else {
                    int v = Integer.parseInt(p);
                    if (v < 0) {
                        throw new NumberFormatException();
                    }
                    out.add(v);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad partition '" + p + "' in --partitions " + spec
                        + " (expected e.g. 0-3 or 0,2,5-7)");
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--partitions names no partition: " + spec);
        }
        return out;
    }

    @Override
    public void close() {
    }
}
