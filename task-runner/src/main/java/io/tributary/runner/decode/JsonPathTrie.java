package io.tributary.runner.decode;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The columns' JSON paths as a trie, built once per decoder: a node per path prefix, with the columns
 * whose path ends there, its named children (looked up by {@code String} for Jackson, by UTF-8 bytes for
 * {@link JsonFastPath}) and its array items.
 */
final class JsonPathTrie {
    private static final int[] NONE = new int[0];

    private JsonPathTrie() {
    }

    /** A position in the path trie. */
    static final class Node {
        int[] columns = NONE;
        Map<String, Node> fields;
        Node[] items;
        /** The keys of {@link #fields} as UTF-8 bytes, and their nodes, in the same order. */
        byte[][] names;
        Node[] children;
        /** Index in {@link #names} after the last match: documents repeat their key order. */
        private int next;

        boolean hasChildren() {
            return fields != null || items != null;
        }

        /** The child named by the UTF-8 bytes {@code d[off, off+len)}, or null. */
        Node child(byte[] d, int off, int len) {
            byte[][] ns = names;
            if (ns == null) {
                return null;
            }
            int n = ns.length;
            // start where the last match left off: in a stream of similar documents that is the right key
            for (int k = 0, i = next; k < n; k++, i = i + 1 == n ? 0 : i + 1) {
                byte[] name = ns[i];
                if (name.length == len && Arrays.equals(name, 0, len, d, off, off + len)) {
                    next = i + 1 == n ? 0 : i + 1;
                    return children[i];
                }
            }
            return null;
        }

        private void freeze() {
            if (fields != null) {
                names = new byte[fields.size()][];
                children = new Node[fields.size()];
                int i = 0;
                for (Map.Entry<String, Node> e : fields.entrySet()) {
                    names[i] = e.getKey().getBytes(StandardCharsets.UTF_8);
                    children[i] = e.getValue();
                    e.getValue().freeze();
                    i++;
                }
            }
            if (items != null) {
                for (Node n : items) {
                    if (n != null) {
                        n.freeze();
                    }
                }
            }
        }
    }

    /** The trie of {@code fields}' paths; column i is {@code fields[i]}. */
    static Node build(RowSchema.Field[] fields) {
        Node root = new Node();
        for (int i = 0; i < fields.length; i++) {
            Node n = root;
            for (Object step : fields[i].path().steps()) {
                if (step instanceof String name) {
                    if (n.fields == null) {
                        n.fields = new HashMap<>();
                    }
                    n = n.fields.computeIfAbsent(name, k -> new Node());
                } else {
                    int idx = (Integer) step;
                    if (n.items == null) {
                        n.items = new Node[idx + 1];
                    } else if (n.items.length <= idx) {
                        n.items = Arrays.copyOf(n.items, idx + 1);
                    }
                    if (n.items[idx] == null) {
                        n.items[idx] = new Node();
                    }
                    n = n.items[idx];
                }
            }
            n.columns = Arrays.copyOf(n.columns, n.columns.length + 1);
            n.columns[n.columns.length - 1] = i;
        }
        root.freeze();
        return root;
    }
}
