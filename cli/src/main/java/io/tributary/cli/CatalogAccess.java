package io.tributary.cli;

import io.tributary.catalog.AwsClients;
import io.tributary.catalog.DynamoCatalog;
import java.util.Map;
import java.util.function.Function;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/** The catalog for a command, with DynamoDB failures turned into one-line errors. */
final class CatalogAccess implements AutoCloseable {
    final Map<String, String> env;
    final DynamoDbClient client;
    final DynamoCatalog catalog;

    CatalogAccess(Map<String, String> env) {
        this.env = env;
        this.client = AwsClients.dynamo(env);
        this.catalog = DynamoCatalog.builder().client(client).tableName(tableName(env)).build();
    }

    /** The catalog table of {@code env}: {@code TRIBUTARY_CATALOG_TABLE}, else the default. */
    static String tableName(Map<String, String> env) {
        return env.getOrDefault("TRIBUTARY_CATALOG_TABLE", DynamoCatalog.DEFAULT_TABLE);
    }

    /** Runs {@code f} on the catalog; a missing table or unreachable endpoint is a CliException. */
    <T> T call(Function<DynamoCatalog, T> f) {
        try {
            return f.apply(catalog);
        } catch (ResourceNotFoundException e) {
            throw new CliException("catalog table " + tableName(env) + " does not exist" + where()
                    + " (the scheduler creates it on start; `tributary local up` does too)");
        } catch (SdkClientException e) {
            throw Errors.aws("DynamoDB (the catalog " + tableName(env) + ")",
                    Errors.endpoint(env, "TRIBUTARY_DYNAMODB_ENDPOINT"), e);
        }
    }

    private String where() {
        String ep = env.get("TRIBUTARY_DYNAMODB_ENDPOINT");
        return ep == null ? "" : " at " + ep;
    }

    static String firstLine(String s) {
        return Errors.firstLine(s);
    }

    @Override
    public void close() {
        client.close();
    }
}
