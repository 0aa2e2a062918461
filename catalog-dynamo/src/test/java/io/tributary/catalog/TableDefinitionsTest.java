package io.tributary.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Table definition parsing, defaults, canonical JSON, and every validation rule. */
class TableDefinitionsTest {

  /** DESIGN.md's example, verbatim (line numbers matter below). */
  static final String CLICKS_YAML = """
      name: clicks                      # [a-z][a-z0-9_]{0,62}
      source:
        bootstrap: ${TRIBUTARY_KAFKA_BOOTSTRAP}   # ${VAR} is expanded from the environment
        topic: clicks
        start: earliest                 # earliest | latest | <offset>
      format: json
      columns:
        - { name: event_id, type: string,    path: $.event_id, nullable: false }
        - { name: user_id,  type: long,      path: $.user.id }
        - { name: ts,       type: timestamp, path: $.ts }
        - { name: amount,   type: "decimal(12,2)", path: $.amount }
        - { name: attrs,    type: json,      path: $.attrs }
      metadata: [ _partition, _offset, _timestamp ]   # _key optional
      output:
        bucket: ${TRIBUTARY_BUCKET}
        prefix: tables
        compression: zstd               # zstd | snappy
      flush: { max_rows: 500000, max_bytes: 64MiB, max_age: 5s }
      errors: { policy: dlq, topic: clicks.dlq }   # dlq | skip | fail; topic = optional at-least-once mirror
      scaling: { min_runners: 1, max_runners: 8 }
      """;

  static final Map<String, String> ENV = Map.of("TRIBUTARY_KAFKA_BOOTSTRAP", "127.0.0.1:9092",
      "TRIBUTARY_BUCKET", "tributary");

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void parsesTheDesignExample() {
    TableDefinition d = TableDefinitions.fromYaml(CLICKS_YAML, ENV);
    assertThat(d.name()).isEqualTo("clicks");
    assertThat(d.source()).isEqualTo(new TableDefinition.Source("127.0.0.1:9092", "clicks", "earliest"));
    assertThat(d.source().startsEarliest()).isTrue();
    assertThat(d.format()).isEqualTo(TableDefinition.Format.JSON);
    assertThat(d.columns()).hasSize(5);
    assertThat(d.columns().get(0)).isEqualTo(new TableDefinition.Column("event_id", ColumnType.parse("string"),
        "$.event_id", false));
    assertThat(d.columns().get(1).path()).isEqualTo("$.user.id");
    assertThat(d.columns().get(1).nullable()).isTrue();
    assertThat(d.columns().get(3).type()).isEqualTo(ColumnType.decimal(12, 2));
    assertThat(d.columns().get(3).type().toString()).isEqualTo("decimal(12,2)");
    assertThat(d.metadata()).containsExactly("_partition", "_offset", "_timestamp");
    assertThat(d.output()).isEqualTo(new TableDefinition.Output("tributary", "tables",
        TableDefinition.Compression.ZSTD));
    assertThat(d.flush()).isEqualTo(new TableDefinition.Flush(500_000, 64L << 20, 5_000));
    assertThat(d.errors()).isEqualTo(new TableDefinition.Errors(TableDefinition.ErrorPolicy.DLQ, "clicks.dlq"));
    assertThat(d.scaling()).isEqualTo(new TableDefinition.Scaling(1, 8));
  }

  @Test
  void fillsDefaults() {
    TableDefinition d = TableDefinitions.fromYaml("""
        name: minimal
        source: { bootstrap: "h:1", topic: t }
        columns:
          - name: a
            type: int
        output: { bucket: my-bucket }
        """, Map.of());
    assertThat(d.format()).isEqualTo(TableDefinition.Format.JSON);
    assertThat(d.source().start()).isEqualTo("earliest");
    assertThat(d.columns().get(0).path()).isEqualTo("$.a");
    assertThat(d.columns().get(0).nullable()).isTrue();
    assertThat(d.metadata()).isEqualTo(TableDefinition.DEFAULT_METADATA);
    assertThat(d.output().prefix()).isEqualTo("tables");
    assertThat(d.output().compression()).isEqualTo(TableDefinition.Compression.ZSTD);
    assertThat(d.flush()).isEqualTo(TableDefinition.Flush.DEFAULT);
    assertThat(d.flush().maxBytes()).isEqualTo(64L * 1024 * 1024);
    assertThat(d.errors().policy()).isEqualTo(TableDefinition.ErrorPolicy.DLQ);
    assertThat(d.errors().topic()).isNull();
    assertThat(d.scaling()).isEqualTo(new TableDefinition.Scaling(1, 8));
  }

