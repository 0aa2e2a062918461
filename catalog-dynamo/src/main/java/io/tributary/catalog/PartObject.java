package io.tributary.catalog;

import java.util.Locale;
import java.util.Objects;

/**
 * One S3 object referenced by a commit record: a Parquet part ({@link Kind#DATA}) or a dead-letter
 * file ({@link Kind#DLQ}). Every object belongs to exactly one commit record.
 *
 * @param key   S3 key, see {@link ObjectKeys}
 * @param kind  data or dlq
 * @param rows  rows (data) or dead letters (dlq) in the object
 * @param bytes object size in bytes
 */
public record PartObject(String key, Kind kind, long rows, long bytes) {

  /** What the object holds; wire spelling {@code data} / {@code dlq}. */
  public enum Kind {
    DATA, DLQ;

    /** Wire spelling. */
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the wire spelling. */
    public static Kind fromWire(String s) {
      return switch (s) {
        case "data" -> DATA;
        case "dlq" -> DLQ;
        default -> throw new IllegalArgumentException("unknown object kind '" + s + "' (data | dlq)");
      };
    }
  }

  public PartObject {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(kind, "kind");
  }

  /** A Parquet part. */
  public static PartObject data(String key, long rows, long bytes) {
    return new PartObject(key, Kind.DATA, rows, bytes);
  }

  /** A dead-letter file. */
  public static PartObject dlq(String key, long rows, long bytes) {
    return new PartObject(key, Kind.DLQ, rows, bytes);
  }
}
