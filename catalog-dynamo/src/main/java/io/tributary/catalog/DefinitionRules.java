package io.tributary.catalog;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** The validation rules of a table definition; every failure names the field. */
final class DefinitionRules {

  static final Pattern TABLE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");
  static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
  static final Pattern COLUMN_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  static final Pattern JSON_PATH = Pattern.compile("\\$((\\.[A-Za-z0-9_-]+)|(\\[(0|[1-9][0-9]{0,8})\\]))*");
  static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  static final Pattern HOST_PORT = Pattern.compile("[A-Za-z0-9._\\[\\]:-]+:(\\d{1,5})");

  static final long MAX_ROWS = 10_000_000L;
  static final long MIN_BYTES = 1024L;
  static final long MAX_BYTES = 1L << 30;
  static final long MIN_AGE_MS = 100L;
  static final long MAX_AGE_MS = 3_600_000L;
  /** {@code flush.min_interval}: at most 24 h. */
  static final long MAX_MIN_INTERVAL_MS = 86_400_000L;
  static final int MAX_RUNNERS = 1024;
  static final Pattern ICEBERG_NAME = Pattern.compile("[a-z][a-z0-9_]{0,254}");
  static final long MIN_COMMIT_INTERVAL_MS = 100L;
  static final long MAX_COMMIT_INTERVAL_MS = 3_600_000L;
  /** Retention: at least 1 h, at most 100 years (36500d). */
  static final long MIN_RETENTION_MS = 3_600_000L;
  static final long MAX_RETENTION_MS = 36_500L * 86_400_000L;

  private DefinitionRules() {
  }

