package io.tributary.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A child process of the bench (runner, measurement mains, Connect worker) with its output in a
 * log file, its CPU and memory read from /proc, and no way to outlive the bench: a shutdown hook
 * stops every live child, and a tiny watchdog kills it if the bench JVM is SIGKILLed.
 */
final class ChildProcess implements AutoCloseable {
    private static final Set<ChildProcess> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (ChildProcess c : List.copyOf(LIVE)) {
                c.stop(Duration.ofSeconds(5));
            }
        }, "bench-children-stop"));
    }

    final String name;
    final Process process;
    final Path log;
    final long startedAtMillis;

    private ChildProcess(String name, Process process, Path log, long startedAtMillis) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.startedAtMillis = startedAtMillis;
    }

    static ChildProcess start(String name, List<String> cmd, Map<String, String> env, Path log) {
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().putAll(env);
            long t = System.currentTimeMillis();
            Process p = pb.start();
            ChildProcess c = new ChildProcess(name, p, log, t);
            LIVE.add(c);
            watchdog(p.pid());
            return c;
        } catch (IOException e) {
            throw new BenchException("cannot start " + name + " (" + cmd.get(0) + "): " + e.getMessage());
        }
    }

    /** The java binary the bench itself runs on (children get the same JDK). */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static List<String> javaCmd(List<String> jvmOpts, String classpath, String main, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(jvmOpts);
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(main);
        cmd.addAll(List.of(args));
        return cmd;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** utime+stime in seconds, or -1 when the process is gone. */
    double cpuSeconds() {
        return ProcStat.cpuSeconds(pid());
    }

    /** Peak resident set (VmHWM) in MiB, or -1. */
    double peakRssMb() {
        return ProcStat.statusKb(pid(), "VmHWM") / 1024.0;
    }

    double rssMb() {
        return ProcStat.statusKb(pid(), "VmRSS") / 1024.0;
    }

    /** Waits for exit; returns the exit code or throws with the log's tail when it took too long. */
    int await(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                stop(Duration.ofSeconds(5));
                throw new BenchException(name + " did not finish within " + timeout.toSeconds() + " s; last lines of " + log
                        + ":\n" + tail(20));
            }
            LIVE.remove(this);
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop(Duration.ofSeconds(5));
            throw new BenchException("interrupted while waiting for " + name);
        }
    }

    /** SIGKILL, now. */
    void kill9() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LIVE.remove(this);
    }

    /** SIGTERM, then SIGKILL after {@code grace}. */
    void stop(Duration grace) {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        LIVE.remove(this);
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(20));
    }

    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** The JSON after the last {@code RESULT } line of the log, or null. */
    String resultLine() {
        try {
            String found = null;
            for (String l : Files.readAllLines(log)) {
                int i = l.indexOf("RESULT {");
                if (i >= 0) {
                    found = l.substring(i + 7);
                }
            }
            return found;
        } catch (IOException e) {
            return null;
        }
    }

    /** Kills {@code childPid} once this JVM is gone (even after SIGKILL); exits when the child exits first. */
    static void watchdog(long childPid) {
        long me = ProcessHandle.current().pid();
        String script = "while kill -0 " + me + " 2>/dev/null && kill -0 " + childPid + " 2>/dev/null; do sleep 1; done; "
                + "kill " + childPid + " 2>/dev/null; for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 " + childPid
                + " 2>/dev/null || exit 0; sleep 1; done; kill -9 " + childPid + " 2>/dev/null";
        try {
            new ProcessBuilder("/bin/sh", "-c", script).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new BenchException("cannot start the orphan watchdog (/bin/sh): " + e.getMessage());
        }
    }
}
