package io.tributary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.catalog.Catalog;
import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.PartObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * The deep audit: reads every object every commit record of a table references and checks it
 * against the record. For each record {@code [start, end)} of partition {@code p}: every data row's
 * {@code _partition} is {@code p} and its {@code _offset} in the range; every dead letter's
 * {@code partition}/{@code offset} likewise; no offset appears twice (in data or dead letters);
 * each object holds exactly the rows the record says. Also collects per-row freshness
 * ({@code committed_at - _timestamp}) for the demo's percentiles.
 */
final class DeepAudit {
    static final int MAX_PROBLEMS = 100;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the deep audit read and found. */
    static final class Result {
        long records;
        long dataObjects;
        long dlqObjects;
        long dataRows;
        long dlqRows;
        long bytes;
        long problemCount;
        final List<String> problems = new ArrayList<>();
        private long[] freshness = new long[1024];
        private int freshnessCount;

        void problem(String p) {
            problemCount++;
            if (problems.size() < MAX_PROBLEMS) {
                problems.add(p);
            }
        }

        boolean exact() {
            return problemCount == 0;
        }

        void freshness(long ms) {
            if (freshnessCount == freshness.length) {
                freshness = Arrays.copyOf(freshness, freshness.length * 2);
            }
            freshness[freshnessCount++] = ms;
        }

        /** Sorted per-row freshness in ms (commit time minus Kafka record timestamp). */
        long[] freshnessSorted() {
            long[] f = Arrays.copyOf(freshness, freshnessCount);
            Arrays.sort(f);
            return f;
        }

        /** The q-quantile (0..1) of per-row freshness in ms, or -1 without rows. */
        long freshnessQuantile(double q) {
            long[] f = freshnessSorted();
            if (f.length == 0) {
                return -1;
            }
            int i = (int) Math.min(f.length - 1, Math.max(0, Math.ceil(q * f.length) - 1));
            return f[i];
        }
    }

    private DeepAudit() {
    }

    /** Where the objects come from: S3 ({@link PartFiles}) or, in tests, local files. */
    interface Fetcher {
        /** A local copy of the object; {@link PartFiles.MissingObject} if it cannot be had. */
        Path get(String key);

        /** Done with the local copy. */
        void delete(Path local);
    }

