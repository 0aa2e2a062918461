package io.tributary.catalog;

/** Field ids through {@link InMemoryCatalog}. */
class InMemoryCatalogFieldIdsTest extends CatalogFieldIdsContractTest {
  @Override
  protected Catalog newStore(MutableClock clock) {
    return new InMemoryCatalog(clock);
  }
}
