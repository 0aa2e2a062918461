package io.tributary.catalog;

/**
 * A table definition (or a part of it) is invalid. {@link #field()} is the dotted path of the
 * offending field ({@code columns[2].type}, {@code flush.max_age}); the message always starts with
 * it, preceded by {@code line N: } when the definition came from YAML. Maps to gRPC
 * INVALID_ARGUMENT.
 */
public class InvalidDefinitionException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final String field;
  private final String detail;
  private final int line;

  public InvalidDefinitionException(String field, String detail) {
    this(field, detail, 0);
  }

  public InvalidDefinitionException(String field, String detail, int line) {
    super((line > 0 ? "line " + line + ": " : "") + field + ": " + detail);
    this.field = field;
    this.detail = detail;
    this.line = line;
  }

  /** Dotted path of the offending field, e.g. {@code columns[2].type}. */
  public String field() {
    return field;
  }

  /** What is wrong, without the field and line prefix. */
  public String detail() {
    return detail;
  }

  /** 1-based line in the source YAML, or 0 when not known. */
  public int line() {
    return line;
  }

  /** The same error located at a line of the source text. */
  InvalidDefinitionException atLine(int newLine) {
    return new InvalidDefinitionException(field, detail, newLine);
  }
}
