package io.tributary.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The bench's results as one JSON object: the headline numbers at the top level (null until a
 * stage fills them, so a partial run still yields a valid report), {@code notes}, per-stage
 * {@code details} and the time {@code series} for the chart. Written after every stage.
 */
final class Results {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The headline fields, in report order; all present, null when not measured. */
    static final List<String> HEADLINE = List.of(
            "ceiling_mb_per_cpu_s", "raw_consume_mb_per_cpu_s", "e2e_mb_per_cpu_s", "e2e_wall_mb_s", "e2e_ratio_to_ceiling",
            "composite_limit_mb_per_cpu_s", "e2e_ratio_to_composite",
            "requests_per_gb", "requests_per_partition_day",
            "freshness_p50_s", "freshness_p99_s", "freshness_max_s", "iceberg_freshness_p50_s", "iceberg_freshness_p99_s",
            "iceberg_freshness_max_s", "freshness_runner_mb_per_cpu_s", "compaction_parts_per_gb_before",
            "compaction_parts_per_gb_after", "compaction_cpu_s_per_gb", "compaction_wall_s_per_gb", "compaction_duckdb_scan_ms_before",
            "compaction_duckdb_scan_ms_after", "compaction_iceberg_scan_ms_before", "compaction_iceberg_scan_ms_after", "failover_p50_s", "failover_max_s", "runner_peak_rss_mb",
            "runner_buffered_bytes_max", "runner_memory_budget_bytes", "peer_mb_per_cpu_s", "peer_time_to_visible_s",
            "e2e_time_to_visible_s", "ratio_to_peer", "peer_snapshot_interval_s", "avro_ceiling_mb_per_cpu_s",
            "avro_decode_mb_per_cpu_s", "avro_ceiling_rows_per_cpu_s", "avro_e2e_mb_per_cpu_s", "avro_e2e_rows_per_cpu_s",
            "json_e2e_rows_per_cpu_s", "coldstart_first_commit_s_jdk17", "coldstart_first_commit_cpu_s_jdk17",
            "coldstart_first_commit_s_jdk25", "coldstart_first_commit_cpu_s_jdk25", "coldstart_first_commit_s_jdk25_aot",
            "coldstart_first_commit_cpu_s_jdk25_aot", "coldstart_first_commit_s_jdk25_aot_coh",
            "coldstart_first_commit_cpu_s_jdk25_aot_coh", "coldstart_first_commit_s_jdk25_aot_coh_late_c2",
            "coldstart_first_commit_cpu_s_jdk25_aot_coh_late_c2", "coldstart_cpu_ratio_adopted_vs_jdk17", "wide_partitions",
            "wide_runner_peak_rss_mb", "wide_memory_budget_mb", "wide_rss_bound_mb", "wide_freshness_p99_s",
            "wide_worst_partition_p99_s", "wide_partitions_starved", "wide_s3_puts_per_s", "wide_dynamodb_writes_per_s",
            "wide_runner_cpu_s_per_mb");

    final ObjectNode root;

    Results() {
        root = JSON.createObjectNode();
        root.putNull("timestamp");
        root.put("mode", "full");
        for (String k : HEADLINE) {
            root.putNull(k);
        }
        root.putObject("machine");
        root.putNull("git_commit");
        root.putArray("notes");
        root.putObject("details");
        root.putObject("series");
    }

    Results(ObjectNode root) {
        this.root = root;
    }

    static Results read(Path file) {
        try {
            return new Results((ObjectNode) JSON.readTree(file.toFile()));
        } catch (IOException | ClassCastException e) {
            throw new BenchException("cannot read " + file + ": " + e.getMessage());
        }
    }

    void put(String key, Double v) {
        if (v == null || !Double.isFinite(v)) {
            root.putNull(key);
        } else {
            root.put(key, round(v));
        }
    }

    Double get(String key) {
        JsonNode n = root.get(key);
        return n == null || n.isNull() || !n.isNumber() ? null : n.asDouble();
    }

    void note(String text) {
        ((ArrayNode) root.get("notes")).add(text);
        System.err.println("bench: note: " + text);
    }

    ObjectNode machine() {
        return (ObjectNode) root.get("machine");
    }

    /** The details object of a stage (created on first use). */
    ObjectNode details(String stage) {
        ObjectNode d = (ObjectNode) root.get("details");
        return d.has(stage) ? (ObjectNode) d.get(stage) : d.putObject(stage);
    }

    /** A time series: rows of numbers, first column the time in seconds. */
    ArrayNode series(String name, String... columns) {
        ObjectNode s = (ObjectNode) root.get("series");
        ObjectNode o = s.putObject(name);
        ArrayNode cols = o.putArray("columns");
        for (String c : columns) {
            cols.add(c);
        }
        return o.putArray("rows");
    }

    static double round(double v) {
        if (v == 0 || Math.abs(v) >= 1e12) {
            return v;
        }
        double scale = Math.pow(10, 4 - (int) Math.floor(Math.log10(Math.abs(v))));
        return Math.round(v * scale) / scale;
    }

    void write(Path file) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            JSON.writeValue(tmp.toFile(), root);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new BenchException("cannot write " + file + ": " + e.getMessage());
        }
    }
}