  @Test
  void canonicalJsonRoundTrips() throws Exception {
    TableDefinition d = TableDefinitions.fromYaml(CLICKS_YAML, ENV);
    String json = TableDefinitions.toJson(d);
    assertThat(TableDefinitions.fromJson(json)).isEqualTo(d);
    assertThat(TableDefinitions.toJson(TableDefinitions.fromJson(json))).isEqualTo(json);
    JsonNode tree = MAPPER.readTree(json);
    assertThat(tree.path("flush").path("max_bytes").asLong()).isEqualTo(67_108_864L);
    assertThat(tree.path("flush").path("max_age").asLong()).isEqualTo(5_000L);
    assertThat(tree.path("columns").get(3).path("type").asText()).isEqualTo("decimal(12,2)");
    assertThat(tree.path("columns").get(0).path("nullable").asBoolean()).isFalse();
    assertThat(json).startsWith("{\"name\":\"clicks\",\"source\":{\"bootstrap\":\"127.0.0.1:9092\"");

    TableDefinition offset = d.toBuilder().source(new TableDefinition.Source("h:1", "clicks", "42")).build();
    assertThat(offset.source().startOffset()).hasValue(42);
    assertThat(MAPPER.readTree(TableDefinitions.toJson(offset)).path("source").path("start").isNumber()).isTrue();
    assertThat(TableDefinitions.fromJson(TableDefinitions.toJson(offset))).isEqualTo(offset);
  }

  @Test
  void parsesSizesAndDurations() {
    assertThat(TableDefinitions.parseSize("64MiB")).isEqualTo(64L << 20);
    assertThat(TableDefinitions.parseSize("512KiB")).isEqualTo(512L << 10);
    assertThat(TableDefinitions.parseSize("1GiB")).isEqualTo(1L << 30);
    assertThat(TableDefinitions.parseSize("10MB")).isEqualTo(10_000_000L);
    assertThat(TableDefinitions.parseSize("2048")).isEqualTo(2048L);
    assertThat(TableDefinitions.parseDurationMillis("500ms")).isEqualTo(500L);
    assertThat(TableDefinitions.parseDurationMillis("5s")).isEqualTo(5_000L);
    assertThat(TableDefinitions.parseDurationMillis("1m")).isEqualTo(60_000L);
    assertThat(TableDefinitions.parseDurationMillis("250")).isEqualTo(250L);
    TableDefinition d = TableDefinitions.fromYaml(CLICKS_YAML.replace("max_bytes: 64MiB, max_age: 5s",
        "max_bytes: 1048576, max_age: 500"), ENV);
    assertThat(d.flush().maxBytes()).isEqualTo(1_048_576L);
    assertThat(d.flush().maxAgeMillis()).isEqualTo(500L);
  }

  // ------------------------------------------------------------------ every rule names its field

