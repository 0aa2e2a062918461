package io.tributary.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The bench's runners run what users run: {@link RunnerRuntime#FLAGS} is the launcher's RUNNER_AOT_FLAGS and the
 * runner image's RUNNER_JVM_FLAGS (the scheduler's own test ties LocalProcessScaler.AOT_FLAGS to the launcher).
 */
class RunnerFlagsTest {
    private static String quoted(Path file, String regex) throws Exception {
        Matcher m = Pattern.compile(regex).matcher(Files.readString(file));
        assertThat(m.find()).as(regex + " in " + file).isTrue();
        return m.group(1);
    }

    @Test
    void benchRunnersLauncherAndImageShareTheFlags() throws Exception {
        String flags = String.join(" ", RunnerRuntime.FLAGS);
        assertThat(quoted(Path.of("..", "tributary"), "(?m)^RUNNER_AOT_FLAGS=\"([^\"]*)\"$")).isEqualTo(flags);
        assertThat(quoted(Path.of("..", "infra", "docker", "task-runner", "Dockerfile.jvm"),
                "(?m)^ENV RUNNER_JVM_FLAGS=\"([^\"]*)\"$")).isEqualTo(flags);
        assertThat(RunnerRuntime.FLAGS).containsAll(RunnerRuntime.LATE_C2);
    }
}
