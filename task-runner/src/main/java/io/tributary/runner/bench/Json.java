package io.tributary.runner.bench;

import java.util.Locale;
import java.util.Map;

/** One flat JSON object per result line: the bench CLI parses lines starting with {@code RESULT }. */
final class Json {
    private Json() {
    }

    static String object(Map<String, ?> m) {
        StringBuilder sb = new StringBuilder("{");
        for (var e : m.entrySet()) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append('"').append(e.getKey()).append("\":");
            Object v = e.getValue();
            if (v == null) {
                sb.append("null");
            } else if (v instanceof Double d) {
                sb.append(Double.isFinite(d) ? String.format(Locale.ROOT, "%.6g", d) : "null");
            } else if (v instanceof Number || v instanceof Boolean) {
                sb.append(v);
            } else {
                sb.append('"').append(v.toString().replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"))
                        .append('"');
            }
        }
        return sb.append('}').toString();
    }
}