  static Stream<Arguments> badValues() {
    String long64 = "a".repeat(64);
    return Stream.of(
        // table name
        Arguments.of("/name", "Clicks", "name"), Arguments.of("/name", "1clicks", "name"),
        Arguments.of("/name", "", "name"), Arguments.of("/name", long64, "name"),
        Arguments.of("/name", "click-stream", "name"),
        // source
        Arguments.of("/source/bootstrap", "", "source.bootstrap"),
        Arguments.of("/source/bootstrap", "no-port", "source.bootstrap"),
        Arguments.of("/source/bootstrap", "h:99999", "source.bootstrap"),
        Arguments.of("/source/topic", "", "source.topic"), Arguments.of("/source/topic", ".", "source.topic"),
        Arguments.of("/source/topic", "..", "source.topic"), Arguments.of("/source/topic", "a/b", "source.topic"),
        Arguments.of("/source/topic", "t".repeat(250), "source.topic"),
        Arguments.of("/source/topic", "sp ace", "source.topic"),
        Arguments.of("/source/start", "yesterday", "source.start"), Arguments.of("/source/start", -1, "source.start"),
        Arguments.of("/source/start", "-5", "source.start"),
        Arguments.of("/format", "avro", "format"),
        // columns
        Arguments.of("/columns/1/name", "event_id", "columns[1].name"),
        Arguments.of("/columns/1/name", "EVENT_ID", "columns[1].name"),
        Arguments.of("/columns/2/name", "_offset", "columns[2].name"),
        Arguments.of("/columns/2/name", "_key", "columns[2].name"),
        Arguments.of("/columns/2/name", "bad name", "columns[2].name"),
        Arguments.of("/columns/2/type", "strin", "columns[2].type"),
        Arguments.of("/columns/2/type", "decimal(0,0)", "columns[2].type"),
        Arguments.of("/columns/2/type", "decimal(39,2)", "columns[2].type"),
        Arguments.of("/columns/2/type", "decimal(5,6)", "columns[2].type"),
        Arguments.of("/columns/2/type", "decimal(12)", "columns[2].type"),
        Arguments.of("/columns/2/type", 5, "columns[2].type"),
        Arguments.of("/columns/0/path", "a.b", "columns[0].path"),
        Arguments.of("/columns/0/path", "$..a", "columns[0].path"),
        Arguments.of("/columns/0/path", "$.a[-1]", "columns[0].path"),
        Arguments.of("/columns/0/path", "$.a[x]", "columns[0].path"),
        Arguments.of("/columns/0/path", "$.a b", "columns[0].path"),
        Arguments.of("/columns/0/nullable", "maybe", "columns[0].nullable"),
        // metadata
        Arguments.of("/metadata/1", "_foo", "metadata[1]"), Arguments.of("/metadata/1", "_partition", "metadata[1]"),
        // output
        Arguments.of("/output/bucket", "", "output.bucket"), Arguments.of("/output/bucket", "ab", "output.bucket"),
        Arguments.of("/output/bucket", "My-Bucket", "output.bucket"),
        Arguments.of("/output/bucket", "a..b", "output.bucket"),
        Arguments.of("/output/bucket", "-abc", "output.bucket"),
        Arguments.of("/output/bucket", "192.168.1.1", "output.bucket"),
        Arguments.of("/output/bucket", "b".repeat(64), "output.bucket"),
        Arguments.of("/output/bucket", "xn--abc", "output.bucket"),
        Arguments.of("/output/bucket", "under_score", "output.bucket"),
        Arguments.of("/output/prefix", "../x", "output.prefix"),
        Arguments.of("/output/prefix", "a/../b", "output.prefix"),
        Arguments.of("/output/prefix", "a/./b", "output.prefix"),
        Arguments.of("/output/prefix", "/abs", "output.prefix"),
        Arguments.of("/output/prefix", "a\\b", "output.prefix"),
        Arguments.of("/output/prefix", "a\u0001b", "output.prefix"),
        Arguments.of("/output/prefix", "a\nb", "output.prefix"),
        Arguments.of("/output/prefix", "a//b", "output.prefix"),
        Arguments.of("/output/prefix", "x/", "output.prefix"),
        Arguments.of("/output/prefix", "", "output.prefix"),
        Arguments.of("/output/compression", "gzip", "output.compression"),
        // flush
        Arguments.of("/flush/max_rows", 0, "flush.max_rows"),
        Arguments.of("/flush/max_rows", 10_000_001, "flush.max_rows"),
        Arguments.of("/flush/max_rows", "many", "flush.max_rows"),
        Arguments.of("/flush/max_bytes", "512B", "flush.max_bytes"),
        Arguments.of("/flush/max_bytes", 1023, "flush.max_bytes"),
        Arguments.of("/flush/max_bytes", "2GiB", "flush.max_bytes"),
        Arguments.of("/flush/max_bytes", "64XB", "flush.max_bytes"),
        Arguments.of("/flush/max_bytes", "1.5MiB", "flush.max_bytes"),
        Arguments.of("/flush/max_age", "50ms", "flush.max_age"),
        Arguments.of("/flush/max_age", "2h", "flush.max_age"),
        Arguments.of("/flush/max_age", "5 parsecs", "flush.max_age"),
        Arguments.of("/flush/max_age", 99, "flush.max_age"),
        // errors
        Arguments.of("/errors/policy", "retry", "errors.policy"),
        Arguments.of("/errors/topic", "bad topic", "errors.topic"),
        // scaling
        Arguments.of("/scaling/min_runners", 0, "scaling.min_runners"),
        Arguments.of("/scaling/max_runners", 0, "scaling.max_runners"),
        Arguments.of("/scaling/max_runners", 1025, "scaling.max_runners"),
        // unknown keys
        Arguments.of("/colour", "red", "colour"), Arguments.of("/flush/max_rowz", 5, "flush.max_rowz"),
        Arguments.of("/columns/0/default", 5, "columns[0].default"));
  }

