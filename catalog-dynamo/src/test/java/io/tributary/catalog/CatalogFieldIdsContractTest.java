package io.tributary.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Field ids through a {@link Catalog}: createTable stores positional ids, updateTable stores
 * {@link FieldIds#evolve} of the stored ids, and both survive a read back. Run against every
 * implementation (in memory and DynamoDB on dynalite).
 */
abstract class CatalogFieldIdsContractTest {

  protected final MutableClock clock = new MutableClock(1_700_000_000_000L);
  protected Catalog catalog;

  /** A fresh empty store and a client on it. */
  protected abstract Catalog newStore(MutableClock clock);

  @BeforeEach
  void openStore() {
    catalog = newStore(clock);
  }

  private static TableDefinition def(String name) {
    return TableDefinition.builder(name).source("127.0.0.1:9092", "topic_" + name).output("tributary")
        .column("event_id", "string").column("user_id", "long").column("amount", "decimal(12,2)").build();
  }

  @Test
  void createStoresPositionalIdsEvenWhenGivenOthers() {
    String name = CatalogContractTest.uniqueName("ids");
    TableDefinition d = def(name);
    TableDefinition odd = d.withFieldIds(new FieldIds(Map.of("event_id", 10, "user_id", 20, "amount", 30,
        "_partition", 40, "_offset", 50, "_timestamp", 60), 99));
    StoredTable created = catalog.createTable(odd, Map.of(0, 0L));
    assertThat(created.definition().fieldIds()).isEqualTo(FieldIds.positional(d));
    TableDefinition read = catalog.getTable(name).orElseThrow().definition();
    assertThat(read.fieldIds().asMap()).containsExactly(Map.entry("event_id", 1), Map.entry("user_id", 2),
        Map.entry("amount", 3), Map.entry("_partition", 4), Map.entry("_offset", 5), Map.entry("_timestamp", 6));
    assertThat(read.fieldIds().lastId()).isEqualTo(6);
    assertThat(read.iceberg()).isEqualTo(TableDefinition.Iceberg.defaults(name));
    assertThat(read).isEqualTo(d);
  }

  @Test
  void updateEvolvesTheStoredIdsAndNeverReusesThem() {
    String name = CatalogContractTest.uniqueName("ids");
    catalog.createTable(def(name), Map.of(0, 0L));

    // v2, written from scratch (positional ids of its own, ignored): drop user_id, add country and _key
    TableDefinition v2 = TableDefinition.builder(name).source("127.0.0.1:9092", "topic_" + name)
        .output("tributary").column("event_id", "string").column("amount", "decimal(12,2)")
        .column("country", "string").metadata(List.of("_partition", "_offset", "_timestamp", "_key"))
        .iceberg(new TableDefinition.Iceberg(true, "glue", "analytics", "clicks", 5_000)).build();
    assertThat(v2.fieldIds().id("country")).isEqualTo(3);
    StoredTable after2 = catalog.updateTable(v2, 1);
    FieldIds ids2 = after2.definition().fieldIds();
    assertThat(ids2.asMap()).containsExactly(Map.entry("event_id", 1), Map.entry("amount", 3),
        Map.entry("country", 7), Map.entry("_partition", 4), Map.entry("_offset", 5), Map.entry("_timestamp", 6),
        Map.entry("_key", 8));
    assertThat(ids2.lastId()).isEqualTo(8);
    StoredTable read2 = catalog.getTable(name).orElseThrow();
    assertThat(read2.version()).isEqualTo(2);
    assertThat(read2.definition().fieldIds()).isEqualTo(ids2);
    assertThat(read2.definition().iceberg()).isEqualTo(new TableDefinition.Iceberg(true, "glue", "analytics",
        "clicks", 5_000));

    // v3 re-adds user_id: a new id, not its old 2
    TableDefinition v3 = read2.definition().toBuilder().column("user_id", "long").build();
    StoredTable after3 = catalog.updateTable(v3.withFieldIds(FieldIds.positional(v3)), 2);
    assertThat(after3.definition().fieldIds().id("user_id")).isEqualTo(9);
    assertThat(after3.definition().fieldIds().id("country")).isEqualTo(7);
    assertThat(after3.definition().fieldIds().lastId()).isEqualTo(9);
    assertThat(catalog.getTable(name).orElseThrow().definition()).isEqualTo(after3.definition());

    // an update that changes no column keeps every id
    TableDefinition v4 = after3.definition().toBuilder().flush(new TableDefinition.Flush(1000, 1 << 20, 1000))
        .build();
    assertThat(catalog.updateTable(v4, 3).definition().fieldIds()).isEqualTo(after3.definition().fieldIds());
    // pause/resume do not touch them either
    catalog.pauseTable(name);
    assertThat(catalog.resumeTable(name).definition().fieldIds()).isEqualTo(after3.definition().fieldIds());
  }
}
