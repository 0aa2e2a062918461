package io.tributary.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Runs the terraform-free static check ({@code infra/src/main/node/hcl-check.mjs}, which parses HCL with
 * {@code @cdktf/hcl2json}) on the real {@code terraform/} tree, which must be clean, and on planted
 * violations, each of which must be reported by rule, file and block, and alone.
 *
 * <p>The script and its node_modules are in {@code infra/target/servers/node} once Maven's
 * {@code process-resources} phase has run {@code npm ci} there.
 */
class TerraformCheckTest {

  private static Path infraDir;
  private static Path repoRoot;
  private static Path checker;
  private static Path violationsDir;
  private static Result terraform;
  private static Result violations;

  /** Fixture folders under terraform-violations, each holding one planted violation. */
  private static final int FIXTURES = 7;

  @BeforeAll
  static void locate() throws Exception {
    Path cwd = Paths.get("").toAbsolutePath();
    // Surefire runs in infra/; an IDE may run in the repository root.
    infraDir = Files.isDirectory(cwd.resolve("src/main/node")) ? cwd : cwd.resolve("infra");
    repoRoot = infraDir.getParent();
    checker = infraDir.resolve("target/servers/node/hcl-check.mjs");
    assertThat(checker)
        .as("hcl-check.mjs is copied to target/servers/node by the build; run `./mvnw -pl infra process-resources`")
        .isRegularFile();
    assertThat(checker.resolveSibling("node_modules/@cdktf/hcl2json/package.json"))
        .as("npm ci must have installed @cdktf/hcl2json next to hcl-check.mjs (process-resources)")
        .isRegularFile();
    assertThat(repoRoot.resolve("terraform")).isDirectory();
    violationsDir = infraDir.resolve("src/test/resources/terraform-violations");

    // Two node processes in all: the real tree, and every fixture (one module each) at once.
    terraform = run(repoRoot.resolve("terraform"));
    violations = run(violationsDir);
  }

  @Test
  void repositoryTerraformPassesEveryRule() {
    Result r = terraform;

    assertThat(r.exitCode).as(r.output).isZero();
    assertThat(r.findings()).as(r.output).isEmpty();
    assertThat(r.output).contains(" 0 violation(s)");
    // Every module of the tree was looked at: at least the root composition, storage, service and
    // examples/complete.
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("hcl-check: \\d+ files in (\\d+) modules").matcher(r.output);
    assertThat(m.find()).as(r.output).isTrue();
    assertThat(Integer.parseInt(m.group(1))).isGreaterThanOrEqualTo(4);
  }

  @Test
  void plantedViolationsFailTheCheckAndNothingElseIsReported() {
    Result r = violations;

    assertThat(r.exitCode).as(r.output).isEqualTo(1);
    // One module per fixture, each with exactly one planted violation: no false positives.
    assertThat(r.output).contains(FIXTURES + " modules, " + FIXTURES + " violation(s)");
    assertThat(r.findings()).as(r.output).hasSize(FIXTURES);
  }

  @ParameterizedTest(name = "{0} -> [{1}]")
  @CsvSource(delimiter = '|', textBlock = """
      wildcard-action                | no-wildcard-action     | data.aws_iam_policy_document.runner statement[0]
      inline-policy-service-wildcard | no-wildcard-action     | aws_iam_role_policy.catalog.policy Statement[0]
      public-access-block-flag-false | s3-public-access-block | aws_s3_bucket_public_access_block.parts
      dynamodb-without-pitr          | dynamodb-pitr          | aws_dynamodb_table.catalog
      undeclared-var                 | undeclared-var         | aws_cloudwatch_log_group.scheduler
      variable-without-description   | variable-description   | variable.log_retention_days
      output-without-description     | output-description     | output.log_group_name
      """)
  void plantedViolationIsReportedByRuleFileAndBlock(String fixture, String rule, String block) {
    Path mainTf = violationsDir.resolve(fixture).resolve("main.tf");
    assertThat(mainTf).isRegularFile();
    String file = infraDir.relativize(mainTf).toString();

    List<String> findings = violations.findings().stream().filter(l -> l.startsWith(file + ":")).toList();

    assertThat(findings).as("exactly one finding for %s in:%n%s", file, violations.output).hasSize(1);
    assertThat(findings.get(0))
        .as("names the block")
        .contains(": " + block)
        .as("names the rule")
        .contains("[" + rule + "]");
  }

  @Test
  void messagesSayWhatIsWrong() {
    assertThat(violations.output)
        .contains("[s3-public-access-block] all four flags must be literally true; not true: block_public_policy = false")
        .contains("var.log_retention_days is used but no variable \"log_retention_days\" is declared")
        .contains("wildcard action \"dynamodb:*\"")
        .doesNotContain("dynamodb:GetItem\"")
        .contains("point_in_time_recovery { enabled = true } is required");
  }

  @Test
  void usageErrorWhenNoTerraformFiles() throws Exception {
    Result r = run(infraDir.resolve("src/main/node"));
    assertThat(r.exitCode).as(r.output).isEqualTo(2);
    assertThat(r.output).contains("no .tf files");
  }

  private record Result(int exitCode, String output) {
    List<String> findings() {
      List<String> out = new ArrayList<>();
      for (String line : output.split("\n")) {
        if (line.matches(".*:\\d+: .*\\[[a-z0-9-]+\\] .*")) {
          out.add(line);
        }
      }
      return out;
    }
  }

  private static Result run(Path dir) throws IOException, InterruptedException {
    // Run in infra/ as a developer would: paths inside it are printed relative to it.
    ProcessBuilder pb = new ProcessBuilder("node", checker.toString(), dir.toString())
        .directory(infraDir.toFile())
        .redirectErrorStream(true);
    Process p = pb.start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("hcl-check finished within 60 s").isTrue();
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }
}