  static InvalidDefinitionException bad(String field, String detail) {
    return new InvalidDefinitionException(field, detail);
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder("'");
    for (char c : s.toCharArray()) {
      if (c < 0x20 || c == 0x7f) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('\'').toString();
  }

  static void validate(String name, TableDefinition.Source source, List<TableDefinition.Column> columns,
      List<String> metadata, TableDefinition.Output output, TableDefinition.Flush flush,
      TableDefinition.Errors errors, TableDefinition.Scaling scaling, TableDefinition.Iceberg iceberg) {
    tableName("name", name);
    if (source == null) {
      throw bad("source", "is required");
    }
    bootstrap("source.bootstrap", source.bootstrap());
    topic("source.topic", source.topic());
    start("source.start", source.start());
    columns(columns);
    metadata(metadata);
    if (output == null) {
      throw bad("output", "is required");
    }
    bucket("output.bucket", output.bucket());
    prefix("output.prefix", output.prefix());
    range("flush.max_rows", flush.maxRows(), 1, MAX_ROWS, "");
    range("flush.max_bytes", flush.maxBytes(), MIN_BYTES, MAX_BYTES, " bytes (1KiB..1GiB)");
    range("flush.max_age", flush.maxAgeMillis(), MIN_AGE_MS, MAX_AGE_MS, " ms (100ms..1h)");
    minInterval(flush);
    if (errors.topic() != null) {
      topic("errors.topic", errors.topic());
    }
    if (scaling.minRunners() < 1 || scaling.minRunners() > MAX_RUNNERS) {
      throw bad("scaling.min_runners", "must be 1.." + MAX_RUNNERS + ", got " + scaling.minRunners());
    }
    if (scaling.maxRunners() < scaling.minRunners() || scaling.maxRunners() > MAX_RUNNERS) {
      throw bad("scaling.max_runners", "must be min_runners (" + scaling.minRunners() + ").." + MAX_RUNNERS
          + ", got " + scaling.maxRunners());
    }
    iceberg(iceberg);
  }

  /**
   * {@code flush.min_interval}: 0 (off), or at least {@code max_age} (a shorter one would never delay a cut: a
   * buffer is only cut by age once its oldest row is {@code max_age} old, so the previous cut is at least that
   * long ago) and at most 24 h.
   */
  static void minInterval(TableDefinition.Flush flush) {
    long v = flush.minIntervalMillis();
    if (v != TableDefinition.Flush.NO_MIN_INTERVAL && (v < flush.maxAgeMillis() || v > MAX_MIN_INTERVAL_MS)) {
      throw bad("flush.min_interval", "must be 0 (off) or flush.max_age (" + flush.maxAgeMillis() + " ms)..24h ("
          + MAX_MIN_INTERVAL_MS + " ms), got " + v + " ms");
    }
  }

  static void iceberg(TableDefinition.Iceberg iceberg) {
    if (iceberg.catalog() != null && !TableDefinition.Iceberg.CATALOGS.contains(iceberg.catalog())) {
      throw bad("iceberg.catalog", "must be " + String.join(" | ", TableDefinition.Iceberg.CATALOGS) + ", got "
          + quote(iceberg.catalog()));
    }
    if (iceberg.namespace() != null) {
      icebergName("iceberg.namespace", iceberg.namespace());
    }
    icebergName("iceberg.table", iceberg.table());
    range("iceberg.commit_interval", iceberg.commitIntervalMillis(), MIN_COMMIT_INTERVAL_MS, MAX_COMMIT_INTERVAL_MS,
        " ms (100ms..1h)");
  }

  /** {@code retention}: 0 keeps forever, else 1h..36500d. */
  static void retention(long millis) {
    if (millis != TableDefinition.KEEP_FOREVER && (millis < MIN_RETENTION_MS || millis > MAX_RETENTION_MS)) {
      throw bad("retention", "must be at least 1h (3600000 ms) and at most 36500d, or absent to keep rows forever, got "
          + millis + " ms");
    }
  }

  /**
   * {@code json} takes no writer schema; {@code avro}/{@code protobuf} need exactly one of {@code registry}
   * (with an http(s) {@code url}) or {@code schema} (a file's text); {@code schema.message} is Protobuf only.
   */
  static void writerSchema(TableDefinition.Format format, TableDefinition.WriterSchema ws) {
    if (format == TableDefinition.Format.JSON) {
      if (ws != null) {
        throw bad(ws.framed() ? "registry" : "schema", "is only used with format avro or protobuf; this table's format"
            + " is json");
      }
      return;
    }
    String f = format.wire();
    if (ws == null || (ws.registry() == null && ws.text() == null)) {
      throw bad("format", f + " needs a writer schema: add registry: { url: ..., subject: ... } for records framed"
          + " by a schema registry, or schema: <file> for unframed records");
    }
    if (ws.registry() != null && ws.text() != null) {
      throw bad("schema", "give either registry (framed records) or schema (unframed records), not both");
    }
    if (ws.registry() != null) {
      String url = ws.registry().url();
      if (url == null || url.isBlank()) {
        throw bad("registry.url", "is required, e.g. http://127.0.0.1:8081/apis/ccompat/v7");
      }
      if (!(url.startsWith("http://") || url.startsWith("https://"))) {
        throw bad("registry.url", "must start with http:// or https://, got " + quote(url));
      }
      if (ws.registry().subject() != null && ws.registry().subject().isBlank()) {
        throw bad("registry.subject", "must not be empty");
      }
      if ((ws.registry().username() == null) != (ws.registry().password() == null)) {
        throw bad("registry.username", "username and password go together");
      }
    } else if (ws.text().isBlank()) {
      throw bad("schema", "the schema file " + (ws.file() == null ? "" : quote(ws.file()) + " ") + "is empty");
    }
    if (ws.message() != null && format != TableDefinition.Format.PROTOBUF) {
      throw bad("schema.message", "names a Protobuf message type; this table's format is " + f);
    }
  }

  /** Iceberg namespace and table names: {@code [a-z][a-z0-9_]{0,254}}. */
  static void icebergName(String field, String v) {
    if (v == null || v.isEmpty()) {
      throw bad(field, "is required");
    }
    if (!ICEBERG_NAME.matcher(v).matches()) {
      throw bad(field, "must match [a-z][a-z0-9_]{0,254} (lower case letter first, at most 255 chars), got "
          + quote(v));
    }
  }

  /** Table names: {@code [a-z][a-z0-9_]{0,62}}. */
  static void tableName(String field, String name) {
    if (name == null || name.isEmpty()) {
      throw bad(field, "is required");
    }
    if (!TABLE_NAME.matcher(name).matches()) {
      throw bad(field, "must match [a-z][a-z0-9_]{0,62} (lower case letter first, at most 63 chars), got " + quote(name));
    }
  }

  static void bootstrap(String field, String v) {
    if (v == null || v.isBlank()) {
      throw bad(field, "is required (host:port[,host:port...])");
    }
    for (String hp : v.split(",", -1)) {
      var m = HOST_PORT.matcher(hp.trim());
      if (!m.matches() || Integer.parseInt(m.group(1)) < 1 || Integer.parseInt(m.group(1)) > 65535) {
        throw bad(field, "must be host:port[,host:port...], got " + quote(v));
      }
    }
  }

  /** Kafka topic rules: [a-zA-Z0-9._-], 1..249 chars, not "." or "..". */
  static void topic(String field, String v) {
    if (v == null || v.isEmpty()) {
      throw bad(field, "is required");
    }
    if (v.equals(".") || v.equals("..")) {
      throw bad(field, "a Kafka topic cannot be '.' or '..'");
    }
    if (v.length() > 249) {
      throw bad(field, "a Kafka topic has at most 249 characters, got " + v.length());
    }
    if (!TOPIC.matcher(v).matches()) {
      throw bad(field, "a Kafka topic may only contain [a-zA-Z0-9._-], got " + quote(v));
    }
  }

  static void start(String field, String v) {
    if (v.equals("earliest") || v.equals("latest")) {
      return;
    }
    try {
      if (Long.parseLong(v) >= 0 && !v.startsWith("+")) {
        return;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw bad(field, "must be earliest, latest or a non-negative offset, got " + quote(v));
  }

  static void columns(List<TableDefinition.Column> columns) {
    if (columns.isEmpty()) {
      throw bad("columns", "at least one column is required");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < columns.size(); i++) {
      String f = "columns[" + i + "]";
      TableDefinition.Column c = columns.get(i);
      if (c == null) {
        throw bad(f, "is null");
      }
      if (c.name() == null || c.name().isEmpty()) {
        throw bad(f + ".name", "is required");
      }
      if (!COLUMN_NAME.matcher(c.name()).matches()) {
        throw bad(f + ".name", "must match [A-Za-z_][A-Za-z0-9_]{0,127}, got " + quote(c.name()));
      }
      if (TableDefinition.METADATA_COLUMNS.contains(c.name().toLowerCase(Locale.ROOT))) {
        throw bad(f + ".name", quote(c.name()) + " clashes with the metadata column of that name");
      }
      if (!seen.add(c.name().toLowerCase(Locale.ROOT))) {
        throw bad(f + ".name", "duplicate column name " + quote(c.name()) + " (names are compared ignoring case)");
      }
      if (c.type() == null) {
        throw bad(f + ".type", "is required; expected one of " + ColumnType.KNOWN);
      }
      if (c.path() == null || !JSON_PATH.matcher(c.path()).matches()) {
        throw bad(f + ".path", "must be a JSON path like $.a.b or $.a[0].b, got "
            + (c.path() == null ? "nothing" : quote(c.path())));
      }
    }
  }

  static void metadata(List<String> metadata) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < metadata.size(); i++) {
      String m = metadata.get(i);
      if (m == null || !TableDefinition.METADATA_COLUMNS.contains(m)) {
        throw bad("metadata[" + i + "]", "must be one of " + String.join(", ", TableDefinition.METADATA_COLUMNS)
            + ", got " + (m == null ? "null" : quote(m)));
      }
      if (!seen.add(m)) {
        throw bad("metadata[" + i + "]", "duplicate metadata column " + quote(m));
      }
    }
  }

  /** S3 bucket naming rules (general purpose buckets). */
  static void bucket(String field, String v) {
    if (v == null || v.isEmpty()) {
      throw bad(field, "is required");
    }
    if (v.length() < 3 || v.length() > 63) {
      throw bad(field, "an S3 bucket name has 3..63 characters, got " + v.length());
    }
    if (!BUCKET.matcher(v).matches()) {
      throw bad(field, "an S3 bucket name uses [a-z0-9.-] and starts and ends with a letter or digit, got " + quote(v));
    }
    if (v.contains("..") || v.contains(".-") || v.contains("-.")) {
      throw bad(field, "an S3 bucket name cannot contain '..', '.-' or '-.', got " + quote(v));
    }
    if (IPV4.matcher(v).matches()) {
      throw bad(field, "an S3 bucket name cannot look like an IP address, got " + quote(v));
    }
    if (v.startsWith("xn--") || v.startsWith("sthree-") || v.endsWith("-s3alias") || v.endsWith("--ol-s3")) {
      throw bad(field, "an S3 bucket name cannot use the reserved prefix/suffix, got " + quote(v));
    }
  }

  /** Key prefixes that stay inside their bucket and inside their own directory. */
  static void prefix(String field, String v) {
    if (v == null || v.isEmpty()) {
      throw bad(field, "must not be empty");
    }
    if (v.length() > 512) {
      throw bad(field, "at most 512 characters, got " + v.length());
    }
    for (char c : v.toCharArray()) {
      if (c < 0x20 || c == 0x7f) {
        throw bad(field, "must not contain control characters, got " + quote(v));
      }
      if (c == '\\') {
        throw bad(field, "must not contain a backslash, got " + quote(v));
      }
    }
    if (v.startsWith("/")) {
      throw bad(field, "must not start with '/', got " + quote(v));
    }
    if (v.endsWith("/")) {
      throw bad(field, "must not end with '/', got " + quote(v));
    }
    for (String seg : v.split("/", -1)) {
      if (seg.isEmpty()) {
        throw bad(field, "must not contain empty segments ('//'), got " + quote(v));
      }
      if (seg.equals("..") || seg.equals(".")) {
        throw bad(field, "must not contain '" + seg + "' segments (it could escape the prefix), got " + quote(v));
      }
    }
  }

  static void range(String field, long v, long min, long max, String unit) {
    if (v < min || v > max) {
      throw bad(field, "must be " + min + ".." + max + unit + ", got " + v);
    }
  }
}
