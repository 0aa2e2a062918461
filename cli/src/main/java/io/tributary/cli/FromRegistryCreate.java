package io.tributary.cli;

import io.tributary.catalog.InvalidDefinitionException;
import io.tributary.catalog.TableDefinition;
import io.tributary.catalog.TableDefinitions;
import io.tributary.formats.registry.RegistrySchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code table create --from-registry SUBJECT}: reads the subject's latest schema, derives the YAML
 * ({@link DerivedTable}), proves it parses as a user's file would, then prints it, writes it
 * ({@code -o}) and/or creates the table from exactly that definition.
 */
final class FromRegistryCreate {
    private FromRegistryCreate() {
    }

    static int run(TableCommand.Create c) {
        Map<String, String> env = Home.env();
        String url = Registries.url(c.registry, env, "--from-registry");
        RegistrySchema s = Registries.latest(url, c.subject);
        if (c.message != null && !s.isProtobuf()) {
            throw new CliException("--message is only for Protobuf subjects; subject '" + c.subject + "' holds a "
                    + s.type() + " schema");
        }
        String yaml;
        try {
            yaml = DerivedTable.yaml(s, new DerivedTable.Request(c.subject, c.name, c.topic, c.registry, url, c.message));
        } catch (RuntimeException e) {
            throw new CliException("--from-registry: cannot derive columns from subject '" + c.subject + "' version "
                    + s.version() + " (schema id " + s.id() + "): " + Errors.firstLine(e.getMessage()), e);
        }
        Path base = c.output != null ? c.output.toAbsolutePath().getParent() : Path.of("").toAbsolutePath();
        TableDefinition def = parse(yaml, c.dryRun ? withPlaceholders(env) : env, base);
        String from = "subject " + c.subject + " version " + s.version() + " (schema id " + s.id() + ")";
        if (c.output != null) {
            write(c.output, yaml);
        }
        if (c.dryRun) {
            if (c.output == null) {
                System.out.print(yaml);
            } else {
                System.out.println("wrote the definition derived from " + from + " to " + c.output
                        + "; review it, then: tributary table create -f " + c.output);
            }
            return 0;
        }
        c.create(def, TableDefinitions.toJson(def), "from " + from);
        if (c.output == null) {
            System.out.println("definition (save it to change the table later):");
            System.out.print(yaml);
        } else {
            System.out.println("definition written to " + c.output);
        }
        return 0;
    }

    /** The derived YAML read back as a user's file would be: what is printed is proven valid. */
    static TableDefinition parse(String yaml, Map<String, String> env, Path base) {
        try {
            return TableDefinitions.fromYaml(yaml, env, base);
        } catch (InvalidDefinitionException e) {
            throw new CliException("--from-registry: the derived definition is invalid: " + e.getMessage()
                    + " (write it with --dry-run -o FILE, fix it, then create -f FILE)", e);
        }
    }

    /** For a dry run: the variables the YAML names, with placeholders where unset (nothing is created). */
    static Map<String, String> withPlaceholders(Map<String, String> env) {
        Map<String, String> m = new HashMap<>(env);
        m.putIfAbsent("TRIBUTARY_KAFKA_BOOTSTRAP", "localhost:9092");
        m.putIfAbsent("TRIBUTARY_BUCKET", "bucket");
        m.putIfAbsent(DerivedTable.REGISTRY_VAR, "http://localhost:8081");
        return m;
    }

    static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
        } catch (FileAlreadyExistsException e) {
            throw new CliException("--output " + file + " exists; remove it or choose another file");
        } catch (IOException e) {
            throw new CliException("--output " + file + ": cannot write: " + e.getMessage(), e);
        }
    }
}
