package io.tributary.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * What {@code tributary bench} runs once the CLI has parsed its flags: the CLI module keeps only
 * the command ({@code io.tributary.cli.BenchCommand}), the measuring lives in this module.
 */
public final class Benchmark {
    /** The stages, in the order they run (what {@code --only} and {@code --skip} name). */
    public static final List<String> STAGES = Bench.STAGES;

    private Benchmark() {
    }

    /**
     * {@code --report}: re-renders the Markdown and SVG beside an earlier (possibly partial)
     * results file and prints where they went.
     */
    public static void render(Path report) throws IOException {
        Results r = Results.read(report);
        String base = report.getFileName().toString().replaceFirst("\\.json$", "");
        Path svg = report.resolveSibling(base + ".svg");
        Files.writeString(svg, Report.svg(r));
        Files.writeString(report.resolveSibling(base + ".md"), Report.markdown(r, svg.getFileName().toString()));
        System.out.println("wrote " + report.resolveSibling(base + ".md") + " and " + svg);
    }

    /**
     * Runs {@code stages} (a subset of {@link #STAGES}) from the checkout {@code home}, writes the
     * results into {@code outDir}, prints the headline numbers and returns the results JSON.
     *
     * @param quick the smoke sizes instead of the full run
     * @param e2eMb size of the pre-loaded topic in MB, or null for the mode's default
     */
    public static Path run(Path home, Path outDir, boolean quick, Long e2eMb, Set<String> stages, boolean jfr, boolean keep)
            throws IOException {
        Sizes sizes = quick ? Sizes.quick() : Sizes.full();
        if (e2eMb != null) {
            sizes = new Sizes(sizes.mode(), sizes.ceilingEvents(), sizes.ceilingPasses(), sizes.ceilingWarmupCpuS(),
                    e2eMb * 1_000_000, sizes.partitions(), sizes.freshnessSeconds(), sizes.freshnessWarmupSeconds(),
                    sizes.failoverKills(), e2eMb * 1_000_000, sizes.stageTimeoutSeconds());
        }
        Bench bench = new Bench(sizes, home, outDir, stages, jfr, keep);
        Path json = bench.run();
        Results r = Results.read(json);
        for (String k : Results.HEADLINE) {
            Double v = r.get(k);
            System.out.printf("%-28s %s%n", k, v == null ? "null" : Report.fmt(v));
        }
        System.out.println("results: " + json);
        return json;
    }
}
