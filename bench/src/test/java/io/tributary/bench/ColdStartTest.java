package io.tributary.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ColdStartTest {
    @TempDir
    Path tmp;

    private Path jdk(String name, String version) throws Exception {
        Path home = tmp.resolve(name);
        Files.createDirectories(home.resolve("bin"));
        Path java = Files.createFile(home.resolve("bin/java"));
        java.toFile().setExecutable(true);
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"x\"\nJAVA_VERSION=\"" + version + "\"\nJAVA_RUNTIME_VERSION=\""
                + version + "+9\"\n");
        return home;
    }

    @Test
    void findsAJdkByItsReleaseFilePreferringTemurin() throws Exception {
        jdk("java-17-openjdk-amd64", "17.0.15");
        jdk("a-25-jdk", "25.0.1");
        Path temurin = jdk("temurin-25-jdk-amd64", "25.0.3");
        assertThat(ColdStart.findJdk(25, null, tmp)).isEqualTo(temurin);
        assertThat(ColdStart.findJdk(17, "", tmp)).isEqualTo(tmp.resolve("java-17-openjdk-amd64"));
        assertThat(ColdStart.findJdk(21, null, tmp)).isNull();
        assertThat(ColdStart.findJdk(25, null, tmp.resolve("nowhere"))).isNull();
    }

    @Test
    void anOverrideWinsAndMustHaveAJava() throws Exception {
        Path other = jdk("custom", "25.0.0");
        jdk("temurin-25-jdk-amd64", "25.0.3");
        assertThat(ColdStart.findJdk(25, other.toString(), tmp)).isEqualTo(other);
        assertThat(ColdStart.findJdk(25, tmp.resolve("missing").toString(), tmp)).isNull();
    }

    @Test
    void releaseFeatureParsesOldAndNewSchemes() throws Exception {
        assertThat(ColdStart.releaseFeature(jdk("a", "25"))).isEqualTo(25);
        assertThat(ColdStart.releaseFeature(jdk("b", "17.0.15"))).isEqualTo(17);
        assertThat(ColdStart.releaseFeature(jdk("c", "1.8.0_402"))).isEqualTo(8);
        assertThat(ColdStart.releaseFeature(tmp.resolve("none"))).isEqualTo(-1);
    }

    @Test
    void medianIgnoresMissingValues() {
        assertThat(ColdStart.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
        assertThat(ColdStart.median(List.of(4.0, 1.0, Double.NaN, 2.0, 3.0))).isEqualTo(2.5);
        assertThat(ColdStart.median(List.of(Double.NaN))).isNaN();
    }

    @Test
    void headlineKeysAreInTheResultsAndTheReport() {
        assertThat(ColdStart.headlineKeys()).containsExactly("coldstart_first_commit_s_jdk17", "coldstart_first_commit_cpu_s_jdk17",
                "coldstart_first_commit_s_jdk25", "coldstart_first_commit_cpu_s_jdk25", "coldstart_first_commit_s_jdk25_aot",
                "coldstart_first_commit_cpu_s_jdk25_aot", "coldstart_first_commit_s_jdk25_aot_coh",
                "coldstart_first_commit_cpu_s_jdk25_aot_coh", "coldstart_first_commit_s_jdk25_aot_coh_late_c2",
                "coldstart_first_commit_cpu_s_jdk25_aot_coh_late_c2", "coldstart_cpu_ratio_adopted_vs_jdk17");
        assertThat(Results.HEADLINE).containsAll(ColdStart.headlineKeys());
        String md = Report.markdown(new Results(), null);
        assertThat(md).contains("Cold start -> first commit, JDK 25 + AOT cache").contains("adopted runtime / JDK 17");
        assertThat(Bench.STAGES).containsSubsequence("avro", "coldstart", "freshness");
        assertThat(ColdStart.ALL.stream().map(ColdStart.Variant::key)).contains(ColdStart.ADOPTED);
    }

    @Test
    void variantFlags() {
        Path c = Path.of("/x/runner.aot");
        assertThat(ColdStart.JDK17.flags(c)).isEmpty();
        assertThat(ColdStart.JDK25.flags(c)).isEmpty();
        assertThat(ColdStart.AOT.flags(c)).containsExactly("-XX:AOTMode=on", "-XX:AOTCache=/x/runner.aot");
        assertThat(ColdStart.AOT_COH.flags(c)).containsExactly("-XX:+UseCompactObjectHeaders", "-XX:AOTMode=on",
                "-XX:AOTCache=/x/runner.aot");
        assertThat(ColdStart.LATE.flags(c)).containsExactly("-XX:+UseCompactObjectHeaders",
                "-XX:Tier4InvocationThreshold=40000", "-XX:Tier4MinInvocationThreshold=4800",
                "-XX:Tier4CompileThreshold=120000", "-XX:Tier4BackEdgeThreshold=320000", "-XX:AOTMode=on",
                "-XX:AOTCache=/x/runner.aot");
        // the adopted variant is what every bench runner, the launcher and the local scaler run
        assertThat(ColdStart.adopted().flags(c)).containsSubsequence(RunnerRuntime.FLAGS);
    }

    private static ColdStart.Run run(ColdStart.Variant v, int round, double firstCpu, double backlogCpu) {
        return new ColdStart.Run(v, round, 2, 1.5, 3, 4, firstCpu, 9, backlogCpu, 2, 4, 800);
    }

    @Test
    void summaryTakesMediansAndTheAdoptedRatio() {
        Bench bench = new Bench(Sizes.quick(), tmp, tmp.resolve("out"), java.util.Set.of("coldstart"), false, false);
        ColdStart cs = new ColdStart(bench); // summarize only reads and writes the bench's results
        List<ColdStart.Run> runs = new ArrayList<>();
        runs.add(run(ColdStart.JDK17, 1, 8, 12));
        runs.add(run(ColdStart.JDK17, 2, 7, 11));
        runs.add(run(ColdStart.JDK17, 3, 9, 13));
        ColdStart.Variant adopted = ColdStart.adopted();
        runs.add(run(adopted, 1, 4, 6));
        runs.add(run(adopted, 2, 3, 5));
        runs.add(run(adopted, 3, 5, 7));
        ObjectNode d = bench.results().details("coldstart");
        cs.summarize(runs, 120, d);
        Results r = bench.results();
        assertThat(r.get("coldstart_first_commit_cpu_s_jdk17")).isEqualTo(8.0);
        assertThat(r.get(adopted.firstCommitCpuKey())).isEqualTo(4.0);
        assertThat(r.get(adopted.firstCommitKey())).isEqualTo(4.0);
        assertThat(r.get("coldstart_cpu_ratio_adopted_vs_jdk17")).isEqualTo(0.5);
        assertThat(r.get("coldstart_first_commit_cpu_s_jdk25")).isNull();
        assertThat(d.get("jdk17_first_commit_cpu_s_runs").asText()).isEqualTo("8 7 9");
        assertThat(d.get(adopted.key() + "_backlog_mb_per_cpu_s").asDouble()).isEqualTo(20.0);
        assertThat(d.get("backlog_cpu_ratio_adopted_vs_jdk17").asDouble()).isEqualTo(0.5);
    }
}
