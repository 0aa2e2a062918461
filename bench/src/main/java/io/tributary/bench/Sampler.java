package io.tributary.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Samples a child process every {@code periodMs}: CPU seconds (utime+stime), RSS, and, when it has
 * a Prometheus endpoint, every {@code tributary_*} metric (summed over labels; a {@code phase} or
 * {@code reason} label is also kept apart, as {@code name{phase=decode}}) together with the CPU of
 * its JIT and GC threads at the same instant ({@link #JIT_CPU}, {@link #GC_CPU}).
 */
final class Sampler implements AutoCloseable {
    /** Keys of a sample's metrics: CPU seconds of the JIT compiler threads and of the GC threads (with the VM thread). */
    static final String JIT_CPU = "bench_jit_thread_cpu_s";
    static final String GC_CPU = "bench_gc_thread_cpu_s";

    record Sample(long atMillis, double cpuS, double rssMb, Map<String, Double> metrics) {
    }

    private final ChildProcess proc;
    private final String metricsUrl;
    private final long periodMs;
    private final List<Sample> samples = new ArrayList<>();
    private static final java.util.regex.Pattern KEPT_LABEL = java.util.regex.Pattern.compile("[{,](phase|reason)=\"([^\"]*)\"");
    private final Thread thread;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private volatile boolean stop;

    Sampler(ChildProcess proc, String metricsUrl, long periodMs) {
        this.proc = proc;
        this.metricsUrl = metricsUrl;
        this.periodMs = periodMs;
        this.thread = new Thread(this::loop, "bench-sampler-" + proc.name);
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        long n = 0;
        while (!stop) {
            double cpu = proc.cpuSeconds();
            if (cpu < 0) {
                break;
            }
            Map<String, Double> m = null;
            if (metricsUrl != null && n % Math.max(1, 1000 / periodMs) == 0) {
                m = scrape();
                if (m != null) {
                    m.putAll(jitAndGc(ProcStat.threadCpu(proc.pid())));
                    cpu = Math.max(cpu, proc.cpuSeconds()); // the process CPU of the same instant as the scrape
                }
            }
            synchronized (samples) {
                samples.add(new Sample(System.currentTimeMillis(), cpu, proc.rssMb(), m));
            }
            n++;
            try {
                Thread.sleep(periodMs);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    Map<String, Double> scrape() {
        if (metricsUrl == null) {
            return null;
        }
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(metricsUrl)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return null;
            }
            return parsePrometheus(r.body());
        } catch (Exception e) {
            return null;
        }
    }

    /**
     * JIT and GC CPU seconds of a {@link ProcStat#threadCpu} map (digits folded: "C2 CompilerThre" is "C CompilerThre",
     * "G1 Conc#0" is "G Conc"), keyed {@link #JIT_CPU} and {@link #GC_CPU}.
     */
    static Map<String, Double> jitAndGc(Map<String, Double> threads) {
        double jit = 0;
        double gc = 0;
        for (Map.Entry<String, Double> e : threads.entrySet()) {
            String t = e.getKey();
            if (t.contains("Compiler")) {
                jit += e.getValue();
            } else if (t.startsWith("GC") || t.startsWith("G1") || t.startsWith("G ") || t.equals("VM Thread")) {
                gc += e.getValue();
            }
        }
        return Map.of(JIT_CPU, jit, GC_CPU, gc);
    }

    static Map<String, Double> parsePrometheus(String body) {
        Map<String, Double> out = new TreeMap<>();
        for (String l : body.split("\n")) {
            if (!l.startsWith("tributary_") && !l.startsWith("jvm_memory_used_bytes") && !l.startsWith("jvm_gc_pause_seconds_sum")) {
                continue;
            }
            int brace = l.indexOf('{');
            int sp = l.lastIndexOf(' ');
            if (sp < 0) {
                continue;
            }
            String name = brace > 0 && brace < sp ? l.substring(0, brace) : l.substring(0, sp).trim();
            try {
                double v = Double.parseDouble(l.substring(sp + 1).trim());
                out.merge(name, v, Double::sum);
                java.util.regex.Matcher lbl = KEPT_LABEL.matcher(brace > 0 && brace < sp ? l.substring(brace, sp) : "");
                if (lbl.find()) {
                    out.merge(name + "{" + lbl.group(1) + "=" + lbl.group(2) + "}", v, Double::sum);
                }
            } catch (NumberFormatException ignored) {
                // NaN or odd line
            }
        }
        return out;
    }

    List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    /** CPU seconds at {@code atMillis}, linearly interpolated between samples (or the nearest). */
    double cpuAt(long atMillis) {
        List<Sample> s = samples();
        if (s.isEmpty()) {
            return Double.NaN;
        }
        Sample prev = s.get(0);
        if (atMillis <= prev.atMillis) {
            return prev.cpuS;
        }
        for (Sample x : s) {
            if (x.atMillis >= atMillis) {
                double f = (atMillis - prev.atMillis) / (double) Math.max(1, x.atMillis - prev.atMillis);
                return prev.cpuS + f * (x.cpuS - prev.cpuS);
            }
            prev = x;
        }
        return prev.cpuS;
    }

    /** Epoch ms of the first sample whose metric exceeds {@code threshold}, or -1. */
    long firstTimeAbove(String name, double threshold) {
        for (Sample x : samples()) {
            if (x.metrics != null && x.metrics.getOrDefault(name, 0.0) > threshold) {
                return x.atMillis;
            }
        }
        return -1;
    }

    /** The first sample whose metric exceeds {@code threshold}, or null. */
    Sample firstSampleAbove(String name, double threshold) {
        for (Sample x : samples()) {
            if (x.metrics != null && x.metrics.getOrDefault(name, 0.0) > threshold) {
                return x;
            }
        }
        return null;
    }

    /** Largest value seen of a metric, or null. */
    Double maxMetric(String name) {
        Double max = null;
        for (Sample x : samples()) {
            if (x.metrics != null && x.metrics.containsKey(name)) {
                double v = x.metrics.get(name);
                max = max == null ? v : Math.max(max, v);
            }
        }
        return max;
    }

    @Override
    public void close() {
        stop = true;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
