package io.tributary.iceberg;

import io.tributary.catalog.AwsClients;
import io.tributary.catalog.CommitOutcome;
import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.DynamoCatalog;
import io.tributary.catalog.PartObject;
import io.tributary.catalog.StoredTable;
import io.tributary.catalog.TableDefinition;
import io.tributary.infra.LocalStack;
import io.tributary.runner.TableContext;
import io.tributary.runner.buffer.DeadLetter;
import io.tributary.runner.buffer.PartitionBuffer;
import io.tributary.runner.decode.JsonRowDecoder;
import io.tributary.runner.decode.RowSchema;
import io.tributary.runner.write.AirCompressorCodecFactory;
import io.tributary.runner.write.PartSchema;
import io.tributary.runner.write.S3PartWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Test support: commit chains on the real local servers (dynalite, S3Mock) with parts written by
 * the runner's own decoder and Parquet writer, committed with the catalog's one conditional write —
 * what a runner does, without Kafka. Remembers every good row it landed.
 */
public final class Chains {
  public static final String COLUMNS = """
      - { name: event_id, type: string, path: $.event_id, nullable: false }
      - { name: user_id, type: long, path: $.user.id }
      - { name: ts, type: timestamp, path: $.ts }
      - { name: amount, type: "decimal(12,2)", path: $.amount }
      - { name: day, type: date, path: $.day }
      - { name: ok, type: boolean, path: $.ok }
      - { name: attrs, type: json, path: $.attrs }
      """;
  /** Base event time of the rows: 2026-12-01T00:00:00Z, one second per offset. */
  public static final long T0 = 1_796_083_200_000L;

  public final LocalStack stack;
  public final DynamoCatalog catalog;
  public final S3Client s3;
  public final S3PartWriter writer;
  /** Good rows landed: partition -> offsets, in order. */
  public final Map<Integer, List<Long>> landed = new java.util.TreeMap<>();
  /** Event/Kafka time of every good row: "partition/offset" -> epoch ms. */
  public final Map<String, Long> times = new java.util.HashMap<>();
  public long rows;

  public Chains(LocalStack stack) {
    this.stack = stack;
    Map<String, String> env = stack.env();
    this.catalog = new DynamoCatalog(AwsClients.dynamo(env), "ice-" + UUID.randomUUID().toString().substring(0, 8));
    catalog.createCatalogTableIfAbsent();
    this.s3 = AwsClients.s3(env);
    this.writer = new S3PartWriter(s3, new AirCompressorCodecFactory(), 8 << 20, 8L << 20);
  }

  public static String unique(String prefix) {
    return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
  }

  public TableDefinition definition(String name) {
    return definition(name, null);
  }

  /** The test table's definition, with {@code retention: <retention>} when not null. */
  public TableDefinition definition(String name, String retention) {
    String yaml = "name: " + name + "\nsource: { bootstrap: \"127.0.0.1:9\", topic: " + name + " }\ncolumns:\n"
        + COLUMNS.indent(2) + "output: { bucket: " + LocalStack.BUCKET + ", prefix: tables }\n"
        + (retention == null ? "" : "retention: " + retention + "\n");
    return io.tributary.catalog.TableDefinitions.fromYaml(yaml, Map.of());
  }

  public StoredTable create(String name, int partitions) {
    return create(name, partitions, null);
  }

  public StoredTable create(String name, int partitions, String retention) {
    Map<Integer, Long> genesis = new java.util.HashMap<>();
    for (int p = 0; p < partitions; p++) {
      genesis.put(p, 0L);
    }
    return catalog.createTable(definition(name, retention), genesis);
  }

  public static String json(long offset) {
    return json(offset, T0 + offset * 1000);
  }

  public static String json(long offset, long ts) {
    return "{\"event_id\":\"e" + offset + "\",\"user\":{\"id\":" + (offset * 7) + "},\"ts\":" + ts
        + ",\"amount\":\"" + (offset % 1000) + ".25\",\"day\":\"2026-11-30\",\"ok\":" + (offset % 2 == 0)
        + ",\"attrs\":{\"k\":" + offset + "}}";
  }

