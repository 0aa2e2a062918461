package io.tributary.infra;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Where the build put the servers: the Kafka broker's classpath file, the S3Mock exec jar,
 * dynalite's node_modules and the schema registry's Quarkus app (infra/registry-app), written into
 * {@code servers.properties} by Maven resource filtering.
 * {@code TRIBUTARY_SERVERS_DIR} overrides the directory (e.g. for an unpacked distribution).
 */
final class ServerPaths {
    private final Path kafkaClasspathFile;
    private final Path s3MockJar;
    private final Path dynaliteCli;
    private final Path schemaRegistryApp;

    private ServerPaths(Path kafkaClasspathFile, Path s3MockJar, Path dynaliteCli, Path schemaRegistryApp) {
        this.kafkaClasspathFile = kafkaClasspathFile;
        this.s3MockJar = s3MockJar;
        this.dynaliteCli = dynaliteCli;
        this.schemaRegistryApp = schemaRegistryApp;
    }

    static ServerPaths load() {
        String override = System.getenv("TRIBUTARY_SERVERS_DIR");
        if (override != null && !override.isBlank()) {
            Path dir = Path.of(override);
            return new ServerPaths(dir.resolve("kafka-broker.classpath"), dir.resolve("s3mock-exec.jar"),
                    dir.resolve("node/node_modules/dynalite/cli.js"), dir.resolve("schema-registry/quarkus-run.jar"));
        }
        Properties p = new Properties();
        try (InputStream in = ServerPaths.class.getResourceAsStream("servers.properties")) {
            if (in == null) {
                throw new LocalStackException("servers.properties is missing from the tributary-infra jar; rebuild with ./mvnw install");
            }
            p.load(in);
        } catch (IOException e) {
            throw new LocalStackException("cannot read servers.properties: " + e.getMessage(), e);
        }
        return new ServerPaths(Path.of(p.getProperty("kafka.classpath.file")), Path.of(p.getProperty("s3mock.jar")),
                Path.of(p.getProperty("dynalite.cli")), Path.of(p.getProperty("schema-registry.app", "schema-registry-app-not-built/quarkus-run.jar")));
    }

    String kafkaClasspath() {
        require(kafkaClasspathFile, "the Kafka broker classpath");
        try {
            return Files.readString(kafkaClasspathFile).trim();
        } catch (IOException e) {
            throw new LocalStackException("cannot read " + kafkaClasspathFile + ": " + e.getMessage(), e);
        }
    }

    Path s3MockJar() {
        return require(s3MockJar, "the S3Mock exec jar");
    }

    Path dynaliteCli() {
        return require(dynaliteCli, "dynalite (npm ci in infra)");
    }

    /** {@code quarkus-run.jar} of Apicurio Registry's fast-jar layout. */
    Path schemaRegistryApp() {
        if (!Files.exists(schemaRegistryApp)) {
            throw new LocalStackException("the schema registry (Apicurio Registry) is missing at " + schemaRegistryApp
                    + "; build it first: ./mvnw -B -pl infra -am install -DskipTests");
        }
        return schemaRegistryApp;
    }

    private static Path require(Path p, String what) {
        if (!Files.exists(p)) {
            throw new LocalStackException(what + " is missing at " + p + "; build the infra module first: ./mvnw -B -pl infra install -DskipTests");
        }
        return p;
    }
}
