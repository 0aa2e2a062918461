package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.catalog.TableDefinition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code table create -f}: the file is parsed with env expansion; errors are one line with line and field. */
class TableYamlTest {
    static final Map<String, String> ENV = Map.of("TRIBUTARY_KAFKA_BOOTSTRAP", "127.0.0.1:9092", "TRIBUTARY_BUCKET", "bkt");

    @TempDir
    Path dir;

    static Path examples() {
        return Path.of(System.getProperty("tributary.repo.root", "..")).resolve("examples/clicks.yaml");
    }

    @Test
    void theShippedExampleIsValidAndMatchesTheGenerator() {
        TableDefinition d = TableCommand.readDefinition(examples(), ENV);
        assertThat(d.name()).isEqualTo("clicks");
        assertThat(d.source().bootstrap()).isEqualTo("127.0.0.1:9092");
        assertThat(d.output().bucket()).isEqualTo("bkt");
        assertThat(d.columns()).extracting(TableDefinition.Column::name).containsExactly("event_id", "user_id", "country", "ts",
                "amount", "session", "price", "is_mobile", "day", "attrs", "url");
        assertThat(d.column("event_id").nullable()).isFalse();
        assertThat(d.metadata()).contains("_partition", "_offset", "_timestamp");
    }

    @Test
    void unknownKeyNamesLineAndField() throws Exception {
        String yaml = Files.readString(examples()).replace("  compression: zstd\n", "  compression: zstd\n  colour: blue\n");
        int line = lineOf(yaml, "colour:");
        assertThatThrownBy(() -> TableCommand.readDefinition(write(yaml), ENV)).isInstanceOf(CliException.class)
                .hasMessageContaining("t.yaml: line " + line + ": output.colour: unknown key 'colour'")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void badValueNamesLineAndField() throws Exception {
        String yaml = Files.readString(examples()).replace("type: int,", "type: integer,");
        int line = lineOf(yaml, "type: integer");
        assertThatThrownBy(() -> TableCommand.readDefinition(write(yaml), ENV))
                .hasMessageContaining("line " + line + ": columns[5].type:").hasMessageContaining("integer");
        String badAge = Files.readString(examples()).replace("max_age: 2s", "max_age: soon");
        assertThatThrownBy(() -> TableCommand.readDefinition(write(badAge), ENV))
                .hasMessageContaining("line " + lineOf(badAge, "max_age") + ": flush.max_age:");
    }

    @Test
    void unsetVariableIsNamed() throws Exception {
        assertThatThrownBy(() -> TableCommand.readDefinition(examples(), Map.of("TRIBUTARY_BUCKET", "bkt")))
                .hasMessageContaining("source.bootstrap").hasMessageContaining("TRIBUTARY_KAFKA_BOOTSTRAP is not set");
    }

    @Test
    void missingFileAndInvalidYaml() throws Exception {
        assertThatThrownBy(() -> TableCommand.readDefinition(dir.resolve("nope.yaml"), ENV))
                .isInstanceOf(CliException.class).hasMessageEndingWith("nope.yaml: no such file");
        assertThatThrownBy(() -> TableCommand.readDefinition(write("name: x\nsource: [unclosed\n"), ENV))
                .isInstanceOf(CliException.class).hasMessageContaining("line ");
    }

    private Path write(String yaml) throws Exception {
        return Files.writeString(dir.resolve("t.yaml"), yaml);
    }

    private static int lineOf(String text, String needle) {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(needle)) {
                return i + 1;
            }
        }
        throw new AssertionError(needle);
    }
}
