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
        /** Where {@link #child} looks first: the slot after the last match. */
        private int next;

        boolean hasChildren() {
            return fields != null || items != null;
        }

        /**
         * The child named by the UTF-8 bytes {@code d[off, off+len)}, or null. Documents of a topic repeat
         * their key order, so the names are kept in the order they were last seen: a found name is moved to
         * the slot after the previous match, and the next lookup usually hits on its first comparison. The
         * comparison is a plain loop: keys are short, and {@code Arrays.equals} on ranges was 10 % of the
         * decode CPU in its set-up.
         */
        Node child(byte[] d, int off, int len) {
            byte[][] ns = names;
            if (ns == null) {
                return null;
            }
            int n = ns.length;
            for (int k = 0, i = next; k < n; k++, i = i + 1 == n ? 0 : i + 1) {
                byte[] name = ns[i];
                if (name.length == len && same(name, d, off, len)) {
                    Node c = children[i];
                    int want = next;
                    if (i != want) { // move it where the next document will look for it first
                        ns[i] = ns[want];
                        children[i] = children[want];
                        ns[want] = name;
                        children[want] = c;
                    }
                    next = want + 1 == n ? 0 : want + 1;
                    return c;
                }
            }
            return null;
        }

        private static boolean same(byte[] name, byte[] d, int off, int len) {
            for (int j = 0; j < len; j++) {
                if (name[j] != d[off + j]) {
                    return false;
                }
            }
            return true;
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