  @ParameterizedTest(name = "{0} = {1} -> {2}")
  @MethodSource("badValues")
  void everyRuleNamesItsField(String pointer, Object value, String field) throws Exception {
    ObjectNode tree = TableDefinitions.toTree(TableDefinitions.fromYaml(CLICKS_YAML, ENV));
    set(tree, pointer, value);
    String json = MAPPER.writeValueAsString(tree);
    assertThatThrownBy(() -> TableDefinitions.fromJson(json)).isInstanceOfSatisfying(
        InvalidDefinitionException.class, e -> {
          assertThat(e.field()).isEqualTo(field);
          assertThat(e.getMessage()).startsWith(field + ": ");
          assertThat(e.detail()).isNotBlank();
        });
  }

  private static void set(ObjectNode root, String pointer, Object value) {
    int cut = pointer.lastIndexOf('/');
    JsonNode parent = cut == 0 ? root : root.at(pointer.substring(0, cut));
    String last = pointer.substring(cut + 1);
    JsonNode v = MAPPER.valueToTree(value);
    if (parent instanceof ArrayNode a) {
      a.set(Integer.parseInt(last), v);
    } else {
      ((ObjectNode) parent).set(last, v);
    }
  }

  @Test
  void structuralRulesNameTheirFields() {
    assertField(() -> TableDefinition.builder("t").output("bucket").column("a", "int").build(), "source");
    assertField(() -> TableDefinition.builder("t").source("h:1", "t").column("a", "int").build(), "output");
    assertField(() -> TableDefinition.builder("t").source("h:1", "t").output("bucket").build(), "columns");
    assertField(() -> TableDefinition.builder("t").source("h:1", "t").output("bucket")
        .column(new TableDefinition.Column("a", null, null, true)).build(), "columns[0].type");
    assertField(() -> TableDefinition.builder("t").source("h:1", "t").output("bucket").column("a", "int")
        .scaling(new TableDefinition.Scaling(4, 2)).build(), "scaling.max_runners");
    assertField(() -> TableDefinitions.fromJson("{\"name\":\"t\",\"source\":5}"), "source");
    assertField(() -> TableDefinitions.fromJson("{\"name\":\"t\",\"source\":{\"bootstrap\":\"h:1\",\"topic\":\"t\"},"
        + "\"columns\":{},\"output\":{\"bucket\":\"bucket\"}}"), "columns");
    assertField(() -> TableDefinitions.fromJson("{\"name\":\"t\",\"source\":{\"bootstrap\":\"h:1\",\"topic\":\"t\"},"
        + "\"columns\":[{\"name\":\"a\",\"type\":\"int\"}],\"output\":{\"bucket\":\"bucket\"},\"metadata\":\"_key\"}"),
        "metadata");
    assertField(() -> TableDefinitions.fromJson("{\"name\":7}"), "name");
    assertField(() -> TableDefinitions.fromJson("not json"), "(document)");
    assertField(() -> TableDefinitions.fromJson(""), "(document)");
  }

