package io.tributary.catalog;

import static io.tributary.catalog.Items.PK;
import static io.tributary.catalog.Items.SK;
import static io.tributary.catalog.Items.n;
import static io.tributary.catalog.Items.num;
import static io.tributary.catalog.Items.s;
import static io.tributary.catalog.Items.str;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * The DynamoDB side of the maintenance items ({@link DynamoCatalog} delegates to it): compaction
 * chains ({@code pk = compact#<table>#<partition>}, {@code sk} = 20-digit compaction seq) and
 * retention checkpoints ({@code pk = checkpoint#<table>#<partition>}, {@code sk = current}).
 */
final class DynamoMaintenance {
  private static final Logger LOG = LoggerFactory.getLogger(DynamoMaintenance.class);
  private final DynamoDbClient client;
  private final String tableName;
  private final Clock clock;
  private final Duration settleDeadline;

  DynamoMaintenance(DynamoDbClient client, String tableName, Clock clock, Duration settleDeadline) {
    this.client = client;
    this.tableName = tableName;
    this.clock = clock;
    this.settleDeadline = settleDeadline;
  }

  static String compactPk(String table, int partition) {
    return "compact#" + table + "#" + partition;
  }

  static String checkpointPk(String table, int partition) {
    return "checkpoint#" + table + "#" + partition;
  }

  List<Compaction> compactions(String table, int partition) {
    List<Compaction> out = new ArrayList<>();
    Map<String, AttributeValue> start = null;
    do {
      QueryRequest.Builder q = QueryRequest.builder().tableName(tableName).keyConditionExpression("pk = :pk")
          .expressionAttributeValues(Map.of(":pk", s(compactPk(table, partition)))).consistentRead(true);
      if (start != null) {
        q.exclusiveStartKey(start);
      }
      QueryResponse r = client.query(q.build());
      r.items().forEach(i -> out.add(compaction(table, partition, i)));
      start = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
    } while (start != null);
    return out;
  }

  boolean commitCompaction(Compaction prev, Compaction next) {
    Compaction.check(prev, next);
    Compaction c = next.committedAt() == 0 ? next.withCommittedAt(clock.millis()) : next;
    try {
      client.putItem(r -> r.tableName(tableName).item(item(c)).conditionExpression("attribute_not_exists(pk)"));
      return true;
    } catch (ConditionalCheckFailedException e) {
      return settle(c, e);
    } catch (SdkClientException | SdkServiceException e) {
      if (e instanceof SdkServiceException se && se.statusCode() < 500) {
        throw new CatalogException("DynamoDB refused compaction " + c.compactionId() + " of table " + c.table()
            + " partition " + c.partition() + " (nothing written): " + e.getMessage(), e);
      }
      LOG.warn("compaction {} of table {} partition {} lost its response ({}); reading it back", c.compactionId(),
          c.table(), c.partition(), e.toString());
      return settle(c, e);
    }
  }

  /** Reads link seq back until it is known whose it is; absent after a lost response means not written. */
  private boolean settle(Compaction c, Exception cause) {
    long deadline = System.nanoTime() + settleDeadline.toNanos();
    long backoff = 50;
    while (true) {
      try {
        Map<String, AttributeValue> item = client.getItem(r -> r.tableName(tableName).consistentRead(true)
            .key(Items.key(compactPk(c.table(), c.partition()), Items.seqSk(c.seq())))).item();
        if (item == null || item.isEmpty()) {
          if (cause instanceof ConditionalCheckFailedException) {
            continue; // cannot happen (a failed condition means it exists); read again
          }
          return false;
        }
        return c.compactionId().equals(str(item, "compaction_id"));
      } catch (SdkException e) {
        if (System.nanoTime() > deadline) {
          throw new CommitOutcomeUnknownException("compaction " + c.compactionId() + " of table " + c.table()
              + " partition " + c.partition() + " seq " + c.seq() + ": outcome unknown (" + e.getMessage() + ")", cause);
        }
        sleep(backoff);
        backoff = Math.min(2000, backoff * 2);
      }
    }
  }

  Optional<Checkpoint> checkpoint(String table, int partition) {
    Map<String, AttributeValue> item = client.getItem(r -> r.tableName(tableName).consistentRead(true)
        .key(Items.key(checkpointPk(table, partition), "current"))).item();
    if (item == null || item.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Checkpoint(table, partition, num(item, "start_offset"), num(item, "seq"), num(item, "end_offset"), num(item, "rows"),
        num(item, "dlq_rows"), num(item, "lost"), num(item, "records"), num(item, "committed_at")));
  }

  boolean putCheckpoint(Checkpoint expected, Checkpoint next, CommitRecord head) {
    CommitChecks.checkCheckpoint(expected, next, head);
    Map<String, AttributeValue> item = new HashMap<>();
    item.put(PK, s(checkpointPk(next.table(), next.partition())));
    item.put(SK, s("current"));
    item.put("seq", n(next.seq()));
    item.put("start_offset", n(next.startOffset()));
    item.put("end_offset", n(next.endOffset()));
    item.put("rows", n(next.rows()));
    item.put("dlq_rows", n(next.dlqRows()));
    item.put("lost", n(next.lost()));
    item.put("records", n(next.records()));
    item.put("committed_at", n(next.committedAt() == 0 ? clock.millis() : next.committedAt()));
    try {
      if (expected == null) {
        client.putItem(r -> r.tableName(tableName).item(item).conditionExpression("attribute_not_exists(pk)"));
      } else {
        client.putItem(r -> r.tableName(tableName).item(item).conditionExpression("seq = :s")
            .expressionAttributeValues(Map.of(":s", n(expected.seq()))));
      }
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false;
    }
  }

  int deleteFolded(String table, int partition, long upToSeq, CommitRecord head) {
    Optional<Checkpoint> cp = checkpoint(table, partition);
    CommitChecks.checkDeleteFolded(table, partition, upToSeq, cp.orElse(null), head);
    int n = 0;
    Map<String, AttributeValue> start = null;
    do {
      QueryRequest.Builder q = QueryRequest.builder().tableName(tableName)
          .keyConditionExpression("pk = :pk AND sk <= :b").projectionExpression("pk, sk")
          .expressionAttributeValues(Map.of(":pk", s(Items.partPk(table, partition)), ":b", s(Items.seqSk(upToSeq))));
      if (start != null) {
        q.exclusiveStartKey(start);
      }
      QueryResponse r = client.query(q.build());
      for (Map<String, AttributeValue> i : r.items()) {
        client.deleteItem(d -> d.tableName(tableName).key(Map.of(PK, i.get(PK), SK, i.get(SK))));
        n++;
      }
      start = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
    } while (start != null);
    return n;
  }

  private static Map<String, AttributeValue> item(Compaction c) {
    Map<String, AttributeValue> m = new HashMap<>();
    m.put(PK, s(compactPk(c.table(), c.partition())));
    m.put(SK, s(Items.seqSk(c.seq())));
    m.put("from_seq", n(c.fromSeq()));
    m.put("to_seq", n(c.toSeq()));
    m.put("start_offset", n(c.startOffset()));
    m.put("end_offset", n(c.endOffset()));
    m.put("rows", n(c.rows()));
    m.put("object", AttributeValue.builder().m(Map.of("key", s(c.object().key()), "kind", s("data"),
        "rows", n(c.object().rows()), "bytes", n(c.object().bytes()))).build());
    m.put("replaced", AttributeValue.builder().l(c.replaced().stream().map(Items::s).toList()).build());
    m.put("compaction_id", s(c.compactionId()));
    m.put("committed_at", n(c.committedAt()));
    return m;
  }

  private static Compaction compaction(String table, int partition, Map<String, AttributeValue> m) {
    Map<String, AttributeValue> o = m.get("object").m();
    List<String> replaced = m.get("replaced").l().stream().map(AttributeValue::s).toList();
    return new Compaction(table, partition, Long.parseLong(str(m, SK)), num(m, "from_seq"), num(m, "to_seq"),
        num(m, "start_offset"), num(m, "end_offset"), num(m, "rows"),
        PartObject.data(str(o, "key"), num(o, "rows"), num(o, "bytes")), replaced, str(m, "compaction_id"),
        num(m, "committed_at"));
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CatalogException("interrupted while settling a compaction", e);
    }
  }
}
