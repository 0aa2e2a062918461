package io.tributary.cli;

import io.tributary.bench.Benchmark;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tributary bench [--quick]}: throughput per core, freshness, failover and memory of the
 * runner, beside the in-process ceiling and a real peer (the Apache Iceberg Kafka Connect sink),
 * measured in one run on this machine. Writes {@code bench-results/<stamp>.json}, {@code .md} and
 * {@code .svg}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure the runner's throughput per CPU-second (beside the in-process ceiling and a raw consumer),",
            "freshness, failover and memory, and the Apache Iceberg Kafka Connect sink on the same topic.",
            "Starts its own local stack; writes bench-results/<stamp>.json, .md and .svg.",
            "CPU-seconds are those of the measured process, so a busy machine distorts them less than wall time;",
            "run the full bench on a quiet machine."})
public class BenchCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--quick", description = "A smoke run of about 3 minutes (60 MB instead of 2.2 GB, shorter stages).")
    boolean quick;

    @Option(names = "--out", paramLabel = "DIR", description = "Where the results go (default: <repo>/bench-results).")
    Path out;

    @Option(names = "--only", split = ",", paramLabel = "STAGE",
            description = "Run only these stages: ceiling, raw, e2e, avro, coldstart, freshness, compaction, failover, peer, wide.")
    List<String> only;

    @Option(names = "--skip", split = ",", paramLabel = "STAGE", description = "Skip these stages.")
    List<String> skip;

    @Option(names = "--jfr", description = "Record the e2e runner with JFR and summarise where its CPU goes.")
    boolean jfr;

    @Option(names = "--keep", description = "Keep the bench's local stack data (.tributary/bench/<stamp>/stack).")
    boolean keep;

    @Option(names = "--e2e-mb", paramLabel = "MB", description = "Size of the pre-loaded topic in MB (default: 2200, --quick 60).")
    Long e2eMb;

    @Option(names = "--report", paramLabel = "FILE.json",
            description = "Only re-render the Markdown and SVG of an earlier (possibly partial) results file.")
    Path report;

    @Override
    public Integer call() throws Exception {
        Path home = Path.of(System.getProperty("tributary.home", System.getenv().getOrDefault("TRIBUTARY_HOME", ".")))
                .toAbsolutePath().normalize();
        if (report != null) {
            Benchmark.render(report);
            return 0;
        }
        Set<String> stages = new LinkedHashSet<>(only == null || only.isEmpty() ? Benchmark.STAGES : only);
        if (skip != null) {
            skip.forEach(stages::remove);
        }
        for (String s : stages) {
            if (!Benchmark.STAGES.contains(s)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "unknown stage '" + s + "'; stages: " + String.join(", ", Benchmark.STAGES));
            }
        }
        Path outDir = out != null ? out.toAbsolutePath() : home.resolve("bench-results");
        Benchmark.run(home, outDir, quick, e2eMb, stages, jfr, keep);
        return 0;
    }
}
