package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./tributary demo}, exactly as the README writes it, {@code tributary.soak.runs} times in a
 * row (default 10) on one state directory, the way a newcomer runs it again and again. Every run must
 * exit 0 with "demo done: exactly once" and leave nothing running ({@code local status}: all stopped).
 * A failed run fails the test at once with its output. Only in the {@code soak} Maven profile
 * ({@code ./mvnw -B -pl cli verify -Psoak}), never in the default CI run; the per-run times are written
 * to {@code cli/target/soak-report.txt}. {@code -Dtributary.soak.events=N} passes {@code --events N}
 * (default: none, the README's 1,000,000).
 */
class DemoSoakIT {
    private static final Pattern DONE = Pattern.compile("demo done: exactly once, proven \\(chains, parts and Iceberg\\) in (\\d+) s");

    @TempDir
    Path state;

    @Test
    void theDemoPassesEveryTimeInARow() throws Exception {
        Path repo = Path.of(System.getProperty("tributary.repo.root", "..")).toAbsolutePath().normalize();
        for (String m : List.of("scheduler", "task-runner", "cli")) {
            assumeTrue(Files.isRegularFile(repo.resolve(m).resolve("target/quarkus-app/quarkus-run.jar")), m + " app not built");
        }
        int runs = Integer.getInteger("tributary.soak.runs", 10);
        String events = System.getProperty("tributary.soak.events", "");
        List<String> report = new ArrayList<>();
        for (int i = 1; i <= runs; i++) {
            List<String> cmd = new ArrayList<>(List.of("./tributary", "demo"));
            if (!events.isBlank()) {
                cmd.addAll(List.of("--events", events));
            }
            long t0 = System.nanoTime();
            Path out = state.resolve("demo-" + i + ".txt");
            Process p = launcher(repo, cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(15, TimeUnit.MINUTES)) {
                p.destroy();
                p.waitFor(60, TimeUnit.SECONDS);
                throw new AssertionError("run " + i + ": demo did not finish in 15 minutes\n" + ChildService.tail(out, 60));
            }
            long wall = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
            String text = Files.readString(out, StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as("run %d of %d exit code; output:\n%s", i, runs, ChildService.tail(out, 80)).isZero();
            Matcher m = DONE.matcher(text);
            assertThat(m.find()).as("run %d says 'demo done: exactly once'\n%s", i, ChildService.tail(out, 40)).isTrue();
            Process st = launcher(repo, List.of("./tributary", "local", "status")).redirectErrorStream(true).start();
            String status = new String(st.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            st.waitFor(2, TimeUnit.MINUTES);
            assertThat(status.lines().filter(l -> !l.isBlank()).toList()).as("run %d leaves the local stack stopped", i)
                    .hasSize(4).allMatch(l -> l.strip().endsWith("stopped"));
            String line = String.format("run %2d/%d: exactly once, proven in %s s (demo's own clock), %d s wall", i, runs,
                    m.group(1), wall);
            report.add(line);
            System.out.println(line);
            Files.write(Path.of("target", "soak-report.txt"), report, StandardCharsets.UTF_8);
        }
    }

    private ProcessBuilder launcher(Path repo, List<String> cmd) {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(repo.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("TRIBUTARY_") || k.startsWith("AWS_"));
        env.put("TRIBUTARY_STATE_DIR", state.toString());
        return pb;
    }
}
