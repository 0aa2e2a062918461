package io.tributary.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.catalog.StoredTable;
import io.tributary.infra.LocalStack;
import io.tributary.infra.LocalStackExtension;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.iceberg.catalog.TableIdentifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An independent engine reads a published table: Apache Spark in local mode with the Iceberg Spark
 * runtime (both from Maven Central), through Iceberg's SparkCatalog on the same JDBC catalog (SQLite)
 * and S3FileIO against the local S3 server.
 *
 * <p>Spark brings its own Scala and Jackson, which must not meet this module's Quarkus-managed test
 * classpath, so it runs in a child JVM with the classpath of the standalone project
 * {@code iceberg/spark-reader} (not a reactor module), resolved here with the repo's Maven wrapper
 * and cached in {@code iceberg/spark-reader/target/spark.classpath}. The child prints result rows
 * as JSON lines ({@code io.tributary.sparkreader.SparkSql}).
 */
@ExtendWith(LocalStackExtension.class)
class SparkReadIT {
  /**
   * The Spark catalog's name. JdbcCatalog keys its rows by catalog name, and SparkCatalog passes its
   * own name on: it must be the name IcebergCatalogs gives the local catalog ("tributary_" + local).
   */
  private static final String SPARK_CATALOG = "tributary_" + IcebergCatalogs.LOCAL;
  private static final long RESOLVE_TIMEOUT_MINUTES = 20;
  private static final long SPARK_TIMEOUT_MINUTES = 5;
  private static final DateTimeFormatter SQL_TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
      .withZone(ZoneOffset.UTC);

  /** What Spark's launcher (JavaModuleOptions) adds for Spark on JDK 17+. */
  private static final List<String> MODULE_OPTIONS = List.of(
      "-XX:+IgnoreUnrecognizedVMOptions",
      "--add-modules=jdk.incubator.vector",
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/java.net=ALL-UNNAMED",
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
      "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
      "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
      "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
      "--add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
      "-Djdk.reflect.useDirectMethodHandle=false",
      "-Dio.netty.tryReflectionSetAccessible=true");

