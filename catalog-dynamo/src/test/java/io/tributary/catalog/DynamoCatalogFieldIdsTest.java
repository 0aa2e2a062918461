package io.tributary.catalog;

import io.tributary.infra.LocalStack;
import io.tributary.infra.LocalStackExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Field ids through {@link DynamoCatalog} against dynalite; each test gets its own catalog table. */
@ExtendWith(LocalStackExtension.class)
class DynamoCatalogFieldIdsTest extends CatalogFieldIdsContractTest {

  private final LocalStack stack;
  private DynamoDbClient client;

  DynamoCatalogFieldIdsTest(LocalStack stack) {
    this.stack = stack;
  }

  @Override
  protected Catalog newStore(MutableClock clock) {
    client = DynamoTestSupport.client(stack);
    DynamoCatalog c = DynamoCatalog.builder().client(client).tableName(DynamoTestSupport.uniqueTableName())
        .clock(clock).build();
    c.createCatalogTableIfAbsent();
    return c;
  }

  @AfterEach
  void closeClient() {
    client.close();
  }
}
