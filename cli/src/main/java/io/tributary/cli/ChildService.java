package io.tributary.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A scheduler or runner started by the demo: a child JVM with its log in a file. */
final class ChildService {
    final String name;
    final Path log;
    final Process process;

    private ChildService(String name, Path log, Process process) {
        this.name = name;
        this.log = log;
        this.process = process;
    }

    /** Starts {@code java [jvmOpts] -jar jar args}, stdout and stderr appended to {@code log}. */
    static ChildService start(String name, Path jar, List<String> jvmOpts, List<String> args, Map<String, String> env, Path log)
            throws IOException {
        Files.createDirectories(log.getParent());
        List<String> cmd = new ArrayList<>();
        cmd.add(AppCommand.java());
        cmd.addAll(jvmOpts);
        cmd.add("-jar");
        cmd.add(jar.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).redirectInput(ProcessBuilder.Redirect.PIPE);
        env.forEach((k, v) -> pb.environment().put(k, v));
        return new ChildService(name, log, pb.start());
    }

    boolean alive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** SIGTERM, wait up to {@code graceSeconds} (a runner drains: flush + commit), then SIGKILL. */
    boolean stop(long graceSeconds) {
        if (!process.isAlive()) {
            return true;
        }
        process.destroy();
        try {
            if (process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        return false;
    }

    /** The last {@code n} lines of the log, for error messages. */
    String tail(int n) {
        return tail(log, n);
    }

    static String tail(Path log, int n) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
