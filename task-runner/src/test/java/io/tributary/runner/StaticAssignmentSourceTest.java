package io.tributary.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.catalog.ColumnType;
import io.tributary.catalog.InMemoryCatalog;
import io.tributary.catalog.TableDefinition;
import io.tributary.catalog.TableNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code --table a,b --partitions 0-1}: one assignment per table, each with the same partitions. */
class StaticAssignmentSourceTest {

    @Test
    void severalTablesAreAssignedAtOnce() {
        InMemoryCatalog catalog = new InMemoryCatalog();
        for (String t : List.of("wide_a", "wide_b")) {
            catalog.createTable(table(t), Map.of(0, 0L, 1, 0L, 2, 0L));
        }
        List<AssignmentSource.TableAssignment> got = new ArrayList<>();
        try (StaticAssignmentSource s = new StaticAssignmentSource(catalog, "wide_a, wide_b,wide_a", "0-1", 3)) {
            s.start(got::addAll);
        }
        assertThat(got).extracting(a -> a.table().name()).containsExactly("wide_a", "wide_b");
        assertThat(got).allSatisfy(a -> assertThat(a.epochs()).isEqualTo(Map.of(0, 3L, 1, 3L)));

        List<AssignmentSource.TableAssignment> all = new ArrayList<>();
        new StaticAssignmentSource(catalog, "wide_b", "all", 1).start(all::addAll);
        assertThat(all).singleElement().satisfies(a -> assertThat(a.epochs()).containsOnlyKeys(0, 1, 2));

        assertThatThrownBy(() -> new StaticAssignmentSource(catalog, "wide_a,nope", "0", 1).start(x -> { }))
                .isInstanceOf(TableNotFoundException.class);
        assertThatThrownBy(() -> StaticAssignmentSource.tableNames(" , ")).hasMessageContaining("names no table");
    }

    private static TableDefinition table(String name) {
        return TableDefinition.builder(name).source("127.0.0.1:9092", name + "-in")
                .column(new TableDefinition.Column("event_id", ColumnType.parse("string"), "$.event_id", false))
                .output(new TableDefinition.Output("bucket", "tables", null)).build();
    }
}
