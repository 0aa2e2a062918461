package io.tributary.catalog;

import static io.tributary.catalog.TableDefinitionsTest.CLICKS_YAML;
import static io.tributary.catalog.TableDefinitionsTest.ENV;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code iceberg:} section and the stable Iceberg field ids of a table definition. */
class IcebergDefinitionTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** CLICKS_YAML with an iceberg line appended as line 21. */
  private static String withIceberg(String section) {
    return CLICKS_YAML + "iceberg: " + section + "\n";
  }

  // ------------------------------------------------------------------ iceberg section

  @Test
  void icebergDefaultsWhenAbsent() {
    TableDefinition d = TableDefinitions.fromYaml(CLICKS_YAML, ENV);
    assertThat(d.iceberg()).isEqualTo(new TableDefinition.Iceberg(true, null, null, "clicks", 2_000));
    assertThat(d.iceberg().commitInterval()).isEqualTo(Duration.ofSeconds(2));
    TableDefinition b = TableDefinition.builder("other").source("h:1", "t").output("bucket").column("a", "int")
        .build();
    assertThat(b.iceberg()).isEqualTo(TableDefinition.Iceberg.defaults("other"));
    assertThat(TableDefinitions.fromYaml(withIceberg("{}"), ENV).iceberg()).isEqualTo(d.iceberg());
  }

  @Test
  void icebergSectionParses() {
    TableDefinition d = TableDefinitions.fromYaml(withIceberg(
        "{ enabled: false, catalog: glue, namespace: analytics, table: clicks_v2, commit_interval: 500ms }"), ENV);
    assertThat(d.iceberg()).isEqualTo(new TableDefinition.Iceberg(false, "glue", "analytics", "clicks_v2", 500));

    TableDefinition design = TableDefinitions.fromYaml(
        withIceberg("{ catalog: local, namespace: tributary, commit_interval: 2s }"), ENV);
    assertThat(design.iceberg()).isEqualTo(new TableDefinition.Iceberg(true, "local", "tributary", "clicks", 2_000));
    // no catalog named: the publishing process's configured default (TRIBUTARY_ICEBERG_CATALOG)
    assertThat(TableDefinition.Iceberg.defaults("clicks").catalog()).isNull();

    TableDefinition partial = TableDefinitions.fromYaml(CLICKS_YAML + """
        iceberg:
          catalog: rest
          commit_interval: 1m
        """, ENV);
    assertThat(partial.iceberg()).isEqualTo(new TableDefinition.Iceberg(true, "rest", null, "clicks", 60_000));
  }

  @Test
  void icebergTableFollowsARenameInTheBuilderUnlessSetExplicitly() {
    TableDefinition d = TableDefinitions.fromYaml(CLICKS_YAML, ENV);
    assertThat(d.toBuilder().name("clicks2").build().iceberg().table()).isEqualTo("clicks2");
    TableDefinition explicit = d.toBuilder().iceberg(new TableDefinition.Iceberg(true, "glue", "ns", "fixed", 1000))
        .build();
    assertThat(explicit.toBuilder().name("clicks3").build().iceberg().table()).isEqualTo("fixed");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '#', quoteCharacter = '"', value = {
      "{ catalog: hive }#iceberg.catalog#must be local | glue | rest",
      "{ namespace: Tributary }#iceberg.namespace#must match [a-z][a-z0-9_]{0,254}",
      "{ namespace: 1ns }#iceberg.namespace#must match",
      "{ table: my-table }#iceberg.table#must match",
      "{ table: '' }#iceberg.table#is required",
      "{ commit_interval: 50ms }#iceberg.commit_interval#must be 100..3600000 ms",
      "{ commit_interval: 2h }#iceberg.commit_interval#must be 100..3600000 ms",
      "{ commit_interval: soon }#iceberg.commit_interval#expected a duration",
      "{ enabled: maybe }#iceberg.enabled#must be true or false",
      "{ colour: red }#iceberg.colour#unknown key 'colour' in iceberg",
      "{ field_ids: {} }#iceberg.field_ids#unknown key",
      "5#iceberg#must be a mapping"})
  void icebergErrorsNameFieldAndLine(String section, String field, String message) {
    assertThatThrownBy(() -> TableDefinitions.fromYaml(withIceberg(section), ENV))
        .isInstanceOfSatisfying(InvalidDefinitionException.class, e -> {
          assertThat(e.field()).isEqualTo(field);
          assertThat(e.line()).isEqualTo(21);
        }).hasMessageStartingWith("line 21: " + field + ": ").hasMessageContaining(message);
  }

  @Test
  void icebergLongNamesUpTo255() {
    String ok = "n" + "a".repeat(254);
    assertThat(TableDefinitions.fromYaml(withIceberg("{ table: " + ok + " }"), ENV).iceberg().table()).isEqualTo(ok);
    assertThatThrownBy(() -> TableDefinitions.fromYaml(withIceberg("{ table: " + ok + "a }"), ENV))
        .hasMessageStartingWith("line 21: iceberg.table: must match");
  }

  // ------------------------------------------------------------------ field ids

  @Test
  void positionalIdsFromYamlAndBuilder() {
    TableDefinition d = TableDefinitions.fromYaml(CLICKS_YAML, ENV);
    assertThat(d.fieldIds().asMap()).containsExactly(Map.entry("event_id", 1), Map.entry("user_id", 2),
        Map.entry("ts", 3), Map.entry("amount", 4), Map.entry("attrs", 5), Map.entry("_partition", 6),
        Map.entry("_offset", 7), Map.entry("_timestamp", 8));
    assertThat(d.fieldIds().lastId()).isEqualTo(8);
    assertThat(d.fieldIds().id("ts")).isEqualTo(3);
    assertThatThrownBy(() -> d.fieldIds().id("_key")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'_key'");

    // metadata in canonical order, whatever order the definition lists them in; only those present
    TableDefinition key = TableDefinition.builder("k").source("h:1", "t").output("bucket").column("a", "int")
        .column("b", "string").metadata(List.of("_key", "_offset", "_partition")).build();
    assertThat(key.fieldIds().asMap()).containsExactly(Map.entry("a", 1), Map.entry("b", 2),
        Map.entry("_partition", 3), Map.entry("_offset", 4), Map.entry("_key", 5));
    assertThat(key.fieldIds()).isEqualTo(FieldIds.positional(key));
  }

  @Test
  void yamlDoesNotAcceptFieldIds() {
    assertThatThrownBy(() -> TableDefinitions.fromYaml(CLICKS_YAML + "field_ids: { event_id: 1 }\n", ENV))
        .isInstanceOfSatisfying(InvalidDefinitionException.class, e -> assertThat(e.line()).isEqualTo(21))
        .hasMessageStartingWith("line 21: field_ids: unknown key 'field_ids'");
    assertThatThrownBy(() -> TableDefinitions.fromYaml(CLICKS_YAML + "last_field_id: 9\n", ENV))
        .hasMessageStartingWith("line 21: last_field_id: unknown key");
  }

  @Test
  void canonicalJsonCarriesIcebergAndFieldIdsAndRoundTrips() throws Exception {
    TableDefinition d = TableDefinitions.fromYaml(withIceberg(
        "{ enabled: false, catalog: rest, namespace: ns, table: tbl, commit_interval: 750ms }"), ENV);
    d = d.withFieldIds(new FieldIds(new LinkedHashMap<>(Map.of("event_id", 1, "user_id", 2, "ts", 9, "amount", 4,
        "attrs", 11, "_partition", 6, "_offset", 7, "_timestamp", 8)), 12));
    String json = TableDefinitions.toJson(d);
    JsonNode tree = MAPPER.readTree(json);
    assertThat(tree.path("iceberg").toString()).isEqualTo(
        "{\"enabled\":false,\"catalog\":\"rest\",\"namespace\":\"ns\",\"table\":\"tbl\",\"commit_interval\":750}");
    assertThat(tree.path("field_ids").path("ts").asInt()).isEqualTo(9);
    assertThat(tree.path("field_ids").path("attrs").asInt()).isEqualTo(11);
    assertThat(tree.path("last_field_id").asInt()).isEqualTo(12);
    // canonical order: columns, then metadata columns
    List<String> keys = new java.util.ArrayList<>();
    tree.path("field_ids").fieldNames().forEachRemaining(keys::add);
    assertThat(keys).containsExactly("event_id", "user_id", "ts", "amount", "attrs", "_partition", "_offset",
        "_timestamp");

    TableDefinition back = TableDefinitions.fromJson(json);
    assertThat(back).isEqualTo(d);
    assertThat(back.fieldIds().lastId()).isEqualTo(12);
    assertThat(TableDefinitions.toJson(back)).isEqualTo(json);

    TableDefinition defaults = TableDefinitions.fromYaml(CLICKS_YAML, ENV);
    JsonNode dt = MAPPER.readTree(TableDefinitions.toJson(defaults));
    assertThat(dt.path("iceberg").toString()).isEqualTo(
        "{\"enabled\":true,\"table\":\"clicks\",\"commit_interval\":2000}");
    assertThat(dt.path("last_field_id").asInt()).isEqualTo(8);
  }

  @Test
  void oldJsonWithoutIcebergOrFieldIdsReadsBackWithDefaults() {
    TableDefinition d = TableDefinitions.fromYaml(CLICKS_YAML, ENV);
    ObjectNode tree = TableDefinitions.toTree(d);
    tree.remove("iceberg");
    tree.remove("field_ids");
    tree.remove("last_field_id");
    TableDefinition old = TableDefinitions.fromJson(tree.toString());
    assertThat(old.iceberg()).isEqualTo(TableDefinition.Iceberg.defaults("clicks"));
    assertThat(old.fieldIds()).isEqualTo(FieldIds.positional(old));
    assertThat(old).isEqualTo(d);
  }

  @Test
  void jsonFieldIdsMustMatchTheColumns() {
    ObjectNode tree = TableDefinitions.toTree(TableDefinitions.fromYaml(CLICKS_YAML, ENV));
    ObjectNode missing = tree.deepCopy();
    ((ObjectNode) missing.get("field_ids")).remove("ts");
    assertField(missing, "field_ids", "no field id for column 'ts'");

    ObjectNode extra = tree.deepCopy();
    ((ObjectNode) extra.get("field_ids")).put("gone", 9);
    extra.put("last_field_id", 9);
    assertField(extra, "field_ids", "unknown column 'gone'");

    ObjectNode dup = tree.deepCopy();
    ((ObjectNode) dup.get("field_ids")).put("ts", 1);
    assertField(dup, "field_ids", "used by both");

    ObjectNode low = tree.deepCopy();
    low.put("last_field_id", 3);
    assertField(low, "field_ids", "above last_field_id 3");

    ObjectNode zero = tree.deepCopy();
    ((ObjectNode) zero.get("field_ids")).put("ts", 0);
    assertField(zero, "field_ids.ts", "positive");

    ObjectNode lastOnly = tree.deepCopy();
    lastOnly.remove("field_ids");
    assertField(lastOnly, "last_field_id", "only allowed together with field_ids");

    ObjectNode noLast = tree.deepCopy();
    noLast.remove("last_field_id");
    assertThat(TableDefinitions.fromJson(noLast.toString()).fieldIds().lastId()).isEqualTo(8);
  }

  private static void assertField(ObjectNode tree, String field, String message) {
    assertThatThrownBy(() -> TableDefinitions.fromJson(tree.toString()))
        .isInstanceOfSatisfying(InvalidDefinitionException.class, e -> assertThat(e.field()).isEqualTo(field))
        .hasMessageStartingWith(field + ": ").hasMessageContaining(message);
  }

  @Test
  void evolveKeepsIdsAddsNewOnesAndNeverReuses() {
    TableDefinition v1 = TableDefinitions.fromYaml(CLICKS_YAML, ENV); // 1..5 columns, 6..8 metadata
    // drop user_id, add country and _key
    TableDefinition v2 = TableDefinitions.fromYaml(CLICKS_YAML
        .replace("  - { name: user_id,  type: long,      path: $.user.id }\n", "")
        .replace("  - { name: attrs,    type: json,      path: $.attrs }\n",
            "  - { name: attrs,    type: json,      path: $.attrs }\n  - { name: country, type: string }\n")
        .replace("metadata: [ _partition, _offset, _timestamp ]", "metadata: [ _partition, _offset, _timestamp, _key ]"),
        ENV);
    FieldIds ids2 = FieldIds.evolve(v1.fieldIds(), v2);
    assertThat(ids2.asMap()).containsExactly(Map.entry("event_id", 1), Map.entry("ts", 3), Map.entry("amount", 4),
        Map.entry("attrs", 5), Map.entry("country", 9), Map.entry("_partition", 6), Map.entry("_offset", 7),
        Map.entry("_timestamp", 8), Map.entry("_key", 10));
    assertThat(ids2.lastId()).isEqualTo(10);
    assertThat(ids2.contains("user_id")).isFalse();

    // re-adding user_id gives it a new id, never its old 2
    TableDefinition v3 = v2.toBuilder().fieldIds(null).column("user_id", "long").build();
    FieldIds ids3 = FieldIds.evolve(ids2, v3);
    assertThat(ids3.id("user_id")).isEqualTo(11);
    assertThat(ids3.lastId()).isEqualTo(11);
    assertThat(ids3.id("country")).isEqualTo(9);

    // dropping the newest column keeps lastId: the next new column does not take its id
    TableDefinition v4 = v3.toBuilder().fieldIds(null).columns(v3.columns().subList(0, v3.columns().size() - 1))
        .build();
    FieldIds ids4 = FieldIds.evolve(ids3, v4);
    assertThat(ids4.lastId()).isEqualTo(11);
    TableDefinition v5 = v4.toBuilder().fieldIds(null).column("fresh", "int").build();
    assertThat(FieldIds.evolve(ids4, v5).id("fresh")).isEqualTo(12);

    // unchanged definition: unchanged ids; no previous ids: positional
    assertThat(FieldIds.evolve(v1.fieldIds(), v1)).isEqualTo(v1.fieldIds());
    assertThat(FieldIds.evolve(null, v2)).isEqualTo(FieldIds.positional(v2));
  }

  @Test
  void toBuilderEvolvesItsOwnIds() {
    TableDefinition v1 = TableDefinitions.fromYaml(CLICKS_YAML, ENV);
    TableDefinition v2 = v1.toBuilder().columns(v1.columns().subList(1, v1.columns().size())).column("z", "int")
        .build();
    assertThat(v2.fieldIds().id("user_id")).isEqualTo(2);
    assertThat(v2.fieldIds().id("z")).isEqualTo(9);
    assertThat(v2.fieldIds().contains("event_id")).isFalse();
    assertThat(v1.toBuilder().build()).isEqualTo(v1);
  }

  @Test
  void withFieldIdsMustCoverExactlyTheColumns() {
    TableDefinition d = TableDefinitions.fromYaml(CLICKS_YAML, ENV);
    assertThatThrownBy(() -> d.withFieldIds(FieldIds.of(Map.of("event_id", 1))))
        .isInstanceOfSatisfying(InvalidDefinitionException.class, e -> assertThat(e.field()).isEqualTo("field_ids"));
    assertThatThrownBy(() -> new FieldIds(Map.of("a", 1, "b", 1), 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("used by both");
    assertThatThrownBy(() -> new FieldIds(Map.of("a", -1), 1)).hasMessageContaining("positive");
    assertThatThrownBy(() -> new FieldIds(Map.of("a", 2), 1)).hasMessageContaining("above last_field_id");
    assertThatThrownBy(() -> new FieldIds(Map.of("a", 1), 0)).hasMessageContaining("above last_field_id");
  }

  @Test
  void anOpenNamespaceIsResolvedAndStoredAtCreation() {
    TableDefinition open = TableDefinitions.fromYaml(CLICKS_YAML, ENV);
    assertThat(open.iceberg().namespace()).isNull();
    TableDefinition analytics = io.tributary.catalog.admin.TableLifecycleAccess.resolve(open, "analytics");
    assertThat(analytics.iceberg().namespace()).isEqualTo("analytics");
    assertThat(io.tributary.catalog.admin.TableLifecycleAccess.resolve(open, null).iceberg().namespace())
        .isEqualTo("tributary");
    TableDefinition explicit = TableDefinitions.fromYaml(withIceberg("{ namespace: sales }"), ENV);
    assertThat(io.tributary.catalog.admin.TableLifecycleAccess.resolve(explicit, "analytics").iceberg().namespace())
        .isEqualTo("sales");
  }
}