  /** A part uploaded to S3 whose commit record is not written yet. */
  public record Pending(CommitRecord head, CommitRecord next, List<Long> good, long base) {
  }

  /** Commits one part of {@code count} records after the partition's head; every {@code badEvery}-th is malformed. */
  public CommitRecord commitPart(StoredTable stored, int partition, int count, int badEvery) throws Exception {
    return commit(prepare(stored, partition, count, badEvery, -1));
  }

  /** As above, the first record at Kafka/event time {@code base} and the next ones one second apart. */
  public CommitRecord commitPart(StoredTable stored, int partition, int count, int badEvery, long base) throws Exception {
    return commit(prepare(stored, partition, count, badEvery, base));
  }

  /** Writes the objects of the next part (data and dead letters) without committing it ({@code base} -1: T0-based). */
  public Pending prepare(StoredTable stored, int partition, int count, int badEvery, long base) throws Exception {
    CommitRecord head = catalog.head(stored.name(), partition).orElseThrow();
    TableDefinition def = stored.definition();
    RowSchema rs = RowSchema.of(def);
    TableContext ctx = new TableContext(def.name(), stored.version(), def, rs, PartSchema.of(def.name(), rs),
        def.output().bucket(), def.output().prefix(), CompressionCodecName.ZSTD, "127.0.0.1:9");
    PartitionBuffer buf = new PartitionBuffer(def.name(), partition, rs, head.endOffset(), 0, 1024);
    JsonRowDecoder decoder = new JsonRowDecoder(rs, 1 << 20);
    List<Long> good = new ArrayList<>();
    for (long off = head.endOffset(); off < head.endOffset() + count; off++) {
      long ts = base < 0 ? T0 + off * 1000 : base + (off - head.endOffset()) * 1000;
      byte[] v = (badEvery > 0 && off % badEvery == 0 ? "{not json" : json(off, ts)).getBytes(StandardCharsets.UTF_8);
      String error = decoder.decode(v, buf);
      if (error == null) {
        buf.endRow(off, ts, null, v.length);
        good.add(off);
      } else {
        buf.addDeadLetter(new DeadLetter(partition, off, ts, null, v, error));
      }
      buf.advanceEnd(off + 1);
    }
    buf.seal();
    S3PartWriter.Written w = writer.write(ctx, buf, true);
    long dlq = w.objects().stream().filter(o -> o.kind() == PartObject.Kind.DLQ).mapToLong(PartObject::rows).sum();
    CommitRecord.Builder b = head.successor().endOffset(buf.endOffset()).rows(buf.rows()).dlqRows(dlq)
        .bytes(w.bytes()).objects(w.objects()).writer("test").epoch(1).schemaVersion(stored.version());
    if (buf.rows() > 0) {
      b.minTs(buf.minTimestamp()).maxTs(buf.maxTimestamp());
    }
    return new Pending(head, b.build(), good, base);
  }

  /** Writes the commit record of a prepared part. */
  public CommitRecord commit(Pending pending) {
    CommitOutcome out = catalog.commit(pending.head(), pending.next());
    if (!(out instanceof CommitOutcome.Committed c)) {
      throw new IllegalStateException("commit failed: " + out);
    }
    int partition = pending.next().partition();
    long start = pending.head().endOffset();
    landed.computeIfAbsent(partition, k -> new ArrayList<>()).addAll(pending.good());
    pending.good().forEach(o -> times.put(partition + "/" + o,
        pending.base() < 0 ? T0 + o * 1000 : pending.base() + (o - start) * 1000));
    rows += pending.good().size();
    return c.record();
  }

  /** An object under the table's prefix that no commit references (a lost race's upload). */
  public String orphan(StoredTable stored, int partition) throws Exception {
    CommitRecord head = catalog.head(stored.name(), partition).orElseThrow();
    String key = "tables/" + stored.name() + "/dt=2026-11-30/p" + partition + "-" + head.endOffset() + "-"
        + (head.endOffset() + 5) + "-orphan" + UUID.randomUUID().toString().substring(0, 6) + ".parquet";
    s3.putObject(b -> b.bucket(LocalStack.BUCKET).key(key), RequestBody.fromString("not a part"));
    return key;
  }
}
