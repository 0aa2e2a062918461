package io.tributary.catalog;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A column's logical type as written in a table definition ({@code string}, {@code long},
 * {@code decimal(12,2)}, ...). Exists so every module parses and prints types the same way;
 * {@link #toString()} is the canonical spelling.
 */
public final class ColumnType {

  /** The type families. DESIGN.md "Column types -> Parquet" maps each to Parquet. */
  public enum Kind {
    STRING, INT, LONG, DOUBLE, BOOLEAN, TIMESTAMP, DATE, JSON, DECIMAL
  }

  /** The accepted spellings, for error messages. */
  public static final String KNOWN = "string, int, long, double, boolean, timestamp, date, json, decimal(p,s)";

  private static final Pattern DECIMAL = Pattern.compile("decimal\\(\\s*(\\d{1,3})\\s*,\\s*(\\d{1,3})\\s*\\)");

  private final Kind kind;
  private final int precision;
  private final int scale;

  private ColumnType(Kind kind, int precision, int scale) {
    this.kind = kind;
    this.precision = precision;
    this.scale = scale;
  }

  /** A non-decimal type. */
  public static ColumnType of(Kind kind) {
    if (kind == Kind.DECIMAL) {
      throw new IllegalArgumentException("decimal needs precision and scale: use ColumnType.decimal(p, s)");
    }
    return new ColumnType(Objects.requireNonNull(kind, "kind"), 0, 0);
  }

  /** {@code decimal(p,s)} with 1 <= p <= 38 and 0 <= s <= p, else IllegalArgumentException. */
  public static ColumnType decimal(int precision, int scale) {
    if (precision < 1 || precision > 38) {
      throw new IllegalArgumentException("decimal precision must be 1..38, got " + precision);
    }
    if (scale < 0 || scale > precision) {
      throw new IllegalArgumentException("decimal scale must be 0..precision (" + precision + "), got " + scale);
    }
    return new ColumnType(Kind.DECIMAL, precision, scale);
  }

  /** Parses a type spelling; IllegalArgumentException (naming the accepted types) when unknown. */
  public static ColumnType parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("type is required; expected one of " + KNOWN);
    }
    String t = text.trim().toLowerCase(Locale.ROOT);
    Matcher m = DECIMAL.matcher(t);
    if (m.matches()) {
      return decimal(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }
    if (t.startsWith("decimal")) {
      throw new IllegalArgumentException("malformed decimal type '" + text + "'; expected decimal(p,s)");
    }
    for (Kind k : Kind.values()) {
      if (k != Kind.DECIMAL && k.name().toLowerCase(Locale.ROOT).equals(t)) {
        return of(k);
      }
    }
    throw new IllegalArgumentException("unknown type '" + text + "'; expected one of " + KNOWN);
  }

  public Kind kind() {
    return kind;
  }

  /** Decimal precision (digits), 0 for other kinds. */
  public int precision() {
    return precision;
  }

  /** Decimal scale (fraction digits), 0 for other kinds. */
  public int scale() {
    return scale;
  }

  @Override
  public String toString() {
    return kind == Kind.DECIMAL ? "decimal(" + precision + "," + scale + ")" : kind.name().toLowerCase(Locale.ROOT);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ColumnType c && c.kind == kind && c.precision == precision && c.scale == scale;
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, precision, scale);
  }
}
