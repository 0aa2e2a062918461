package io.tributary.iceberg.compact;

import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.PartObject;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Contiguous commit records {@code fromSeq..toSeq} of one partition whose data objects are rewritten
 * into one object. Records without data objects (dead letters only, empty, retention gaps) belong
 * to the range and contribute no rows.
 */
record Run(int partition, List<CommitRecord> records) {
  Run {
    records = List.copyOf(records);
  }

  CommitRecord first() {
    return records.get(0);
  }

  CommitRecord last() {
    return records.get(records.size() - 1);
  }

  long fromSeq() {
    return first().seq();
  }

  long toSeq() {
    return last().seq();
  }

  long startOffset() {
    return first().startOffset();
  }

  long endOffset() {
    return last().endOffset();
  }

  long rows() {
    return records.stream().mapToLong(CommitRecord::rows).sum();
  }

  List<PartObject> dataObjects() {
    return records.stream().flatMap(r -> data(r).stream()).toList();
  }

  long bytes() {
    return dataObjects().stream().mapToLong(PartObject::bytes).sum();
  }

  /** UTC date of the newest Kafka timestamp in the run ({@code fallback} when no record has one). */
  LocalDate date(LocalDate fallback) {
    return records.stream().map(CommitRecord::maxTs).filter(t -> t != null).max(Long::compare)
        .map(t -> LocalDate.ofInstant(Instant.ofEpochMilli(t), ZoneOffset.UTC)).orElse(fallback);
  }

  @Override
  public String toString() {
    return "p" + partition + " seqs " + fromSeq() + ".." + toSeq() + " offsets [" + startOffset() + "," + endOffset()
        + ") " + dataObjects().size() + " parts " + rows() + " rows " + bytes() + " bytes";
  }

  static List<PartObject> data(CommitRecord r) {
    return r.objects().stream().filter(o -> o.kind() == PartObject.Kind.DATA).toList();
  }
}
