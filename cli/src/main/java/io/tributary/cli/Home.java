package io.tributary.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the CLI keeps its state ({@code .tributary/} at the repo root, or {@code TRIBUTARY_HOME})
 * and how it reads {@code .tributary/local.env}, which every command uses by default.
 */
final class Home {
    private Home() {
    }

    /** The {@code .tributary} directory. */
    static Path stateDir() {
        String explicit = System.getenv("TRIBUTARY_STATE_DIR");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit).toAbsolutePath();
        }
        String root = System.getProperty("tributary.home", System.getenv().getOrDefault("TRIBUTARY_HOME", "."));
        return Path.of(root).toAbsolutePath().normalize().resolve(".tributary");
    }

    static Path localEnvFile() {
        return stateDir().resolve("local.env");
    }

    /** {@code KEY=value} lines of local.env (empty when absent), overridden by the process env. */
    static Map<String, String> endpoints() {
        Map<String, String> out = new LinkedHashMap<>(readEnvFile(localEnvFile()));
        for (String k : out.keySet().toArray(String[]::new)) {
            String v = System.getenv(k);
            if (v != null && !v.isBlank()) {
                out.put(k, v);
            }
        }
        return out;
    }

    /**
     * The environment every command works with: {@code local.env} (when present) overridden by the
     * process environment, whole. Used for endpoints and for {@code ${VAR}} in table files.
     */
    static Map<String, String> env() {
        Map<String, String> out = new LinkedHashMap<>(readEnvFile(localEnvFile()));
        System.getenv().forEach((k, v) -> {
            if (v != null && !v.isBlank()) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** A required setting from {@link #env()}, or a one-line error saying how to get it. */
    static String require(Map<String, String> env, String key) {
        String v = env.get(key);
        if (v == null || v.isBlank()) {
            throw new CliException(key + " is not set: run `tributary local up` (writes " + localEnvFile()
                    + ") or export it");
        }
        return v;
    }

    /** The repo root (where the launcher lives and the apps are built). */
    static Path repoRoot() {
        String root = System.getProperty("tributary.home", System.getenv().getOrDefault("TRIBUTARY_HOME", "."));
        return Path.of(root).toAbsolutePath().normalize();
    }

    static Map<String, String> readEnvFile(Path file) {
        Map<String, String> out = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return out;
        }
        try {
            for (String line : Files.readAllLines(file)) {
                String l = line.trim();
                if (l.isEmpty() || l.startsWith("#") || !l.contains("=")) {
                    continue;
                }
                int eq = l.indexOf('=');
                out.put(l.substring(0, eq).trim(), l.substring(eq + 1).trim());
            }
        } catch (IOException e) {
            throw new CliException("cannot read " + file + ": " + e.getMessage());
        }
        return out;
    }

    static void writeEnvFile(Path file, Map<String, String> env) {
        StringBuilder sb = new StringBuilder("# Written by `tributary local up`: endpoints of the local stack.\n");
        env.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, sb.toString());
        } catch (IOException e) {
            throw new CliException("cannot write " + file + ": " + e.getMessage());
        }
    }
}
