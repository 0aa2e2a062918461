package io.tributary.runner.decode.avro;

import io.tributary.runner.decode.RowSchema;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * Compiles a writer schema against the table's column paths into a tree of {@link Reader}s: per
 * record field either a reader into a column ({@link AvroColumns}), a descent into a nested
 * record ({@link AvroStructure}), or a skipper ({@link AvroSkippers}). Type pairings are decided
 * once, at compile time, by {@link AvroColumns}.
 */
final class AvroPlan {
    /** Reads one value of its schema at the cursor (and writes it into columns, or skips it). */
    abstract static class Reader {
        abstract void read(AvroCursor c);
    }

    /** A position in the path trie: the columns whose path ends here and the named children. */
    private static final class Node {
        int[] columns = new int[0];
        Map<String, Node> fields;
    }

    private final AvroSkippers skippers = new AvroSkippers();
    private final AvroColumns columns;

    AvroPlan(AvroPayloadDecoder d, String label) {
        this.columns = new AvroColumns(d, label, skippers);
    }

    Reader compile(Schema writer, RowSchema rows) {
        Node root = new Node();
        for (int i = 0; i < rows.size(); i++) {
            RowSchema.Field f = rows.field(i);
            Node n = root;
            boolean indexed = false;
            for (Object step : f.path().steps()) {
                if (!(step instanceof String name)) {
                    indexed = true;
                    break;
                }
                if (n.fields == null) {
                    n.fields = new HashMap<>();
                }
                n = n.fields.computeIfAbsent(name, k -> new Node());
            }
            if (indexed) {
                String why = f.describe() + ": array indexes in paths are not supported for Avro; land the array as a"
                        + " json column";
                return AvroColumns.refuse(why);
            }
            n.columns = Arrays.copyOf(n.columns, n.columns.length + 1);
            n.columns[n.columns.length - 1] = i;
        }
        return value(writer, root);
    }

    // ---------------------------------------------------------------- values on a path

    private Reader value(Schema s, Node node) {
        if (node == null) {
            return skippers.skipper(s);
        }
        if (s.getType() == Schema.Type.UNION) {
            List<Schema> types = s.getTypes();
            Reader[] branches = new Reader[types.size()];
            for (int i = 0; i < branches.length; i++) {
                branches[i] = value(types.get(i), node);
            }
            return new AvroStructure.Union(branches);
        }
        if (s.getType() == Schema.Type.NULL) {
            return columns.nulls(node.columns);
        }
        Reader descend = null;
        if (s.getType() == Schema.Type.RECORD && node.fields != null) {
            descend = record(s, node);
        }
        if (node.columns.length == 0) {
            return descend != null ? descend : skippers.skipper(s); // the path goes on below a non-record: missing
        }
        Reader[] cols = new Reader[node.columns.length];
        for (int i = 0; i < cols.length; i++) {
            cols[i] = columns.column(s, node.columns[i]);
        }
        return new AvroStructure.Tee(descend, cols);
    }

    private Reader record(Schema s, Node node) {
        List<Schema.Field> wf = s.getFields();
        Reader[] steps = new Reader[wf.size()];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = value(wf.get(i).schema(), node.fields.get(wf.get(i).name()));
        }
        return new AvroStructure.Sequence(steps);
    }
}
