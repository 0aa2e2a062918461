package io.tributary.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code format: avro|protobuf} with a {@code registry} or a {@code schema}: parsing, storage, every rule. */
class FormatDefinitionTest {
  static final Map<String, String> ENV = Map.of("REG", "http://127.0.0.1:8081/apis/ccompat/v7", "PW", "s3cret");

  static String yaml(String formatLines) {
    return """
        name: t
        source: { bootstrap: "127.0.0.1:9092", topic: t }
        """ + formatLines + """
        columns:
          - { name: event_id, type: string, path: $.event_id, nullable: false }
        output: { bucket: bkt }
        """;
  }

  @TempDir
  Path dir;

  @Test
  void avroFromARegistryRoundTripsThroughTheStoredJson() {
    TableDefinition d = TableDefinitions.fromYaml(yaml("""
        format: avro
        registry: { url: "${REG}/", subject: t-value, username: u, password: "${PW}" }
        """), ENV);
    assertThat(d.format()).isEqualTo(TableDefinition.Format.AVRO);
    assertThat(d.writerSchema().framed()).isTrue();
    assertThat(d.writerSchema().registry()).isEqualTo(new TableDefinition.Registry(
        "http://127.0.0.1:8081/apis/ccompat/v7", "t-value", "u", "s3cret"));
    TableDefinition back = TableDefinitions.fromJson(TableDefinitions.toJson(d));
    assertThat(back).isEqualTo(d);
  }

  @Test
  void protobufSchemaFileIsReadBesideTheYamlAndStoredAsText() throws Exception {
    Files.writeString(dir.resolve("clicks.proto"), "syntax = \"proto3\"; message Click { string event_id = 1; }");
    TableDefinition d = TableDefinitions.fromYaml(yaml("""
        format: protobuf
        schema: { file: clicks.proto, message: Click }
        """), ENV, dir);
    assertThat(d.writerSchema().framed()).isFalse();
    assertThat(d.writerSchema().file()).isEqualTo("clicks.proto");
    assertThat(d.writerSchema().text()).contains("message Click");
    assertThat(d.writerSchema().message()).isEqualTo("Click");
    String json = TableDefinitions.toJson(d);
    assertThat(json).contains("\"schema\":{\"file\":\"clicks.proto\",\"text\":");
    assertThat(TableDefinitions.fromJson(json)).isEqualTo(d);
    // the short form: schema: <file>
    TableDefinition shortForm = TableDefinitions.fromYaml(yaml("format: protobuf\nschema: clicks.proto\n"), ENV, dir);
    assertThat(shortForm.writerSchema().text()).isEqualTo(d.writerSchema().text());
    assertThat(shortForm.writerSchema().message()).isNull();
  }

  @Test
  void everyRuleNamesTheFieldAndTheLine() {
    assertThatThrownBy(() -> TableDefinitions.fromYaml(yaml("format: avro\n"), ENV))
        .hasMessageContaining("line 3: format: avro needs a writer schema");
    assertThatThrownBy(() -> TableDefinitions.fromYaml(yaml("format: xml\n"), ENV))
        .hasMessageContaining("format: must be json | avro | protobuf, got 'xml'");
    assertThatThrownBy(() -> TableDefinitions.fromYaml(yaml("format: json\nregistry: { url: \"${REG}\" }\n"), ENV))
        .hasMessageContaining("registry: is only used with format avro or protobuf");
    assertThatThrownBy(() -> TableDefinitions.fromYaml(yaml("format: avro\nregistry: { url: ftp://x }\n"), ENV))
        .hasMessageContaining("registry.url: must start with http:// or https://");
    assertThatThrownBy(() -> TableDefinitions.fromYaml(yaml("format: avro\nregistry: { subject: s }\n"), ENV))
        .hasMessageContaining("registry.url: is required");
    assertThatThrownBy(() -> TableDefinitions.fromYaml(yaml("format: avro\nregistry: { url: \"${REG}\", username: u }\n"),
        ENV)).hasMessageContaining("registry.username: username and password go together");
    assertThatThrownBy(() -> TableDefinitions.fromYaml(yaml("format: avro\nregistry: { url: \"${REG}\", colour: red }\n"),
        ENV)).hasMessageContaining("registry.colour: unknown key 'colour' in registry");
    assertThatThrownBy(() -> TableDefinitions.fromYaml(yaml("format: avro\nschema: nope.avsc\n"), ENV, dir))
        .hasMessageContaining("schema: cannot read schema file").hasMessageContaining("no such file");
    assertThatThrownBy(() -> TableDefinitions.fromYaml(yaml(
        "format: avro\nregistry: { url: \"${REG}\" }\nschema: { text: \"{}\" }\n"), ENV))
        .hasMessageContaining("give either registry (framed records) or schema (unframed records), not both");
    assertThatThrownBy(() -> TableDefinitions.fromYaml(yaml("format: avro\nschema: { text: \"{}\", message: M }\n"), ENV))
        .hasMessageContaining("schema.message: names a Protobuf message type; this table's format is avro");
  }
}