  @Test
  void sparkReadsEveryLandedRowOnceWithTheKafkaTimestampsAndFiltersOnTs(LocalStack stack) throws Exception {
    Chains chains = new Chains(stack);
    StoredTable stored = chains.create(Chains.unique("spark"), 3);
    for (int round = 0; round < 2; round++) {
      for (int p = 0; p < 3; p++) {
        chains.commitPart(stored, p, 150 + 11 * p, 40); // every 40th offset is malformed: a dead letter
      }
    }
    TableIdentifier id = IcebergTables.identifier(stored.definition(), "tributary");
    Properties conf;
    try (IcebergCatalogs catalogs = new IcebergCatalogs(stack.env())) {
      Publisher publisher = new Publisher(chains.catalog, name -> catalogs.catalog(null), "tributary", "spark-it");
      Publisher.Result r = publisher.publish(stored);
      assertThat(r.outcome()).isEqualTo(Publisher.Outcome.PUBLISHED);
      assertThat(r.files()).isEqualTo(6);
      assertThat(r.rows()).isEqualTo(chains.rows);
      conf = sparkConf(stack.env(), catalogs.fileIoProperties());
    }

    // expected: every good offset once; the dead letters (offset % 40 == 0) nowhere
    Set<List<Long>> expected = new HashSet<>();
    chains.landed.forEach((p, offsets) -> offsets.forEach(o -> expected.add(List.of((long) p, o))));
    assertThat(expected).hasSize((int) chains.rows);
    assertThat(expected).noneMatch(k -> k.get(1) % 40 == 0);
    long fromOffset = 57;
    long toOffset = 233;
    String from = SQL_TS.format(Instant.ofEpochMilli(Chains.T0 + fromOffset * 1000));
    String to = SQL_TS.format(Instant.ofEpochMilli(Chains.T0 + toOffset * 1000));
    Set<List<Long>> expectedBetween = new HashSet<>();
    for (List<Long> k : expected) {
      if (k.get(1) >= fromOffset && k.get(1) <= toOffset) {
        expectedBetween.add(k);
      }
    }
    assertThat(expectedBetween).isNotEmpty().hasSizeLessThan(expected.size());

    String table = SPARK_CATALOG + "." + id;
    String between = " WHERE ts BETWEEN TIMESTAMP '" + from + "' AND TIMESTAMP '" + to + "'";
    Results results = spark(conf,
        "SELECT _file, _offset, ts, event_id, amount FROM " + table,
        "SELECT count(*) FROM " + table,
        "SELECT count(*) FROM " + table + between,
        "SELECT _file, _offset FROM " + table + between,
        "SELECT _kafka_partition, _offset, ts, event_id, amount FROM " + table);

    // 0: the rows, once each, with the Kafka/JSON timestamps and the values of the records; the
    // partition from the part each row was read from (Iceberg's _file metadata column)
    List<JsonNode> rows = results.rows(0);
    assertThat(rows).hasSize(expected.size());
    Set<List<Long>> seen = new HashSet<>();
    for (JsonNode row : rows) {
      long offset = row.get(1).asLong();
      long p = partitionOf(row.get(0).asText(), offset);
      assertThat(seen.add(List.of(p, offset))).as("(%d,%d) read once", p, offset).isTrue();
      assertThat(row.get(2).asLong()).as("ts of (%d,%d) in micros", p, offset)
          .isEqualTo((Chains.T0 + offset * 1000) * 1000);
      assertThat(row.get(3).asText()).isEqualTo("e" + offset);
      assertThat(new BigDecimal(row.get(4).asText())).isEqualByComparingTo(new BigDecimal((offset % 1000) + ".25"));
    }
    assertThat(seen).isEqualTo(expected);

    // 1: count(*) over the table
    assertThat(results.rows(1)).hasSize(1);
    assertThat(results.rows(1).get(0).get(0).asLong()).isEqualTo(chains.rows);

    // 2, 3: WHERE ts BETWEEN (inclusive both ends, literals in the session's UTC)
    assertThat(results.rows(2).get(0).get(0).asLong()).isEqualTo(expectedBetween.size());
    Set<List<Long>> seenBetween = new HashSet<>();
    for (JsonNode row : results.rows(3)) {
      long offset = row.get(1).asLong();
      seenBetween.add(List.of(partitionOf(row.get(0).asText(), offset), offset));
    }
    assertThat(results.rows(3)).hasSize(expectedBetween.size());
    assertThat(seenBetween).isEqualTo(expectedBetween);

    // 4: the Kafka partition column. Iceberg engines reserve "_partition" for a metadata column
    // (Spark refuses to project a data column of that name), so the table names the parts'
    // _partition column _kafka_partition (same field id); it must agree with the part each row is in.
    Set<List<Long>> byColumn = new HashSet<>();
    for (JsonNode row : results.rows(4)) {
      long p = row.get(0).asLong();
      long offset = row.get(1).asLong();
      assertThat(byColumn.add(List.of(p, offset))).as("(%d,%d) read once", p, offset).isTrue();
      assertThat(row.get(2).asLong()).isEqualTo((Chains.T0 + offset * 1000) * 1000);
    }
    assertThat(byColumn).isEqualTo(expected);
  }

  private static final Pattern PART = Pattern.compile("/p(\\d+)-(\\d+)-(\\d+)-[^/]*\\.parquet$");

  /** The partition of a row from its part's key ({@code .../p<partition>-<start>-<end>-<random>.parquet}). */
  private static long partitionOf(String file, long offset) {
    Matcher m = PART.matcher(file);
    assertThat(m.find()).as("a part key: %s", file).isTrue();
    assertThat(offset).as("offset within the part's range: %s", file)
        .isGreaterThanOrEqualTo(Long.parseLong(m.group(2))).isLessThan(Long.parseLong(m.group(3)));
    return Long.parseLong(m.group(1));
  }

