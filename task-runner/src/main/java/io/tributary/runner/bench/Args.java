package io.tributary.runner.bench;

import java.util.HashMap;
import java.util.Map;

/** {@code --key value} arguments of the bench mains (plain Java, no CDI, no picocli). */
final class Args {
    private final Map<String, String> values = new HashMap<>();

    Args(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            String k = args[i].substring(2);
            int eq = k.indexOf('=');
            if (eq > 0) {
                values.put(k.substring(0, eq), k.substring(eq + 1));
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                values.put(k, args[++i]);
            } else {
                values.put(k, "true");
            }
        }
    }

    String get(String k) {
        String v = values.get(k);
        if (v == null) {
            throw new IllegalArgumentException("missing --" + k);
        }
        return v;
    }

    String get(String k, String dflt) {
        return values.getOrDefault(k, dflt);
    }

    long getLong(String k, long dflt) {
        String v = values.get(k);
        return v == null ? dflt : Long.parseLong(v);
    }

    double getDouble(String k, double dflt) {
        String v = values.get(k);
        return v == null ? dflt : Double.parseDouble(v);
    }
}
