package io.tributary.catalog;

import static io.tributary.catalog.TableDefinitionsTest.CLICKS_YAML;
import static io.tributary.catalog.TableDefinitionsTest.ENV;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code flush.min_interval}: parsing, canonical JSON (absent when off), the rule and its one-line error. */
class FlushMinIntervalTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String FLUSH_LINE = "flush: { max_rows: 500000, max_bytes: 64MiB, max_age: 5s }";

  /** CLICKS_YAML with line 18 (flush) replaced. */
  private static String withFlush(String flow) {
    assertThat(CLICKS_YAML).contains(FLUSH_LINE);
    return CLICKS_YAML.replace(FLUSH_LINE, "flush: " + flow);
  }

  @Test
  void absentIsOffAndTheStoredJsonIsUnchanged() throws Exception {
    TableDefinition d = TableDefinitions.fromYaml(CLICKS_YAML, ENV);
    assertThat(d.flush().minIntervalMillis()).isEqualTo(TableDefinition.Flush.NO_MIN_INTERVAL).isZero();
    assertThat(d.flush().hasMinInterval()).isFalse();
    assertThat(d.flush().ageCutIntervalMillis()).isEqualTo(5_000L);
    assertThat(d.flush()).isEqualTo(new TableDefinition.Flush(500_000, 64L << 20, 5_000));
    String json = TableDefinitions.toJson(d);
    assertThat(json).contains("\"flush\":{\"max_rows\":500000,\"max_bytes\":67108864,\"max_age\":5000},")
        .doesNotContain("min_interval");
    // 0 is "off" and serialises exactly like an absent key
    assertThat(TableDefinitions.toJson(TableDefinitions.fromYaml(withFlush("{ max_rows: 500000, max_bytes: 64MiB,"
        + " max_age: 5s, min_interval: 0 }"), ENV))).isEqualTo(json);
    assertThat(TableDefinition.Flush.DEFAULT.minIntervalMillis()).isZero();
  }

  @ParameterizedTest(name = "{0} -> {1} ms")
  @CsvSource({
      "1m, 60000",
      "5s, 5000",
      "90s, 90000",
      "1h, 3600000",
      "24h, 86400000",
      "1440m, 86400000",
      "120000, 120000",
      "'\"10m\"', 600000"})
  void durationsParseLikeMaxAge(String value, long millis) {
    TableDefinition d = TableDefinitions.fromYaml(withFlush("{ max_age: 5s, min_interval: " + value + " }"), ENV);
    assertThat(d.flush().minIntervalMillis()).isEqualTo(millis);
    assertThat(d.flush().hasMinInterval()).isTrue();
    assertThat(d.flush().minInterval()).isEqualTo(Duration.ofMillis(millis));
    assertThat(d.flush().ageCutIntervalMillis()).isEqualTo(Math.max(5_000L, millis));
  }

  @Test
  void roundTripsInCanonicalJsonInMillisAfterMaxAge() throws Exception {
    TableDefinition d = TableDefinitions.fromYaml(withFlush("{ max_age: 1s, min_interval: 1m }"), ENV);
    String json = TableDefinitions.toJson(d);
    assertThat(json).contains("\"flush\":{\"max_rows\":500000,\"max_bytes\":67108864,\"max_age\":1000,"
        + "\"min_interval\":60000}");
    TableDefinition back = TableDefinitions.fromJson(json);
    assertThat(back).isEqualTo(d);
    assertThat(TableDefinitions.toJson(back)).isEqualTo(json);

    // a stored definition written before the key existed reads back as off
    ObjectNode tree = (ObjectNode) MAPPER.readTree(json);
    ((ObjectNode) tree.get("flush")).remove("min_interval");
    assertThat(TableDefinitions.fromJson(tree.toString()).flush().minIntervalMillis()).isZero();
    // hand-written JSON may use units
    ((ObjectNode) tree.get("flush")).put("min_interval", "2m");
    assertThat(TableDefinitions.fromJson(tree.toString()).flush().minIntervalMillis()).isEqualTo(120_000L);
  }

  @Test
  void codeKeepsTheThreeArgumentConstructorAndEditsKeepTheInterval() {
    TableDefinition d = TableDefinition.builder("k").source("h:1", "t").output("bucket").column("a", "int")
        .flush(new TableDefinition.Flush(1_000, 1L << 20, 1_000, 60_000)).build();
    assertThat(d.flush().minIntervalMillis()).isEqualTo(60_000L);
    assertThat(d.toBuilder().name("k2").build().flush()).isEqualTo(d.flush());
    assertThat(d.withFieldIds(d.fieldIds()).flush()).isEqualTo(d.flush());
    assertThat(d.flush().withMinIntervalMillis(0)).isEqualTo(new TableDefinition.Flush(1_000, 1L << 20, 1_000));
    assertThatThrownBy(() -> d.toBuilder().flush(d.flush().withMinIntervalMillis(500)).build())
        .isInstanceOfSatisfying(InvalidDefinitionException.class,
            e -> assertThat(e.field()).isEqualTo("flush.min_interval"))
        .hasMessage("flush.min_interval: must be 0 (off) or flush.max_age (1000 ms)..24h (86400000 ms), got 500 ms");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '#', quoteCharacter = '"', value = {
      "{ max_age: 5s, min_interval: 1s }#must be 0 (off) or flush.max_age (5000 ms)..24h (86400000 ms), got 1000 ms",
      "{ max_age: 5s, min_interval: 4999 }#must be 0 (off) or flush.max_age (5000 ms)..24h (86400000 ms), got 4999 ms",
      "{ min_interval: 1s }#must be 0 (off) or flush.max_age (5000 ms)..24h",
      "{ max_age: 1s, min_interval: 25h }#..24h (86400000 ms), got 90000000 ms",
      "{ max_age: 1s, min_interval: 86400001 }#got 86400001 ms",
      "{ max_age: 1s, min_interval: -1 }#must be 0 (off) or flush.max_age (1000 ms)..24h (86400000 ms), got -1 ms",
      "{ max_age: 1s, min_interval: 1d }#expected a duration like 500ms, 5s, 1m or milliseconds, got '1d'",
      "{ max_age: 1s, min_interval: 1.5m }#expected a duration like 500ms, 5s, 1m or milliseconds, got '1.5m'",
      "{ max_age: 1s, min_interval: 1.5 }#expected a duration like 5s or milliseconds, got 1.5",
      "{ max_age: 1s, min_interval: true }#expected a duration like 5s or milliseconds, got true",
      "{ max_age: 1s, min_interval: soon }#expected a duration like 500ms, 5s, 1m or milliseconds, got 'soon'"})
  void errorsAreOneLineNamingTheFieldAndLine(String flow, String message) {
    assertThatThrownBy(() -> TableDefinitions.fromYaml(withFlush(flow), ENV))
        .isInstanceOfSatisfying(InvalidDefinitionException.class, e -> {
          assertThat(e.field()).isEqualTo("flush.min_interval");
          assertThat(e.line()).isEqualTo(18);
          assertThat(e.getMessage()).doesNotContain("\n");
        }).hasMessageStartingWith("line 18: flush.min_interval: ").hasMessageContaining(message);
  }

  @Test
  void misspeltKeyListsMinInterval() {
    assertThatThrownBy(() -> TableDefinitions.fromYaml(withFlush("{ max_age: 1s, min_intervall: 1m }"), ENV))
        .hasMessageStartingWith("line 18: flush.min_intervall: unknown key 'min_intervall' in flush; allowed:"
            + " max_age, max_bytes, max_rows, min_interval");
  }
}
