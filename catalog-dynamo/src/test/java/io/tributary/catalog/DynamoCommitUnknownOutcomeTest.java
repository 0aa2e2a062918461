package io.tributary.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.infra.FaultInjectingProxy;
import io.tributary.infra.LocalStack;
import io.tributary.infra.LocalStackExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Commits whose response is lost, through a {@link FaultInjectingProxy} between the client
 * (no SDK retries, low timeouts) and dynalite. The catalog must settle them by reading back.
 */
@ExtendWith(LocalStackExtension.class)
class DynamoCommitUnknownOutcomeTest {

  private final LocalStack stack;
  private FaultInjectingProxy proxy;
  private DynamoDbClient proxied;
  private DynamoDbClient direct;
  private DynamoCatalog viaProxy;
  private DynamoCatalog truth;
  private String table;

  DynamoCommitUnknownOutcomeTest(LocalStack stack) {
    this.stack = stack;
  }

  @BeforeEach
  void setUp() throws Exception {
    proxy = FaultInjectingProxy.start(stack.dynamoEndpoint());
    proxied = DynamoTestSupport.client(stack, proxy.endpoint(), true);
    direct = DynamoTestSupport.client(stack);
    String catalogTable = DynamoTestSupport.uniqueTableName();
    truth = DynamoCatalog.builder().client(direct).tableName(catalogTable).build();
    truth.createCatalogTableIfAbsent();
    viaProxy = DynamoCatalog.builder().client(proxied).tableName(catalogTable)
        .resolveDeadline(Duration.ofSeconds(3)).resolveBackoff(Duration.ofMillis(20), Duration.ofMillis(200)).build();
    table = CatalogContractTest.uniqueName("t");
    truth.createTable(CatalogContractTest.def(table), Map.of(0, 0L));
  }

  @AfterEach
  void tearDown() {
    proxy.close();
    proxied.close();
    direct.close();
  }

  private CommitRecord genesis() {
    return truth.head(table, 0).orElseThrow();
  }

  @Test
  void aCommitWhoseResponseIsLostIsSettledAsCommitted() {
    CommitRecord g = genesis();
    CommitRecord rec = CatalogContractTest.next(g, 10, 10, "runner-1");
    proxy.dropNextResponse();
    CommitOutcome o = viaProxy.commit(g, rec);
    assertThat(proxy.faultsInjected()).as("the fault fired").isEqualTo(1);
    assertThat(o).isInstanceOfSatisfying(CommitOutcome.Committed.class,
        c -> assertThat(c.record().commitId()).isEqualTo(rec.commitId()));
    assertThat(truth.head(table, 0).orElseThrow().commitId()).isEqualTo(rec.commitId());
  }

  @Test
  void aCommitThatNeverReachedTheServerIsNotCommittedAndCanBeRetried() {
    CommitRecord g = genesis();
    CommitRecord rec = CatalogContractTest.next(g, 10, 10, "runner-1");
    proxy.dropNextRequest();
    CommitOutcome o = viaProxy.commit(g, rec);
    assertThat(proxy.faultsInjected()).isEqualTo(1);
    assertThat(o.status()).isEqualTo(CommitOutcome.Status.NOT_COMMITTED);
    assertThat(truth.head(table, 0)).contains(g);

    assertThat(viaProxy.commit(g, rec).isCommitted()).as("the same commit, retried").isTrue();
    assertThat(truth.head(table, 0).orElseThrow().commitId()).isEqualTo(rec.commitId());
  }

  @Test
  void aLostResponseWhileAnotherWriterWonIsAConflict() {
    CommitRecord g = genesis();
    CommitRecord theirs = CatalogContractTest.next(g, 5, 5, "runner-2");
    assertThat(truth.commit(g, theirs).isCommitted()).isTrue();
    proxy.dropNextResponse();
    CommitOutcome o = viaProxy.commit(g, CatalogContractTest.next(g, 10, 10, "runner-1"));
    assertThat(proxy.faultsInjected()).isEqualTo(1);
    assertThat(o).isInstanceOfSatisfying(CommitOutcome.Conflict.class,
        c -> assertThat(c.currentHead().commitId()).isEqualTo(theirs.commitId()));
  }

  @Test
  void anUnreachableCatalogAfterALostResponseThrowsUnknownOutcome() {
    CommitRecord g = genesis();
    CommitRecord rec = CatalogContractTest.next(g, 10, 10, "runner-1");
    proxy.refuseAll(true);
    assertThatThrownBy(() -> viaProxy.commit(g, rec))
        .isInstanceOfSatisfying(CommitOutcomeUnknownException.class,
            e -> assertThat(e.attempted().commitId()).isEqualTo(rec.commitId()))
        .hasMessageContaining("keep its objects");
    assertThat(proxy.faultsInjected()).as("the commit and several read-backs were refused").isGreaterThan(2);
    proxy.heal();
    assertThat(viaProxy.commit(g, rec).isCommitted()).isTrue();
  }
}
