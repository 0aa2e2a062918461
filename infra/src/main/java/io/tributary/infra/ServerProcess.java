package io.tributary.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One server child process of the local stack: how it is started, where it logs, how we know it
 * is up, and how it is stopped. Output always goes to a log file (never a pipe), so a detached
 * server keeps running after the JVM that started it exits.
 */
final class ServerProcess {

    private final String name;
    private final List<String> command;
    private final Path logFile;
    private final Map<String, String> extraEnv;
    private Process process;
    private long pid = -1;

    ServerProcess(String name, List<String> command, Path logFile, Map<String, String> extraEnv) {
        this.name = name;
        this.command = List.copyOf(command);
        this.logFile = logFile;
        this.extraEnv = Map.copyOf(extraEnv);
    }

    String name() {
        return name;
    }

    long pid() {
        return pid;
    }

    Path logFile() {
        return logFile;
    }

    /**
     * Starts the process. With {@code detached}, it runs in its own session ({@code setsid}) so it
     * outlives this JVM and the terminal; otherwise it belongs to this JVM.
     */
    void start(boolean detached) {
        try {
            Files.createDirectories(logFile.getParent());
            List<String> cmd = command;
            if (detached && Files.isExecutable(Path.of("/usr/bin/setsid"))) {
                cmd = new java.util.ArrayList<>(command);
                cmd.add(0, "/usr/bin/setsid");
            }
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().putAll(extraEnv);
            process = pb.start();
            pid = process.pid();
        } catch (IOException e) {
            throw new LocalStackException(name + " could not be started (" + String.join(" ", command.subList(0, 1))
                    + "): " + e.getMessage(), e);
        }
    }

    /** How a dead process ended, e.g. "exit code 143 (SIGTERM)", for diagnostics. */
    String exitDescription() {
        if (process == null) {
            return "not our child (pid " + pid + ")";
        }
        try {
            if (!process.waitFor(1, TimeUnit.SECONDS)) {
                return "still running";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
        int code = process.exitValue();
        return "exit code " + code + (code > 128 ? " (signal " + (code - 128) + ")" : "");
    }

    boolean isAlive() {
        if (process != null) {
            return process.isAlive();
        }
        return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /**
     * Waits until {@code ready} holds, polling; fails with the last lines of the server's log if
     * the process dies or the timeout passes.
     */
    void awaitReady(BooleanSupplier ready, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (ready.getAsBoolean()) {
                return;
            }
            if (!isAlive()) {
                Integer code = null;
                if (process != null) {
                    try {
                        code = process.waitFor(1, TimeUnit.SECONDS) ? process.exitValue() : null;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                throw new LocalStackException(name + " exited during start-up"
                        + (code == null ? "" : " with code " + code) + ". Last lines of " + logFile + ":\n"
                        + tail(logFile, 25));
            }
            if (System.nanoTime() > deadline) {
                throw new LocalStackException(name + " did not come up within " + timeout.toSeconds()
                        + " s. Last lines of " + logFile + ":\n" + tail(logFile, 25));
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LocalStackException("interrupted while waiting for " + name, e);
            }
        }
    }

    /** Stops the process: SIGTERM, then SIGKILL after the grace period. Safe to call twice. */
    void stop(Duration grace) {
        if (pid <= 0) {
            return;
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        handle.ifPresent(h -> stopHandle(h, grace));
    }

    static void stopHandle(ProcessHandle h, Duration grace) {
        if (!h.isAlive()) {
            return;
        }
        h.destroy();
        try {
            h.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception timeoutOrInterrupt) {
            h.destroyForcibly();
            try {
                h.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // reported by the caller's liveness check
            }
        }
    }

    /** The last {@code lines} lines of a log file, or a note that there is none. */
    static String tail(Path file, int lines) {
        if (!Files.exists(file)) {
            return "    (no log written)";
        }
        Deque<String> last = new ArrayDeque<>();
        try (var reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                last.addLast(line);
                if (last.size() > lines) {
                    last.removeFirst();
                }
            }
        } catch (IOException | UncheckedIOException e) {
            return "    (log unreadable: " + e.getMessage() + ")";
        }
        StringBuilder sb = new StringBuilder();
        for (String l : last) {
            sb.append("    ").append(l).append('\n');
        }
        return sb.toString();
    }

    static boolean portAnswers(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static boolean logContains(Path file, String needle) {
        try {
            return Files.exists(file) && Files.readString(file, StandardCharsets.ISO_8859_1).contains(needle);
        } catch (IOException e) {
            return false;
        }
    }
}
