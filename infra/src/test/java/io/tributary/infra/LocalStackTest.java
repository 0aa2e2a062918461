package io.tributary.infra;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The embedded local stack (real Kafka KRaft broker, dynalite, S3Mock) passes the stack contract. */
@ExtendWith(LocalStackExtension.class)
class LocalStackTest extends StackContract {

    private static LocalStack stack;

    @BeforeAll
    static void stack(LocalStack s) {
        stack = s;
    }

    @Override
    Endpoints endpoints() {
        return new Endpoints(stack.kafkaBootstrap(), stack.dynamoEndpoint(), stack.s3Endpoint(), stack.bucket(),
                stack.region(), stack.accessKeyId(), stack.secretAccessKey());
    }

    /**
     * Ports of the stack's servers come from below the kernel's ephemeral range (read here with
     * {@code cat}, independently), which no outgoing connection takes between the check and the bind.
     */
    @Test
    void freePortsAreBelowTheEphemeralRange() throws Exception {
        Process cat = new ProcessBuilder("cat", "/proc/sys/net/ipv4/ip_local_port_range").start();
        int low = Integer.parseInt(new String(cat.getInputStream().readAllBytes()).trim().split("\\s+")[0]);
        org.junit.jupiter.api.Assumptions.assumeTrue(low > 21_000, "an unusual ephemeral range: " + low);
        for (int i = 0; i < 20; i++) {
            int p = LocalStack.freePort();
            assertThat(p).isBetween(20_000, low - 1);
        }
    }

    @Test
    void envListsTheDesignKeys() {
        assertThat(stack.env()).containsOnlyKeys("TRIBUTARY_KAFKA_BOOTSTRAP", "TRIBUTARY_DYNAMODB_ENDPOINT",
                "TRIBUTARY_S3_ENDPOINT", "TRIBUTARY_BUCKET", "TRIBUTARY_CATALOG_TABLE", "AWS_REGION",
                "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "TRIBUTARY_ICEBERG_CATALOG", "TRIBUTARY_ICEBERG_JDBC_URI");
        assertThat(stack.env().get("TRIBUTARY_KAFKA_BOOTSTRAP")).startsWith("127.0.0.1:");
        assertThat(stack.env().get("TRIBUTARY_ICEBERG_JDBC_URI")).startsWith("jdbc:sqlite:/").endsWith("/iceberg/catalog.db");
        assertThat(stack.env().get("TRIBUTARY_DYNAMODB_ENDPOINT")).startsWith("http://127.0.0.1:");
    }

    @Test
    void aClientThatAbortsARequestDoesNotEndDynalite() throws Exception {
        java.net.URI endpoint = stack.dynamoEndpoint();
        long pid = stack.pids().get(LocalStack.Server.DYNAMODB);
        // half a request (the body is promised 1000 bytes), then the connection closes: what a SIGKILLed client does
        try (java.net.Socket s = new java.net.Socket(endpoint.getHost(), endpoint.getPort())) {
            s.getOutputStream().write(("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n"
                    + "X-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Length: 1000\r\n\r\n{\"Limit\":")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
        }
        java.nio.file.Path log = stack.dataDir().resolve("logs/dynamodb.log");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!java.nio.file.Files.readString(log).contains("a client aborted a request (ignored)")) {
            assertThat(System.nanoTime()).as("dynalite logged the aborted request (%s)", log).isLessThan(deadline);
            Thread.sleep(50);
        }
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(endpoint).GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(stack.pids().get(LocalStack.Server.DYNAMODB)).as("the same dynalite process").isEqualTo(pid);
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isTrue();
    }

    @Test
    void aServerThatDiesWhileInUseIsStartedAgainOnTheSamePort() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("owned-stack-");
        LocalStack owned = LocalStack.owned(dir);
        try {
            java.net.URI before = owned.dynamoEndpoint();
            long pid = owned.pids().get(LocalStack.Server.DYNAMODB);
            ProcessHandle h = ProcessHandle.of(pid).orElseThrow();
            h.destroyForcibly();
            assertThat(h.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS).isAlive()).isFalse();

            java.net.URI after = owned.dynamoEndpoint();
            assertThat(after).isEqualTo(before);
            long newPid = owned.pids().get(LocalStack.Server.DYNAMODB);
            assertThat(newPid).isNotEqualTo(pid);
            try (var ddb = software.amazon.awssdk.services.dynamodb.DynamoDbClient.builder().endpointOverride(after)
                    .region(software.amazon.awssdk.regions.Region.of(owned.region()))
                    .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                            software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(owned.accessKeyId(),
                                    owned.secretAccessKey())))
                    .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build()) {
                assertThat(ddb.listTables().tableNames()).isEmpty(); // answering, and empty: a fresh in-memory server
            }
        } finally {
            owned.close();
        }
    }

    @Test
    void serversDieWithTheirOwnerAndTheDataDirIsRemoved() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("owned-stack-");
        LocalStack owned = LocalStack.owned(dir);
        owned.dynamoEndpoint();
        long pid = owned.pids().get(LocalStack.Server.DYNAMODB);
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
        owned.close();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(dir).doesNotExist();
    }
}
