package io.tributary.catalog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes {@link TableDefinition}s: YAML from users (with {@code ${VAR}} expansion and
 * line-numbered errors), canonical JSON for the catalog's {@code definition} attribute and gRPC.
 * The mapping is explicit (no reflection), so it works unchanged in a native image.
 */
public final class TableDefinitions {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFactory JSON = new JsonFactory();
  private static final YAMLFactory YAML = new YAMLFactory();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)\\}");
  private static final Pattern SIZE = Pattern.compile("(\\d{1,19})\\s*([A-Za-z]*)");
  private static final Pattern AGE = Pattern.compile("(\\d{1,19})\\s*(ms|s|m|h)?");
  private static final Pattern RETENTION = Pattern.compile("(\\d{1,19})\\s*(d|h|m|s)?");

  private static final Set<String> TOP_KEYS = Set.of("name", "source", "format", "columns", "metadata", "output",
      "flush", "errors", "scaling", "iceberg", "retention", "registry", "schema");
  /** JSON (catalog, gRPC) also carries the field ids; users never write them in YAML. */
  private static final Set<String> JSON_TOP_KEYS = union(TOP_KEYS, Set.of("field_ids", "last_field_id"));
  private static final Set<String> SOURCE_KEYS = Set.of("bootstrap", "topic", "start");
  private static final Set<String> COLUMN_KEYS = Set.of("name", "type", "path", "nullable");
  private static final Set<String> OUTPUT_KEYS = Set.of("bucket", "prefix", "compression");
  private static final Set<String> FLUSH_KEYS = Set.of("max_rows", "max_bytes", "max_age", "min_interval");
  private static final Set<String> ERRORS_KEYS = Set.of("policy", "topic");
  private static final Set<String> SCALING_KEYS = Set.of("min_runners", "max_runners");
  private static final Set<String> REGISTRY_KEYS = Set.of("url", "subject", "username", "password");
  private static final Set<String> SCHEMA_KEYS = Set.of("file", "text", "message");
  private static final Set<String> ICEBERG_KEYS = Set.of("enabled", "catalog", "namespace", "table",
      "commit_interval");

  private TableDefinitions() {
  }

  /**
   * Parses a YAML definition file. {@code ${VAR}} in values is replaced from {@code env} (an unset
   * variable is an error naming it; comments are not expanded; inside a flow mapping {@code { }}
   * quote it: {@code "${VAR}"}). Unknown keys, duplicate keys and
   * bad values throw {@link InvalidDefinitionException} with {@code line N: field: message}.
   */
  public static TableDefinition fromYaml(String text, Map<String, String> env) {
    return fromYaml(text, env, java.nio.file.Path.of(""));
  }

  /**
   * As {@link #fromYaml(String, Map)}; a {@code schema} file named in the definition is read relative to
   * {@code baseDir} (the directory of the YAML file) and its text kept in the definition.
   */
  public static TableDefinition fromYaml(String text, Map<String, String> env, java.nio.file.Path baseDir) {
    Map<String, Integer> lines = new HashMap<>();
    JsonNode root;
    try (JsonParser p = YAML.createParser(text)) {
      root = readTree(p, env == null ? Map.of() : env, lines);
      if (p.nextToken() != null) {
        throw new InvalidDefinitionException("(document)", "only one YAML document is allowed",
            p.currentTokenLocation().getLineNr());
      }
    } catch (InvalidDefinitionException e) {
      throw e.line() > 0 ? e : e.atLine(lineOf(e.field(), lines));
    } catch (JsonProcessingException e) {
      throw new InvalidDefinitionException("(document)", "not valid YAML: " + e.getOriginalMessage(),
          e.getLocation() == null ? 0 : e.getLocation().getLineNr());
    } catch (IOException e) {
      throw new InvalidDefinitionException("(document)", "cannot read: " + e.getMessage());
    }
    try {
      return fromTree(root, false, baseDir);
    } catch (InvalidDefinitionException e) {
      throw e.atLine(lineOf(e.field(), lines));
    }
  }

  /**
   * Parses a JSON definition (canonical or hand-written; the same keys and value forms as the YAML
   * file, no variable expansion). Errors name the field, without a line.
   */
  public static TableDefinition fromJson(String json) {
    JsonNode root;
    try (JsonParser p = JSON.createParser(json)) {
      root = readTree(p, null, new HashMap<>());
      if (p.nextToken() != null) {
        throw new InvalidDefinitionException("(document)", "trailing content after the definition");
      }
    } catch (JsonProcessingException e) {
      throw new InvalidDefinitionException("(document)", "not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new InvalidDefinitionException("(document)", "cannot read: " + e.getMessage());
    }
    return fromTree(root, true, null);
  }

  /**
   * Canonical JSON: every field present (defaults filled), fixed key order, {@code max_bytes} in
   * bytes, {@code max_age} and {@code iceberg.commit_interval} in milliseconds, {@code errors.topic}
   * only when set, then {@code field_ids} (name -> id, columns then metadata columns) and
   * {@code last_field_id}. Stored in the catalog's {@code definition} attribute and sent over gRPC.
   * A JSON without {@code iceberg} reads back with its defaults, one without {@code field_ids} with
   * positional ids (tables created before they existed). {@code retention} (ms) is present only when
   * set; without it rows are kept forever. {@code flush.min_interval} (ms) likewise only when set, so a
   * definition that does not use it keeps the exact JSON it had before the key existed.
   */
  public static String toJson(TableDefinition d) {
    try {
      return MAPPER.writeValueAsString(toTree(d));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise definition of " + d.name(), e);
    }
  }

  /** The canonical JSON as a tree. */
  public static ObjectNode toTree(TableDefinition d) {
    ObjectNode o = NODES.objectNode();
    o.put("name", d.name());
    ObjectNode s = o.putObject("source");
    s.put("bootstrap", d.source().bootstrap());
    s.put("topic", d.source().topic());
    if (d.source().startOffset().isPresent()) {
      s.put("start", d.source().startOffset().getAsLong());
    } else {
      s.put("start", d.source().start());
    }
    o.put("format", d.format().wire());
    TableDefinition.WriterSchema ws = d.writerSchema();
    if (ws != null && ws.registry() != null) {
      ObjectNode r = o.putObject("registry");
      r.put("url", ws.registry().url());
      putIfSet(r, "subject", ws.registry().subject());
      putIfSet(r, "username", ws.registry().username());
      putIfSet(r, "password", ws.registry().password());
    } else if (ws != null) {
      ObjectNode r = o.putObject("schema");
      putIfSet(r, "file", ws.file());
      r.put("text", ws.text());
      putIfSet(r, "message", ws.message());
    }
    ArrayNode cols = o.putArray("columns");
    for (TableDefinition.Column c : d.columns()) {
      ObjectNode co = cols.addObject();
      co.put("name", c.name());
      co.put("type", c.type().toString());
      co.put("path", c.path());
      co.put("nullable", c.nullable());
    }
    ArrayNode md = o.putArray("metadata");
    d.metadata().forEach(md::add);
    ObjectNode out = o.putObject("output");
    out.put("bucket", d.output().bucket());
    out.put("prefix", d.output().prefix());
    out.put("compression", d.output().compression().wire());
    ObjectNode f = o.putObject("flush");
    f.put("max_rows", d.flush().maxRows());
    f.put("max_bytes", d.flush().maxBytes());
    f.put("max_age", d.flush().maxAgeMillis());
    if (d.flush().hasMinInterval()) {
      f.put("min_interval", d.flush().minIntervalMillis());
    }
    ObjectNode e = o.putObject("errors");
    e.put("policy", d.errors().policy().wire());
    if (d.errors().topic() != null) {
      e.put("topic", d.errors().topic());
    }
    ObjectNode sc = o.putObject("scaling");
    sc.put("min_runners", d.scaling().minRunners());
    sc.put("max_runners", d.scaling().maxRunners());
    ObjectNode ice = o.putObject("iceberg");
    ice.put("enabled", d.iceberg().enabled());
    if (d.iceberg().catalog() != null) {
      ice.put("catalog", d.iceberg().catalog());
    }
    if (d.iceberg().namespace() != null) {
      ice.put("namespace", d.iceberg().namespace());
    }
    ice.put("table", d.iceberg().table());
    ice.put("commit_interval", d.iceberg().commitIntervalMillis());
    if (d.hasRetention()) {
      o.put("retention", d.retentionMillis());
    }
    ObjectNode ids = o.putObject("field_ids");
    d.fieldIds().asMap().forEach(ids::put);
    o.put("last_field_id", d.fieldIds().lastId());
    return o;
  }

  /**
   * Parses a size: an integer (bytes) or an integer with a unit: B, KB, MB, GB (powers of 1000),
   * KiB, MiB, GiB (powers of 1024); units ignore case. IllegalArgumentException otherwise.
   */
  public static long parseSize(String text) {
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("expected a size like 64MiB, 512KiB, 10MB or bytes, got '" + text + "'");
    }
    long n = Long.parseLong(m.group(1));
    long mul = switch (m.group(2).toLowerCase(Locale.ROOT)) {
      case "", "b" -> 1L;
      case "kb" -> 1_000L;
      case "mb" -> 1_000_000L;
      case "gb" -> 1_000_000_000L;
      case "kib" -> 1L << 10;
      case "mib" -> 1L << 20;
      case "gib" -> 1L << 30;
      default -> throw new IllegalArgumentException("unknown size unit '" + m.group(2)
          + "' (use B, KB, MB, GB, KiB, MiB, GiB), got '" + text + "'");
    };
    return Math.multiplyExact(n, mul);
  }

  /** Parses a duration in ms: integer millis or an integer with ms, s, m or h. */
  public static long parseDurationMillis(String text) {
    Matcher m = AGE.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("expected a duration like 500ms, 5s, 1m or milliseconds, got '" + text + "'");
    }
    long n = Long.parseLong(m.group(1));
    String u = m.group(2) == null ? "ms" : m.group(2);
    return Math.multiplyExact(n, switch (u) {
      case "s" -> 1_000L;
      case "m" -> 60_000L;
      case "h" -> 3_600_000L;
      default -> 1L;
    });
  }

  /**
   * Parses a retention: an integer with unit d, h, m or s ({@code 30d}, {@code 12h}), or integer
   * milliseconds. IllegalArgumentException otherwise. Range checks are {@link TableDefinition}'s.
   */
  public static long parseRetentionMillis(String text) {
    Matcher m = RETENTION.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("expected a retention like 30d, 12h, 90m, 3600s or milliseconds, got '"
          + text + "'");
    }
    long n = Long.parseLong(m.group(1));
    return Math.multiplyExact(n, m.group(2) == null ? 1L : switch (m.group(2)) {
      case "d" -> 86_400_000L;
      case "h" -> 3_600_000L;
      case "m" -> 60_000L;
      default -> 1_000L;
    });
  }

  // ---------------------------------------------------------------- tree -> definition

  private static TableDefinition fromTree(JsonNode root, boolean json, java.nio.file.Path baseDir) {
    if (root == null || root.isNull() || root.isMissingNode()) {
      throw new InvalidDefinitionException("(document)", "the definition is empty");
    }
    object(root, "(document)", json ? JSON_TOP_KEYS : TOP_KEYS, "");
    String name = text(root, "name", "");
    DefinitionRules.tableName("name", name);
    JsonNode src = required(root, "source", "");
    object(src, "source", SOURCE_KEYS, "source.");
    TableDefinition.Source source = new TableDefinition.Source(text(src, "bootstrap", "source."),
        text(src, "topic", "source."), scalarText(src, "start", "source."));

    TableDefinition.Format format = TableDefinition.Format.JSON;
    String fmt = text(root, "format", "");
    if (fmt != null) {
      format = enumValue(TableDefinition.Format.class, fmt, "format");
    }
    TableDefinition.WriterSchema writerSchema = writerSchema(root, baseDir);

    List<TableDefinition.Column> columns = new ArrayList<>();
    JsonNode cols = required(root, "columns", "");
    if (!cols.isArray()) {
      throw new InvalidDefinitionException("columns", "must be a list of columns");
    }
    for (int i = 0; i < cols.size(); i++) {
      String f = "columns[" + i + "]";
      JsonNode c = cols.get(i);
      object(c, f, COLUMN_KEYS, f + ".");
      String typeText = text(c, "type", f + ".");
      if (typeText == null) {
        throw new InvalidDefinitionException(f + ".type", "is required; expected one of " + ColumnType.KNOWN);
      }
      ColumnType type;
      try {
        type = ColumnType.parse(typeText);
      } catch (IllegalArgumentException e) {
        throw new InvalidDefinitionException(f + ".type", e.getMessage());
      }
      Boolean nullable = bool(c, "nullable", f + ".");
      columns.add(new TableDefinition.Column(text(c, "name", f + "."), type, text(c, "path", f + "."),
          nullable == null || nullable));
    }

    List<String> metadata = null;
    JsonNode md = root.get("metadata");
    if (md != null && !md.isNull()) {
      if (!md.isArray()) {
        throw new InvalidDefinitionException("metadata", "must be a list like [_partition, _offset, _timestamp]");
      }
      metadata = new ArrayList<>();
      for (int i = 0; i < md.size(); i++) {
        if (!md.get(i).isTextual()) {
          throw new InvalidDefinitionException("metadata[" + i + "]", "must be a metadata column name");
        }
        metadata.add(md.get(i).asText());
      }
    }

    JsonNode out = required(root, "output", "");
    object(out, "output", OUTPUT_KEYS, "output.");
    String comp = text(out, "compression", "output.");
    TableDefinition.Output output = new TableDefinition.Output(text(out, "bucket", "output."),
        text(out, "prefix", "output."), comp == null ? null : enumValue(TableDefinition.Compression.class,
            comp, "output.compression"));

    TableDefinition.Flush flush = TableDefinition.Flush.DEFAULT;
    JsonNode fl = root.get("flush");
    if (fl != null && !fl.isNull()) {
      object(fl, "flush", FLUSH_KEYS, "flush.");
      Long rows = integer(fl, "max_rows", "flush.");
      Long bytes = withUnit(fl, "max_bytes", "flush.", true);
      Long age = withUnit(fl, "max_age", "flush.", false);
      Long minInterval = withUnit(fl, "min_interval", "flush.", false);
      flush = new TableDefinition.Flush(rows == null ? flush.maxRows() : rows,
          bytes == null ? flush.maxBytes() : bytes, age == null ? flush.maxAgeMillis() : age,
          minInterval == null ? TableDefinition.Flush.NO_MIN_INTERVAL : minInterval);
    }

    TableDefinition.Errors errors = TableDefinition.Errors.DEFAULT;
    JsonNode er = root.get("errors");
    if (er != null && !er.isNull()) {
      object(er, "errors", ERRORS_KEYS, "errors.");
      String pol = text(er, "policy", "errors.");
      errors = new TableDefinition.Errors(pol == null ? null
          : enumValue(TableDefinition.ErrorPolicy.class, pol, "errors.policy"), text(er, "topic", "errors."));
    }

    TableDefinition.Scaling scaling = TableDefinition.Scaling.DEFAULT;
    JsonNode sc = root.get("scaling");
    if (sc != null && !sc.isNull()) {
      object(sc, "scaling", SCALING_KEYS, "scaling.");
      Long min = integer(sc, "min_runners", "scaling.");
      Long max = integer(sc, "max_runners", "scaling.");
      scaling = new TableDefinition.Scaling(clampInt(min == null ? scaling.minRunners() : min),
          clampInt(max == null ? scaling.maxRunners() : max));
    }

    TableDefinition.Iceberg iceberg = null;
    JsonNode ic = root.get("iceberg");
    if (ic != null && !ic.isNull()) {
      object(ic, "iceberg", ICEBERG_KEYS, "iceberg.");
      Boolean enabled = bool(ic, "enabled", "iceberg.");
      Long interval = withUnit(ic, "commit_interval", "iceberg.", false);
      iceberg = new TableDefinition.Iceberg(enabled == null || enabled, text(ic, "catalog", "iceberg."),
          text(ic, "namespace", "iceberg."), text(ic, "table", "iceberg."),
          interval == null ? TableDefinition.Iceberg.DEFAULT_COMMIT_INTERVAL_MILLIS : interval);
    }

    long retention = retention(root);
    FieldIds fieldIds = json ? fieldIds(root) : null;
    return new TableDefinition(name, source, format, columns, metadata, output, flush, errors,
        scaling, iceberg, fieldIds, retention, writerSchema);
  }

  /**
   * {@code registry: { url, subject?, username?, password? }} or {@code schema}: a file name (YAML:
   * read relative to {@code baseDir}) or a mapping {@code { file | text, message? }}; JSON keeps the
   * text. Null when neither is given.
   */
  private static TableDefinition.WriterSchema writerSchema(JsonNode root, java.nio.file.Path baseDir) {
    JsonNode reg = root.get("registry");
    JsonNode sch = root.get("schema");
    TableDefinition.Registry registry = null;
    if (reg != null && !reg.isNull()) {
      object(reg, "registry", REGISTRY_KEYS, "registry.");
      registry = new TableDefinition.Registry(text(reg, "url", "registry."), text(reg, "subject", "registry."),
          text(reg, "username", "registry."), text(reg, "password", "registry."));
    }
    if (sch == null || sch.isNull()) {
      return registry == null ? null : TableDefinition.WriterSchema.of(registry);
    }
    String file;
    String text;
    String message = null;
    if (sch.isTextual()) {
      file = sch.asText();
      text = null;
    } else {
      object(sch, "schema", SCHEMA_KEYS, "schema.");
      file = text(sch, "file", "schema.");
      text = text(sch, "text", "schema.");
      message = text(sch, "message", "schema.");
    }
    if (text == null) {
      if (file == null) {
        throw new InvalidDefinitionException("schema", "needs a file (schema: clicks.avsc) or its text");
      }
      if (baseDir == null) {
        throw new InvalidDefinitionException("schema.text", "is required in a stored definition");
      }
      java.nio.file.Path path = baseDir.resolve(file);
      try {
        text = java.nio.file.Files.readString(path);
      } catch (IOException e) {
        throw new InvalidDefinitionException("schema", "cannot read schema file " + path + ": "
            + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()));
      }
    }
    if (registry != null) {
      throw new InvalidDefinitionException("schema", "give either registry (framed records) or schema (unframed"
          + " records), not both");
    }
    return TableDefinition.WriterSchema.ofText(file, text, message);
  }

  /** {@code retention}: absent or null keeps forever; a number is ms; text takes a unit d/h/m/s. */
  private static long retention(JsonNode root) {
    JsonNode n = root.get("retention");
    if (n == null || n.isNull()) {
      return TableDefinition.KEEP_FOREVER;
    }
    long v;
    if (n.isIntegralNumber() && n.canConvertToLong()) {
      v = n.longValue();
    } else if (n.isTextual()) {
      try {
        v = parseRetentionMillis(n.asText());
      } catch (ArithmeticException e) {
        throw new InvalidDefinitionException("retention", "out of range (at most 36500d), got " + n);
      } catch (IllegalArgumentException e) {
        throw new InvalidDefinitionException("retention", e.getMessage());
      }
    } else {
      throw new InvalidDefinitionException("retention", "expected a retention like 30d or 12h, got " + n);
    }
    if (v == TableDefinition.KEEP_FOREVER) {
      throw new InvalidDefinitionException("retention", "must be at least 1h; leave retention out to keep rows"
          + " forever, got 0");
    }
    DefinitionRules.retention(v);
    return v;
  }

  /** {@code field_ids} and {@code last_field_id} of a JSON definition, or null when absent (positional). */
  private static FieldIds fieldIds(JsonNode root) {
    JsonNode ids = root.get("field_ids");
    JsonNode last = root.get("last_field_id");
    if (ids == null || ids.isNull()) {
      if (last != null && !last.isNull()) {
        throw new InvalidDefinitionException("last_field_id", "is only allowed together with field_ids");
      }
      return null;
    }
    if (!ids.isObject()) {
      throw new InvalidDefinitionException("field_ids", "must be an object of column name -> positive id");
    }
    Map<String, Integer> m = new java.util.LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = ids.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 1) {
        throw new InvalidDefinitionException("field_ids." + e.getKey(), "must be a positive integer, got " + v);
      }
      m.put(e.getKey(), v.intValue());
    }
    try {
      if (last == null || last.isNull()) {
        return FieldIds.of(m);
      }
      if (!last.isIntegralNumber() || !last.canConvertToInt()) {
        throw new InvalidDefinitionException("last_field_id", "must be an integer, got " + last);
      }
      return new FieldIds(m, last.intValue());
    } catch (InvalidDefinitionException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new InvalidDefinitionException("field_ids", e.getMessage());
    }
  }

  private static void putIfSet(ObjectNode o, String key, String value) {
    if (value != null) {
      o.put(key, value);
    }
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> u = new java.util.HashSet<>(a);
    u.addAll(b);
    return Set.copyOf(u);
  }

  private static int clampInt(long v) {
    return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
  }

  private static void object(JsonNode n, String field, Set<String> allowed, String prefix) {
    if (!n.isObject()) {
      throw new InvalidDefinitionException(field, "must be a mapping with keys " + sorted(allowed));
    }
    Iterator<String> names = n.fieldNames();
    while (names.hasNext()) {
      String k = names.next();
      if (!allowed.contains(k)) {
        throw new InvalidDefinitionException(prefix + k, "unknown key '" + k + "'"
            + (prefix.isEmpty() ? "" : " in " + prefix.substring(0, prefix.length() - 1)) + "; allowed: "
            + sorted(allowed));
      }
    }
  }

  private static String sorted(Set<String> s) {
    return String.join(", ", new java.util.TreeSet<>(s));
  }

  private static JsonNode required(JsonNode parent, String key, String prefix) {
    JsonNode n = parent.get(key);
    if (n == null || n.isNull()) {
      throw new InvalidDefinitionException(prefix + key, "is required");
    }
    return n;
  }

  private static String text(JsonNode parent, String key, String prefix) {
    JsonNode n = parent.get(key);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw new InvalidDefinitionException(prefix + key, "must be a string, got " + n.getNodeType().name()
          .toLowerCase(Locale.ROOT) + " " + n);
    }
    return n.asText();
  }

  /** A string or a number, as text (for {@code start}). */
  private static String scalarText(JsonNode parent, String key, String prefix) {
    JsonNode n = parent.get(key);
    if (n == null || n.isNull()) {
      return null;
    }
    if (n.isIntegralNumber() || n.isTextual()) {
      return n.asText();
    }
    throw new InvalidDefinitionException(prefix + key, "must be earliest, latest or a non-negative offset, got " + n);
  }

  private static Boolean bool(JsonNode parent, String key, String prefix) {
    JsonNode n = parent.get(key);
    if (n == null || n.isNull()) {
      return null;
    }
    if (n.isBoolean()) {
      return n.booleanValue();
    }
    if (n.isTextual() && (n.asText().equals("true") || n.asText().equals("false"))) {
      return Boolean.parseBoolean(n.asText());
    }
    throw new InvalidDefinitionException(prefix + key, "must be true or false, got " + n);
  }

  private static Long integer(JsonNode parent, String key, String prefix) {
    JsonNode n = parent.get(key);
    if (n == null || n.isNull()) {
      return null;
    }
    if (n.isIntegralNumber() && n.canConvertToLong()) {
      return n.longValue();
    }
    if (n.isTextual()) {
      try {
        return Long.parseLong(n.asText().trim());
      } catch (NumberFormatException e) {
        // fall through
      }
    }
    throw new InvalidDefinitionException(prefix + key, "must be an integer, got " + n);
  }

  private static Long withUnit(JsonNode parent, String key, String prefix, boolean size) {
    JsonNode n = parent.get(key);
    if (n == null || n.isNull()) {
      return null;
    }
    if (n.isIntegralNumber() && n.canConvertToLong()) {
      return n.longValue();
    }
    if (n.isTextual()) {
      try {
        return size ? parseSize(n.asText()) : parseDurationMillis(n.asText());
      } catch (IllegalArgumentException | ArithmeticException e) {
        throw new InvalidDefinitionException(prefix + key, e.getMessage() == null ? "out of range" : e.getMessage());
      }
    }
    throw new InvalidDefinitionException(prefix + key, (size ? "expected a size like 64MiB or bytes"
        : "expected a duration like 5s or milliseconds") + ", got " + n);
  }

  private static <E extends Enum<E>> E enumValue(Class<E> type, String text, String field) {
    for (E e : type.getEnumConstants()) {
      if (e.name().toLowerCase(Locale.ROOT).equals(text)) {
        return e;
      }
    }
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      names.add(e.name().toLowerCase(Locale.ROOT));
    }
    throw new InvalidDefinitionException(field, "must be " + String.join(" | ", names) + ", got "
        + DefinitionRules.quote(text));
  }

  // ---------------------------------------------------------------- parser -> tree with lines

  /**
   * Builds a tree from the parser, recording the line of every key and value (by JSON pointer),
   * rejecting duplicate keys and expanding {@code ${VAR}} in string values when env is not null.
   */
  private static JsonNode readTree(JsonParser p, Map<String, String> env, Map<String, Integer> lines)
      throws IOException {
    if (p.nextToken() == null) {
      return null;
    }
    return readValue(p, "", env, lines);
  }

  private static JsonNode readValue(JsonParser p, String pointer, Map<String, String> env,
      Map<String, Integer> lines) throws IOException {
    JsonToken t = p.currentToken();
    lines.putIfAbsent(pointer, p.currentTokenLocation().getLineNr());
    switch (t) {
      case START_OBJECT: {
        ObjectNode o = NODES.objectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          String child = pointer + "/" + name;
          if (o.has(name)) {
            throw new InvalidDefinitionException(fieldOf(child), "duplicate key '" + name + "'",
                p.currentTokenLocation().getLineNr());
          }
          lines.put(child, p.currentTokenLocation().getLineNr());
          p.nextToken();
          o.set(name, readValue(p, child, env, lines));
        }
        return o;
      }
      case START_ARRAY: {
        ArrayNode a = NODES.arrayNode();
        int i = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
          a.add(readValue(p, pointer + "/" + i++, env, lines));
        }
        return a;
      }
      case VALUE_STRING:
        return NODES.textNode(env == null ? p.getText() : expand(p.getText(), env, pointer));
      case VALUE_NUMBER_INT:
        return NODES.numberNode(p.getBigIntegerValue());
      case VALUE_NUMBER_FLOAT:
        return NODES.numberNode(p.getDecimalValue());
      case VALUE_TRUE:
        return NODES.booleanNode(true);
      case VALUE_FALSE:
        return NODES.booleanNode(false);
      case VALUE_NULL:
        return NODES.nullNode();
      default:
        throw new InvalidDefinitionException(fieldOf(pointer), "unsupported YAML/JSON value " + t,
            p.currentTokenLocation().getLineNr());
    }
  }

  private static String expand(String text, Map<String, String> env, String pointer) {
    Matcher m = VAR.matcher(text);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      String v = env.get(m.group(1));
      if (v == null) {
        throw new InvalidDefinitionException(fieldOf(pointer), "environment variable " + m.group(1) + " is not set");
      }
      m.appendReplacement(b, Matcher.quoteReplacement(v));
    }
    m.appendTail(b);
    return b.toString();
  }

  /** JSON pointer {@code /columns/2/type} to field {@code columns[2].type}. */
  static String fieldOf(String pointer) {
    if (pointer.isEmpty()) {
      return "(document)";
    }
    StringBuilder b = new StringBuilder();
    for (String seg : pointer.substring(1).split("/", -1)) {
      if (!seg.isEmpty() && seg.chars().allMatch(Character::isDigit) && b.length() > 0) {
        b.append('[').append(seg).append(']');
      } else {
        if (b.length() > 0) {
          b.append('.');
        }
        b.append(seg);
      }
    }
    return b.toString();
  }

  /** Field {@code columns[2].type} to the line of it or of its nearest recorded ancestor. */
  static int lineOf(String field, Map<String, Integer> lines) {
    if (field == null || field.startsWith("(")) {
      return lines.getOrDefault("", 0);
    }
    String pointer = "/" + field.replace("[", ".").replace("]", "").replace('.', '/');
    while (true) {
      Integer l = lines.get(pointer);
      if (l != null) {
        return l;
      }
      int cut = pointer.lastIndexOf('/');
      if (cut <= 0) {
        return lines.getOrDefault("", 0);
      }
      pointer = pointer.substring(0, cut);
    }
  }
}
