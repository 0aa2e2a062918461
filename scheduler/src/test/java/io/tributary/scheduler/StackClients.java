package io.tributary.scheduler;

import io.tributary.infra.LocalStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Test helper shared by the scheduler's process-level test clusters: clients of the local stack, free ports. */
public final class StackClients {
  private StackClients() {
  }

  /** A DynamoDB client of the stack's dynalite (static test credentials). */
  public static DynamoDbClient dynamo(LocalStack stack) {
    return DynamoDbClient.builder().endpointOverride(stack.dynamoEndpoint()).region(Region.of(stack.region()))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(stack.accessKeyId(),
            stack.secretAccessKey()))).httpClient(UrlConnectionHttpClient.create()).build();
  }

  /** A port free on this machine right now. */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
