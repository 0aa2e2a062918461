package io.tributary.iceberg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.mapping.MappedField;
import org.apache.iceberg.mapping.NameMapping;
import org.apache.iceberg.parquet.ParquetUtil;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.Type;

/**
 * Iceberg column metrics (value, null counts, lower/upper bounds) of a part, from its Parquet
 * footer only (two ranged reads: the footer length, then the footer).
 *
 * <p>Parts written before Tributary wrote microseconds hold TIMESTAMP(MILLIS) columns; Iceberg's
 * footer metrics copy their statistics as they are, which would give bounds 1000x too small for an
 * Iceberg {@code timestamptz} (micros) and make engines prune wrongly. Those bounds are converted here.
 */
final class FooterMetrics {
  private FooterMetrics() {
  }

  static Metrics of(org.apache.iceberg.io.InputFile file, MetricsConfig config, NameMapping mapping) {
    ParquetMetadata footer;
    try (ParquetFileReader reader = ParquetFileReader.open(new Adapter(file))) {
      footer = reader.getFooter();
    } catch (IOException e) {
      throw new UncheckedIOException("reading the Parquet footer of " + file.location(), e);
    }
    Metrics m = ParquetUtil.footerMetrics(footer, Stream.empty(), config, mapping);
    Map<Integer, ByteBuffer> lower = m.lowerBounds() == null ? null : new HashMap<>(m.lowerBounds());
    Map<Integer, ByteBuffer> upper = m.upperBounds() == null ? null : new HashMap<>(m.upperBounds());
    boolean changed = false;
    for (Type t : footer.getFileMetaData().getSchema().getFields()) {
      if (t.isPrimitive() && t.getLogicalTypeAnnotation()
          instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts
          && ts.getUnit() == LogicalTypeAnnotation.TimeUnit.MILLIS) {
        Integer id = t.getId() != null ? Integer.valueOf(t.getId().intValue()) : idByName(mapping, t.getName());
        if (id != null) {
          changed |= toMicros(lower, id);
          changed |= toMicros(upper, id);
        }
      }
    }
    if (!changed) {
      return m;
    }
    return new Metrics(m.recordCount(), m.columnSizes(), m.valueCounts(), m.nullValueCounts(), m.nanValueCounts(),
        lower, upper);
  }

  private static Integer idByName(NameMapping mapping, String name) {
    MappedField f = mapping == null ? null : mapping.find(name);
    return f == null ? null : f.id();
  }

  private static boolean toMicros(Map<Integer, ByteBuffer> bounds, int id) {
    if (bounds == null || !bounds.containsKey(id)) {
      return false;
    }
    ByteBuffer b = bounds.get(id).duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
    long millis = b.getLong(b.position());
    ByteBuffer out = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    out.putLong(0, Math.multiplyExact(millis, 1000L));
    bounds.put(id, out);
    return true;
  }

  /** Iceberg's {@code InputFile} as Parquet's (Iceberg's own adapter is package-private). */
  private record Adapter(org.apache.iceberg.io.InputFile file) implements InputFile {
    @Override
    public long getLength() {
      return file.getLength();
    }

    @Override
    public SeekableInputStream newStream() {
      org.apache.iceberg.io.SeekableInputStream in = file.newStream();
      return new DelegatingSeekableInputStream(in) {
        @Override
        public long getPos() throws IOException {
          return in.getPos();
        }

        @Override
        public void seek(long newPos) throws IOException {
          in.seek(newPos);
        }
      };
    }
  }
}
