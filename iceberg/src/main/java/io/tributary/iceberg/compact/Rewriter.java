package io.tributary.iceberg.compact;

import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.PartObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.Schema;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileAppender;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.parquet.ParquetUtil;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * Rewrites a run's data objects into one Parquet object with Iceberg's generic reader and writer
 * (the table's Iceberg schema: same field ids and types, timestamps in micros, zstd), rows in
 * {@code _offset} order, and proves it before anything references it: every row of each record has
 * the run's partition and an offset within that record's range, offsets strictly increase (so every
 * (partition, offset) is distinct), each record yields its {@code rows}, and the stored object's
 * footer holds the sum. Reads one commit record's rows into memory at a time.
 */
final class Rewriter {
  /** The rows or the object are not what the chain says; the new object was deleted. */
  static final class VerificationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    VerificationException(String message) {
      super(message);
    }
  }

  /** The object written: key, rows, exact stored size. */
  record Written(String key, long rows, long bytes) {
  }

  private final FileIO io;

  Rewriter(FileIO io) {
    this.io = io;
  }

  static String location(String bucket, String key) {
    return "s3://" + bucket + "/" + key;
  }

  /** Writes and verifies {@code key}; on any failure deletes it (nothing references it yet) and rethrows. */
  Written rewrite(String bucket, Schema schema, Run run, String key) throws IOException {
    String loc = location(bucket, key);
    try {
      long written = write(bucket, schema, run, loc);
      if (written != run.rows()) {
        throw new VerificationException("wrote " + written + " rows, the records hold " + run.rows());
      }
      InputFile stored = io.newInputFile(loc);
      long bytes = stored.getLength();
      Metrics footer = ParquetUtil.fileMetrics(stored, MetricsConfig.getDefault());
      if (footer.recordCount() == null || footer.recordCount() != written) {
        throw new VerificationException("stored object's footer says " + footer.recordCount() + " rows, wrote "
            + written);
      }
      return new Written(key, written, bytes);
    } catch (IOException | RuntimeException e) {
      try {
        io.deleteFile(loc);
      } catch (RuntimeException d) {
        e.addSuppressed(d);
      }
      throw e;
    }
  }

  private long write(String bucket, Schema schema, Run run, String loc) throws IOException {
    Set<Integer> ids = new HashSet<>(schema.idToName().keySet());
    long written = 0;
    long lastOffset = Long.MIN_VALUE;
    try (FileAppender<Record> out = Parquet.write(io.newOutputFile(loc)).schema(schema)
        .createWriterFunc(GenericParquetWriter::create)
        .set(TableProperties.PARQUET_COMPRESSION, "zstd").build()) {
      for (CommitRecord r : run.records()) {
        List<Record> rows = new ArrayList<>();
        for (PartObject o : Run.data(r)) {
          long before = rows.size();
          read(bucket, schema, ids, o, rows);
          if (rows.size() - before != o.rows()) {
            throw new VerificationException("object " + o.key() + " of seq " + r.seq() + " holds " + (rows.size()
                - before) + " rows, the record says " + o.rows());
          }
        }
        if (rows.size() != r.rows()) {
          throw new VerificationException("seq " + r.seq() + " holds " + rows.size() + " rows, the record says "
              + r.rows());
        }
        rows.sort(Comparator.comparingLong(x -> (Long) x.getField("_offset")));
        for (Record row : rows) {
          long off = (Long) row.getField("_offset");
          Object p = row.getField("_partition");
          if (!Integer.valueOf(run.partition()).equals(p)) {
            throw new VerificationException("seq " + r.seq() + " has a row of partition " + p + " (offset " + off + ")");
          }
          if (off < r.startOffset() || off >= r.endOffset()) {
            throw new VerificationException("seq " + r.seq() + " has offset " + off + " outside [" + r.startOffset()
                + "," + r.endOffset() + ")");
          }
          if (off <= lastOffset) {
            throw new VerificationException("offset " + off + " of partition " + run.partition() + " appears twice");
          }
          lastOffset = off;
          out.add(row);
          written++;
        }
      }
    }
    return written;
  }

  private void read(String bucket, Schema schema, Set<Integer> ids, PartObject o, List<Record> into)
      throws IOException {
    try (CloseableIterable<Record> rows = Parquet.read(io.newInputFile(location(bucket, o.key()))).project(schema)
        .createReaderFunc(fs -> {
          requireKnownIds(o.key(), fs, ids);
          return GenericParquetReaders.buildReader(schema, fs);
        }).build()) {
      for (Record row : rows) {
        into.add(row);
      }
    }
  }

  /** A column the current schema does not know would be dropped by the rewrite: refuse. */
  private static void requireKnownIds(String key, MessageType fileSchema, Set<Integer> ids) {
    for (Type f : fileSchema.getFields()) {
      if (f.getId() == null || !ids.contains(f.getId().intValue())) {
        throw new VerificationException("object " + key + " has column " + f.getName() + " (id " + f.getId()
            + ") that the table's current schema lacks; rewriting it would drop data");
      }
    }
  }
}
