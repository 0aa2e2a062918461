package io.tributary.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

/**
 * CI smoke of {@code tributary bench --quick} (run by {@link QuickBenchMain} in a child JVM on this
 * module's test classpath; the CLI's {@code bench} command calls the same {@link Benchmark#run}): it
 * runs, writes the JSON, Markdown and SVG, and the JSON has every headline field (numbers are printed, never asserted: CI
 * machines are shared and noisy). It takes a few minutes (and the first run downloads the peer's
 * jars), so it runs where {@code CI=true} (as CI sets it) or with {@code TRIBUTARY_BENCH_IT=1}, and
 * {@code TRIBUTARY_BENCH_IT=0} turns it off.
 */
@EnabledIf("enabled")
class BenchQuickIT {

    static boolean enabled() {
        String it = System.getenv().getOrDefault("TRIBUTARY_BENCH_IT", "");
        if (!it.isEmpty()) {
            return it.equals("1") || it.equalsIgnoreCase("true");
        }
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    @TempDir
    Path tmp;

    @Test
    void quickBenchWritesAFullReport() throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path root = Path.of(System.getProperty("tributary.repo.root", "..")).toAbsolutePath().normalize();
        Path out = tmp.resolve("results");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Dtributary.home=" + root, "-cp", cp, QuickBenchMain.class.getName(), "--out", out.toString()));
        Path log = tmp.resolve("bench.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("TRIBUTARY_STATE_DIR", tmp.resolve("state").toString());
        Process p = pb.start();
        boolean done = p.waitFor(20, TimeUnit.MINUTES);
        if (!done) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        String output = Files.readString(log);
        System.out.println(output);
        assertThat(done).as("bench --quick finished within 20 minutes").isTrue();
        assertThat(p.exitValue()).as(output).isZero();

        Path json;
        try (Stream<Path> files = Files.list(out)) {
            json = files.filter(f -> f.toString().endsWith(".json")).findFirst().orElseThrow();
        }
        String base = json.getFileName().toString().replace(".json", "");
        assertThat(out.resolve(base + ".md")).exists();
        assertThat(out.resolve(base + ".svg")).exists();
        System.out.println(Files.readString(out.resolve(base + ".md")));
        JsonNode r = new ObjectMapper().readTree(json.toFile());
        for (String k : List.of("ceiling_mb_per_cpu_s", "raw_consume_mb_per_cpu_s", "e2e_mb_per_cpu_s", "e2e_wall_mb_s",
                "e2e_ratio_to_ceiling", "freshness_p50_s", "freshness_p99_s", "iceberg_freshness_p50_s", "iceberg_freshness_p99_s",
                "iceberg_freshness_max_s", "freshness_runner_mb_per_cpu_s", "failover_p50_s", "failover_max_s",
                "runner_peak_rss_mb", "peer_mb_per_cpu_s", "peer_time_to_visible_s", "ratio_to_peer", "peer_snapshot_interval_s",
                "compaction_parts_per_gb_before", "compaction_parts_per_gb_after", "compaction_cpu_s_per_gb",
                "compaction_duckdb_scan_ms_before", "compaction_duckdb_scan_ms_after", "compaction_iceberg_scan_ms_before",
                "compaction_iceberg_scan_ms_after", "avro_ceiling_mb_per_cpu_s", "avro_decode_mb_per_cpu_s",
                "avro_e2e_mb_per_cpu_s", "avro_e2e_rows_per_cpu_s", "wide_partitions", "wide_runner_peak_rss_mb",
                "wide_rss_bound_mb", "wide_freshness_p99_s", "wide_worst_partition_p99_s", "wide_partitions_starved",
                "wide_s3_puts_per_s", "wide_dynamodb_writes_per_s")) {
            assertThat(r.has(k)).as("field " + k).isTrue();
            assertThat(r.get(k).isNumber() || r.get(k).isNull()).as("field " + k + " is a number or null").isTrue();
        }
        assertThat(r.path("machine").path("cores").asInt()).isPositive();
        assertThat(r.path("git_commit").isTextual()).isTrue();
        assertThat(r.path("notes").isArray()).isTrue();
        // every null headline number is explained by a note
        long nulls = Stream.of("ceiling_mb_per_cpu_s", "e2e_mb_per_cpu_s", "peer_mb_per_cpu_s")
                .filter(k -> r.get(k).isNull()).count();
        if (nulls > 0) {
            assertThat(r.path("notes").size()).as("notes explain the missing numbers").isGreaterThan(1);
        }
    }
}
