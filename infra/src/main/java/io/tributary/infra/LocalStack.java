package io.tributary.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The local stack: a real Apache Kafka broker (KRaft, its own JVM and classpath), dynalite (a
 * DynamoDB-API server on Node.js) and Adobe S3Mock (an S3-API server), each a child process bound
 * to 127.0.0.1, plus, on demand only, a schema registry (Apicurio Registry, Confluent-compatible API;
 * {@link #schemaRegistryUrl()}, {@link SchemaRegistryServer}). One implementation behind three ways in:
 * {@link LocalStackExtension} for tests,
 * {@code tributary local up|down|status} (through {@link #detached(Path, Ports)}), and anything
 * else that needs real servers (benchmark, demo).
 *
 * <p>Two modes. <b>Owned</b> ({@link #forTests()}, {@link #owned(Path)}): servers start lazily on
 * the first call of their accessor and die with this JVM (a shutdown hook, plus a watchdog process
 * that kills them if this JVM is SIGKILLed). <b>Detached</b>: servers run in their own session,
 * outlive the JVM, keep their data under the given directory, and are found again through pid and
 * port files there.
 *
 * <p>Thread-safety: all methods are synchronized; a stack is shared by all tests of a JVM.
 */
public final class LocalStack implements AutoCloseable {

    /** The servers of the stack. */
    public enum Server {
        KAFKA("kafka"), DYNAMODB("dynamodb"), S3("s3");

        final String id;

        Server(String id) {
            this.id = id;
        }

        /** Short name used in files, flags and messages. */
        public String id() {
            return id;
        }
    }

    public static final String BUCKET = "tributary";
    public static final String CATALOG_TABLE = "tributary-catalog";
    public static final String REGION = "us-east-1";
    public static final String ACCESS_KEY_ID = "test";
    public static final String SECRET_ACCESS_KEY = "test";

    static final String ENV_KAFKA = "TRIBUTARY_KAFKA_BOOTSTRAP";
    static final String ENV_DYNAMO = "TRIBUTARY_DYNAMODB_ENDPOINT";
    static final String ENV_S3 = "TRIBUTARY_S3_ENDPOINT";
    static final String ENV_SCHEMA_REGISTRY = "TRIBUTARY_SCHEMA_REGISTRY_URL";

    /** Requested ports; 0 means "pick a free one" (or reuse the one this data dir used before). */
    public record Ports(int kafka, int kafkaController, int dynamodb, int s3, int schemaRegistry) {
        public Ports(int kafka, int kafkaController, int dynamodb, int s3) {
            this(kafka, kafkaController, dynamodb, s3, 0);
        }

        public static Ports any() {
            return new Ports(0, 0, 0, 0, 0);
        }
    }

    private static LocalStack forTests;

    private final Path dataDir;
    private final boolean detached;
    private final Duration startTimeout;
    private final ServerPaths paths;
    private final Map<Server, String> external = new EnumMap<>(Server.class);
    private final Map<Server, ServerProcess> running = new EnumMap<>(Server.class);
    private final Map<Server, Long> adoptedPids = new EnumMap<>(Server.class);
    private final Properties ports = new Properties();
    private final Ports requested;
    private boolean closed;
    /** While a server that died is started again: reuse its port from {@code ports}. */
    private boolean restarting;
    private final SchemaRegistryServer schemaRegistry = new SchemaRegistryServer(this);

    private LocalStack(Path dataDir, boolean detached, Ports requested, Duration startTimeout) {
        this.dataDir = dataDir.toAbsolutePath();
        this.detached = detached;
        this.requested = requested;
        this.startTimeout = startTimeout;
        this.paths = ServerPaths.load();
    }

    /**
     * The stack shared by all tests of this JVM. Servers named by {@code TRIBUTARY_KAFKA_BOOTSTRAP},
     * {@code TRIBUTARY_DYNAMODB_ENDPOINT}, {@code TRIBUTARY_S3_ENDPOINT} or
     * {@code TRIBUTARY_SCHEMA_REGISTRY_URL} in the environment are reused instead of started.
     */
    public static synchronized LocalStack forTests() {
        if (forTests == null) {
            try {
                Path dir = Files.createTempDirectory("tributary-stack-");
                LocalStack stack = owned(dir);
                stack.reuseFromEnv(System.getenv());
                forTests = stack;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return forTests;
    }

    /** A stack whose servers die with this JVM; {@code dataDir} is deleted on close. */
    public static LocalStack owned(Path dataDir) {
        LocalStack stack = new LocalStack(dataDir, false, Ports.any(), Duration.ofSeconds(90));
        Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "tributary-local-stack-stop"));
        return stack;
    }

    /**
     * A stack whose servers outlive this JVM and keep their data in {@code dataDir}; running
     * servers recorded there are adopted, not started again.
     */
    public static LocalStack detached(Path dataDir, Ports requested) {
        LocalStack stack = new LocalStack(dataDir, true, requested, Duration.ofSeconds(120));
        stack.adoptRunning();
        return stack;
    }

    void reuseFromEnv(Map<String, String> env) {
        putExternal(Server.KAFKA, env.get(ENV_KAFKA));
        putExternal(Server.DYNAMODB, env.get(ENV_DYNAMO));
        putExternal(Server.S3, env.get(ENV_S3));
        schemaRegistry.useExternal(env.get(ENV_SCHEMA_REGISTRY));
    }

    private void putExternal(Server server, String value) {
        if (value != null && !value.isBlank()) {
            external.put(server, value.trim());
        }
    }

    // ------------------------------------------------------------------------------------------
    // Endpoints (each starts its server on first use)
    // ------------------------------------------------------------------------------------------

    /** {@code host:port} of the Kafka broker. */
    public synchronized String kafkaBootstrap() {
        ensure(Server.KAFKA);
        return external.getOrDefault(Server.KAFKA, "127.0.0.1:" + port("kafka.port"));
    }

    /** HTTP endpoint of the DynamoDB-API server. */
    public synchronized URI dynamoEndpoint() {
        ensure(Server.DYNAMODB);
        return URI.create(external.getOrDefault(Server.DYNAMODB, "http://127.0.0.1:" + port("dynamodb.port")));
    }

    /** HTTP endpoint of the S3-API server (use path-style access). */
    public synchronized URI s3Endpoint() {
        ensure(Server.S3);
        return URI.create(external.getOrDefault(Server.S3, "http://127.0.0.1:" + port("s3.port")));
    }

    /** A bucket that exists on {@link #s3Endpoint()}. */
    public String bucket() {
        s3Endpoint();
        return BUCKET;
    }

    public String region() {
        return REGION;
    }

    public String accessKeyId() {
        return ACCESS_KEY_ID;
    }

    public String secretAccessKey() {
        return SECRET_ACCESS_KEY;
    }

    public String catalogTable() {
        return CATALOG_TABLE;
    }

    /**
     * Base URL of the schema registry's Confluent-compatible API, {@code http://127.0.0.1:P/apis/ccompat/v7};
     * starts the registry (about 4 s, Java 21+) on the first call. Never started by {@link #startAll()}.
     */
    public synchronized URI schemaRegistryUrl() {
        if (closed) {
            throw new LocalStackException("the local stack is closed");
        }
        return schemaRegistry.url();
    }

    /** Starts the schema registry unless it runs; the same as {@link #schemaRegistryUrl()}. */
    public synchronized void startSchemaRegistry() {
        schemaRegistryUrl();
    }

    /**
     * Stops just the schema registry (SIGTERM, SIGKILL after 20 s). Its port and its H2 file stay:
     * the next {@link #schemaRegistryUrl()} starts it on the same URL with the same schemas and ids.
     */
    public synchronized void stopSchemaRegistry() {
        schemaRegistry.stop();
    }

    /** {@link #stopSchemaRegistry()}, then start it again; returns its (unchanged) URL. */
    public synchronized URI restartSchemaRegistry() {
        schemaRegistry.stop();
        return schemaRegistryUrl();
    }

    /** Pid of the schema registry this stack started or adopted, if it runs. */
    public synchronized OptionalLong schemaRegistryPid() {
        return schemaRegistry.pid();
    }

    /** Detached stacks: "pid N URL" when this data dir's schema registry runs. */
    public synchronized Optional<String> schemaRegistryStatus() {
        loadPortsQuietly();
        return schemaRegistry.status();
    }

    /**
     * The endpoints as the {@code KEY=value} pairs of {@code .tributary/local.env} (DESIGN.md);
     * starts Kafka, DynamoDB and S3. {@code TRIBUTARY_SCHEMA_REGISTRY_URL} is there when the schema
     * registry runs (this never starts it).
     */
    public synchronized Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(ENV_KAFKA, kafkaBootstrap());
        env.put(ENV_DYNAMO, dynamoEndpoint().toString());
        env.put(ENV_S3, s3Endpoint().toString());
        env.put("TRIBUTARY_BUCKET", BUCKET);
        env.put("TRIBUTARY_CATALOG_TABLE", CATALOG_TABLE);
        env.put("AWS_REGION", REGION);
        env.put("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID);
        env.put("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY);
        // The local Iceberg catalog: Iceberg's JdbcCatalog on a SQLite file beside the servers' data.
        env.put("TRIBUTARY_ICEBERG_CATALOG", "local");
        env.put("TRIBUTARY_ICEBERG_JDBC_URI", "jdbc:sqlite:" + icebergCatalogFile());
        if (schemaRegistry.active()) {
            env.put(ENV_SCHEMA_REGISTRY, schemaRegistry.currentUrl().toString());
        }
        return env;
    }

    /** The SQLite file of the local Iceberg catalog (its directory is created on demand). */
    public Path icebergCatalogFile() {
        Path dir = dataDir.resolve("iceberg");
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return dir.resolve("catalog.db");
    }

    /** Starts Kafka, DynamoDB and S3 unless they run (the schema registry: {@link #startSchemaRegistry()}). */
    public synchronized void startAll() {
        java.util.Set<Server> before = java.util.EnumSet.noneOf(Server.class);
        before.addAll(running.keySet());
        try {
            for (Server s : Server.values()) {
                ensure(s);
            }
        } catch (RuntimeException e) {
            // clean up what this call started; servers that ran before stay
            for (Server s : Server.values()) {
                if (!before.contains(s)) {
                    stopFailed(s);
                }
            }
            throw e;
        }
    }

    /** Pids of the servers this stack started or adopted, by server. */
    public synchronized Map<Server, Long> pids() {
        Map<Server, Long> out = new EnumMap<>(Server.class);
        running.forEach((s, p) -> out.put(s, p.pid()));
        out.putAll(adoptedPids);
        return out;
    }

    public Path dataDir() {
        return dataDir;
    }

    // ------------------------------------------------------------------------------------------
    // Start
    // ------------------------------------------------------------------------------------------

    private void ensure(Server server) {
        if (closed) {
            throw new LocalStackException("the local stack is closed");
        }
        ServerProcess dead = running.get(server);
        if (dead != null && !detached && !dead.isAlive()) {
            // A server of this JVM died while in use (it should not): say how, loudly, with its log,
            // and start it again on the same port so the next test is not failed by the previous one.
            System.err.printf("tributary local stack: %s (pid %d) died while in use (%s); last lines of %s:%n%s%n"
                    + "tributary local stack: restarting %s on the same port (an in-memory server starts empty)%n",
                    server.id, dead.pid(), dead.exitDescription(), dead.logFile(), ServerProcess.tail(dead.logFile(), 30),
                    server.id);
            running.remove(server);
            restarting = true; // same port: clients hold its endpoint
        }
        if (external.containsKey(server) || running.containsKey(server) || adoptedPids.containsKey(server)) {
            return;
        }
        try {
            Files.createDirectories(dataDir.resolve("logs"));
            loadPorts();
            switch (server) {
                case KAFKA -> startKafka();
                case DYNAMODB -> startDynalite();
                case S3 -> startS3Mock();
                default -> throw new IllegalStateException(server.toString());
            }
            savePorts();
            restarting = false;
        } catch (IOException e) {
            restarting = false;
            stopFailed(server);
            throw new LocalStackException("could not prepare " + dataDir + " for " + server.id + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            restarting = false;
            stopFailed(server);
            throw e;
        }
    }

    /** A server that failed to come up is stopped at once: no half-started process is left. */
    private void stopFailed(Server server) {
        ServerProcess p = running.remove(server);
        if (p != null) {
            p.stop(Duration.ofSeconds(5));
        }
        try {
            Files.deleteIfExists(pidFile(server));
        } catch (IOException ignored) {
            // advisory
        }
    }

    /**
     * Starts the broker; if its JVM exits during start-up (seen rarely in CI, exit code 1 with nothing
     * in its log), says so on stderr with what there is to see and starts it once more on fresh ports
     * (unless ports were requested). A second failure, or a broker that does not come up in time, is the error.
     */
    private void startKafka() throws IOException {
        try {
            startKafkaOnce();
        } catch (LocalStackException first) {
            ServerProcess dead = running.get(Server.KAFKA);
            if (dead == null || dead.isAlive() || requested.kafka() != 0 || requested.kafkaController() != 0) {
                throw first;
            }
            running.remove(Server.KAFKA);
            System.err.printf("tributary local stack: %s%nformat step log %s:%n%s%ntributary local stack: starting kafka"
                    + " once more on new ports%n", first.getMessage(), dataDir.resolve("logs/kafka-format.log"),
                    ServerProcess.tail(dataDir.resolve("logs/kafka-format.log"), 10));
            ports.remove("kafka.port");
            ports.remove("kafka.controller.port");
            startKafkaOnce();
        }
    }

    private void startKafkaOnce() throws IOException {
        int port = choosePort("kafka.port", requested.kafka(), "kafka");
        int controller = choosePort("kafka.controller.port", requested.kafkaController(), "kafka controller");
        Path dir = dataDir.resolve("kafka");
        Path logDir = dir.resolve("data");
        Files.createDirectories(logDir);
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("controller.quorum.bootstrap.servers", "127.0.0.1:" + controller);
        p.setProperty("log.dirs", logDir.toString());
        p.setProperty("num.partitions", "1");
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "4");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "4");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty("auto.create.topics.enable", "true");
        p.setProperty("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
        Path config = dir.resolve("server.properties");
        try (var out = Files.newOutputStream(config)) {
            p.store(out, "Tributary local stack: single-node KRaft broker+controller");
        }
        Path log4j = dir.resolve("log4j2.properties");
        Files.writeString(log4j, String.join("\n",
                "status = error",
                "appender.console.type = Console",
                "appender.console.name = STDOUT",
                "appender.console.layout.type = PatternLayout",
                "appender.console.layout.pattern = [%d] %p %m (%c)%n",
                "rootLogger.level = WARN",
                "rootLogger.appenderRef.stdout.ref = STDOUT",
                "logger.raft.name = kafka.server.KafkaRaftServer",
                "logger.raft.level = INFO",
                "logger.broker.name = kafka.server.BrokerServer",
                "logger.broker.level = INFO",
                ""));
        String classpath = paths.kafkaClasspath();
        List<String> jvm = new ArrayList<>(List.of(javaBin(), "-Xmx" + (detached ? "1g" : "512m"), "-XX:+UseSerialGC"));
        if (!detached) {
            jvm.add("-XX:TieredStopAtLevel=1");
        }
        jvm.add("-Dlog4j2.configurationFile=" + log4j);
        jvm.add("-Dtributary.server=kafka");
        jvm.add("-cp");
        jvm.add(classpath);
        Path logFile = dataDir.resolve("logs/kafka.log");
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            List<String> format = new ArrayList<>(jvm);
            format.addAll(List.of("kafka.tools.StorageTool", "format", "-t", newClusterId(), "-c", config.toString(),
                    "--standalone", "--ignore-formatted"));
            runToCompletion("kafka storage format", format, dataDir.resolve("logs/kafka-format.log"), Duration.ofSeconds(90));
        }
        List<String> cmd = new ArrayList<>(jvm);
        cmd.add("kafka.Kafka");
        cmd.add(config.toString());
        long logStart = Files.exists(logFile) ? Files.size(logFile) : 0;
        ServerProcess proc = launch(Server.KAFKA, cmd, logFile, Map.of());
        proc.awaitReady(() -> ServerProcess.portAnswers(port) && logContainsAfter(logFile, logStart, "Kafka Server started"),
                startTimeout);
    }

    private void startDynalite() throws IOException {
        String node = findOnPath("node");
        if (node == null) {
            throw new LocalStackException("dynalite (the DynamoDB-API server) needs Node.js 20 but `node` is not on the PATH;"
                    + " install it (e.g. apt-get install nodejs) and run again");
        }
        Path cli = paths.dynaliteCli();
        int port = choosePort("dynamodb.port", requested.dynamodb(), "dynamodb");
        List<String> cmd = new ArrayList<>(List.of(node, "-r", abortGuard().toString(), cli.toString(), "--host", "127.0.0.1",
                "--port", String.valueOf(port),
                "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"));
        if (detached) {
            Path store = dataDir.resolve("dynamodb");
            Files.createDirectories(store);
            cmd.add("--path");
            cmd.add(store.toString());
        }
        ServerProcess proc = launch(Server.DYNAMODB, cmd, dataDir.resolve("logs/dynamodb.log"), Map.of());
        proc.awaitReady(() -> ServerProcess.portAnswers(port), startTimeout);
    }

    /**
     * A module node preloads ({@code -r}) before dynalite: a client that closes its connection in the middle
     * of a request (a process a test SIGKILLs) makes dynalite rethrow ECONNRESET from a request's error
     * handler, which ended the server for every other client (seen in FailoverIT). That one error is
     * logged and ignored; any other uncaught error still ends the process.
     */
    private Path abortGuard() throws IOException {
        Path f = dataDir.resolve("dynalite-abort-guard.js");
        Files.createDirectories(dataDir);
        Files.writeString(f, """
                process.on('uncaughtException', function (err) {
                  if (err && (err.code === 'ECONNRESET' || err.message === 'aborted')) {
                    console.error('dynalite: a client aborted a request (ignored): ' + err.message);
                    return;
                  }
                  console.error((err && err.stack) || err);
                  process.exit(1);
                });
                """);
        return f;
    }

    private void startS3Mock() throws IOException {
        int port = choosePort("s3.port", requested.s3(), "s3");
        Path root = dataDir.resolve("s3");
        Path tmp = dataDir.resolve("s3-tmp");
        Files.createDirectories(root);
        Files.createDirectories(tmp);
        List<String> cmd = new ArrayList<>(List.of(javaBin(), "-Xmx768m", "-XX:+UseSerialGC"));
        if (!detached) {
            cmd.add("-XX:TieredStopAtLevel=1");
        }
        cmd.addAll(List.of("-Djava.io.tmpdir=" + tmp, "-Dtributary.server=s3", "-jar", paths.s3MockJar().toString(),
                "--com.adobe.testing.s3mock.httpPort=" + port,
                "--server.port=0",
                "--server.address=127.0.0.1",
                "--com.adobe.testing.s3mock.store.root=" + root,
                "--com.adobe.testing.s3mock.store.retainFilesOnExit=true",
                "--com.adobe.testing.s3mock.store.initialBuckets=" + BUCKET,
                "--spring.main.banner-mode=off"));
        ServerProcess proc = launch(Server.S3, cmd, dataDir.resolve("logs/s3.log"), Map.of());
        proc.awaitReady(() -> httpStatus("GET", "http://127.0.0.1:" + port + "/") == 200, startTimeout);
        int created = httpStatus("PUT", "http://127.0.0.1:" + port + "/" + BUCKET);
        if (created != 200 && created != 409) {
            throw new LocalStackException("s3: creating bucket " + BUCKET + " answered HTTP " + created + ". Last lines of "
                    + proc.logFile() + ":\n" + ServerProcess.tail(proc.logFile(), 25));
        }
    }

    private ServerProcess launch(Server server, List<String> cmd, Path logFile, Map<String, String> env) {
        ServerProcess proc = startProcess(server.id, cmd, logFile, env);
        running.put(server, proc);
        return proc;
    }

    /** Starts a server process: detached with a pid file, else watched so it dies with this JVM. */
    ServerProcess startProcess(String id, List<String> cmd, Path logFile) {
        return startProcess(id, cmd, logFile, Map.of());
    }

    private ServerProcess startProcess(String id, List<String> cmd, Path logFile, Map<String, String> env) {
        ServerProcess proc = new ServerProcess(id, cmd, logFile, env);
        proc.start(detached);
        try {
            if (detached) {
                writePid(id, proc.pid());
            } else {
                watchdog(proc.pid());
            }
        } catch (RuntimeException e) {
            proc.stop(Duration.ofSeconds(5));
            throw e;
        }
        return proc;
    }

    // ------------------------------------------------------------------------------------------
    // Stop
    // ------------------------------------------------------------------------------------------

    /** Stops the servers this stack started (owned mode) — detached servers keep running. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!detached) {
            stopAll();
            deleteRecursively(dataDir);
        }
    }

    /** Stops every server this stack started or adopted and removes their pid files. */
    public synchronized void stopAll() {
        schemaRegistry.stop();
        List<Server> order = List.of(Server.KAFKA, Server.S3, Server.DYNAMODB);
        for (Server s : order) {
            ServerProcess p = running.remove(s);
            if (p != null) {
                p.stop(Duration.ofSeconds(15));
            }
            Long pid = adoptedPids.remove(s);
            if (pid != null) {
                ProcessHandle.of(pid).ifPresent(h -> ServerProcess.stopHandle(h, Duration.ofSeconds(15)));
            }
            try {
                Files.deleteIfExists(pidFile(s));
            } catch (IOException ignored) {
                // the pid file is advisory
            }
        }
    }

    /** What runs now, per server: pid and endpoint, or absent when stopped. */
    public synchronized Map<Server, String> status() {
        Map<Server, String> out = new EnumMap<>(Server.class);
        loadPortsQuietly();
        for (Server s : Server.values()) {
            Long pid = readPid(s);
            if (pid != null && isOurServer(pid, s)) {
                out.put(s, "pid " + pid + " " + endpointFromPorts(s));
            }
        }
        return out;
    }

    private String endpointFromPorts(Server s) {
        return switch (s) {
            case KAFKA -> "127.0.0.1:" + ports.getProperty("kafka.port", "?");
            case DYNAMODB -> "http://127.0.0.1:" + ports.getProperty("dynamodb.port", "?");
            case S3 -> "http://127.0.0.1:" + ports.getProperty("s3.port", "?");
        };
    }

    // ------------------------------------------------------------------------------------------
    // Detached bookkeeping: pid files and ports under dataDir
    // ------------------------------------------------------------------------------------------

    private void adoptRunning() {
        loadPortsQuietly();
        for (Server s : Server.values()) {
            Long pid = readPid(s);
            if (pid == null) {
                continue;
            }
            if (isOurServer(pid, s) && answers(s)) {
                adoptedPids.put(s, pid);
            } else {
                // a stale pid file: the server died or never came up
                ProcessHandle.of(pid).filter(h -> isOurServer(pid, s)).ifPresent(
                        h -> ServerProcess.stopHandle(h, Duration.ofSeconds(10)));
                try {
                    Files.deleteIfExists(pidFile(s));
                } catch (IOException ignored) {
                    // advisory
                }
            }
        }
        schemaRegistry.adopt();
    }

    private boolean answers(Server s) {
        String key = switch (s) {
            case KAFKA -> "kafka.port";
            case DYNAMODB -> "dynamodb.port";
            case S3 -> "s3.port";
        };
        String port = ports.getProperty(key);
        return port != null && ServerProcess.portAnswers(Integer.parseInt(port));
    }

    private static boolean isOurServer(long pid, Server s) {
        return s == Server.DYNAMODB ? ProcessHandle.of(pid).filter(ProcessHandle::isAlive).flatMap(h -> h.info().commandLine())
                .map(cl -> cl.contains("dynalite")).orElse(false) : isOurJavaServer(pid, s.id);
    }

    static boolean isOurJavaServer(long pid, String id) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).flatMap(h -> h.info().commandLine())
                .map(cl -> cl.contains("-Dtributary.server=" + id)).orElse(false);
    }

    private Path pidFile(Server s) {
        return pidFile(s.id);
    }

    Path pidFile(String id) {
        return dataDir.resolve("run").resolve(id + ".pid");
    }

    private void writePid(String id, long pid) {
        try {
            Files.createDirectories(pidFile(id).getParent());
            Files.writeString(pidFile(id), pid + "\n");
        } catch (IOException e) {
            throw new LocalStackException("could not write " + pidFile(id) + ": " + e.getMessage(), e);
        }
    }

    private Long readPid(Server s) {
        return readPid(s.id);
    }

    Long readPid(String id) {
        try {
            Path f = pidFile(id);
            return Files.exists(f) ? Long.parseLong(Files.readString(f).trim()) : null;
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    // Package-private views for SchemaRegistryServer (always called under this stack's lock).
    Properties ports() {
        return ports;
    }

    boolean isDetached() {
        return detached;
    }

    Ports requested() {
        return requested;
    }

    Duration startTimeout() {
        return startTimeout;
    }

    ServerPaths paths() {
        return paths;
    }

    void loadPorts() throws IOException {
        Path f = dataDir.resolve("ports.properties");
        if (Files.exists(f)) {
            try (InputStream in = Files.newInputStream(f)) {
                ports.load(in);
            }
        }
    }

    private void loadPortsQuietly() {
        try {
            loadPorts();
        } catch (IOException ignored) {
            // treated as "no ports known"
        }
    }

    void savePorts() throws IOException {
        Files.createDirectories(dataDir);
        try (var out = Files.newOutputStream(dataDir.resolve("ports.properties"))) {
            ports.store(out, "ports used by this local stack; reused on the next start");
        }
    }

    private int port(String key) {
        return Integer.parseInt(ports.getProperty(key));
    }

    /**
     * The port for a server: the one asked for, else the one this data dir used before (a KRaft
     * log remembers its controller address), else a free one. A port in use is a clear error.
     */
    int choosePort(String key, int requestedPort, String what) {
        int port = requestedPort;
        if (port == 0 && (detached || restarting) && ports.getProperty(key) != null) {
            port = Integer.parseInt(ports.getProperty(key));
        }
        if (port == 0) {
            port = freePort();
        } else if (!isFree(port)) {
            throw new LocalStackException("port " + port + " for " + what + " is in use on 127.0.0.1 (another process listens"
                    + " there); stop that process or choose another port");
        }
        ports.setProperty(key, String.valueOf(port));
        return port;
    }

    /**
     * A free port <em>below</em> the kernel's ephemeral range, so that no outgoing connection (the
     * format step, a client of another server) can take it between this check and the server's bind,
     * as a port from {@code bind(0)} can be (the policy of {@code io.tributary.catalog.ListenPorts},
     * which this module cannot depend on). Random, so two stacks starting at once rarely meet.
     */
    static int freePort() {
        int low = 32768;
        try {
            low = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            // Linux's default range
        }
        java.util.concurrent.ThreadLocalRandom rnd = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200 && low - 1 > 20_000; attempt++) {
            int p = 20_000 + rnd.nextInt(low - 20_000);
            if (isFree(p)) {
                return p;
            }
        }
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(false);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new LocalStackException("no free port on 127.0.0.1: " + e.getMessage(), e);
        }
    }

    static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    // ------------------------------------------------------------------------------------------
    // Utilities
    // ------------------------------------------------------------------------------------------

    /**
     * A tiny process that kills {@code childPid} when this JVM is gone, even after SIGKILL, so a
     * test JVM never leaves orphan servers. It exits by itself when the child exits first.
     */
    private static void watchdog(long childPid) {
        long me = ProcessHandle.current().pid();
        String script = "while kill -0 " + me + " 2>/dev/null && kill -0 " + childPid + " 2>/dev/null; do sleep 1; done; "
                + "kill " + childPid + " 2>/dev/null; for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 " + childPid
                + " 2>/dev/null || exit 0; sleep 1; done; kill -9 " + childPid + " 2>/dev/null";
        try {
            new ProcessBuilder("/bin/sh", "-c", script)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new LocalStackException("could not start the orphan watchdog (/bin/sh): " + e.getMessage(), e);
        }
    }

    private void runToCompletion(String what, List<String> cmd, Path logFile, Duration timeout) throws IOException {
        ServerProcess p = new ServerProcess(what, cmd, logFile, Map.of());
        p.start(false);
        ProcessHandle h = ProcessHandle.of(p.pid()).orElse(null);
        try {
            if (h != null) {
                h.onExit().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        } catch (Exception e) {
            p.stop(Duration.ofSeconds(2));
            throw new LocalStackException(what + " did not finish within " + timeout.toSeconds() + " s. Last lines of "
                    + logFile + ":\n" + ServerProcess.tail(logFile, 25));
        }
        if (p.isAlive()) {
            p.stop(Duration.ofSeconds(2));
        }
        if (ServerProcess.logContains(logFile, "Exception") || ServerProcess.logContains(logFile, "Error:")) {
            throw new LocalStackException(what + " failed. Last lines of " + logFile + ":\n" + ServerProcess.tail(logFile, 25));
        }
    }

    private static boolean logContainsAfter(Path file, long offset, String needle) {
        try (var ch = java.nio.channels.FileChannel.open(file)) {
            long size = ch.size();
            if (size <= offset) {
                return false;
            }
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(size - offset, 8 << 20));
            ch.read(buf, offset);
            return new String(buf.array(), 0, buf.position(), StandardCharsets.ISO_8859_1).contains(needle);
        } catch (IOException e) {
            return false;
        }
    }

    static int httpStatus(String method, String url) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setRequestMethod(method);
            c.setConnectTimeout(1000);
            c.setReadTimeout(5000);
            if ("PUT".equals(method)) {
                c.setDoOutput(true);
                c.setFixedLengthStreamingMode(0);
                c.getOutputStream().close();
            }
            int code = c.getResponseCode();
            c.disconnect();
            return code;
        } catch (IOException e) {
            return -1;
        }
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static String findOnPath(String exe) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, exe);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    private static String newClusterId() {
        UUID u = UUID.randomUUID();
        ByteBuffer b = ByteBuffer.allocate(16);
        b.putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: temp data only
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
