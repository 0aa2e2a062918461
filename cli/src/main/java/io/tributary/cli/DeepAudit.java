package io.tributary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.catalog.Catalog;
import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.LiveParts;
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
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * The deep audit: reads every live object of a table ({@link LiveParts}: after the retention
 * checkpoint; a compaction link's object instead of the records it replaced) and every dead-letter
 * object of the records, and checks them against the commit records. A compacted object is proven
 * from the chain: for each record it covers, the rows with {@code _offset} in the record's range
 * number exactly the record's rows, every row is of the partition, no offset twice.
 * For each plain record {@code [start, end)} of partition {@code p}: every data row's
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
        /** Compacted objects read, and the commit records they serve. */
        long compactedObjects;
        long compactedRecords;
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
                // the live objects first (LiveParts: checkpoint, compaction links, chain), then the records they
                // serve; a link committed in between is not in `live`, so those records are read with their own
                // objects (still there: the sweeper deletes replaced objects only after the grace period)
                List<LiveParts.Part> live = LiveParts.of(catalog, table, p);
                TreeMap<Long, LiveParts.Part> compacted = new TreeMap<>();
                for (LiveParts.Part part : live) {
                    if (part.compacted()) {
                        compacted.put(part.fromSeq(), part);
                    }
                }
                long from = catalog.checkpoint(table, p).map(c -> c.seq() + 1).orElse(0L);
                LiveParts.Part group = null;
                List<CommitRecord> covered = new ArrayList<>();
                Iterator<CommitRecord> it = catalog.records(table, p, from, Long.MAX_VALUE, Integer.MAX_VALUE).iterator();
                while (it.hasNext()) {
                    CommitRecord rec = it.next();
                    if (rec.isGenesis()) {
                        continue;
                    }
                    var e = compacted.floorEntry(rec.seq());
                    LiveParts.Part c = e != null && rec.seq() <= e.getValue().toSeq() ? e.getValue() : null;
                    if (group != null && c != group) {
                        compactedObject(db, files, group, covered, from, hasTimestamp, r, progress);
                        group = null;
                        covered.clear();
                    }
                    if (c != null) {
                        group = c;
                        covered.add(rec);
                        continue;
                    }
                    record(db, files, rec, hasTimestamp, r);
                    progress.accept(rec);
                }
                if (group != null) {
                    compactedObject(db, files, group, covered, from, hasTimestamp, r, progress);
                }
            }
        } catch (SQLException e) {
            throw new CliException("DuckDB failed: " + CatalogAccess.firstLine(e.getMessage()));
        }
        return r;
    }

    /**
     * A compacted object and the commit records it serves ({@code recs}, contiguous, in seq order):
     * every row's {@code _partition} is the partition and its {@code _offset} in the link's range, no
     * offset twice (also against the records' dead letters), and for each record the rows with
     * {@code _offset} in {@code [start, end)} number exactly its {@code rows}: the object holds the same
     * (partition, offset) rows as the objects it replaced. Rows of records folded by retention (a link
     * reaching below the checkpoint) are tolerated and not counted.
     */
    private static void compactedObject(Connection db, Fetcher files, LiveParts.Part c, List<CommitRecord> recs,
            long from, boolean hasTimestamp, Result r, Consumer<CommitRecord> progress) throws SQLException {
        PartObject o = c.object();
        int p = c.partition();
        String where = "partition " + p + " compaction of seqs " + c.fromSeq() + ".." + c.toSeq() + " [" + c.startOffset()
                + ", " + c.endOffset() + ")";
        r.records += recs.size();
        r.compactedObjects++;
        r.compactedRecords += recs.size();
        long span = c.endOffset() - c.startOffset();
        if (span < 0 || span > Integer.MAX_VALUE) {
            r.problem(where + ": range of " + span + " offsets cannot be checked");
            recs.forEach(progress);
            return;
        }
        boolean whole = recs.get(0).seq() == Math.max(c.fromSeq(), from) && recs.get(recs.size() - 1).seq() == c.toSeq();
        for (int i = 1; i < recs.size() && whole; i++) {
            whole = recs.get(i).seq() == recs.get(i - 1).seq() + 1;
        }
        if (!whole) {
            r.problem(where + ": the chain holds only seqs " + recs.get(0).seq() + ".." + recs.get(recs.size() - 1).seq()
                    + " of it (" + recs.size() + " records)");
        }
        // records with offsets (claims and other empty records hold none), by start offset
        int[] idx = new int[recs.size()];
        long[] starts = new long[recs.size()];
        int nonEmpty = 0;
        for (int i = 0; i < recs.size(); i++) {
            if (recs.get(i).endOffset() > recs.get(i).startOffset()) {
                idx[nonEmpty] = i;
                starts[nonEmpty++] = recs.get(i).startOffset();
            }
        }
        starts = Arrays.copyOf(starts, nonEmpty);
        long foldedBelow = c.fromSeq() < recs.get(0).seq() ? recs.get(0).startOffset() : c.startOffset();
        BitSet seen = new BitSet((int) span);
        long[] perRecord = new long[recs.size()];
        long n = 0;
        Path f = null;
        try {
            f = files.get(o.key());
            r.bytes += Files.size(f);
            r.dataObjects++;
            String sql = "SELECT _partition, _offset" + (hasTimestamp ? ", _timestamp" : "") + " FROM read_parquet('"
                    + f.toString().replace("'", "''") + "')";
            try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    n++;
                    int part = rs.getInt(1);
                    long off = rs.getLong(2);
                    if (part != p) {
                        r.problem(where + ": " + o.key() + " has a row of partition " + part + " (offset " + off + ")");
                        continue;
                    }
                    if (off < c.startOffset() || off >= c.endOffset()) {
                        r.problem(where + ": " + o.key() + " has offset " + off + " outside the link's range");
                        continue;
                    }
                    int i = (int) (off - c.startOffset());
                    if (seen.get(i)) {
                        r.problem(where + ": offset " + off + " appears more than once in " + o.key());
                        continue;
                    }
                    seen.set(i);
                    if (off < foldedBelow) {
                        continue; // a record folded by retention: not served any more, not counted
                    }
                    int ri = Arrays.binarySearch(starts, off);
                    ri = ri >= 0 ? ri : -ri - 2;
                    ri = ri < 0 ? -1 : idx[ri];
                    if (ri < 0 || off >= recs.get(ri).endOffset()) {
                        r.problem(where + ": " + o.key() + " has offset " + off + " in no commit record it covers");
                        continue;
                    }
                    perRecord[ri]++;
                    if (hasTimestamp) {
                        long ts = epochMillis(rs.getObject(3));
                        CommitRecord rec = recs.get(ri);
                        if (ts != Long.MIN_VALUE && rec.committedAt() > 0) {
                            r.freshness(rec.committedAt() - ts);
                        }
                    }
                }
            } catch (SQLException e) {
                r.problem(where + ": cannot read compacted object " + o.key() + ": " + CatalogAccess.firstLine(e.getMessage()));
                n = -1;
            }
        } catch (PartFiles.MissingObject e) {
            r.problem(where + ": " + e.getMessage());
        } catch (IOException e) {
            r.problem(where + ": cannot read " + o.key() + ": " + e.getMessage());
        } finally {
            if (f != null) {
                files.delete(f);
            }
        }
        if (n >= 0 && f != null) {
            long served = 0;
            for (long x : perRecord) {
                served += x;
            }
            r.dataRows += served;
            if (c.fromSeq() >= recs.get(0).seq() && n != o.rows()) {
                r.problem(where + ": " + o.key() + " holds " + n + " rows, the compaction link says " + o.rows());
            }
            for (int i = 0; i < recs.size(); i++) {
                CommitRecord rec = recs.get(i);
                if (perRecord[i] != rec.rows()) {
                    r.problem("partition " + p + " seq " + rec.seq() + " [" + rec.startOffset() + ", " + rec.endOffset()
                            + "): compacted object " + o.key() + " holds " + perRecord[i] + " rows in its range, the record says rows="
                            + rec.rows());
                }
            }
        }
        // dead letters still come from the records, checked against the same offsets
        for (CommitRecord rec : recs) {
            String rw = "partition " + rec.partition() + " seq " + rec.seq() + " [" + rec.startOffset() + ", "
                    + rec.endOffset() + ")";
            long dlqRows = 0;
            for (PartObject d : rec.objects()) {
                if (d.kind() == PartObject.Kind.DATA) {
                    continue; // replaced by the compacted object
                }
                Path df;
                try {
                    df = files.get(d.key());
                } catch (PartFiles.MissingObject e) {
                    r.problem(rw + ": " + e.getMessage());
                    continue;
                }
                try {
                    r.bytes += Files.size(df);
                    long m = dlqObject(df, rec, d, seen, c.startOffset(), r, rw);
                    if (m != d.rows()) {
                        r.problem(rw + ": " + d.key() + " holds " + m + " rows, the record says " + d.rows());
                    }
                    dlqRows += m;
                    r.dlqObjects++;
                    r.dlqRows += m;
                } catch (IOException e) {
                    r.problem(rw + ": cannot read " + d.key() + ": " + e.getMessage());
                } finally {
                    files.delete(df);
                }
            }
            if (dlqRows != rec.dlqRows()) {
                r.problem(rw + ": dead-letter objects hold " + dlqRows + " lines, the record says dlq_rows=" + rec.dlqRows());
            }
            progress.accept(rec);
        }
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
                        : dlqObject(f, rec, o, seen, rec.startOffset(), r, where);
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

    private static boolean offset(CommitRecord rec, int partition, long offset, BitSet seen, long base, Result r,
            String where, String key) {
        if (partition != rec.partition()) {
            r.problem(where + ": " + key + " has a row of partition " + partition + " (offset " + offset + ")");
            return false;
        }
        if (offset < rec.startOffset() || offset >= rec.endOffset()) {
            r.problem(where + ": " + key + " has offset " + offset + " outside the record's range");
            return false;
        }
        int i = (int) (offset - base);
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
                offset(rec, part, off, seen, rec.startOffset(), r, where, o.key());
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

    private static long dlqObject(Path f, CommitRecord rec, PartObject o, BitSet seen, long base, Result r, String where)
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
                offset(rec, j.get("partition").intValue(), j.get("offset").longValue(), seen, base, r, where, o.key());
            }
        }
        return n;
    }
}
