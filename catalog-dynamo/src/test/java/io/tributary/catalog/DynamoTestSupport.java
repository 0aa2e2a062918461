package io.tributary.catalog;

import io.tributary.infra.LocalStack;
import java.net.URI;
import java.time.Duration;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Clients for dynalite from the local stack. */
final class DynamoTestSupport {
  private DynamoTestSupport() {
  }

  static String uniqueTableName() {
    return "cat_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  /** A client with the SDK's standard retries. */
  static DynamoDbClient client(LocalStack stack) {
    return client(stack, stack.dynamoEndpoint(), false);
  }

  /**
   * A client against {@code endpoint}; with {@code faultTesting}, low timeouts and no SDK retries so
   * an injected fault surfaces as the first attempt's failure.
   */
  static DynamoDbClient client(LocalStack stack, URI endpoint, boolean faultTesting) {
    var b = DynamoDbClient.builder().endpointOverride(endpoint).region(Region.of(stack.region()))
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(stack.accessKeyId(), stack.secretAccessKey())));
    if (faultTesting) {
      b.httpClient(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(2))
          .socketTimeout(Duration.ofSeconds(5)).build());
      b.overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry())
          .apiCallAttemptTimeout(Duration.ofSeconds(5)).apiCallTimeout(Duration.ofSeconds(10)));
    } else {
      b.httpClient(UrlConnectionHttpClient.builder().build());
      b.overrideConfiguration(c -> c.retryStrategy(RetryMode.STANDARD));
    }
    return b.build();
  }
}
