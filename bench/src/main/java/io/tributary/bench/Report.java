package io.tributary.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a {@link Results} object (complete or partial) as the Markdown summary and the SVG chart
 * of throughput and freshness over time. Pure functions of the JSON, so {@code tributary bench
 * --report FILE.json} can redo them from any earlier run.
 */
final class Report {
    private Report() {
    }

    private record Row(String key, String label, String unit, String target) {
    }

    private static final List<Row> ROWS = List.of(
            new Row("ceiling_mb_per_cpu_s", "Ceiling: decode + Parquet encode, in-process", "MB JSON / CPU-s", null),
            new Row("raw_consume_mb_per_cpu_s", "Raw KafkaConsumer drain", "MB / CPU-s", null),
            new Row("e2e_mb_per_cpu_s", "End-to-end, one runner (Kafka -> S3 + commits)", "MB JSON / runner CPU-s", ">= 60"),
            new Row("e2e_wall_mb_s", "End-to-end wall throughput", "MB/s", null),
            new Row("e2e_ratio_to_ceiling", "End-to-end / ceiling", "ratio", ">= 0.8"),
            new Row("composite_limit_mb_per_cpu_s", "Composite limit: fetch + decode + encode on one core, 1 / (1/raw + 1/decode"
                    + " + 1/encode), this run, measured before and after e2e (mean CPU per MB)", "MB JSON / CPU-s", null),
            new Row("e2e_ratio_to_composite", "End-to-end / composite limit (JIT and everything else included)", "ratio",
                    ">= 0.85"),
            new Row("e2e_time_to_visible_s", "Ours: start to all committed", "s", null),
            new Row("requests_per_gb", "End-to-end requests per GB of input (S3 PUTs + DynamoDB writes, backlog: size cuts)",
                    "requests / GB", null),
            new Row("requests_per_partition_day", "Requests per partition-day if it always has data (max_age 5 s, per commit"
                    + " as in e2e)", "requests / partition-day", null),
            new Row("avro_ceiling_rows_per_cpu_s", "Avro ceiling: decode + encode, same events as Avro (per row)", "rows / CPU-s",
                    null),
            new Row("avro_decode_mb_per_cpu_s", "Avro decode alone (per MB of Avro, ~118 B/event vs ~250 JSON)", "MB Avro / CPU-s",
                    null),
            new Row("avro_e2e_mb_per_cpu_s", "Avro end-to-end through the schema registry", "MB Avro / runner CPU-s", null),
            new Row("avro_e2e_rows_per_cpu_s", "Avro end-to-end, per row", "rows / runner CPU-s", null),
            new Row("json_e2e_rows_per_cpu_s", "JSON end-to-end, per row (same events)", "rows / runner CPU-s", null),
            new Row("coldstart_first_commit_s_jdk17", "Cold start -> first commit (backlog, max_age 1 s), JDK 17", "s", null),
            new Row("coldstart_first_commit_cpu_s_jdk17", "Cold start -> first commit, JDK 17", "runner CPU-s", null),
            new Row("coldstart_first_commit_s_jdk25", "Cold start -> first commit, JDK 25", "s", null),
            new Row("coldstart_first_commit_cpu_s_jdk25", "Cold start -> first commit, JDK 25", "runner CPU-s", null),
            new Row("coldstart_first_commit_s_jdk25_aot", "Cold start -> first commit, JDK 25 + AOT cache", "s", null),
            new Row("coldstart_first_commit_cpu_s_jdk25_aot", "Cold start -> first commit, JDK 25 + AOT cache", "runner CPU-s",
                    null),
            new Row("coldstart_first_commit_s_jdk25_aot_coh", "Cold start -> first commit, JDK 25 + AOT + compact headers", "s",
                    null),
            new Row("coldstart_first_commit_cpu_s_jdk25_aot_coh", "Cold start -> first commit, JDK 25 + AOT + compact headers",
                    "runner CPU-s", null),
            new Row("coldstart_first_commit_s_jdk25_aot_coh_late_c2",
                    "Cold start -> first commit, JDK 25 + AOT + compact headers + later C2 (adopted)", "s", null),
            new Row("coldstart_first_commit_cpu_s_jdk25_aot_coh_late_c2",
                    "Cold start -> first commit, JDK 25 + AOT + compact headers + later C2 (adopted)", "runner CPU-s", null),
            new Row("coldstart_cpu_ratio_adopted_vs_jdk17", "Cold start CPU to first commit, adopted runtime / JDK 17", "ratio",
                    "<= 0.5"),
            new Row("freshness_p50_s", "Freshness p50 (commit - record time), max_age 1 s", "s", null),
            new Row("freshness_p99_s", "Freshness p99", "s", "<= 2"),
            new Row("freshness_max_s", "Freshness max", "s", null),
            new Row("iceberg_freshness_p50_s", "Iceberg freshness p50 (snapshot commit - record time), commit_interval 2 s", "s",
                    null),
            new Row("iceberg_freshness_p99_s", "Iceberg freshness p99", "s", "<= 5"),
            new Row("iceberg_freshness_max_s", "Iceberg freshness max", "s", null),
            new Row("freshness_runner_mb_per_cpu_s", "Runner during freshness (publication on; compare e2e)", "MB JSON / runner CPU-s",
                    null),
            new Row("compaction_parts_per_gb_before", "Compaction: live parts per GB of Parquet, before one pass (128 MiB target)",
                    "parts / GB", null),
            new Row("compaction_parts_per_gb_after", "Compaction: live parts per GB, after the pass", "parts / GB", null),
            new Row("compaction_cpu_s_per_gb", "Compaction: CPU per GB rewritten (bench JVM, all threads)", "CPU-s / GB", null),
            new Row("compaction_wall_s_per_gb", "Compaction: wall time per GB rewritten", "s / GB", null),
            new Row("compaction_duckdb_scan_ms_before", "DuckDB full scan (count, sum) of the live parts, before", "ms", null),
            new Row("compaction_duckdb_scan_ms_after", "DuckDB full scan, after compaction", "ms", null),
            new Row("compaction_iceberg_scan_ms_before", "Iceberg generic read of the table, before", "ms", null),
            new Row("compaction_iceberg_scan_ms_after", "Iceberg generic read, after the RewriteFiles snapshot", "ms", null),
            new Row("failover_p50_s", "Failover p50 (kill -> moved partitions commit again)", "s", null),
            new Row("failover_max_s", "Failover max", "s", "<= 5"),
            new Row("runner_peak_rss_mb", "Runner peak RSS (VmHWM)", "MiB", null),
            new Row("runner_buffered_bytes_max", "Runner buffered bytes, max seen", "bytes", null),
            new Row("runner_memory_budget_bytes", "Runner memory budget", "bytes", null),
            new Row("peer_mb_per_cpu_s", "Peer: Iceberg Kafka Connect sink", "MB JSON / worker CPU-s", null),
            new Row("peer_time_to_visible_s", "Peer: start to all records visible", "s", null),
            new Row("ratio_to_peer", "Ours / peer, per CPU-s", "ratio", "> 1"),
            new Row("peer_snapshot_interval_s", "Peer: median time between its snapshots (configured 1 s)", "s", null),
            new Row("wide_partitions", "Wide: partitions owned by one runner (steady produce over all of them)", "partitions",
                    null),
            new Row("wide_runner_peak_rss_mb", "Wide: runner peak RSS (VmHWM)", "MiB", "<= wide_rss_bound_mb"),
            new Row("wide_memory_budget_mb", "Wide: runner memory budget", "MiB", null),
            new Row("wide_rss_bound_mb", "Wide: RSS bound = budget + stated JVM/heap overhead", "MiB", null),
            new Row("wide_freshness_p99_s", "Wide: freshness p99 over all rows (commit - record time)", "s", null),
            new Row("wide_worst_partition_p99_s", "Wide: worst partition's freshness p99", "s", null),
            new Row("wide_partitions_starved", "Wide: partitions with records but no commit", "partitions", "<= 0"),
            new Row("wide_s3_puts_per_s", "Wide: S3 PUTs per second (from the chains, measured window)", "PUT/s", null),
            new Row("wide_dynamodb_writes_per_s", "Wide: DynamoDB writes per second (commit records)", "writes/s", null),
            new Row("wide_runner_cpu_s_per_mb", "Wide: runner CPU per MB of input", "CPU-s / MB JSON", null));

