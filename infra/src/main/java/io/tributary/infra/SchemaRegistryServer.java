package io.tributary.infra;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;

/**
 * The local stack's schema registry: Apicurio Registry 3 (Apache-2.0), its own Quarkus fast-jar
 * build unpacked by {@code infra/registry-app}, run as a child JVM bound to 127.0.0.1. Clients use
 * its Confluent-compatible REST API at {@code /apis/ccompat/v7}.
 *
 * <p>Storage is an H2 <em>file</em> database under the stack's data dir ({@code schema-registry/h2}),
 * written through on every commit, so schemas keep their ids across a stop (even SIGKILL) and a start
 * of the registry within one stack. The default global compatibility rule is {@code BACKWARD}, as in
 * Confluent's registry. No auth, no UI, no telemetry, no Kafka or Elasticsearch: nothing leaves the
 * machine.
 *
 * <p>Apicurio Registry 3.3 is compiled for Java 21: the registry runs on this JVM when it is 21 or
 * newer, else on the newest Java 21+ found ({@code TRIBUTARY_REGISTRY_JAVA_HOME}, {@code JAVA_HOME},
 * {@code /usr/lib/jvm/*}, ...). It is started on demand only ({@link LocalStack#schemaRegistryUrl()}),
 * never by {@link LocalStack#startAll()}, so tests that do not use it do not pay for it.
 *
 * <p>Not thread-safe by itself: every call comes through a synchronized method of {@link LocalStack}.
 */
final class SchemaRegistryServer {

    static final String ID = "schema-registry";
    static final String API_PATH = "/apis/ccompat/v7";
    static final String PORT_KEY = "schema-registry.port";
    static final String MANAGEMENT_PORT_KEY = "schema-registry.management.port";
    static final String ENV_JAVA_HOME = "TRIBUTARY_REGISTRY_JAVA_HOME";
    static final int MIN_JAVA = 21;

    private final LocalStack stack;
    private String external;
    private ServerProcess process;
    private Long adoptedPid;

    SchemaRegistryServer(LocalStack stack) {
        this.stack = stack;
    }

    /** A registry named by the environment is used instead of starting one. */
    void useExternal(String url) {
        if (url != null && !url.isBlank()) {
            external = url.trim();
        }
    }

    /** Whether the registry runs (or an external one is used): only then is it in {@code env()}. */
    boolean active() {
        return external != null || process != null || adoptedPid != null;
    }

    /** The API base URL, starting the registry first if it does not run. */
    URI url() {
        ensure();
        return currentUrl();
    }

    URI currentUrl() {
        if (external != null) {
            return URI.create(external);
        }
        return URI.create("http://127.0.0.1:" + stack.ports().getProperty(PORT_KEY) + API_PATH);
    }

    OptionalLong pid() {
        if (process != null) {
            return OptionalLong.of(process.pid());
        }
        return adoptedPid == null ? OptionalLong.empty() : OptionalLong.of(adoptedPid);
    }