  private static void assertField(Runnable r, String field) {
    assertThatThrownBy(r::run).isInstanceOfSatisfying(InvalidDefinitionException.class,
        e -> assertThat(e.field()).isEqualTo(field)).hasMessageStartingWith(field + ": ");
  }

  // ------------------------------------------------------------------ YAML specifics

  @Test
  void yamlUnknownKeyNamesItsLine() {
    String yaml = CLICKS_YAML.replace("format: json\n", "format: json\ncolour: red\n");
    assertThatThrownBy(() -> TableDefinitions.fromYaml(yaml, ENV)).isInstanceOfSatisfying(
        InvalidDefinitionException.class, e -> {
          assertThat(e.line()).isEqualTo(7);
          assertThat(e.field()).isEqualTo("colour");
        }).hasMessageStartingWith("line 7: colour: unknown key 'colour'");

    String nested = CLICKS_YAML.replace("  prefix: tables\n", "  prefix: tables\n  region: eu\n");
    assertThatThrownBy(() -> TableDefinitions.fromYaml(nested, ENV))
        .hasMessageStartingWith("line 17: output.region: unknown key 'region' in output");

    String inColumn = CLICKS_YAML.replace("path: $.ts }", "path: $.ts, default: 0 }");
    assertThatThrownBy(() -> TableDefinitions.fromYaml(inColumn, ENV))
        .hasMessageStartingWith("line 10: columns[2].default: unknown key");
  }

  @Test
  void yamlBadValueNamesItsLine() {
    assertThatThrownBy(() -> TableDefinitions.fromYaml(CLICKS_YAML.replace("type: timestamp", "type: timestmp"), ENV))
        .isInstanceOfSatisfying(InvalidDefinitionException.class, e -> {
          assertThat(e.line()).isEqualTo(10);
          assertThat(e.field()).isEqualTo("columns[2].type");
        }).hasMessageStartingWith("line 10: columns[2].type: unknown type 'timestmp'");
    assertThatThrownBy(() -> TableDefinitions.fromYaml(CLICKS_YAML.replace("max_age: 5s", "max_age: 2h"), ENV))
        .hasMessageStartingWith("line 18: flush.max_age: must be 100..3600000 ms");
    assertThatThrownBy(() -> TableDefinitions.fromYaml(CLICKS_YAML.replace("prefix: tables", "prefix: ../up"), ENV))
        .hasMessageStartingWith("line 16: output.prefix: must not contain '..'");
    assertThatThrownBy(() -> TableDefinitions.fromYaml(CLICKS_YAML.replace("name: clicks ", "name: Clicks "), ENV))
        .hasMessageStartingWith("line 1: name: must match");
    assertThatThrownBy(() -> TableDefinitions.fromYaml(
        CLICKS_YAML.replace("{ name: ts,  ", "{ name: user_id,").replace("name: ts,", "name: user_id,"), ENV))
        .hasMessageStartingWith("line 10: columns[2].name: duplicate column name 'user_id'");
  }

  @Test
  void yamlDuplicateKeysAndSyntaxErrorsNameTheirLine() {
    assertThatThrownBy(() -> TableDefinitions.fromYaml(CLICKS_YAML.replace("format: json\n",
        "format: json\nname: other\n"), ENV)).hasMessageStartingWith("line 7: name: duplicate key 'name'");
    assertThatThrownBy(() -> TableDefinitions.fromYaml(CLICKS_YAML.replace("scaling: {", "scaling: {{"), ENV))
        .isInstanceOfSatisfying(InvalidDefinitionException.class, e -> assertThat(e.line()).isEqualTo(20))
        .hasMessageContaining("not valid YAML");
    assertThatThrownBy(() -> TableDefinitions.fromYaml("", ENV)).hasMessageContaining("empty");
    assertThatThrownBy(() -> TableDefinitions.fromYaml("name: a\n---\nname: b\n", ENV))
        .hasMessageContaining("one YAML document");
  }

