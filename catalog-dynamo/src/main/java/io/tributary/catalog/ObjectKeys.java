package io.tributary.catalog;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The S3 key layout of parts and dead-letter files (DESIGN.md "Names that other tools rely on"),
 * in one place so writers and the auditor agree:
 * {@code <prefix>/<table>/dt=<yyyy-mm-dd>/p<partition>-<start>-<end>-<random>.parquet} and
 * {@code <prefix>/<table>/_dlq/dt=<yyyy-mm-dd>/p<partition>-<start>-<end>-<random>.jsonl.gz}.
 */
public final class ObjectKeys {

  private static final Pattern RANDOM = Pattern.compile("[A-Za-z0-9_-]+");
  private static final Pattern TAIL = Pattern.compile(
      "dt=(\\d{4}-\\d{2}-\\d{2})/p(\\d+)-(\\d+)-(\\d+)-([A-Za-z0-9_-]+)\\.(parquet|jsonl\\.gz)");

  private ObjectKeys() {
  }

  /** The key of a Parquet part; {@code dt} is the UTC date of the newest record in it. */
  public static String data(String prefix, String table, LocalDate dt, int partition, long start, long end,
      String random) {
    return prefix + "/" + table + "/dt=" + dt + "/p" + partition + "-" + start + "-" + end + "-"
        + checkRandom(random) + ".parquet";
  }

  /** The key of a dead-letter file. */
  public static String dlq(String prefix, String table, LocalDate dt, int partition, long start, long end,
      String random) {
    return prefix + "/" + table + "/_dlq/dt=" + dt + "/p" + partition + "-" + start + "-" + end + "-"
        + checkRandom(random) + ".jsonl.gz";
  }

  private static String checkRandom(String random) {
    if (random == null || !RANDOM.matcher(random).matches()) {
      throw new IllegalArgumentException("random key part must match [A-Za-z0-9_-]+, got " + random);
    }
    return random;
  }

  /**
   * Why {@code key} does not fit the layout for an object of {@code kind} in the given record, or
   * null when it fits.
   */
  public static String mismatch(String prefix, String table, PartObject.Kind kind, String key, int partition,
      long start, long end) {
    String base = prefix + "/" + table + "/" + (kind == PartObject.Kind.DLQ ? "_dlq/" : "");
    if (!key.startsWith(base)) {
      return "does not start with '" + base + "'";
    }
    Matcher m = TAIL.matcher(key.substring(base.length()));
    if (!m.matches()) {
      return "does not match dt=<yyyy-mm-dd>/p<partition>-<start>-<end>-<random>."
          + (kind == PartObject.Kind.DLQ ? "jsonl.gz" : "parquet");
    }
    String ext = kind == PartObject.Kind.DLQ ? "jsonl.gz" : "parquet";
    if (!m.group(6).equals(ext)) {
      return "a " + kind.wire() + " object must end in ." + ext;
    }
    try {
      LocalDate.parse(m.group(1));
    } catch (DateTimeParseException e) {
      return "dt=" + m.group(1) + " is not a date";
    }
    try {
      if (Integer.parseInt(m.group(2)) != partition || Long.parseLong(m.group(3)) != start
          || Long.parseLong(m.group(4)) != end) {
        return "names p" + m.group(2) + "-" + m.group(3) + "-" + m.group(4) + " but the record is p" + partition + "-"
            + start + "-" + end;
      }
    } catch (NumberFormatException e) {
      return "partition/offsets in the key are out of range";
    }
    return null;
  }
}