  /** Each statement's rows (JSON arrays), or its error. */
  private record Results(List<List<JsonNode>> rows, List<String> errors) {
    List<JsonNode> rows(int n) {
      assertThat(errors.get(n)).as("statement %d failed", n).isNull();
      return rows.get(n);
    }

    String error(int n) {
      return errors.get(n);
    }
  }

  /** Spark settings: local[2], small, and the Iceberg catalog on the stack's JDBC catalog. */
  private static Properties sparkConf(Map<String, String> env, Map<String, String> fileIo) {
    Properties p = new Properties();
    p.setProperty("spark.master", "local[2]");
    p.setProperty("spark.ui.enabled", "false");
    p.setProperty("spark.sql.shuffle.partitions", "2");
    p.setProperty("spark.sql.session.timeZone", "UTC");
    p.setProperty("spark.sql.datetime.java8API.enabled", "true");
    p.setProperty("spark.driver.host", "127.0.0.1");
    p.setProperty("spark.driver.bindAddress", "127.0.0.1");
    p.setProperty("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions");
    String cat = "spark.sql.catalog." + SPARK_CATALOG;
    p.setProperty(cat, "org.apache.iceberg.spark.SparkCatalog");
    p.setProperty(cat + ".type", "jdbc");
    p.setProperty(cat + ".uri", env.get("TRIBUTARY_ICEBERG_JDBC_URI"));
    p.setProperty(cat + ".jdbc.schema-version", "V1");
    p.setProperty(cat + ".warehouse", "s3://" + LocalStack.BUCKET + "/spark-warehouse");
    // the same FileIO settings the publisher uses (io-impl, s3.endpoint, path style, keys, region)
    fileIo.forEach((k, v) -> p.setProperty(cat + "." + k, v));
    assertThat(p).containsKeys(cat + ".io-impl", cat + ".s3.endpoint", cat + ".s3.path-style-access");
    return p;
  }

