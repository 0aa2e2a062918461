package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.catalog.CommitOutcome;
import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.Compaction;
import io.tributary.catalog.InMemoryCatalog;
import io.tributary.catalog.PartObject;
import io.tributary.catalog.TableDefinition;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deep audit on real Parquet files (written by DuckDB) and gzip JSON Lines dead letters, with
 * the in-memory catalog: exact when every offset is in range at most once, problems otherwise.
 */
class DeepAuditTest {
    @TempDir
    Path dir;
    final Map<String, Path> objects = new HashMap<>();
    final InMemoryCatalog catalog = new InMemoryCatalog();

    final DeepAudit.Fetcher fetcher = new DeepAudit.Fetcher() {
        @Override
        public Path get(String key) {
            Path p = objects.get(key);
            if (p == null) {
                throw new PartFiles.MissingObject("s3://b/" + key + " is missing");
            }
            return p;
        }

        @Override
        public void delete(Path local) {
        }
    };

    /** A Parquet part of partition {@code p} holding {@code offsets}. */
    PartObject part(String key, int p, String offsetsSql, long rows) throws Exception {
        Path f = dir.resolve(key.replace('/', '_'));
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement st = db.createStatement()) {
            st.execute("COPY (SELECT " + p + "::INTEGER AS _partition, o::BIGINT AS _offset, "
                    + "make_timestamptz(2026, 1, 1, 0, 0, 0) AS _timestamp, 'x' AS event_id FROM (" + offsetsSql + ") t(o)) TO '"
                    + f + "' (FORMAT parquet)");
        }
        objects.put(key, f);
        return PartObject.data(key, rows, Files.size(f));
    }

    PartObject dlq(String key, int p, long... offsets) throws Exception {
        Path f = dir.resolve(key.replace('/', '_'));
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
            for (long o : offsets) {
                out.write(("{\"partition\":" + p + ",\"offset\":" + o + ",\"timestamp\":0,\"key_b64\":null,\"value_b64\":\"e30=\","
                        + "\"error\":\"event_id: missing required value\"}\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        objects.put(key, f);
        return PartObject.dlq(key, offsets.length, Files.size(f));
    }

    void commit(int p, long end, long rows, long dlqRows, PartObject... objs) {
        CommitRecord head = catalog.head("t", p).orElseThrow();
        CommitRecord next = head.successor().endOffset(end).rows(rows).dlqRows(dlqRows).objects(List.of(objs))
                .writer("w").epoch(1).minTs(1_767_225_600_000L).maxTs(1_767_225_600_000L).committedAt(1_767_225_601_500L).build();
        assertThat(catalog.commit(head, next)).isInstanceOf(CommitOutcome.Committed.class);
    }

    DeepAudit.Result audit() {
        return DeepAudit.run(catalog, fetcher, "t", catalog.partitions("t"), true, r -> { });
    }

    void table() {
        catalog.createTable(TableDefinition.builder("t").source("k:9092", "t").column("event_id", "string").output("bkt").build(),
                Map.of(0, 0L, 1, 0L));
    }

    @Test
    void exactWhenEveryOffsetIsLandedOnce() throws Exception {
        table();
        commit(0, 10, 9, 1, part("tables/t/dt=2026-01-01/p0-0-10-a.parquet", 0, "SELECT range FROM range(0, 10) WHERE range <> 4", 9),
                dlq("tables/t/_dlq/dt=2026-01-01/p0-0-10-a.jsonl.gz", 0, 4));
        commit(0, 20, 10, 0, part("tables/t/dt=2026-01-01/p0-10-20-b.parquet", 0, "SELECT range FROM range(10, 20)", 10));
        commit(1, 5, 5, 0, part("tables/t/dt=2026-01-01/p1-0-5-c.parquet", 1, "SELECT range FROM range(0, 5)", 5));
        DeepAudit.Result r = audit();
        assertThat(r.problems).isEmpty();
        assertThat(r.exact()).isTrue();
        assertThat(r.dataRows).isEqualTo(24);
        assertThat(r.dlqRows).isEqualTo(1);
        assertThat(r.dataObjects).isEqualTo(3);
        assertThat(r.records).isEqualTo(3);
        assertThat(r.freshnessQuantile(0.5)).isEqualTo(1500);
    }

    @Test
    void duplicateOffsetOutOfRangeWrongPartitionAndMissingObjectAreProblems() throws Exception {
        table();
        // offset 3 twice (the record claims 10 rows, the part holds them)
        commit(0, 10, 10, 0, part("tables/t/dt=2026-01-01/p0-0-10-a.parquet", 0,
                "SELECT range FROM range(0, 9) UNION ALL SELECT 3", 10));
        // offset 25 outside [10, 20)
        commit(0, 20, 2, 0, part("tables/t/dt=2026-01-01/p0-10-20-b.parquet", 0, "SELECT * FROM (VALUES (10), (25))", 2));
        // a dead letter that is also a row
        commit(1, 4, 3, 1, part("tables/t/dt=2026-01-01/p1-0-4-c.parquet", 1, "SELECT range FROM range(0, 3)", 3),
                dlq("tables/t/_dlq/dt=2026-01-01/p1-0-4-c.jsonl.gz", 1, 2));
        // the referenced object is gone
        commit(1, 7, 3, 0, PartObject.data("tables/t/dt=2026-01-01/p1-4-7-gone.parquet", 3, 100));
        DeepAudit.Result r = audit();
        assertThat(r.exact()).isFalse();
        assertThat(String.join("\n", r.problems))
                .contains("partition 0 seq 1 [0, 10): offset 3 appears more than once")
                .contains("partition 0 seq 2 [10, 20): tables/t/dt=2026-01-01/p0-10-20-b.parquet has offset 25 outside")
                .contains("partition 1 seq 1 [0, 4): offset 2 appears more than once")
                .contains("p1-4-7-gone.parquet is missing");
    }

    @Test
    void rowCountMismatchIsAProblem() throws Exception {
        table();
        commit(0, 10, 10, 0, part("tables/t/dt=2026-01-01/p0-0-10-a.parquet", 0, "SELECT range FROM range(0, 8)", 10));
        DeepAudit.Result r = audit();
        assertThat(r.problems).anySatisfy(p -> assertThat(p).contains("holds 8 rows, the record says 10"));
    }

    void compact(int p, long seq, long fromSeq, long toSeq, long start, long end, PartObject object, String... replaced) {
        Compaction prev = catalog.compactions("t", p).isEmpty() ? null
                : catalog.compactions("t", p).get(catalog.compactions("t", p).size() - 1);
        assertThat(catalog.commitCompaction(prev, new Compaction("t", p, seq, fromSeq, toSeq, start, end, object.rows(), object,
                List.of(replaced), "c" + seq, 0))).isTrue();
    }

    @Test
    void aCompactedObjectIsProvenPerRecordItCovers() throws Exception {
        table();
        commit(0, 0, 0, 0); // an empty record (a claim) inside the compacted range
        commit(0, 10, 9, 1, part("tables/t/dt=2026-01-01/p0-0-10-a.parquet", 0, "SELECT range FROM range(0, 10) WHERE range <> 4", 9),
                dlq("tables/t/_dlq/dt=2026-01-01/p0-0-10-a.jsonl.gz", 0, 4));
        commit(0, 20, 10, 0, part("tables/t/dt=2026-01-01/p0-10-20-b.parquet", 0, "SELECT range FROM range(10, 20)", 10));
        commit(0, 25, 5, 0, part("tables/t/dt=2026-01-01/p0-20-25-c.parquet", 0, "SELECT range FROM range(20, 25)", 5));
        commit(1, 5, 5, 0, part("tables/t/dt=2026-01-01/p1-0-5-d.parquet", 1, "SELECT range FROM range(0, 5)", 5));
        PartObject merged = part("tables/t/dt=2026-01-01/p0-0-20-m.parquet", 0, "SELECT range FROM range(0, 20) WHERE range <> 4", 19);
        compact(0, 1, 1, 3, 0, 20, merged, "tables/t/dt=2026-01-01/p0-0-10-a.parquet", "tables/t/dt=2026-01-01/p0-10-20-b.parquet");
        // the replaced parts are gone (swept): the audit must not read them
        objects.remove("tables/t/dt=2026-01-01/p0-0-10-a.parquet");
        objects.remove("tables/t/dt=2026-01-01/p0-10-20-b.parquet");
        DeepAudit.Result r = audit();
        assertThat(r.problems).isEmpty();
        assertThat(r.dataObjects).isEqualTo(3); // merged, c, d
        assertThat(r.compactedObjects).isEqualTo(1);
        assertThat(r.compactedRecords).isEqualTo(3);
        assertThat(r.records).isEqualTo(5);
        assertThat(r.dataRows).isEqualTo(29);
        assertThat(r.dlqRows).isEqualTo(1);
        assertThat(r.freshnessQuantile(0.5)).isEqualTo(1500);
    }

    @Test
    void aCompactedObjectWithTheRightCountButWrongRowsIsAProblem() throws Exception {
        table();
        commit(0, 10, 10, 0, part("tables/t/dt=2026-01-01/p0-0-10-a.parquet", 0, "SELECT range FROM range(0, 10)", 10));
        commit(0, 20, 9, 1, part("tables/t/dt=2026-01-01/p0-10-20-b.parquet", 0, "SELECT range FROM range(10, 20) WHERE range <> 15", 9),
                dlq("tables/t/_dlq/dt=2026-01-01/p0-10-20-b.jsonl.gz", 0, 15));
        // 19 rows as the link says, but offset 3 is missing and the dead letter 15 is also a row
        PartObject merged = part("tables/t/dt=2026-01-01/p0-0-20-m.parquet", 0, "SELECT range FROM range(0, 20) WHERE range <> 3", 19);
        compact(0, 1, 1, 2, 0, 20, merged, "tables/t/dt=2026-01-01/p0-0-10-a.parquet", "tables/t/dt=2026-01-01/p0-10-20-b.parquet");
        DeepAudit.Result r = audit();
        assertThat(r.exact()).isFalse();
        assertThat(String.join("\n", r.problems))
                .contains("partition 0 seq 1 [0, 10): compacted object tables/t/dt=2026-01-01/p0-0-20-m.parquet holds 9 rows in its range, the record says rows=10")
                .contains("partition 0 seq 2 [10, 20): compacted object tables/t/dt=2026-01-01/p0-0-20-m.parquet holds 10 rows in its range, the record says rows=9")
                .contains("partition 0 seq 2 [10, 20): offset 15 appears more than once");
    }
}
