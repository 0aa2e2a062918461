package io.tributary.catalog;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * One ingestion job as the user wrote it (DESIGN.md "Table definition file"), validated and with
 * defaults filled in. Immutable; an instance can only exist if it is valid (the constructor throws
 * {@link InvalidDefinitionException} naming the field). Serialise with
 * {@link TableDefinitions#toJson(TableDefinition)}; build in code with {@link #builder(String)}.
 *
 * @param name     table name, {@code [a-z][a-z0-9_]{0,62}}
 * @param source   Kafka bootstrap servers, topic and start policy
 * @param format   record format ({@code json}, {@code avro}, {@code protobuf})
 * @param columns  the schema, at least one column
 * @param metadata metadata columns written into every part, a subset of {@link #METADATA_COLUMNS}
 * @param output   bucket, key prefix and compression
 * @param flush    when a part is cut
 * @param errors   what happens to records that cannot be decoded
 * @param scaling  runner count bounds
 * @param iceberg  Iceberg publication of the table (defaults: enabled, catalog {@code local}, namespace
 *                 {@code tributary}, table = {@code name}, commit interval 2 s)
 * @param fieldIds stable Iceberg field ids of every column and metadata column; null means positional
 *                 (see {@link FieldIds}); given ids must cover exactly those names
 * @param retentionMillis how long landed rows are kept (docs/maintenance.md rule 4): records whose newest
 *                 row is older than now minus this are expired; {@link #KEEP_FOREVER} (0, the default)
 *                 keeps everything; otherwise at least 1 h
 * @param writerSchema where an {@code avro}/{@code protobuf} record's writer schema comes from (a registry
 *                 for framed records, or a schema file for unframed ones); null for {@code json}
 */
public record TableDefinition(String name, Source source, Format format, List<Column> columns, List<String> metadata,
    Output output, Flush flush, Errors errors, Scaling scaling, Iceberg iceberg, FieldIds fieldIds,
    long retentionMillis, WriterSchema writerSchema) {

  /** {@link #retentionMillis()} of a table without retention: keep every row forever. */
  public static final long KEEP_FOREVER = 0L;

  /** All metadata columns a part may carry, in canonical order. */
  public static final List<String> METADATA_COLUMNS = List.of("_partition", "_offset", "_timestamp", "_key");

  /** Default metadata columns. */
  public static final List<String> DEFAULT_METADATA = List.of("_partition", "_offset", "_timestamp");

  public TableDefinition {
    format = format == null ? Format.JSON : format;
    columns = columns == null ? List.of() : List.copyOf(columns);
    metadata = metadata == null ? DEFAULT_METADATA : List.copyOf(metadata);
    flush = flush == null ? Flush.DEFAULT : flush;
    errors = errors == null ? Errors.DEFAULT : errors;
    scaling = scaling == null ? Scaling.DEFAULT : scaling;
    iceberg = iceberg == null ? Iceberg.defaults(name) : iceberg.table() == null ? iceberg.withTable(name) : iceberg;
    DefinitionRules.validate(name, source, columns, metadata, output, flush, errors, scaling, iceberg);
    DefinitionRules.retention(retentionMillis);
    DefinitionRules.writerSchema(format, writerSchema);
    if (fieldIds == null) {
      fieldIds = FieldIds.positional(FieldIds.columnNames(columns), metadata);
    } else {
      fieldIds = fieldIds.covering(FieldIds.columnNames(columns), metadata);
    }
  }

  /** The definition as it was before retention existed: keep forever. */
  public TableDefinition(String name, Source source, Format format, List<Column> columns, List<String> metadata,
      Output output, Flush flush, Errors errors, Scaling scaling, Iceberg iceberg, FieldIds fieldIds) {
    this(name, source, format, columns, metadata, output, flush, errors, scaling, iceberg, fieldIds, KEEP_FOREVER,
        null);
  }

  /** A JSON table's definition (no writer schema). */
  public TableDefinition(String name, Source source, Format format, List<Column> columns, List<String> metadata,
      Output output, Flush flush, Errors errors, Scaling scaling, Iceberg iceberg, FieldIds fieldIds,
      long retentionMillis) {
    this(name, source, format, columns, metadata, output, flush, errors, scaling, iceberg, fieldIds,
        retentionMillis, null);
  }

  /** True when the table expires old rows ({@code retention} set). */
  public boolean hasRetention() {
    return retentionMillis > 0;
  }

  /** {@link #retentionMillis()} as a Duration, or empty when rows are kept forever. */
  public java.util.Optional<Duration> retention() {
    return hasRetention() ? java.util.Optional.of(Duration.ofMillis(retentionMillis)) : java.util.Optional.empty();
  }

  /**
   * The same definition with these field ids (they must cover exactly the columns and metadata
   * columns; {@link InvalidDefinitionException} on {@code field_ids} otherwise). Catalogs use it with
   * {@link FieldIds#evolve} on updates.
   */
  public TableDefinition withFieldIds(FieldIds ids) {
    return new TableDefinition(name, source, format, columns, metadata, output, flush, errors, scaling, iceberg,
        ids, retentionMillis, writerSchema);
  }

  /** Starts a builder with every default set; source and output must be provided. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** A builder prefilled with this definition, for edits. */
  public Builder toBuilder() {
    Builder b = new Builder(name);
    b.source = source;
    b.format = format;
    b.columns.addAll(columns);
    b.metadata = metadata;
    b.output = output;
    b.flush = flush;
    b.errors = errors;
    b.scaling = scaling;
    // an Iceberg table named like the table follows a rename in the builder
    b.iceberg = iceberg.table().equals(name) ? iceberg.withTable(null) : iceberg;
    b.fieldIds = fieldIds;
    b.retentionMillis = retentionMillis;
    b.writerSchema = writerSchema;
    return b;
  }

  /** The column named {@code columnName}, or null. */
  public Column column(String columnName) {
    for (Column c : columns) {
      if (c.name().equals(columnName)) {
        return c;
      }
    }
    return null;
  }

  /**
   * Where to read from.
   *
   * @param bootstrap Kafka bootstrap servers, {@code host:port[,host:port...]}
   * @param topic     topic name (Kafka rules)
   * @param start     {@code earliest}, {@code latest} or a non-negative offset, as text
   */
  public record Source(String bootstrap, String topic, String start) {
    public Source {
      start = start == null ? "earliest" : start.trim();
    }

    /** Source starting at the earliest offset. */
    public static Source of(String bootstrap, String topic) {
      return new Source(bootstrap, topic, "earliest");
    }

    /** True when new partitions start at the log start offset. */
    public boolean startsEarliest() {
      return "earliest".equals(start);
    }

    /** True when new partitions start at the log end offset. */
    public boolean startsLatest() {
      return "latest".equals(start);
    }

    /** The explicit start offset, if {@code start} is a number. */
    public OptionalLong startOffset() {
      if (startsEarliest() || startsLatest()) {
        return OptionalLong.empty();
      }
      try {
        return OptionalLong.of(Long.parseLong(start));
      } catch (NumberFormatException e) {
        return OptionalLong.empty();
      }
    }
  }

  /**
   * Record formats: JSON documents, or Avro / Protobuf payloads, framed in the schema-registry wire
   * format (magic byte 0, 4-byte big-endian schema id; Protobuf adds message indexes) when the table
   * names a {@link Registry}, unframed when it names a schema file.
   */
  public enum Format {
    JSON, AVRO, PROTOBUF;

    /** Wire spelling ({@code json}). */
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One schema column.
   *
   * @param name     column name, unique, not a metadata column name
   * @param type     its type
   * @param path     JSON path of the value ({@code $.a.b}, {@code $.a[0].b}); defaults to {@code $.<name>}
   * @param nullable false makes a missing or null value a dead letter
   */
  public record Column(String name, ColumnType type, String path, boolean nullable) {
    public Column {
      path = path == null && name != null ? "$." + name : path;
    }

    /** A nullable column with the default path. */
    public static Column of(String name, ColumnType type) {
      return new Column(name, type, null, true);
    }

    /** A nullable column with the default path and a parsed type. */
    public static Column of(String name, String type) {
      return new Column(name, ColumnType.parse(type), null, true);
    }
  }

  /**
   * Where parts go.
   *
   * @param bucket      S3 bucket
   * @param prefix      key prefix (no leading slash, no {@code ..}), default {@code tables}
   * @param compression Parquet compression codec
   */
  public record Output(String bucket, String prefix, Compression compression) {
    public Output {
      prefix = prefix == null ? "tables" : prefix;
      compression = compression == null ? Compression.ZSTD : compression;
    }

    /** Bucket with the default prefix and compression. */
    public static Output of(String bucket) {
      return new Output(bucket, null, null);
    }
  }

  /** Parquet compression codecs. */
  public enum Compression {
    ZSTD, SNAPPY;

    /** Wire spelling ({@code zstd}). */
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Flush policy: a part is cut at whichever limit is reached first.
   *
   * @param maxRows      rows per part, 1..10,000,000
   * @param maxBytes     buffered bytes per part, 1 KiB..1 GiB
   * @param maxAgeMillis age of the oldest buffered row, 100 ms..1 h
   * @param minIntervalMillis {@code min_interval}: a part is cut by age only when the partition's previous part
   *                     was cut at least this long ago; {@link #NO_MIN_INTERVAL} (0, the default) = off; else
   *                     {@code max_age}..24 h. Cuts by rows, bytes, the memory budget, revoke and shutdown ignore
   *                     it: a busy partition is unaffected, a quiet one cuts at most one part per interval
   */
  public record Flush(long maxRows, long maxBytes, long maxAgeMillis, long minIntervalMillis) {
    /** {@link #minIntervalMillis()} of a table without a minimum interval between age cuts. */
    public static final long NO_MIN_INTERVAL = 0L;

    /** 500000 rows, 64 MiB, 5 s, no minimum interval. */
    public static final Flush DEFAULT = new Flush(500_000, 64L << 20, 5_000);

    /** Without a minimum interval between age cuts (as before {@code min_interval} existed). */
    public Flush(long maxRows, long maxBytes, long maxAgeMillis) {
      this(maxRows, maxBytes, maxAgeMillis, NO_MIN_INTERVAL);
    }

    /** {@link #maxAgeMillis()} as a Duration. */
    public Duration maxAge() {
      return Duration.ofMillis(maxAgeMillis);
    }

    /** True when {@code min_interval} is set. */
    public boolean hasMinInterval() {
      return minIntervalMillis > 0;
    }

    /** {@link #minIntervalMillis()} as a Duration ({@link Duration#ZERO} when off). */
    public Duration minInterval() {
      return Duration.ofMillis(minIntervalMillis);
    }

    /**
     * The shortest time between two parts of a partition that always has data but never fills a part by
     * size: {@code max(max_age, min_interval)}.
     */
    public long ageCutIntervalMillis() {
      return Math.max(maxAgeMillis, minIntervalMillis);
    }

    /** The same policy with this {@code min_interval} in ms (0 = off). */
    public Flush withMinIntervalMillis(long millis) {
      return new Flush(maxRows, maxBytes, maxAgeMillis, millis);
    }
  }

  /**
   * Error policy.
   *
   * @param policy what to do with a record that cannot be decoded
   * @param topic  optional Kafka topic that receives a copy of each dead letter (at least once), or null
   */
  public record Errors(ErrorPolicy policy, String topic) {
    /** dlq, no topic. */
    public static final Errors DEFAULT = new Errors(ErrorPolicy.DLQ, null);

    public Errors {
      policy = policy == null ? ErrorPolicy.DLQ : policy;
    }
  }

  /** What happens to a record that cannot be decoded. */
  public enum ErrorPolicy {
    /** Written to the dead-letter object referenced by the same commit. */
    DLQ,
    /** Counted and dropped. */
    SKIP,
    /** The partition stops with an error. */
    FAIL;

    /** Wire spelling ({@code dlq}). */
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Runner count bounds, 1 <= min <= max <= 1024.
   *
   * @param minRunners lower bound
   * @param maxRunners upper bound
   */
  public record Scaling(int minRunners, int maxRunners) {
    /** 1..8. */
    public static final Scaling DEFAULT = new Scaling(1, 8);
  }

  /**
   * Iceberg publication (DESIGN.md "Iceberg publication").
   *
   * @param enabled              publish the table to Iceberg
   * @param catalog              the configured Iceberg catalog: {@code local}, {@code glue} or {@code rest}; null
   *                             (the default) = the catalog the publishing process is configured with
   *                             ({@code TRIBUTARY_ICEBERG_CATALOG}), so one definition works locally and in AWS
   * @param namespace            Iceberg namespace, {@code [a-z][a-z0-9_]{0,254}}; null in a definition being
   *                             created = {@code TRIBUTARY_ICEBERG_NAMESPACE} of the creating process, else
   *                             {@code tributary} ({@code TableLifecycle.create} stores the resolved name)
   * @param table                Iceberg table name, {@code [a-z][a-z0-9_]{0,254}}; null means the table's name
   * @param commitIntervalMillis how often the publisher commits a snapshot, 100 ms..1 h
   */
  public record Iceberg(boolean enabled, String catalog, String namespace, String table, long commitIntervalMillis) {
    /** The catalogs a table may name. */
    public static final List<String> CATALOGS = List.of("local", "glue", "rest");
    /** No catalog named: the process's configured default. */
    public static final String DEFAULT_CATALOG = null;
    public static final String DEFAULT_NAMESPACE = "tributary";
    public static final long DEFAULT_COMMIT_INTERVAL_MILLIS = 2_000L;

    public Iceberg {
      catalog = catalog == null ? DEFAULT_CATALOG : catalog;
    }

    /** Enabled, the configured catalog, the default namespace (resolved at creation), this table name, 2 s. */
    public static Iceberg defaults(String table) {
      return new Iceberg(true, DEFAULT_CATALOG, null, table, DEFAULT_COMMIT_INTERVAL_MILLIS);
    }

    /** The same settings in namespace {@code ns}. */
    public Iceberg withNamespace(String ns) {
      return new Iceberg(enabled, catalog, ns, table, commitIntervalMillis);
    }

    /** The same settings publishing under another Iceberg table name (null: the table's name). */
    public Iceberg withTable(String newTable) {
      return new Iceberg(enabled, catalog, namespace, newTable, commitIntervalMillis);
    }

    /** {@link #commitIntervalMillis()} as a Duration. */
    public Duration commitInterval() {
      return Duration.ofMillis(commitIntervalMillis);
    }
  }

  /**
   * Where an Avro or Protobuf table's writer schemas come from: a schema {@link Registry} (records are
   * framed with a schema id; each id is fetched once) or one schema given in the definition (its
   * {@code file} name, as written in the YAML, and its {@code text}; records are the bare payload).
   *
   * @param registry the registry, or null when a schema file is given
   * @param file     the schema file's name as written (for display), or null
   * @param text     the schema file's content (Avro JSON schema or .proto text), or null with a registry
   * @param message  Protobuf only: the message type of unframed records (full or simple name; default the
   *                 file's first message); null otherwise
   */
  public record WriterSchema(Registry registry, String file, String text, String message) {
    /** Framed records whose schema ids resolve in {@code registry}. */
    public static WriterSchema of(Registry registry) {
      return new WriterSchema(registry, null, null, null);
    }

    /** Unframed records written with this schema text. */
    public static WriterSchema ofText(String file, String text, String message) {
      return new WriterSchema(null, file, text, message);
    }

    /** True when records carry the schema-registry framing. */
    public boolean framed() {
      return registry != null;
    }
  }

  /**
   * A schema registry speaking the Confluent-compatible REST API.
   *
   * @param url      base URL (for Apicurio: {@code http://host:port/apis/ccompat/v7})
   * @param subject  the subject new schemas are registered under and {@code --from-registry} reads; may be
   *                 null (decoding uses only the ids in the records)
   * @param username HTTP basic user, or null
   * @param password HTTP basic password, or null (stored in the catalog: use {@code ${VAR}} in the YAML)
   */
  public record Registry(String url, String subject, String username, String password) {
    public Registry {
      url = url == null ? null : url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** A registry without authentication. */
    public static Registry of(String url, String subject) {
      return new Registry(url, subject, null, null);
    }
  }

  /** Mutable builder; {@link #build()} validates. */
  public static final class Builder {
    private String name;
    private Source source;
    private Format format = Format.JSON;
    private final List<Column> columns = new ArrayList<>();
    private List<String> metadata = DEFAULT_METADATA;
    private Output output;
    private Flush flush = Flush.DEFAULT;
    private Errors errors = Errors.DEFAULT;
    private Scaling scaling = Scaling.DEFAULT;
    private Iceberg iceberg;
    private FieldIds fieldIds;
    private long retentionMillis = KEEP_FOREVER;
    private WriterSchema writerSchema;

    private Builder(String name) {
      this.name = name;
    }

    public Builder name(String v) {
      this.name = v;
      return this;
    }

    public Builder source(Source v) {
      this.source = v;
      return this;
    }

    public Builder source(String bootstrap, String topic) {
      this.source = Source.of(bootstrap, topic);
      return this;
    }

    public Builder format(Format v) {
      this.format = v;
      return this;
    }

    public Builder column(Column v) {
      this.columns.add(v);
      return this;
    }

    public Builder column(String columnName, String type) {
      this.columns.add(Column.of(columnName, type));
      return this;
    }

    public Builder columns(List<Column> v) {
      this.columns.clear();
      this.columns.addAll(v);
      return this;
    }

    public Builder metadata(List<String> v) {
      this.metadata = v;
      return this;
    }

    public Builder output(Output v) {
      this.output = v;
      return this;
    }

    public Builder output(String bucket) {
      this.output = Output.of(bucket);
      return this;
    }

    public Builder flush(Flush v) {
      this.flush = v;
      return this;
    }

    public Builder errors(Errors v) {
      this.errors = v;
      return this;
    }

    public Builder scaling(Scaling v) {
      this.scaling = v;
      return this;
    }

    /** Iceberg publication settings; null (the default) means {@link Iceberg#defaults} for the table's name. */
    public Builder iceberg(Iceberg v) {
      this.iceberg = v;
      return this;
    }

    /**
     * Field ids to evolve from (see {@link FieldIds#evolve}); null (the default of
     * {@link TableDefinition#builder}) means positional ids. {@link TableDefinition#toBuilder()}
     * sets the definition's own ids, so an edited copy keeps the ids of its unchanged columns and
     * new columns get new ids.
     */
    public Builder fieldIds(FieldIds v) {
      this.fieldIds = v;
      return this;
    }

    /** Retention in ms ({@link #KEEP_FOREVER}, the default, or at least 1 h). */
    public Builder retentionMillis(long v) {
      this.retentionMillis = v;
      return this;
    }

    /** Retention; null keeps forever. */
    public Builder retention(Duration v) {
      this.retentionMillis = v == null ? KEEP_FOREVER : v.toMillis();
      return this;
    }

    /** Where Avro/Protobuf writer schemas come from (null for JSON). */
    public Builder writerSchema(WriterSchema v) {
      this.writerSchema = v;
      return this;
    }

    /** Validates and builds; throws {@link InvalidDefinitionException} naming the field. */
    public TableDefinition build() {
      TableDefinition positional = new TableDefinition(name, source, format, columns, metadata, output, flush,
          errors, scaling, iceberg, null, retentionMillis, writerSchema);
      return fieldIds == null ? positional : positional.withFieldIds(FieldIds.evolve(fieldIds, positional));
    }
  }
}
