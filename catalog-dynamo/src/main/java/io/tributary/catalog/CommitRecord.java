package io.tributary.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * One link of a partition's commit chain (DESIGN.md "The commit protocol"): the offsets
 * {@code [startOffset, endOffset)} it consumed and the objects holding them. Record {@code seq} 0
 * is the genesis (start == end, no objects). Immutable; build with {@link #builder()} or, for the
 * next link of a chain, {@link #successor()}.
 *
 * @param table         table name
 * @param partition     Kafka partition
 * @param seq           position in the chain, 0 = genesis
 * @param startOffset   first offset covered, equals the previous record's endOffset
 * @param endOffset     consumer position after the last record (exclusive)
 * @param rows          rows landed in data objects
 * @param dlqRows       dead letters landed in dlq objects
 * @param bytes         total bytes of the objects
 * @param objects       the objects, possibly empty
 * @param commitId      unique id of this commit attempt; how an unknown outcome is resolved
 * @param writer        runner id
 * @param epoch         assignment epoch of the writer
 * @param minTs         oldest Kafka record timestamp (epoch ms), null when no rows
 * @param maxTs         newest Kafka record timestamp (epoch ms), null when no rows
 * @param committedAt   commit time (epoch ms); 0 in a request means "stamp it at commit"
 * @param lost          offsets lost at the source (retention), only on a retention-gap record; else null
 * @param schemaVersion version of the table definition the writer used
 */
public record CommitRecord(String table, int partition, long seq, long startOffset, long endOffset, long rows,
    long dlqRows, long bytes, List<PartObject> objects, String commitId, String writer, long epoch, Long minTs,
    Long maxTs, long committedAt, Long lost, long schemaVersion) {

  /** commit_id of every genesis record. */
  public static final String GENESIS_COMMIT_ID = "genesis";
  /** writer of every genesis record. */
  public static final String GENESIS_WRITER = "catalog";

  public CommitRecord {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(commitId, "commitId");
    Objects.requireNonNull(writer, "writer");
    objects = objects == null ? List.of() : List.copyOf(objects);
  }

  /** The genesis record of a partition: seq 0, start == end == offset, nothing landed. */
  public static CommitRecord genesis(String table, int partition, long offset, long schemaVersion, long committedAt) {
    return new CommitRecord(table, partition, 0, offset, offset, 0, 0, 0, List.of(), GENESIS_COMMIT_ID,
        GENESIS_WRITER, 0, null, null, committedAt, null, schemaVersion);
  }

  /** True for seq 0. */
  public boolean isGenesis() {
    return seq == 0;
  }

  /** Offsets this record covers ({@code endOffset - startOffset}). */
  public long offsetCount() {
    return endOffset - startOffset;
  }

  /**
   * A builder for the next link: same table and partition, seq + 1, startOffset = this endOffset,
   * a fresh random commit id, and this record's schema version.
   */
  public Builder successor() {
    return builder().table(table).partition(partition).seq(seq + 1).startOffset(endOffset).endOffset(endOffset)
        .schemaVersion(schemaVersion);
  }

  /** The same record with committedAt set. */
  public CommitRecord withCommittedAt(long millis) {
    return new CommitRecord(table, partition, seq, startOffset, endOffset, rows, dlqRows, bytes, objects, commitId,
        writer, epoch, minTs, maxTs, millis, lost, schemaVersion);
  }

  /** A builder with every field empty and a random commit id. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builder for commit records. */
  public static final class Builder {
    private String table;
    private int partition;
    private long seq;
    private long startOffset;
    private long endOffset;
    private long rows;
    private long dlqRows;
    private long bytes;
    private final List<PartObject> objects = new ArrayList<>();
    private String commitId = UUID.randomUUID().toString();
    private String writer;
    private long epoch;
    private Long minTs;
    private Long maxTs;
    private long committedAt;
    private Long lost;
    private long schemaVersion;

    private Builder() {
    }

    public Builder table(String v) {
      table = v;
      return this;
    }

    public Builder partition(int v) {
      partition = v;
      return this;
    }

    public Builder seq(long v) {
      seq = v;
      return this;
    }

    public Builder startOffset(long v) {
      startOffset = v;
      return this;
    }

    public Builder endOffset(long v) {
      endOffset = v;
      return this;
    }

    public Builder rows(long v) {
      rows = v;
      return this;
    }

    public Builder dlqRows(long v) {
      dlqRows = v;
      return this;
    }

    public Builder bytes(long v) {
      bytes = v;
      return this;
    }

    /** Adds an object; does not change rows/dlqRows/bytes. */
    public Builder object(PartObject v) {
      objects.add(v);
      return this;
    }

    /** Replaces the objects; does not change rows/dlqRows/bytes. */
    public Builder objects(List<PartObject> v) {
      objects.clear();
      objects.addAll(v);
      return this;
    }

    public Builder commitId(String v) {
      commitId = v;
      return this;
    }

    public Builder writer(String v) {
      writer = v;
      return this;
    }

    public Builder epoch(long v) {
      epoch = v;
      return this;
    }

    public Builder minTs(Long v) {
      minTs = v;
      return this;
    }

    public Builder maxTs(Long v) {
      maxTs = v;
      return this;
    }

    public Builder committedAt(long v) {
      committedAt = v;
      return this;
    }

    public Builder lost(Long v) {
      lost = v;
      return this;
    }

    public Builder schemaVersion(long v) {
      schemaVersion = v;
      return this;
    }

    public CommitRecord build() {
      return new CommitRecord(table, partition, seq, startOffset, endOffset, rows, dlqRows, bytes, objects, commitId,
          writer, epoch, minTs, maxTs, committedAt, lost, schemaVersion);
    }
  }
}
