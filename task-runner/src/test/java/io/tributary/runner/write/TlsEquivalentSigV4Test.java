package io.tributary.runner.write;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * An {@code http://} S3 request is signed as the SDK signs it over {@code https://}: the same Authorization header,
 * {@code UNSIGNED-PAYLOAD} instead of per-chunk payload signatures, and the request still goes out as http. With the
 * runner's S3 settings no CRC32 trailer is sent either: a part's bytes go as they are.
 */
class TlsEquivalentSigV4Test {
    private static final AwsCredentialsIdentity CREDS = AwsCredentialsIdentity.create("AKIDEXAMPLE", "secret");
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-07T03:00:00Z"), ZoneOffset.UTC);

    private static SdkHttpRequest put(String protocol, int port) {
        return SdkHttpRequest.builder().method(SdkHttpMethod.PUT).protocol(protocol).host("127.0.0.1").port(port)
                .encodedPath("/bucket/key").putHeader("Content-Length", "3").build();
    }

    private static SignedRequest sign(HttpSigner<AwsCredentialsIdentity> signer, SdkHttpRequest request) {
        return signer.sign(r -> r.identity(CREDS).request(request)
                .payload(() -> new ByteArrayInputStream(new byte[] {1, 2, 3}))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3").putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false)
                .putProperty(AwsV4HttpSigner.CHUNK_ENCODING_ENABLED, true)
                .putProperty(HttpSigner.SIGNING_CLOCK, CLOCK));
    }

    @Test
    void httpIsSignedExactlyAsHttpsWouldBe() {
        HttpSigner<AwsCredentialsIdentity> ours = new TlsEquivalentSigV4().signer();
        HttpSigner<AwsCredentialsIdentity> stock = AwsV4HttpSigner.create();
        for (int port : new int[] {9090, 80}) {
            SignedRequest overHttp = sign(ours, put("http", port));
            SignedRequest stockHttps = sign(stock, put("https", port == 80 ? 443 : port));
            SignedRequest stockHttp = sign(stock, put("http", port));

            assertThat(overHttp.request().protocol()).isEqualTo("http");
            assertThat(overHttp.request().port()).isEqualTo(port);
            assertThat(overHttp.request().firstMatchingHeader("x-amz-content-sha256")).hasValue("UNSIGNED-PAYLOAD");
            assertThat(overHttp.request().firstMatchingHeader("Authorization"))
                    .isEqualTo(stockHttps.request().firstMatchingHeader("Authorization"));
            // what the SDK does over http on its own: every chunk of the payload signed
            assertThat(stockHttp.request().firstMatchingHeader("x-amz-content-sha256"))
                    .hasValue("STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
        }
        SignedRequest https = sign(ours, put("https", 443));
        assertThat(https.request().firstMatchingHeader("Authorization"))
                .isEqualTo(sign(stock, put("https", 443)).request().firstMatchingHeader("Authorization"));
    }

    /** {@code quarkus.s3.checksum-validation} in the runner's application.properties (the extension's default: true). */
    private static boolean runnerChecksumValidation() throws java.io.IOException {
        java.util.Properties p = new java.util.Properties();
        try (var in = TlsEquivalentSigV4Test.class.getResourceAsStream("/application.properties")) {
            p.load(in);
        }
        return Boolean.parseBoolean(p.getProperty("quarkus.s3.checksum-validation", "true"));
    }

    @Test
    void anS3ClientWithTheSchemeSendsTheBodyAsIsOverHttp() throws Exception {
        Map<String, List<String>> headers = new ConcurrentHashMap<>();
        byte[][] received = new byte[1][];
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v));
            received[0] = ex.getRequestBody().readAllBytes();
            ex.getResponseHeaders().add("ETag", "\"e\"");
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.start();
        byte[] body = new byte[300_000];
        new Random(7).nextBytes(body);
        try {
            for (boolean ours : new boolean[] {true, false}) {
                headers.clear();
                // as Quarkus builds the runner's client: its S3Configuration from quarkus.s3.* (defaults: checksum
                // validation on, which the runner's application.properties turns off), then S3ClientProducer
                S3ClientBuilder b = S3Client.builder()
                        .endpointOverride(URI.create("http://127.0.0.1:" + server.getAddress().getPort()))
                        .region(Region.US_EAST_1).forcePathStyle(true).httpClient(UrlConnectionHttpClient.create())
                        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")));
                if (ours) {
                    b.serviceConfiguration(S3Configuration.builder().checksumValidationEnabled(runnerChecksumValidation())
                            .build());
                    b.putAuthScheme(new TlsEquivalentSigV4());
                } else {
                    b.serviceConfiguration(S3Configuration.builder().checksumValidationEnabled(true).build());
                }
                try (S3Client s3 = b.build()) {
                    s3.putObject(r -> r.bucket("bucket").key("k"), RequestBody.fromBytes(body));
                }
                if (ours) {
                    assertThat(headers.get("x-amz-content-sha256")).containsExactly("UNSIGNED-PAYLOAD");
                    assertThat(headers).doesNotContainKey("content-encoding");
                    assertThat(headers.get("authorization").get(0)).startsWith("AWS4-HMAC-SHA256 Credential=a/");
                    assertThat(received[0]).isEqualTo(body);
                } else {
                    assertThat(headers.get("x-amz-content-sha256")).containsExactly("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER");
                    assertThat(headers.get("x-amz-trailer")).containsExactly("x-amz-checksum-crc32");
                    assertThat(received[0].length).isGreaterThan(body.length); // chunk signatures around the bytes
                }
            }
        } finally {
            server.stop(0);
        }
    }
}
