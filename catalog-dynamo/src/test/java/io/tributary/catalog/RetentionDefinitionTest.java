package io.tributary.catalog;

import static io.tributary.catalog.TableDefinitionsTest.CLICKS_YAML;
import static io.tributary.catalog.TableDefinitionsTest.ENV;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code retention:} key of a table definition (docs/maintenance.md rule 4). */
class RetentionDefinitionTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** CLICKS_YAML with a retention line appended as line 21. */
  private static String withRetention(String value) {
    return CLICKS_YAML + "retention: " + value + "\n";
  }

  @Test
  void absentKeepsForever() {
    TableDefinition d = TableDefinitions.fromYaml(CLICKS_YAML, ENV);
    assertThat(d.retentionMillis()).isEqualTo(TableDefinition.KEEP_FOREVER).isZero();
    assertThat(d.hasRetention()).isFalse();
    assertThat(d.retention()).isEmpty();
    assertThat(TableDefinitions.toTree(d).has("retention")).isFalse();
    assertThat(TableDefinitions.fromYaml(withRetention("null"), ENV).retentionMillis()).isZero();
    TableDefinition b = TableDefinition.builder("other").source("h:1", "t").output("bucket").column("a", "int")
        .build();
    assertThat(b.retentionMillis()).isZero();
  }

  @ParameterizedTest(name = "{0} -> {1} ms")
  @CsvSource({
      "30d, 2592000000",
      "1d, 86400000",
      "36h, 129600000",
      "1h, 3600000",
      "90m, 5400000",
      "3600s, 3600000",
      "'\"7 d\"', 604800000",
      "7200000, 7200000",
      "'\"7200000\"', 7200000",
      "36500d, 3153600000000"})
  void unitsParse(String value, long millis) {
    TableDefinition d = TableDefinitions.fromYaml(withRetention(value), ENV);
    assertThat(d.retentionMillis()).isEqualTo(millis);
    assertThat(d.hasRetention()).isTrue();
    assertThat(d.retention()).isEqualTo(Optional.of(Duration.ofMillis(millis)));
  }

  @Test
  void roundTripsInCanonicalJsonInMillis() throws Exception {
    TableDefinition d = TableDefinitions.fromYaml(withRetention("30d"), ENV);
    String json = TableDefinitions.toJson(d);
    ObjectNode tree = (ObjectNode) MAPPER.readTree(json);
    assertThat(tree.get("retention").isIntegralNumber()).isTrue();
    assertThat(tree.get("retention").longValue()).isEqualTo(2_592_000_000L);
    TableDefinition back = TableDefinitions.fromJson(json);
    assertThat(back).isEqualTo(d);
    assertThat(TableDefinitions.toJson(back)).isEqualTo(json);
    // the key sits after iceberg, before the field ids
    assertThat(json.indexOf("\"retention\"")).isGreaterThan(json.indexOf("\"iceberg\""))
        .isLessThan(json.indexOf("\"field_ids\""));

    // a JSON written before retention existed reads back as keep-forever
    tree.remove("retention");
    TableDefinition old = TableDefinitions.fromJson(tree.toString());
    assertThat(old.retentionMillis()).isZero();
    assertThat(old).isEqualTo(d.toBuilder().retention(null).build());

    // hand-written JSON may use units too
    tree.put("retention", "12h");
    assertThat(TableDefinitions.fromJson(tree.toString()).retentionMillis()).isEqualTo(43_200_000L);
  }

  @Test
  void builderAndEditsKeepIt() {
    TableDefinition d = TableDefinition.builder("k").source("h:1", "t").output("bucket").column("a", "int")
        .retention(Duration.ofDays(7)).build();
    assertThat(d.retentionMillis()).isEqualTo(Duration.ofDays(7).toMillis());
    assertThat(d.toBuilder().name("k2").build().retentionMillis()).isEqualTo(d.retentionMillis());
    assertThat(d.withFieldIds(d.fieldIds()).retentionMillis()).isEqualTo(d.retentionMillis());
    assertThat(d.toBuilder().retentionMillis(0).build().hasRetention()).isFalse();
    assertThatThrownBy(() -> d.toBuilder().retentionMillis(59 * 60_000L).build())
        .isInstanceOfSatisfying(InvalidDefinitionException.class,
            e -> assertThat(e.field()).isEqualTo("retention"))
        .hasMessageContaining("at least 1h");
    assertThatThrownBy(() -> d.toBuilder().retentionMillis(-1).build())
        .isInstanceOf(InvalidDefinitionException.class);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '#', quoteCharacter = '"', value = {
      "59m#must be at least 1h",
      "3599s#must be at least 1h",
      "0#must be at least 1h",
      "0d#must be at least 1h",
      "-5#must be at least 1h",
      "30 days#expected a retention like 30d",
      "30w#expected a retention like 30d",
      "1.5d#expected a retention like 30d",
      "500ms#expected a retention like 30d",
      "forever#expected a retention like 30d",
      "36501d#at most 36500d",
      "99999999999999999d#out of range",
      "[30d]#expected a retention like 30d",
      "{ days: 30 }#expected a retention like 30d"})
  void errorsNameFieldAndLine(String value, String message) {
    assertThatThrownBy(() -> TableDefinitions.fromYaml(withRetention(value), ENV))
        .isInstanceOfSatisfying(InvalidDefinitionException.class, e -> {
          assertThat(e.field()).isEqualTo("retention");
          assertThat(e.line()).isEqualTo(21);
        }).hasMessageStartingWith("line 21: retention: ").hasMessageContaining(message);
  }

  @Test
  void jsonErrorsNameTheFieldWithoutALine() throws Exception {
    ObjectNode tree = TableDefinitions.toTree(TableDefinitions.fromYaml(CLICKS_YAML, ENV));
    tree.put("retention", 1000);
    assertThatThrownBy(() -> TableDefinitions.fromJson(tree.toString()))
        .isInstanceOfSatisfying(InvalidDefinitionException.class, e -> {
          assertThat(e.field()).isEqualTo("retention");
          assertThat(e.line()).isZero();
        }).hasMessageContaining("at least 1h");
    tree.put("retention", true);
    assertThatThrownBy(() -> TableDefinitions.fromJson(tree.toString()))
        .hasMessageContaining("retention: expected a retention like 30d");
  }

  @Test
  void unknownKeysStillListRetention() {
    assertThatThrownBy(() -> TableDefinitions.fromYaml(CLICKS_YAML + "retain: 30d\n", ENV))
        .hasMessageStartingWith("line 21: retain: unknown key 'retain'").hasMessageContaining("retention");
  }
}