    private static final List<String[]> PHASES = List.of(new String[] {"fetch", "fetch (KafkaConsumer.poll)"},
            new String[] {"decode", "decode into column buffers"}, new String[] {"encode", "Parquet encode + compress"},
            new String[] {"upload", "S3 upload"}, new String[] {"commit", "commit (DynamoDB conditional write)"},
            new String[] {"jit", "JIT compiler threads"}, new String[] {"gc", "GC threads + VM thread"},
            new String[] {"other", "other (total - the rest)"});

    /** The e2e runner's CPU by phase ({@code details.e2e.cpu_attribution}), when measured. */
    private static void attribution(StringBuilder md, JsonNode a) {
        if (!a.isObject()) {
            return;
        }
        md.append("E2E runner CPU from the first consumed record to all committed (").append(fmt(a.path("window_cpu_s")
                .asDouble())).append(" CPU-s for ").append(fmt(a.path("input_mb").asDouble())).append(" MB):\n\n");
        md.append("| phase | CPU-s | share | MB / CPU-s | ms CPU / MB |\n|---|---:|---:|---:|---:|\n");
        for (String[] p : PHASES) {
            JsonNode o = a.path(p[0]);
            if (!o.isObject()) {
                continue;
            }
            md.append("| ").append(p[1]).append(" | ").append(fmt(o.path("cpu_s").asDouble())).append(" | ")
                    .append(fmt(o.path("share").asDouble() * 100)).append(" % | ")
                    .append(o.path("mb_per_cpu_s").isNumber() ? fmt(o.path("mb_per_cpu_s").asDouble()) : "—").append(" | ")
                    .append(fmt(o.path("ms_per_mb").asDouble())).append(" |\n");
        }
        md.append('\n');
    }

