package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.catalog.TableDefinition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The YAML of README's "Avro and Protobuf topics" is valid as written (the Protobuf one beside examples/clicks.proto). */
class ReadmeFormatsTest {
    static final Map<String, String> ENV = Map.of("TRIBUTARY_KAFKA_BOOTSTRAP", "127.0.0.1:9092", "TRIBUTARY_BUCKET", "bkt",
            "TRIBUTARY_SCHEMA_REGISTRY_URL", "http://127.0.0.1:8081/apis/ccompat/v7");

    @Test
    void theReadmeYamlParses() throws Exception {
        Path repo = Path.of(System.getProperty("tributary.repo.root", ".."));
        String readme = Files.readString(repo.resolve("README.md"));
        String section = readme.substring(readme.indexOf("## Avro and Protobuf topics"), readme.indexOf("## Modules"));
        List<String> blocks = new ArrayList<>();
        for (int i = section.indexOf("```yaml\n"); i >= 0; i = section.indexOf("```yaml\n", i + 1)) {
            int start = i + "```yaml\n".length();
            blocks.add(section.substring(start, section.indexOf("```", start)));
        }
        assertThat(blocks).hasSize(2);
        Path avro = Files.createTempFile("readme-avro", ".yaml");
        Files.writeString(avro, blocks.get(0));
        TableDefinition a = TableCommand.readDefinition(avro, ENV);
        assertThat(a.format()).isEqualTo(TableDefinition.Format.AVRO);
        assertThat(a.writerSchema().registry().url()).isEqualTo(ENV.get("TRIBUTARY_SCHEMA_REGISTRY_URL"));
        Path proto = repo.resolve("examples").resolve("readme-protobuf-" + ProcessHandle.current().pid() + ".yaml");
        try {
            Files.writeString(proto, blocks.get(1));
            TableDefinition p = TableCommand.readDefinition(proto, ENV);
            assertThat(p.format()).isEqualTo(TableDefinition.Format.PROTOBUF);
            assertThat(p.writerSchema().text()).isEqualTo(Files.readString(repo.resolve("examples/clicks.proto")));
            assertThat(p.writerSchema().message()).isEqualTo("tributary.examples.Click");
        } finally {
            Files.deleteIfExists(proto);
            Files.deleteIfExists(avro);
        }
    }
}
