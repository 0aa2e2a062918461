package io.tributary.scheduler.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The scaler's runner flags are the launcher's: both name the AOT cache by a key over the flags, so a difference
 * would make each record its own cache, and the runners they start would not be the runtime the README measures.
 */
class RunnerFlagsTest {
  @Test
  void scalerFlagsAreTheLaunchersRunnerAotFlags() throws Exception {
    String launcher = Files.readString(Path.of("..", "tributary"));
    Matcher m = Pattern.compile("(?m)^RUNNER_AOT_FLAGS=\"([^\"]*)\"$").matcher(launcher);
    assertThat(m.find()).as("RUNNER_AOT_FLAGS in ../tributary").isTrue();
    assertThat(String.join(" ", LocalProcessScaler.AOT_FLAGS)).isEqualTo(m.group(1));
    assertThat(LocalProcessScaler.AOT_FLAGS).contains("-XX:+UseCompactObjectHeaders", "-XX:Tier4InvocationThreshold=40000");
  }
}