    /** How the e2e drain was cut into parts (commits, rows per part, parts per GB, flush reasons), when measured. */
    private static void parts(StringBuilder md, JsonNode e2e) {
        if (!e2e.path("commits").isNumber()) {
            return;
        }
        md.append("E2E parts: ").append(e2e.path("commits").asLong()).append(" commits, ")
                .append(fmt(e2e.path("avg_part_rows").asDouble())).append(" rows per part on average, ")
                .append(fmt(e2e.path("parts_per_gb").asDouble())).append(" parts per GB of input; flush reasons:");
        List<String> reasons = new ArrayList<>();
        for (Map.Entry<String, JsonNode> f : iter(e2e.path("flush_reasons"))) {
            reasons.add(" " + f.getKey() + " " + f.getValue().asLong());
        }
        md.append(reasons.isEmpty() ? " —" : String.join(",", reasons)).append(".\n\n");
    }

    static String markdown(Results r, String svgFileName) {
        JsonNode root = r.root;
        StringBuilder md = new StringBuilder();
        md.append("# Tributary bench — ").append(text(root, "timestamp")).append(" (").append(text(root, "mode")).append(")\n\n");
        JsonNode m = root.path("machine");
        md.append("Machine: ").append(m.path("cores").asText("?")).append(" cores (")
                .append(m.path("cpu_model").asText("?")).append("), ").append(m.path("memory_mb").asText("?"))
                .append(" MiB, JDK ").append(m.path("jdk").asText("?")).append(", load average at start ")
                .append(m.path("loadavg_start").asText("?")).append(", at end ").append(m.path("loadavg_end").asText("?"))
                .append(". Commit `").append(text(root, "git_commit")).append("`.\n\n");
        md.append("MB = 10^6 bytes of input JSON. CPU-s = utime+stime of the measured process (the ceiling: thread CPU"
                + " time), so other load on the machine matters less than for wall-clock numbers.\n\n");
        md.append("| measure | value | unit | target |\n|---|---:|---|---|\n");
        for (Row row : ROWS) {
            Double v = r.get(row.key);
            md.append("| ").append(row.label).append(" | ").append(v == null ? "—" : fmt(v)).append(" | ").append(row.unit)
                    .append(" | ").append(row.target == null ? "" : row.target + " " + verdict(r, v, row.target)).append(" |\n");
        }
        md.append('\n');
        attribution(md, root.path("details").path("e2e").path("cpu_attribution"));
        parts(md, root.path("details").path("e2e"));
        if (svgFileName != null) {
            md.append("![throughput and freshness over time](").append(svgFileName).append(")\n\n");
        }
        JsonNode notes = root.path("notes");
        if (notes.size() > 0) {
            md.append("## Notes\n\n");
            for (JsonNode n : notes) {
                md.append("- ").append(n.asText().replace("\n", " ")).append('\n');
            }
            md.append('\n');
        }
        JsonNode details = root.path("details");
        if (details.size() > 0) {
            md.append("## Details\n\n");
            for (Map.Entry<String, JsonNode> e : iter(details)) {
                md.append("**").append(e.getKey()).append("**: ");
                List<String> kv = new ArrayList<>();
                for (Map.Entry<String, JsonNode> f : iter(e.getValue())) {
                    if (f.getValue().isContainerNode()) {
                        continue;
                    }
                    kv.add(f.getKey() + " " + (f.getValue().isNumber() ? fmt(f.getValue().asDouble()) : f.getValue().asText()));
                }
                md.append(String.join(", ", kv)).append("\n\n");
                JsonNode hot = e.getValue().path("hot_methods");
                if (hot.isArray() && hot.size() > 0) {
                    md.append("| share of samples | top frame |\n|---:|---|\n");
                    for (JsonNode h : hot) {
                        md.append("| ").append(fmt(h.path("share").asDouble() * 100)).append(" % | `")
                                .append(h.path("frame").asText()).append("` |\n");
                    }
                    md.append('\n');
                }
                JsonNode pk = e.getValue().path("by_package");
                if (pk.isObject() && pk.size() > 0) {
                    md.append("| share of samples | code |\n|---:|---|\n");
                    for (Map.Entry<String, JsonNode> f : iter(pk)) {
                        md.append("| ").append(fmt(f.getValue().asDouble() * 100)).append(" % | ").append(f.getKey()).append(" |\n");
                    }
                    md.append('\n');
                }
            }
        }
        return md.toString();
    }

