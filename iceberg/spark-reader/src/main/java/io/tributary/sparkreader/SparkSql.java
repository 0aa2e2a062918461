package io.tributary.sparkreader;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Runs SQL statements in a local Spark session and prints every result row as one JSON line.
 *
 * <p>Usage: {@code SparkSql <spark.properties> <sql>...}. The properties file holds Spark settings
 * (the Iceberg catalog among them). Output on stdout, one line each:
 * {@code ROW <n> [v1, v2, ...]} for a row of statement n (0-based), {@code END <n> <rows>} after it,
 * {@code ERR <n> "<exception>"} instead when the statement failed, and {@code DONE} at the end.
 * Timestamps are printed as epoch microseconds, decimals as strings, dates as ISO strings. Spark's
 * own logging goes to stderr.
 */
public final class SparkSql {
  private SparkSql() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: SparkSql <spark.properties> <sql>...");
      System.exit(2);
    }
    // Keep stdout for results only: anything else that prints there goes to stderr.
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
        StandardCharsets.UTF_8);
    System.setOut(System.err);
    Properties props = new Properties();
    try (InputStream in = new FileInputStream(args[0])) {
      props.load(in);
    }
    SparkSession.Builder builder = SparkSession.builder().appName("tributary-spark-reader");
    for (String key : props.stringPropertyNames()) {
      builder.config(key, props.getProperty(key));
    }
    ObjectMapper json = new ObjectMapper();
    try (SparkSession spark = builder.getOrCreate()) {
      for (int i = 1; i < args.length; i++) {
        int n = i - 1;
        List<Row> rows;
        try {
          rows = spark.sql(args[i]).collectAsList();
        } catch (Exception e) {
          // a failed statement is a result too (the caller decides); the next ones still run
          e.printStackTrace();
          out.println("ERR " + n + " " + json.writeValueAsString(e.getClass().getName() + ": " + e.getMessage()));
          continue;
        }
        for (Row row : rows) {
          List<Object> values = new ArrayList<>(row.length());
          for (int c = 0; c < row.length(); c++) {
            values.add(value(row.get(c)));
          }
          out.println("ROW " + n + " " + json.writeValueAsString(values));
        }
        out.println("END " + n + " " + rows.size());
      }
    }
    out.println("DONE");
    out.flush();
  }

  private static Object value(Object v) {
    if (v instanceof Instant i) {
      return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1_000L);
    }
    if (v instanceof java.sql.Timestamp t) {
      return value(t.toInstant());
    }
    if (v instanceof BigDecimal d) {
      return d.toPlainString();
    }
    if (v instanceof LocalDate || v instanceof java.sql.Date) {
      return v.toString();
    }
    return v;
  }
}