    /**
     * Audits {@code partitions} of {@code table}, downloading through {@code files};
     * {@code progress} gets each record as it is done.
     */
    static Result run(Catalog catalog, Fetcher files, String table, Iterable<Integer> partitions, boolean hasTimestamp,
            Consumer<CommitRecord> progress) {
        Result r = new Result();
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:")) {
            for (int p : partitions) {
                Iterator<CommitRecord> it = catalog.chain(table, p).iterator();
                while (it.hasNext()) {
                    CommitRecord rec = it.next();
                    if (!rec.isGenesis()) {
                        record(db, files, rec, hasTimestamp, r);
                        progress.accept(rec);
                    }
                }
            }
        } catch (SQLException e) {
            throw new CliException("DuckDB failed: " + CatalogAccess.firstLine(e.getMessage()));
        }
        return r;
    }

    private static void record(Connection db, Fetcher files, CommitRecord rec, boolean hasTimestamp, Result r)
            throws SQLException {
        r.records++;
        String where = "partition " + rec.partition() + " seq " + rec.seq() + " [" + rec.startOffset() + ", "
                + rec.endOffset() + ")";
        long size = rec.endOffset() - rec.startOffset();
        if (size < 0 || size > Integer.MAX_VALUE) {
            r.problem(where + ": range of " + size + " offsets cannot be checked");
            return;
        }
        BitSet seen = new BitSet((int) size);
        long dataRows = 0;
        long dlqRows = 0;
        for (PartObject o : rec.objects()) {
            Path f;
            try {
                f = files.get(o.key());
            } catch (PartFiles.MissingObject e) {
                r.problem(where + ": " + e.getMessage());
                continue;
            }
            try {
                r.bytes += Files.size(f);
                long n = o.kind() == PartObject.Kind.DATA ? dataObject(db, f, rec, o, seen, hasTimestamp, r, where)
                        : dlqObject(f, rec, o, seen, r, where);
                if (n != o.rows()) {
                    r.problem(where + ": " + o.key() + " holds " + n + " rows, the record says " + o.rows());
                }
                if (o.kind() == PartObject.Kind.DATA) {
                    dataRows += n;
                    r.dataObjects++;
                    r.dataRows += n;
                } else {
                    dlqRows += n;
                    r.dlqObjects++;
                    r.dlqRows += n;
                }
            } catch (IOException e) {
                r.problem(where + ": cannot read " + o.key() + ": " + e.getMessage());
            } finally {
                files.delete(f);
            }
        }
        if (dataRows != rec.rows()) {
            r.problem(where + ": data objects hold " + dataRows + " rows, the record says rows=" + rec.rows());
        }
        if (dlqRows != rec.dlqRows()) {
            r.problem(where + ": dead-letter objects hold " + dlqRows + " lines, the record says dlq_rows=" + rec.dlqRows());
        }
    }

    private static boolean offset(CommitRecord rec, int partition, long offset, BitSet seen, Result r, String where,
            String key) {
        if (partition != rec.partition()) {
            r.problem(where + ": " + key + " has a row of partition " + partition + " (offset " + offset + ")");
            return false;
        }
        if (offset < rec.startOffset() || offset >= rec.endOffset()) {
            r.problem(where + ": " + key + " has offset " + offset + " outside the record's range");
            return false;
        }
        int i = (int) (offset - rec.startOffset());
        if (seen.get(i)) {
            r.problem(where + ": offset " + offset + " appears more than once (again in " + key + ")");
            return false;
        }
        seen.set(i);
        return true;
    }

    private static long dataObject(Connection db, Path f, CommitRecord rec, PartObject o, BitSet seen, boolean hasTimestamp,
            Result r, String where) throws SQLException {
        String sql = "SELECT _partition, _offset" + (hasTimestamp ? ", _timestamp" : "") + " FROM read_parquet('"
                + f.toString().replace("'", "''") + "')";
        long n = 0;
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                n++;
                int part = rs.getInt(1);
                long off = rs.getLong(2);
                offset(rec, part, off, seen, r, where, o.key());
                if (hasTimestamp) {
                    long ts = epochMillis(rs.getObject(3));
                    if (ts != Long.MIN_VALUE && rec.committedAt() > 0) {
                        r.freshness(rec.committedAt() - ts);
                    }
                }
            }
        } catch (SQLException e) {
            r.problem(where + ": cannot read part " + o.key() + ": " + CatalogAccess.firstLine(e.getMessage()));
            return -1;
        }
        return n;
    }

    static long epochMillis(Object v) {
        if (v instanceof OffsetDateTime odt) {
            return odt.toInstant().toEpochMilli();
        }
        if (v instanceof LocalDateTime ldt) {
            return ldt.toInstant(ZoneOffset.UTC).toEpochMilli();
        }
        if (v instanceof java.time.Instant i) {
            return i.toEpochMilli();
        }
        if (v instanceof java.sql.Timestamp t) {
            return t.toLocalDateTime().toInstant(ZoneOffset.UTC).toEpochMilli();
        }
        if (v instanceof Number num) {
            return num.longValue();
        }
        return Long.MIN_VALUE;
    }

    private static long dlqObject(Path f, CommitRecord rec, PartObject o, BitSet seen, Result r, String where)
            throws IOException {
        long n = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(f)),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                n++;
                JsonNode j;
                try {
                    j = JSON.readTree(line);
                } catch (IOException e) {
                    r.problem(where + ": " + o.key() + " line " + n + " is not JSON");
                    continue;
                }
                if (!j.path("partition").canConvertToInt() || !j.path("offset").canConvertToLong()
                        || !j.path("partition").isIntegralNumber() || !j.path("offset").isIntegralNumber()) {
                    r.problem(where + ": " + o.key() + " line " + n + " lacks partition/offset");
                    continue;
                }
                if (!j.hasNonNull("error") || !j.hasNonNull("value_b64")) {
                    r.problem(where + ": " + o.key() + " line " + n + " lacks error/value_b64");
                }
                offset(rec, j.get("partition").intValue(), j.get("offset").longValue(), seen, r, where, o.key());
            }
        }
        return n;
    }
}
