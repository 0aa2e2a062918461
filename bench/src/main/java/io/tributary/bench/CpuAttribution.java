package io.tributary.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The composite limit of the data path and where the e2e runner's CPU went.
 *
 * <p>Composite: one core that fetches, decodes and encodes every MB once moves
 * {@code 1 / (1/raw + 1/decode + 1/encode)} MB per CPU-s, from this run's raw consumer and ceiling stages.
 *
 * <p>Attribution: over the e2e window (first consumed record to all committed), the deltas of the runner's
 * {@code tributary_cpu_seconds_total{phase}} counters (thread CPU of fetch, decode, encode+compress, upload,
 * commit) and of the CPU of its JIT and GC threads ({@link Sampler#JIT_CPU}, {@link Sampler#GC_CPU}), both
 * taken at the same two instants as the process CPU; "other" is the process CPU minus all of them (start-up
 * threads, Kafka's and the SDK's own threads, sealing, metrics, the rest).
 */
final class CpuAttribution {
    /** Phase -> metric key of a sample (phases of the runner's counter, then JIT and GC thread CPU). */
    static final Map<String, String> PARTS = parts();

    private CpuAttribution() {
    }

    private static Map<String, String> parts() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String p : new String[] {"fetch", "decode", "encode", "upload", "commit"}) {
            m.put(p, "tributary_cpu_seconds_total{phase=" + p + "}");
        }
        m.put("jit", Sampler.JIT_CPU);
        m.put("gc", Sampler.GC_CPU);
        return m;
    }

    /** Puts {@code composite_limit_mb_per_cpu_s} and {@code e2e_ratio_to_composite} (null + a note when an input is missing). */
    static void composite(Results res) {
        Double raw = res.get("raw_consume_mb_per_cpu_s");
        ObjectNode ceiling = res.details("ceiling");
        Double decode = ceiling.path("decode_mb_per_cpu_s").isNumber() ? ceiling.get("decode_mb_per_cpu_s").asDouble() : null;
        Double encode = ceiling.path("encode_mb_per_cpu_s").isNumber() ? ceiling.get("encode_mb_per_cpu_s").asDouble() : null;
        if (raw == null || decode == null || encode == null || raw <= 0 || decode <= 0 || encode <= 0) {
            res.put("composite_limit_mb_per_cpu_s", null);
            res.put("e2e_ratio_to_composite", null);
            res.note("composite limit: needs raw_consume_mb_per_cpu_s (raw stage) and decode/encode_mb_per_cpu_s (ceiling"
                    + " stage) of this run; missing: " + (raw == null ? "raw " : "") + (decode == null ? "decode " : "")
                    + (encode == null ? "encode" : ""));
            return;
        }
        double composite = 1 / (1 / raw + 1 / decode + 1 / encode);
        ObjectNode bracket = res.details("composite");
        JsonNode after = bracket.path("after");
        if (after.path("raw_mb_per_cpu_s").asDouble() > 0 && after.path("decode_mb_per_cpu_s").asDouble() > 0
                && after.path("encode_mb_per_cpu_s").asDouble() > 0) {
            // measured again after e2e (Bench#bracket): the mean CPU per MB of the two, so a drift of the machine's
            // speed during the run moves the limit as it moved e2e
            double second = 1 / (1 / after.get("raw_mb_per_cpu_s").asDouble() + 1 / after.get("decode_mb_per_cpu_s").asDouble()
                    + 1 / after.get("encode_mb_per_cpu_s").asDouble());
            bracket.put("composite_before_mb_per_cpu_s", Results.round(composite))
                    .put("composite_after_mb_per_cpu_s", Results.round(second));
            composite = 2 / (1 / composite + 1 / second);
        }
        res.put("composite_limit_mb_per_cpu_s", composite);
        Double e2e = res.get("e2e_mb_per_cpu_s");
        res.put("e2e_ratio_to_composite", e2e == null ? null : e2e / composite);
    }

    /**
     * {@code d.cpu_attribution}: per part, CPU-s over the window from {@code start} to {@code end} (the
     * metrics of two samples taken with the process CPU {@code cpuStart}, {@code cpuEnd}), MB per CPU-s and ms
     * of CPU per MB for {@code mb} of input. Returns false (and writes nothing) when the runner exported no
     * phase counters.
     */
    static boolean attribute(Map<String, Double> start, double cpuStart, Map<String, Double> end, double cpuEnd, double mb,
            ObjectNode d) {
        if (start == null || end == null || !end.containsKey(PARTS.get("decode"))) {
            return false;
        }
        ObjectNode a = d.putObject("cpu_attribution");
        double total = cpuEnd - cpuStart;
        a.put("window_cpu_s", Results.round(total)).put("input_mb", Results.round(mb));
        double attributed = 0;
        for (Map.Entry<String, String> p : PARTS.entrySet()) {
            double cpu = Math.max(0, end.getOrDefault(p.getValue(), 0.0) - start.getOrDefault(p.getValue(), 0.0));
            attributed += cpu;
            part(a, p.getKey(), cpu, total, mb);
        }
        part(a, "other", total - attributed, total, mb);
        return true;
    }

    private static void part(ObjectNode a, String name, double cpu, double total, double mb) {
        ObjectNode o = a.putObject(name);
        o.put("cpu_s", Results.round(cpu)).put("share", Results.round(total > 0 ? cpu / total : 0))
                .put("ms_per_mb", Results.round(mb > 0 ? cpu * 1000 / mb : 0));
        if (cpu > 0) {
            o.put("mb_per_cpu_s", Results.round(mb / cpu));
        } else {
            o.putNull("mb_per_cpu_s");
        }
    }
}