  @Test
  void yamlExpandsVariablesButNotInComments() {
    TableDefinition d = TableDefinitions.fromYaml(CLICKS_YAML.replace("topic: clicks\n",
        "topic: ${TOPIC}_v${N}\n"), Map.of("TRIBUTARY_KAFKA_BOOTSTRAP", "k1:9092,k2:9092", "TRIBUTARY_BUCKET",
            "b-1", "TOPIC", "clicks", "N", "2"));
    assertThat(d.source().bootstrap()).isEqualTo("k1:9092,k2:9092");
    assertThat(d.source().topic()).isEqualTo("clicks_v2");
    assertThat(d.output().bucket()).isEqualTo("b-1");
    // the comment on line 3 mentions ${VAR}: that is not a variable, so no error about VAR
    assertThat(TableDefinitions.fromYaml(CLICKS_YAML, ENV).name()).isEqualTo("clicks");
  }

  @Test
  void yamlUnsetVariableIsAnErrorNamingIt() {
    assertThatThrownBy(() -> TableDefinitions.fromYaml(CLICKS_YAML, Map.of("TRIBUTARY_BUCKET", "b")))
        .isInstanceOfSatisfying(InvalidDefinitionException.class, e -> {
          assertThat(e.field()).isEqualTo("source.bootstrap");
          assertThat(e.line()).isEqualTo(3);
        }).hasMessage("line 3: source.bootstrap: environment variable TRIBUTARY_KAFKA_BOOTSTRAP is not set");
    assertThatThrownBy(() -> TableDefinitions.fromYaml(CLICKS_YAML, Map.of("TRIBUTARY_KAFKA_BOOTSTRAP", "h:1")))
        .hasMessage("line 15: output.bucket: environment variable TRIBUTARY_BUCKET is not set");
  }

  @Test
  void yamlVariablesFeedTypedFields() {
    TableDefinition d = TableDefinitions.fromYaml(CLICKS_YAML.replace("max_rows: 500000", "max_rows: \"${ROWS}\"")
        .replace("start: earliest", "start: ${START}"), Map.of("TRIBUTARY_KAFKA_BOOTSTRAP", "h:1",
            "TRIBUTARY_BUCKET", "bucket", "ROWS", "1000", "START", "77"));
    assertThat(d.flush().maxRows()).isEqualTo(1000);
    assertThat(d.source().startOffset()).hasValue(77);
  }

  @Test
  void columnTypesParseAndPrint() {
    for (String t : List.of("string", "int", "long", "double", "boolean", "timestamp", "date", "json",
        "decimal(1,0)", "decimal(38,38)", "decimal(18,4)")) {
      assertThat(ColumnType.parse(t).toString()).isEqualTo(t);
    }
    assertThat(ColumnType.parse("Decimal( 12 , 2 )")).isEqualTo(ColumnType.decimal(12, 2));
    assertThatThrownBy(() -> ColumnType.parse("float")).hasMessageContaining("decimal(p,s)");
  }

  @Test
  void objectKeysFollowTheLayout() {
    var dt = java.time.LocalDate.of(2024, 5, 6);
    String k = ObjectKeys.data("tables", "clicks", dt, 3, 100, 200, "abc");
    assertThat(k).isEqualTo("tables/clicks/dt=2024-05-06/p3-100-200-abc.parquet");
    assertThat(ObjectKeys.dlq("tables", "clicks", dt, 3, 100, 200, "abc"))
        .isEqualTo("tables/clicks/_dlq/dt=2024-05-06/p3-100-200-abc.jsonl.gz");
    assertThat(ObjectKeys.mismatch("tables", "clicks", PartObject.Kind.DATA, k, 3, 100, 200)).isNull();
    assertThat(ObjectKeys.mismatch("tables", "clicks", PartObject.Kind.DATA, k, 3, 100, 201)).contains("p3-100-200");
    assertThat(ObjectKeys.mismatch("tables", "clicks", PartObject.Kind.DLQ, k, 3, 100, 200)).isNotNull();
    assertThat(ObjectKeys.mismatch("tables", "clicks", PartObject.Kind.DATA,
        "tables/clicks/dt=2024-13-45/p3-100-200-abc.parquet", 3, 100, 200)).contains("not a date");
    assertThatThrownBy(() -> ObjectKeys.data("tables", "clicks", dt, 3, 1, 2, "../x"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
