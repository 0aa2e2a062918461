package io.tributary.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU and memory of a process from /proc (Linux), and the machine's CPU counters. */
final class ProcStat {
    /** USER_HZ; 100 on every Linux this runs on (sysconf(_SC_CLK_TCK)). */
    static final double CLK_TCK = Double.parseDouble(System.getProperty("tributary.clk.tck", "100"));

    private ProcStat() {
    }

    /** utime + stime of {@code pid} in seconds, -1 if unreadable. */
    static double cpuSeconds(long pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / CLK_TCK;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** A {@code kB} field of /proc/pid/status (VmHWM, VmRSS), -1 if unreadable. */
    static long statusKb(long pid, String field) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith(field + ":")) {
                    return Long.parseLong(l.substring(field.length() + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return -1;
    }

    /** A {@code kB} field of a /proc file like /proc/meminfo, -1 if unreadable. */
    static long statusKbOfFile(String file, String field) {
        try {
            for (String l : Files.readAllLines(Path.of(file))) {
                if (l.startsWith(field + ":")) {
                    return Long.parseLong(l.substring(field.length() + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    /**
     * CPU seconds per thread group of {@code pid} (from each /proc/pid/task/TID/stat; digits and '#' in
     * thread names folded, so "C2 CompilerThre" and "GC Thread#" each sum their threads). Threads that
     * already exited are not counted.
     */
    static java.util.Map<String, Double> threadCpu(long pid) {
        java.util.Map<String, Double> out = new java.util.TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String s = Files.readString(t.resolve("stat"));
                    String name = s.substring(s.indexOf('(') + 1, s.lastIndexOf(')')).replaceAll("[0-9#]+", "").trim();
                    String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
                    double cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / CLK_TCK;
                    out.merge(name, cpu, Double::sum);
                } catch (IOException | RuntimeException ignored) {
                    // thread exited
                }
            }
        } catch (IOException e) {
            // process gone
        }
        return out;
    }

    /** {busy, total} jiffies of the whole machine from /proc/stat's cpu line. */
    static long[] machineJiffies() {
        try {
            String l = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = l.trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }

    static String loadAvg() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }
}