    private void ensure() {
        if (external != null) {
            return;
        }
        if (process != null && !stack.isDetached() && !process.isAlive()) {
            // Mirrors LocalStack.ensure: loud, with its log, then back on the same port with its data.
            System.err.printf("tributary local stack: %s (pid %d) died while in use (%s); last lines of %s:%n%s%n"
                    + "tributary local stack: restarting %s on the same port (its H2 file keeps the schemas)%n",
                    ID, process.pid(), process.exitDescription(), process.logFile(), ServerProcess.tail(process.logFile(), 30),
                    ID);
            process = null;
        }
        if (process != null || adoptedPid != null) {
            return;
        }
        try {
            stack.loadPorts();
            start();
            stack.savePorts();
        } catch (IOException e) {
            stop();
            throw new LocalStackException("could not prepare " + stack.dataDir() + " for " + ID + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
    }

    private void start() throws IOException {
        Path java = java();
        Path app = stack.paths().schemaRegistryApp();
        // Always the port this stack's registry had before: clients (and the ids in framed records) hold its URL.
        int port = stack.choosePort(PORT_KEY, portFor(PORT_KEY, stack.requested().schemaRegistry()), "schema registry");
        int management = stack.choosePort(MANAGEMENT_PORT_KEY, portFor(MANAGEMENT_PORT_KEY, 0),
                "schema registry management interface");
        Path dir = stack.dataDir().resolve(ID);
        Path tmp = dir.resolve("tmp");
        Files.createDirectories(tmp);
        Path config = dir.resolve("application.properties");
        try (var out = Files.newOutputStream(config)) {
            config(port, management, dir).store(out, "Tributary local stack: Apicurio Registry (over its built-in application.properties)");
        }
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-Xmx512m", "-XX:+UseSerialGC"));
        if (!stack.isDetached()) {
            cmd.add("-XX:TieredStopAtLevel=1");
        }
        cmd.addAll(List.of("-Djava.io.tmpdir=" + tmp, "-Dtributary.server=" + ID,
                "-Dquarkus.config.locations=" + config.toUri(), "-jar", app.toString()));
        process = stack.startProcess(ID, cmd, stack.dataDir().resolve("logs/" + ID + ".log"));
        process.awaitReady(() -> ready(port), stack.startTimeout());
    }

    private int portFor(String key, int requested) {
        if (requested != 0) {
            return requested;
        }
        String before = stack.ports().getProperty(key);
        return before == null ? 0 : Integer.parseInt(before);
    }

    /**
     * Run-time settings over Apicurio's own application.properties (which stays in its app jar).
     * Property names: Apicurio Registry 3.3 (app/src/main/resources/application.properties).
     */
    static Properties config(int port, int managementPort, Path dir) {
        Properties p = new Properties();
        p.setProperty("quarkus.http.host", "127.0.0.1");
        p.setProperty("quarkus.http.port", String.valueOf(port));
        // The management interface (health, metrics) is enabled at build time; keep it off port 9000.
        p.setProperty("quarkus.management.host", "127.0.0.1");
        p.setProperty("quarkus.management.port", String.valueOf(managementPort));
        p.setProperty("apicurio.storage.kind", "sql");
        p.setProperty("apicurio.storage.sql.kind", "h2");
        // WRITE_DELAY=0: a commit is on disk when the HTTP answer leaves, so even SIGKILL keeps every id.
        p.setProperty("apicurio.datasource.url", "jdbc:h2:file:" + dir.resolve("h2").resolve("registry") + ";WRITE_DELAY=0");
        p.setProperty("apicurio.datasource.jdbc.initial-size", "2");
        p.setProperty("apicurio.datasource.jdbc.min-size", "2");
        p.setProperty("apicurio.datasource.jdbc.max-size", "20");
        p.setProperty("apicurio.rules.global.compatibility", "BACKWARD");
        p.setProperty("apicurio.storage.snapshot.location", dir.resolve("tmp").toString());
        p.setProperty("apicurio.import.work-dir", dir.resolve("tmp").toString());
        // Already Apicurio's defaults; stated so the local registry never reaches for the network.
        p.setProperty("apicurio.authn.basic-client-credentials.enabled", "false");
        p.setProperty("quarkus.oidc.tenant-enabled", "false");
        p.setProperty("quarkus.otel.sdk.disabled", "true");
        p.setProperty("apicurio.events.kafka.config.bootstrap.servers", "");
        return p;
    }

    static boolean ready(int port) {
        return LocalStack.httpStatus("GET", "http://127.0.0.1:" + port + API_PATH + "/subjects") == 200;
    }

    /** SIGTERM (SIGKILL after 20 s); the port and the H2 file stay for the next start. */
    void stop() {
        if (process != null) {
            process.stop(Duration.ofSeconds(20));
            process = null;
        }
        if (adoptedPid != null) {
            ProcessHandle.of(adoptedPid).ifPresent(h -> ServerProcess.stopHandle(h, Duration.ofSeconds(20)));
            adoptedPid = null;
        }
        try {
            Files.deleteIfExists(stack.pidFile(ID));
        } catch (IOException ignored) {
            // advisory
        }
    }

    /** Detached mode: a registry recorded in the data dir that still answers is adopted. */
    void adopt() {
        Long pid = stack.readPid(ID);
        if (pid == null) {
            return;
        }
        String port = stack.ports().getProperty(PORT_KEY);
        if (LocalStack.isOurJavaServer(pid, ID) && port != null && ServerProcess.portAnswers(Integer.parseInt(port))) {
            adoptedPid = pid;
            return;
        }
        ProcessHandle.of(pid).filter(h -> LocalStack.isOurJavaServer(pid, ID))
                .ifPresent(h -> ServerProcess.stopHandle(h, Duration.ofSeconds(10)));
        try {
            Files.deleteIfExists(stack.pidFile(ID));
        } catch (IOException ignored) {
            // advisory
        }
    }

    /** "pid N URL" when the data dir's registry runs. */
    Optional<String> status() {
        Long pid = stack.readPid(ID);
        if (pid == null || !LocalStack.isOurJavaServer(pid, ID)) {
            return Optional.empty();
        }
        return Optional.of("pid " + pid + " http://127.0.0.1:" + stack.ports().getProperty(PORT_KEY, "?") + API_PATH);
    }

    // ------------------------------------------------------------------------------------------
    // Which java runs it
    // ------------------------------------------------------------------------------------------

    /** A {@code bin/java} of Java {@value #MIN_JAVA}+, or a clear error naming what was looked at. */
    static Path java() {
        return java(System.getenv(), System.getProperty("java.home"), Runtime.version().feature());
    }

    static Path java(Map<String, String> env, String currentHome, int currentFeature) {
        String override = env.get(ENV_JAVA_HOME);
        if (override != null && !override.isBlank()) {
            Path home = Path.of(override.trim());
            int f = feature(home);
            if (f < MIN_JAVA) {
                throw new LocalStackException(ENV_JAVA_HOME + "=" + home + " is not a Java " + MIN_JAVA + "+ home"
                        + (f > 0 ? " (it is Java " + f + ")" : " (no bin/java and release file there)"));
            }
            return home.resolve("bin/java");
        }
        if (currentFeature >= MIN_JAVA) {
            return Path.of(currentHome, "bin", "java");
        }
        Set<Path> candidates = new LinkedHashSet<>();
        if (env.get("JAVA_HOME") != null && !env.get("JAVA_HOME").isBlank()) {
            candidates.add(Path.of(env.get("JAVA_HOME").trim()));
        }
        for (String root : List.of("/usr/lib/jvm", "/usr/java", "/opt/java", "/opt",
                System.getProperty("user.home") + "/.sdkman/candidates/java", "/Library/Java/JavaVirtualMachines")) {
            Path r = Path.of(root);
            if (!Files.isDirectory(r)) {
                continue;
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(r)) {
                for (Path p : ds) {
                    candidates.add(p);
                    candidates.add(p.resolve("Contents/Home"));
                }
            } catch (IOException ignored) {
                // an unreadable directory holds no candidate
            }
        }
        Path best = null;
        int bestFeature = 0;
        for (Path home : candidates) {
            int f = feature(home);
            if (f >= MIN_JAVA && f > bestFeature) {
                best = home;
                bestFeature = f;
            }
        }
        if (best == null) {
            throw new LocalStackException("the schema registry (Apicurio Registry 3.3) needs Java " + MIN_JAVA
                    + " or newer, but this JVM is Java " + currentFeature + " and none was found in JAVA_HOME or"
                    + " /usr/lib/jvm, /usr/java, /opt/java, /opt, ~/.sdkman, /Library/Java; install a JDK "
                    + MIN_JAVA + "+ or set " + ENV_JAVA_HOME);
        }
        return best.resolve("bin/java");
    }

    /** The feature version of a Java home (its {@code release} file), or 0 when it is none. */
    static int feature(Path home) {
        Path release = home.resolve("release");
        if (!Files.isExecutable(home.resolve("bin/java")) || !Files.isRegularFile(release)) {
            return 0;
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(release)) {
            p.load(in);
        } catch (IOException e) {
            return 0;
        }
        String v = p.getProperty("JAVA_VERSION", "").replace("\"", "").trim();
        int end = 0;
        while (end < v.length() && Character.isDigit(v.charAt(end))) {
            end++;
        }
        return end == 0 ? 0 : Integer.parseInt(v.substring(0, end));
    }
}