  /** Runs the statements in a child JVM with Spark; returns each statement's rows (JSON arrays). */
  private static Results spark(Properties conf, String... sql) throws Exception {
    Path reader = readerDir();
    String classpath = classpath(reader);
    Path work = Files.createDirectories(reader.resolve("target/runs"));
    String stamp = Long.toString(System.currentTimeMillis());
    Path props = work.resolve("spark-" + stamp + ".properties");
    try (var w = Files.newBufferedWriter(props)) {
      conf.store(w, "SparkReadIT");
    }
    Path argfile = work.resolve("spark-" + stamp + ".args");
    Files.writeString(argfile, "-cp\n\"" + classpath.replace("\\", "\\\\") + "\"\n");
    Path stdout = work.resolve("spark-" + stamp + ".out");
    Path stderr = work.resolve("spark-" + stamp + ".log");

    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1g");
    cmd.addAll(MODULE_OPTIONS);
    cmd.add("@" + argfile);
    cmd.add("io.tributary.sparkreader.SparkSql");
    cmd.add(props.toString());
    cmd.addAll(List.of(sql));
    long start = System.nanoTime();
    Process child = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    boolean done;
    try {
      done = child.waitFor(SPARK_TIMEOUT_MINUTES, TimeUnit.MINUTES);
    } finally {
      if (child.isAlive()) {
        child.descendants().forEach(ProcessHandle::destroyForcibly);
        child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
    System.out.printf("SparkReadIT: Spark child ran %d ms (log %s)%n", (System.nanoTime() - start) / 1_000_000, stderr);
    if (!done || child.exitValue() != 0) {
      throw new AssertionError("the Spark child " + (done ? "exited " + child.exitValue() : "timed out after "
          + SPARK_TIMEOUT_MINUTES + " min") + "; last lines of " + stderr + ":\n" + tail(stderr, 60));
    }

    ObjectMapper json = new ObjectMapper();
    List<List<JsonNode>> results = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    for (int i = 0; i < sql.length; i++) {
      results.add(new ArrayList<>());
      errors.add(null);
    }
    boolean complete = false;
    List<Integer> ended = new ArrayList<>();
    for (String line : Files.readAllLines(stdout, StandardCharsets.UTF_8)) {
      if (line.startsWith("ROW ")) {
        int sp = line.indexOf(' ', 4);
        results.get(Integer.parseInt(line.substring(4, sp))).add(json.readTree(line.substring(sp + 1)));
      } else if (line.startsWith("END ")) {
        String[] f = line.split(" ");
        int n = Integer.parseInt(f[1]);
        assertThat(results.get(n)).as("rows printed for statement %d", n).hasSize(Integer.parseInt(f[2]));
        ended.add(n);
      } else if (line.startsWith("ERR ")) {
        int sp = line.indexOf(' ', 4);
        int n = Integer.parseInt(line.substring(4, sp));
        errors.set(n, json.readTree(line.substring(sp + 1)).asText());
        ended.add(n);
      } else if (line.equals("DONE")) {
        complete = true;
      }
    }
    assertThat(complete).as("the Spark child finished (output %s)", stdout).isTrue();
    assertThat(ended).hasSize(sql.length);
    return new Results(results, errors);
  }

  private static Path readerDir() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("mvnw"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("the repo root (with mvnw) above " + Path.of("").toAbsolutePath()).isNotNull();
    return dir.resolve("iceberg/spark-reader");
  }

  /**
   * The reader's classpath (its classes + Spark, Iceberg's Spark runtime, iceberg-aws-bundle, SQLite),
   * resolved and compiled with the repo's Maven wrapper unless the cached one is newer than its
   * sources and every entry is still there.
   */
  private static synchronized String classpath(Path reader) throws Exception {
    Path out = reader.resolve("target/spark.classpath");
    Path classes = reader.resolve("target/classes");
    if (upToDate(reader, out, classes)) {
      return classes + java.io.File.pathSeparator + Files.readString(out).trim();
    }
    Path root = reader.getParent().getParent();
    Files.createDirectories(reader.resolve("target"));
    Path log = reader.resolve("target/spark-reader-build.log");
    List<String> cmd = List.of(root.resolve("mvnw").toString(), "-B", "-q", "-f", reader.resolve("pom.xml").toString(),
        "package", "dependency:build-classpath", "-Dmdep.outputFile=" + out);
    long start = System.nanoTime();
    Process mvn = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    boolean done;
    try {
      done = mvn.waitFor(RESOLVE_TIMEOUT_MINUTES, TimeUnit.MINUTES);
    } finally {
      if (mvn.isAlive()) {
        mvn.descendants().forEach(ProcessHandle::destroyForcibly);
        mvn.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
    System.out.printf("SparkReadIT: resolved the Spark reader's classpath in %d ms%n",
        (System.nanoTime() - start) / 1_000_000);
    if (!done || mvn.exitValue() != 0 || !Files.isRegularFile(out)) {
      throw new AssertionError("resolving the Spark reader failed (" + String.join(" ", cmd) + "); last lines of "
          + log + ":\n" + tail(log, 40));
    }
    // build-classpath leaves an unchanged file untouched: stamp it, or the cache never hits after an edit
    Files.setLastModifiedTime(out, FileTime.fromMillis(System.currentTimeMillis()));
    return classes + java.io.File.pathSeparator + Files.readString(out).trim();
  }

  private static boolean upToDate(Path reader, Path out, Path classes) throws IOException {
    if (!Files.isRegularFile(out) || !Files.isDirectory(classes)) {
      return false;
    }
    FileTime built = Files.getLastModifiedTime(out);
    try (Stream<Path> sources = Stream.concat(Stream.of(reader.resolve("pom.xml")),
        Files.walk(reader.resolve("src")).filter(Files::isRegularFile))) {
      if (sources.anyMatch(f -> {
        try {
          return Files.getLastModifiedTime(f).compareTo(built) > 0;
        } catch (IOException e) {
          return true;
        }
      })) {
        return false;
      }
    }
    for (String entry : Files.readString(out).trim().split(java.io.File.pathSeparator)) {
      if (!entry.isBlank() && !Files.exists(Path.of(entry))) {
        return false;
      }
    }
    return true;
  }

  private static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}
