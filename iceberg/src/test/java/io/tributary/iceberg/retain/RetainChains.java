package io.tributary.iceberg.retain;

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
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Test support: commit chains on the real local servers (dynalite, S3Mock) with parts written by
 * the runner's own decoder and Parquet writer, committed with the catalog's one conditional write —
 * what a runner does, without Kafka. Remembers every good row it landed. (The retain package's copy
 * of io.tributary.iceberg.Chains, with a chosen event/Kafka time per part and a retention in the YAML.)
 */
final class RetainChains {
  static final String COLUMNS = """
      - { name: event_id, type: string, path: $.event_id, nullable: false }
      - { name: user_id, type: long, path: $.user.id }
      - { name: ts, type: timestamp, path: $.ts }
      - { name: amount, type: "decimal(12,2)", path: $.amount }
      - { name: day, type: date, path: $.day }
      - { name: ok, type: boolean, path: $.ok }
      - { name: attrs, type: json, path: $.attrs }
      """;
  /** Base event time of the rows: 2026-12-01T00:00:00Z, one second per offset. */
  static final long T0 = 1_796_083_200_000L;

  final LocalStack stack;
  final DynamoCatalog catalog;
  final S3Client s3;
  final S3PartWriter writer;
  /** Good rows landed: partition -> offsets, in order. */
  final Map<Integer, List<Long>> landed = new java.util.TreeMap<>();
  long rows;
  /** Event/Kafka time of every good row: "partition/offset" -> epoch ms. */
  final Map<String, Long> times = new java.util.HashMap<>();

  RetainChains(LocalStack stack) {
    this.stack = stack;
    Map<String, String> env = stack.env();
    this.catalog = new DynamoCatalog(AwsClients.dynamo(env), "ret-" + UUID.randomUUID().toString().substring(0, 8));
    catalog.createCatalogTableIfAbsent();
    this.s3 = AwsClients.s3(env);
    this.writer = new S3PartWriter(s3, new AirCompressorCodecFactory(), 8 << 20, 8L << 20);
  }

  static String unique(String prefix) {
    return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
  }

  TableDefinition definition(String name, String retention) {
    String yaml = "name: " + name + "\nsource: { bootstrap: \"127.0.0.1:9\", topic: " + name + " }\ncolumns:\n"
        + COLUMNS.indent(2) + "output: { bucket: " + LocalStack.BUCKET + ", prefix: tables }\n"
        + (retention == null ? "" : "retention: " + retention + "\n");
    return io.tributary.catalog.TableDefinitions.fromYaml(yaml, Map.of());
  }

  StoredTable create(String name, int partitions, String retention) {
    Map<Integer, Long> genesis = new java.util.HashMap<>();
    for (int p = 0; p < partitions; p++) {
      genesis.put(p, 0L);
    }
    return catalog.createTable(definition(name, retention), genesis);
  }

  /** Event and Kafka time of an offset of a part whose first row is at {@code base}. */
  static String json(long offset, long ts) {
    return "{\"event_id\":\"e" + offset + "\",\"user\":{\"id\":" + (offset * 7) + "},\"ts\":" + ts
        + ",\"amount\":\"" + (offset % 1000) + ".25\",\"day\":\"2026-11-30\",\"ok\":" + (offset % 2 == 0)
        + ",\"attrs\":{\"k\":" + offset + "}}";
  }

  /**
   * Commits one part of {@code count} records after the partition's head, the first at Kafka/event
   * time {@code base} and one second apart; every {@code badEvery}-th is malformed.
   */
  CommitRecord commitPart(StoredTable stored, int partition, int count, int badEvery, long base) throws Exception {
    CommitRecord head = catalog.head(stored.name(), partition).orElseThrow();
    TableDefinition def = stored.definition();
    RowSchema rs = RowSchema.of(def);
    TableContext ctx = new TableContext(def.name(), stored.version(), def, rs, PartSchema.of(def.name(), rs),
        def.output().bucket(), def.output().prefix(), CompressionCodecName.ZSTD, "127.0.0.1:9");
    PartitionBuffer buf = new PartitionBuffer(def.name(), partition, rs, head.endOffset(), 0, 1024);
    JsonRowDecoder decoder = new JsonRowDecoder(rs, 1 << 20);
    List<Long> good = new ArrayList<>();
    for (long off = head.endOffset(); off < head.endOffset() + count; off++) {
      long ts = base + (off - head.endOffset()) * 1000;
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
    CommitOutcome out = catalog.commit(head, b.build());
    if (!(out instanceof CommitOutcome.Committed c)) {
      throw new IllegalStateException("commit failed: " + out);
    }
    landed.computeIfAbsent(partition, k -> new ArrayList<>()).addAll(good);
    good.forEach(o -> times.put(partition + "/" + o, base + (o - head.endOffset()) * 1000));
    rows += good.size();
    return c.record();
  }
}
