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
 * violations, each of which must be reported by rule, file and block, and alone. With {@code --facts} the
 * check also prints what it parsed (resources, module calls, locals, policy statements); the Iceberg tests
 * assert on those: the Glue database exists, only the scheduler gets the Glue/S3-metadata policy, and its
 * Glue actions are exactly the table actions on the catalog, the one database and its tables.
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
  private static Result facts;

  /** Fixture folders under terraform-violations, each holding one planted violation. */
  private static final int FIXTURES = 8;

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
    facts = run("--facts", repoRoot.resolve("terraform"));
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
      glue-star-resource             | no-star-resource       | data.aws_iam_policy_document.publisher statement[0]
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
        .contains("point_in_time_recovery { enabled = true } is required")
        .contains("Resource \"*\" for actions that support resource-level scoping: glue:GetDatabase");
  }

  // ------------------------------------------------------------------ Iceberg publication (Glue)

  /** Glue actions the scheduler leader needs to register and advance Iceberg tables, and no more. */
  private static final java.util.Set<String> GLUE_ACTIONS = java.util.Set.of(
      "glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:CreateTable", "glue:UpdateTable");

  @Test
  void icebergModuleCreatesTheGlueDatabaseAndTheRootCallsIt() {
    assertThat(facts.exitCode).as(facts.output).isZero();
    String db = fact("modules/iceberg resource aws_glue_catalog_database.this ");
    assertThat(db).contains("\"name\":\"${var.database_name}\"");
    assertThat(fact("modules/iceberg local create_glue_database ")).contains("var.catalog == \\\"glue\\\"");

    String call = fact(". module iceberg ");
    assertThat(call)
        .contains("\"source\":\"./modules/iceberg\"")
        .contains("\"catalog\":\"${var.iceberg_catalog}\"")
        .contains("\"database_name\":\"${var.iceberg_namespace}\"")
        .contains("\"bucket_arn\":\"${module.storage.bucket_arn}\"");
    assertThat(fact(". local iceberg_enabled ")).contains("var.iceberg_catalog != \\\"none\\\"");
  }

  @Test
  void schedulerGetsTheIcebergPolicyAndEnvironmentButRunnersDoNot() {
    String scheduler = fact(". module scheduler ");
    assertThat(scheduler)
        .contains("module.iceberg[0].scheduler_policy_json")
        .contains("local.iceberg_environment")
        .contains("local.iceberg_secrets");
    String runner = fact(". module runner ");
    assertThat(runner).doesNotContainIgnoringCase("iceberg");
    assertThat(fact(". local common_environment ")).doesNotContain("ICEBERG");

    String env = fact(". local iceberg_environment ");
    assertThat(env)
        .contains("TRIBUTARY_ICEBERG_CATALOG = var.iceberg_catalog")
        .contains("TRIBUTARY_ICEBERG_NAMESPACE = var.iceberg_namespace")
        .contains("TRIBUTARY_ICEBERG_REST_URI")
        .contains("TRIBUTARY_ICEBERG_REST_WAREHOUSE");
    // The REST credential goes through ECS secrets (execution role reads exactly that ARN), never env.
    assertThat(env).doesNotContain("TRIBUTARY_ICEBERG_REST_CREDENTIAL");
    assertThat(fact(". local iceberg_secrets ")).contains("TRIBUTARY_ICEBERG_REST_CREDENTIAL = var.iceberg_rest_credential_secret_arn");
  }

  @Test
  void glueActionsAreExactlyTheTableActionsScopedToTheOneDatabase() {
    List<Statement> glue = statements().stream().filter(st -> st.actions.stream().anyMatch(a -> a.startsWith("glue:"))).toList();

    assertThat(glue).as("exactly one statement grants Glue actions:%n%s", facts.output).hasSize(1);
    Statement st = glue.get(0);
    assertThat(st.module).isEqualTo("modules/iceberg");
    assertThat(st.address).isEqualTo("data.aws_iam_policy_document.publisher");
    assertThat(st.effect).isEqualTo("Allow");
    assertThat(st.actions).containsExactlyInAnyOrderElementsOf(GLUE_ACTIONS);
    assertThat(st.actions).noneMatch(a -> a.contains("*")).noneMatch(a -> a.startsWith("glue:Delete"));
    assertThat(st.resources).containsExactlyInAnyOrder(
        "${local.glue_arn_prefix}:catalog",
        "${local.glue_arn_prefix}:database/${aws_glue_catalog_database.this[0].name}",
        "${local.glue_arn_prefix}:table/${aws_glue_catalog_database.this[0].name}/*");
    assertThat(fact("modules/iceberg local glue_arn_prefix "))
        .contains(":glue:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}");
    // Wherever Glue or Athena appears in a policy, never with a wildcard action or Resource "*".
    assertThat(statements())
        .filteredOn(s -> s.actions.stream().anyMatch(a -> a.startsWith("glue:") || a.startsWith("athena:")))
        .allSatisfy(s -> {
          assertThat(s.resources).doesNotContain("*");
          assertThat(s.actions).noneMatch(a -> a.endsWith(":*") || a.equals("*"));
        });
  }

  @Test
  void publisherWritesOnlyIcebergMetadataAndReadsParts() {
    List<Statement> publisher = statements().stream()
        .filter(st -> st.module.equals("modules/iceberg") && st.address.equals("data.aws_iam_policy_document.publisher")).toList();
    Statement metadata = publisher.stream().filter(st -> st.sid.equals("IcebergMetadataObjects")).findFirst().orElseThrow();
    assertThat(metadata.actions).contains("s3:PutObject", "s3:GetObject", "s3:DeleteObject");
    assertThat(metadata.resources).containsExactly("${local.metadata_object_arns}");
    assertThat(fact("modules/iceberg local metadata_object_arns ")).contains("${var.bucket_arn}/${p}*/metadata/*");
    // Writes and deletes only on metadata objects: the data parts belong to the runners' commits.
    assertThat(publisher)
        .filteredOn(st -> st.actions.stream().anyMatch(a -> a.equals("s3:PutObject") || a.equals("s3:DeleteObject")))
        .containsExactly(metadata);
    Statement footers = publisher.stream().filter(st -> st.sid.equals("ReadPartFooters")).findFirst().orElseThrow();
    assertThat(footers.actions).containsExactly("s3:GetObject");
  }

  @Test
  void exampleHasAnEnforcedAthenaEngineV3WorkgroupWritingToTheBucket() {
    String wg = fact("examples/complete resource aws_athena_workgroup.tributary ");
    assertThat(wg)
        .contains("\"enforce_workgroup_configuration\":true")
        .contains("\"selected_engine_version\":\"Athena engine version 3\"")
        .contains("\"output_location\":\"s3://${module.tributary.bucket_name}/athena-results/\"");
    assertThat(fact("examples/complete module tributary ")).contains("\"iceberg_catalog\":\"glue\"");
    assertThat(repoRoot.resolve("terraform/examples/complete/outputs.tf")).content()
        .contains("output \"athena_workgroup_name\"")
        .contains("output \"glue_database_name\"");
    assertThat(repoRoot.resolve("terraform/outputs.tf")).content().contains("output \"glue_database_name\"");
  }

  /** The one fact line starting with {@code "fact: " + prefix}, without that prefix. */
  private static String fact(String prefix) {
    List<String> hits = facts.output.lines().filter(l -> l.startsWith("fact: " + prefix)).toList();
    assertThat(hits).as("one fact '%s' in:%n%s", prefix, facts.output).hasSize(1);
    return hits.get(0).substring(("fact: " + prefix).length());
  }

  private record Statement(String module, String address, String sid, String effect, List<String> actions, List<String> resources) {}

  private static final java.util.regex.Pattern STATEMENT = java.util.regex.Pattern.compile(
      "^fact: (\\S+) statement (\\S+) (\\S+) effect=(\\S+) actions=(.*) resources=(.*)$");

  private static List<Statement> statements() {
    List<Statement> out = new ArrayList<>();
    for (String line : facts.output.split("\n")) {
      java.util.regex.Matcher m = STATEMENT.matcher(line);
      if (!m.matches()) continue;
      List<String> actions = m.group(5).isEmpty() ? List.of() : List.of(m.group(5).split(","));
      List<String> resources = m.group(6).isEmpty() ? List.of() : List.of(m.group(6).split(" \\| "));
      out.add(new Statement(m.group(1), m.group(2), m.group(3), m.group(4), actions, resources));
    }
    assertThat(out).as(facts.output).isNotEmpty();
    return out;
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
    return run(null, dir);
  }

  private static Result run(String flag, Path dir) throws IOException, InterruptedException {
    // Run in infra/ as a developer would: paths inside it are printed relative to it.
    List<String> cmd = new ArrayList<>(List.of("node", checker.toString()));
    if (flag != null) cmd.add(flag);
    cmd.add(dir.toString());
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .directory(infraDir.toFile())
        .redirectErrorStream(true);
    Process p = pb.start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("hcl-check finished within 60 s").isTrue();
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }
}
