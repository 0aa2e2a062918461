package io.tributary.cli;

import io.tributary.catalog.DynamoCatalog;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * AWS clients from the command environment ({@link Home#env()}): endpoints from
 * {@code TRIBUTARY_DYNAMODB_ENDPOINT} / {@code TRIBUTARY_S3_ENDPOINT} when set (the local stack),
 * otherwise AWS itself; static credentials when {@code AWS_ACCESS_KEY_ID} is set.
 */
final class Aws {
    private Aws() {
    }

    static DynamoDbClient dynamo(Map<String, String> env) {
        var b = DynamoDbClient.builder().httpClient(http()).region(region(env)).credentialsProvider(credentials(env));
        String ep = env.get("TRIBUTARY_DYNAMODB_ENDPOINT");
        if (ep != null && !ep.isBlank()) {
            b.endpointOverride(URI.create(ep));
        }
        return b.build();
    }

    static S3Client s3(Map<String, String> env) {
        var b = S3Client.builder().httpClient(http()).region(region(env)).credentialsProvider(credentials(env));
        String ep = env.get("TRIBUTARY_S3_ENDPOINT");
        if (ep != null && !ep.isBlank()) {
            b.endpointOverride(URI.create(ep)).forcePathStyle(true);
        }
        return b.build();
    }

    static String catalogTable(Map<String, String> env) {
        return env.getOrDefault("TRIBUTARY_CATALOG_TABLE", DynamoCatalog.DEFAULT_TABLE);
    }

    static DynamoCatalog catalog(DynamoDbClient client, Map<String, String> env) {
        return DynamoCatalog.builder().client(client).tableName(catalogTable(env)).build();
    }

    private static software.amazon.awssdk.http.SdkHttpClient http() {
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
