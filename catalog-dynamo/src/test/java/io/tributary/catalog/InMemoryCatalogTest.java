package io.tributary.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The contract on {@link InMemoryCatalog}, plus its fault injection. */
class InMemoryCatalogTest extends CatalogContractTest {

  private InMemoryCatalog store;

  @Override
  protected Catalog newStore(MutableClock clock) {
    store = new InMemoryCatalog(clock);
    return store;
  }

  @Override
  protected Catalog anotherClient(MutableClock clock) {
    return store;
  }

  @Override
  protected void putUnchecked(CommitRecord r) {
    store.putRecordUnchecked(r);
  }

  @Override
  protected void deleteUnchecked(String table, int partition, long seq) {
    store.deleteRecordUnchecked(table, partition, seq);
  }

  @Test
  void injectedFaultsBehaveLikeTheRealOnes() {
    String name = uniqueName("t");
    catalog.createTable(def(name), Map.of(0, 0L));
    CommitRecord g = catalog.head(name, 0).orElseThrow();
    CommitRecord rec = next(g, 10, 10, "w");

    store.injectCommitFault(InMemoryCatalog.CommitFault.NOT_COMMITTED);
    assertThat(catalog.commit(g, rec).status()).isEqualTo(CommitOutcome.Status.NOT_COMMITTED);
    assertThat(catalog.head(name, 0)).contains(g);

    store.injectCommitFault(InMemoryCatalog.CommitFault.UNKNOWN_WITHOUT_WRITE);
    assertThatThrownBy(() -> catalog.commit(g, rec)).isInstanceOf(CommitOutcomeUnknownException.class);
    assertThat(catalog.head(name, 0)).contains(g);

    store.injectCommitFault(InMemoryCatalog.CommitFault.UNKNOWN_AFTER_WRITE);
    assertThatThrownBy(() -> catalog.commit(g, rec)).isInstanceOfSatisfying(CommitOutcomeUnknownException.class,
        e -> assertThat(e.attempted().commitId()).isEqualTo(rec.commitId()));
    assertThat(catalog.head(name, 0).orElseThrow().commitId()).isEqualTo(rec.commitId());
    assertThat(catalog.commit(g, rec).isCommitted()).as("the retry finds its own commit").isTrue();
  }
}
