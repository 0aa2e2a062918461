package io.tributary.bench;

import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.DynamoCatalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads what a table committed: heads while it runs, whole chains afterwards. */
final class Chains {
    private Chains() {
    }

    /** Sum over partitions of the head's end offset (what is committed), -1 parts missing count as 0. */
    static long committedEnd(DynamoCatalog catalog, String table, int partitions) {
        long sum = 0;
        for (int p = 0; p < partitions; p++) {
            Optional<CommitRecord> h = catalog.head(table, p);
            if (h.isPresent()) {
                sum += h.get().endOffset();
            }
        }
        return sum;
    }

    /** Every non-genesis record of every partition, in (partition, seq) order. */
    static List<CommitRecord> all(DynamoCatalog catalog, String table, int partitions) {
        List<CommitRecord> out = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            long from = 1;
            while (true) {
                List<CommitRecord> page = catalog.records(table, p, from, Long.MAX_VALUE, 1000);
                out.addAll(page);
                if (page.size() < 1000) {
                    break;
                }
                from = page.get(page.size() - 1).seq() + 1;
            }
        }
        return out;
    }
}
