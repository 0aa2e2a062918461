package io.tributary.runner.decode;

import java.util.ArrayList;
import java.util.List;

/**
 * A column's JSON path: {@code $.a.b}, {@code $.a[0].b}, {@code $['a b']}. Each step is a field
 * name or an array index.
 */
public record JsonPath(String text, List<Object> steps) {

    /** Parses a path; steps are {@code String} (field) or {@code Integer} (array index). */
    public static JsonPath parse(String text) {
        String p = text.trim();
        if (!p.startsWith("$")) {
            throw new IllegalArgumentException("JSON path must start with '$': " + text);
        }
        List<Object> steps = new ArrayList<>();
        int i = 1;
        while (i < p.length()) {
            char c = p.charAt(i);
            if (c == '.') {
                int j = i + 1;
                while (j < p.length() && p.charAt(j) != '.' && p.charAt(j) != '[') {
                    j++;
                }
                if (j == i + 1) {
                    throw new IllegalArgumentException("empty field name at position " + i + " in JSON path " + text);
                }
                steps.add(p.substring(i + 1, j));
                i = j;
            } else if (c == '[') {
                int close = p.indexOf(']', i);
                if (close < 0) {
                    throw new IllegalArgumentException("unclosed '[' at position " + i + " in JSON path " + text);
                }
                String inner = p.substring(i + 1, close).trim();
                if (inner.length() >= 2 && (inner.charAt(0) == '\'' || inner.charAt(0) == '"')
                        && inner.charAt(inner.length() - 1) == inner.charAt(0)) {
                    steps.add(inner.substring(1, inner.length() - 1));
                } else {
                    try {
                        int idx = Integer.parseInt(inner);
                        if (idx < 0) {
                            throw new NumberFormatException();
                        }
                        steps.add(idx);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("bad array index '" + inner + "' in JSON path " + text);
                    }
                }
                i = close + 1;
            } else {
                throw new IllegalArgumentException("unexpected '" + c + "' at position " + i + " in JSON path " + text);
            }
        }
        return new JsonPath(text, List.copyOf(steps));
    }

    @Override
    public String toString() {
        return text;
    }
}
