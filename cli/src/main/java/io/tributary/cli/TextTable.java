package io.tributary.cli;

import java.util.ArrayList;
import java.util.List;

/** A small left/right-aligned text table for terminals. */
final class TextTable {
    private final List<String> headers;
    private final boolean[] right;
    private final List<List<String>> rows = new ArrayList<>();

    TextTable(String... headers) {
        this.headers = List.of(headers);
        this.right = new boolean[headers.length];
    }

    /** Right-align these columns (numbers). */
    TextTable right(int... columns) {
        for (int c : columns) {
            right[c] = true;
        }
        return this;
    }

    TextTable row(Object... cells) {
        List<String> r = new ArrayList<>();
        for (Object c : cells) {
            r.add(c == null ? "" : c.toString());
        }
        rows.add(r);
        return this;
    }

    int size() {
        return rows.size();
    }

    String render(String indent) {
        int[] w = new int[headers.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = headers.get(i).length();
        }
        for (List<String> r : rows) {
            for (int i = 0; i < w.length && i < r.size(); i++) {
                w[i] = Math.max(w[i], r.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        line(sb, indent, headers, w);
        for (List<String> r : rows) {
            line(sb, indent, r, w);
        }
        return sb.toString();
    }

    private void line(StringBuilder sb, String indent, List<String> cells, int[] w) {
        StringBuilder l = new StringBuilder(indent);
        for (int i = 0; i < w.length; i++) {
            String c = i < cells.size() ? cells.get(i) : "";
            if (i > 0) {
                l.append("  ");
            }
            int pad = w[i] - c.length();
            if (right[i]) {
                l.append(" ".repeat(pad)).append(c);
            } else {
                l.append(c);
                if (i < w.length - 1) {
                    l.append(" ".repeat(pad));
                }
            }
        }
        sb.append(l.toString().stripTrailing()).append('\n');
    }

    static String num(long v) {
        return String.format("%,d", v);
    }
}