    /** The target's right-hand side is a number or the key of another field ({@code <= wide_rss_bound_mb}). */
    static String verdict(Results r, Double v, String target) {
        String[] t = target.split(" ");
        Double bound = t[1].matches("[0-9.]+") ? Double.valueOf(t[1]) : r.get(t[1]);
        if (v == null || bound == null) {
            return "(not measured)";
        }
        double x = bound;
        boolean ok = switch (t[0]) {
            case ">=" -> v >= x;
            case "<=" -> v <= x;
            case ">" -> v > x;
            default -> false;
        };
        return ok ? "met" : "**missed**";
    }

    static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.format(Locale.ROOT, "%d", (long) v);
        }
        double a = Math.abs(v);
        return String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f", v);
    }

    private static String text(JsonNode n, String k) {
        JsonNode v = n.get(k);
        return v == null || v.isNull() ? "?" : v.asText();
    }

    private static Iterable<Map.Entry<String, JsonNode>> iter(JsonNode n) {
        return n::fields;
    }

    // ------------------------------------------------------------------------------ SVG

    private record Line(String name, String color, List<double[]> points) {
    }

    /** Two panels: throughput (ours vs peer) and freshness, each over seconds since its stage began. */
    static String svg(Results r) {
        JsonNode s = r.root.path("series");
        List<Line> tput = new ArrayList<>();
        addLine(tput, s, "e2e_visible", 1, "Tributary, one runner: MB committed", "#1f77b4");
        addLine(tput, s, "peer_throughput", 2, "Iceberg Kafka Connect sink: MB visible", "#d62728");
        List<Line> fresh = new ArrayList<>();
        addLine(fresh, s, "freshness", 2, "max age of a row at commit (s)", "#ff7f0e");
        addLine(fresh, s, "freshness", 1, "median age of a row at commit (s)", "#2ca02c");
        addLine(fresh, s, "iceberg_freshness", 2, "max age of a row at its Iceberg snapshot (s)", "#9467bd");
        addLine(fresh, s, "iceberg_freshness", 1, "median age of a row at its Iceberg snapshot (s)", "#17becf");
        int w = 860;
        int h = 300;
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(w).append("\" height=\"").append(2 * h + 20)
                .append("\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        panel(svg, 0, w, h, "Input MB visible to readers over time, same pre-loaded topic (slope = throughput)",
                "s since the process started", "MB", tput);
        panel(svg, h + 20, w, h, "Freshness over time (steady produce at half capacity, max_age 1 s, Iceberg commit_interval 2 s)", "s since start", "s",
                fresh);
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void addLine(List<Line> out, JsonNode series, String name, int col, String label, String color) {
        JsonNode rows = series.path(name).path("rows");
        if (!rows.isArray() || rows.size() == 0) {
            return;
        }
        List<double[]> pts = new ArrayList<>();
        for (JsonNode row : rows) {
            if (row.size() > col && row.get(col).isNumber()) {
                pts.add(new double[] {row.get(0).asDouble(), row.get(col).asDouble()});
            }
        }
        out.add(new Line(label, color, pts));
    }

    private static void panel(StringBuilder svg, int y0, int w, int h, String title, String xLabel, String yLabel, List<Line> lines) {
        int left = 60;
        int right = 20;
        int top = 30;
        int bottom = 45;
        int pw = w - left - right;
        int ph = h - top - bottom;
        svg.append("<g transform=\"translate(0,").append(y0).append(")\">\n");
        svg.append("<text x=\"").append(left).append("\" y=\"18\" font-size=\"14\" font-weight=\"bold\">").append(esc(title))
                .append("</text>\n");
        double xmax = 1;
        double ymax = 0;
        for (Line l : lines) {
            for (double[] p : l.points) {
                xmax = Math.max(xmax, p[0]);
                ymax = Math.max(ymax, p[1]);
            }
        }
        if (lines.isEmpty()) {
            svg.append("<text x=\"").append(left + 20).append("\" y=\"").append(top + ph / 2)
                    .append("\" fill=\"#888\">not measured in this run</text>\n</g>\n");
            return;
        }
        ymax = niceCeil(ymax <= 0 ? 1 : ymax * 1.05);
        xmax = niceCeil(xmax);
        svg.append("<rect x=\"").append(left).append("\" y=\"").append(top).append("\" width=\"").append(pw)
                .append("\" height=\"").append(ph).append("\" fill=\"none\" stroke=\"#999\"/>\n");
        for (int i = 0; i <= 5; i++) {
            double yv = ymax * i / 5;
            double yy = top + ph - ph * i / 5.0;
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/><text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    left, left + pw, yy, yy, left - 5, yy + 4, fmt(yv)));
            double xv = xmax * i / 5;
            double xx = left + pw * i / 5.0;
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", xx,
                    top + ph + 16, fmt(xv)));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", left + pw / 2,
                top + ph + 34, esc(xLabel)));
        svg.append(String.format(Locale.ROOT,
                "<text transform=\"translate(15,%d) rotate(-90)\" text-anchor=\"middle\">%s</text>%n", top + ph / 2, esc(yLabel)));
        int ly = top + 14;
        for (Line l : lines) {
            StringBuilder pts = new StringBuilder();
            for (double[] p : l.points) {
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", left + pw * p[0] / xmax, top + ph - ph * p[1] / ymax));
            }
            svg.append("<polyline fill=\"none\" stroke-width=\"1.8\" stroke=\"").append(l.color).append("\" points=\"")
                    .append(pts.toString().trim()).append("\"/>\n");
            svg.append(String.format(Locale.ROOT,
                    "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>%n",
                    left + pw - 300, ly - 4, l.color, left + pw - 284, ly, esc(l.name)));
            ly += 16;
        }
        svg.append("</g>\n");
    }

    static double niceCeil(double v) {
        double e = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
            if (m * e >= v) {
                return m * e;
            }
        }
        return 10 * e;
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
