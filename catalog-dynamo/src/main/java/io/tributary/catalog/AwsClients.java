package io.tributary.catalog;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The one place that builds DynamoDB and S3 clients from a process environment (the CLI's
 * commands and the benchmark), so every tool reaches the catalog and the bucket the same way:
 * endpoints from {@code TRIBUTARY_DYNAMODB_ENDPOINT} / {@code TRIBUTARY_S3_ENDPOINT} when set (the
 * local stack), otherwise AWS itself; region from {@code AWS_REGION}, else {@code AWS_DEFAULT_REGION},
 * else us-east-1; static credentials when {@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY}
 * are set, otherwise the default chain. {@link #s3} needs {@code software.amazon.awssdk:s3} on the
 * caller's classpath (an optional dependency of this module).
 */
public final class AwsClients {
  private AwsClients() {
  }

  /** A DynamoDB client for {@code env}; the caller closes it. */
  public static DynamoDbClient dynamo(Map<String, String> env) {
    var b = DynamoDbClient.builder().httpClient(http()).region(region(env)).credentialsProvider(credentials(env));
    String ep = env.get("TRIBUTARY_DYNAMODB_ENDPOINT");
    if (ep != null && !ep.isBlank()) {
      b.endpointOverride(URI.create(ep));
    }
    return b.build();
  }

  /**
   * An S3 client for {@code env} (path-style when the endpoint is overridden); the caller closes it. Request
   * checksums only where S3 requires one: the SDK's default adds a CRC32 pass over every part (and, over plain
   * HTTP, chunked signing), which S3 does not need (TLS protects the transfer; S3 stores its own full-object
   * CRC64NVME for uploads that send none).
   */
  public static S3Client s3(Map<String, String> env) {
    var b = S3Client.builder().httpClient(http()).region(region(env)).credentialsProvider(credentials(env))
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED);
    String ep = env.get("TRIBUTARY_S3_ENDPOINT");
    if (ep != null && !ep.isBlank()) {
      b.endpointOverride(URI.create(ep)).forcePathStyle(true);
    }
    return b.build();
  }

  private static SdkHttpClient http() {
    return UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(5))
        .socketTimeout(Duration.ofSeconds(60)).build();
  }

  private static Region region(Map<String, String> env) {
    return Region.of(env.getOrDefault("AWS_REGION", env.getOrDefault("AWS_DEFAULT_REGION", "us-east-1")));
  }

  private static AwsCredentialsProvider credentials(Map<String, String> env) {
    String id = env.get("AWS_ACCESS_KEY_ID");
    String secret = env.get("AWS_SECRET_ACCESS_KEY");
    if (id != null && secret != null) {
      return StaticCredentialsProvider.create(AwsBasicCredentials.create(id, secret));
    }
    return DefaultCredentialsProvider.builder().build();
  }
}
