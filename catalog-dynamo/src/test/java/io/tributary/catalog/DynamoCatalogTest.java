package io.tributary.catalog;

import io.tributary.infra.LocalStack;
import io.tributary.infra.LocalStackExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The contract on {@link DynamoCatalog} against dynalite; each test gets its own catalog table. */
@ExtendWith(LocalStackExtension.class)
class DynamoCatalogTest extends CatalogContractTest {

  private final LocalStack stack;
  private String tableName;
  private DynamoCatalog first;
  private final List<DynamoDbClient> clients = new ArrayList<>();

  DynamoCatalogTest(LocalStack stack) {
    this.stack = stack;
  }

  @Override
  protected Catalog newStore(MutableClock clock) {
    tableName = DynamoTestSupport.uniqueTableName();
    first = open(clock);
    first.createCatalogTableIfAbsent();
    return first;
  }

  private DynamoCatalog open(MutableClock clock) {
    DynamoDbClient c = DynamoTestSupport.client(stack);
    clients.add(c);
    return DynamoCatalog.builder().client(c).tableName(tableName).clock(clock).build();
  }

  @Override
  protected Catalog anotherClient(MutableClock clock) {
    return open(clock);
  }

  @Override
  protected void putUnchecked(CommitRecord r) {
    first.putRecordUnchecked(r);
  }

  @Override
  protected void deleteUnchecked(String table, int partition, long seq) {
    first.deleteRecordUnchecked(table, partition, seq);
  }

  @AfterEach
  void closeClients() {
    clients.forEach(DynamoDbClient::close);
    clients.clear();
  }
}
