package io.tributary.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Request counts, item sizes, the ceiling, the last-hour projection and how they are shown. */
class RequestCostsTest {

  private static final long T0 = 1_800_000_000_000L;

  private static TableDefinition table(String name, TableDefinition.Flush flush, boolean iceberg) {
    TableDefinition.Builder b = TableDefinition.builder(name).source("h:9092", name).output("bucket")
        .column("event_id", "string").flush(flush);
    if (!iceberg) {
      b.iceberg(new TableDefinition.Iceberg(false, null, null, null, 2_000));
    }
    return b.build();
  }

  @Test
  void pricesAreNamedWithSourceAndDate() {
    assertThat(RequestCosts.S3_PUT_USD_PER_1000).isEqualTo(0.005);
    assertThat(RequestCosts.DYNAMODB_WRU_USD_PER_MILLION).isEqualTo(0.625);
    assertThat(RequestCosts.S3_PRICE_SOURCE).isEqualTo("https://aws.amazon.com/s3/pricing/");
    assertThat(RequestCosts.DYNAMODB_PRICE_SOURCE).isEqualTo("https://aws.amazon.com/dynamodb/pricing/on-demand/");
    assertThat(RequestCosts.PRICE_REGION).isEqualTo("us-east-1");
    assertThat(RequestCosts.PRICES_AS_OF).isEqualTo("2026-12");
    // 1,000 PUTs + 1,000,000 WRU
    assertThat(new RequestCosts.Requests(1_000, 0, 0, 1_000_000, 1_000_000).usd()).isCloseTo(0.63, within(1e-9));
  }

  @Test
  void s3RequestsPerObject() {
    assertThat(RequestCosts.s3Requests(0)).isEqualTo(1);
    assertThat(RequestCosts.s3Requests(16L << 20)).isEqualTo(1);
    // multipart: create + 2 parts + complete
    assertThat(RequestCosts.s3Requests((16L << 20) + 1)).isEqualTo(4);
    assertThat(RequestCosts.s3Requests(128L << 20)).isEqualTo(10);
  }

  @Test
  void itemSizeFollowsDynamoDbRules() {
    assertThat(RequestCosts.numberBytes("0")).isEqualTo(2);
    assertThat(RequestCosts.numberBytes("7")).isEqualTo(2);
    assertThat(RequestCosts.numberBytes("1000")).as("trailing zeroes trimmed").isEqualTo(2);
    assertThat(RequestCosts.numberBytes("12345")).isEqualTo(4);
    assertThat(RequestCosts.numberBytes("1800000000123")).isEqualTo(8);
    Map<String, AttributeValue> item = new HashMap<>();
    item.put("pk", AttributeValue.fromS("part#t#0")); // 2 + 8
    item.put("n", AttributeValue.fromN("12")); // 1 + 2
    item.put("l", AttributeValue.fromL(List.of(AttributeValue.fromM(Map.of("k", AttributeValue.fromS("ab")))))); // 1 + 3 + 1 + (3 + 1 + 1 + 2)
    assertThat(RequestCosts.itemBytes(item)).isEqualTo(10 + 3 + 12);
  }

  @Test
  void aCommitRecordIsOneWriteUnitUntilItOutgrowsOneKilobyte() {
    TableDefinition d = table("clicks", TableDefinition.Flush.DEFAULT, true);
    assertThat(RequestCosts.typicalWriteUnits(d, 4)).isEqualTo(1);
    CommitRecord one = record("clicks", 0, 1, T0, 1, 0);
    assertThat(RequestCosts.itemBytes(one)).isBetween(250L, 1024L);
    assertThat(RequestCosts.of(one)).isEqualTo(new RequestCosts.Requests(1, 0, 0, 1, 1));
    CommitRecord withDlq = record("clicks", 0, 1, T0, 1, 1);
    assertThat(RequestCosts.of(withDlq)).isEqualTo(new RequestCosts.Requests(1, 1, 0, 1, 1));
    // eight objects with long keys: over 2 KB
    CommitRecord wide = record("clicks", 0, 1, T0, 4, 4);
    long bytes = RequestCosts.itemBytes(wide);
    assertThat(bytes).isGreaterThan(1024);
    assertThat(RequestCosts.writeUnits(wide)).isEqualTo((bytes + 1023) / 1024);
    assertThat(RequestCosts.of(wide).dlqPuts()).isEqualTo(4);
  }

  @Test
  void ceilingIsPartitionsTimesADayOverTheCutInterval() {
    TableDefinition fast = table("clicks", new TableDefinition.Flush(500_000, 64L << 20, 1_000), false);
    RequestCosts.Requests c = RequestCosts.ceilingPerDay(fast, 4, 1);
    assertThat(c).isEqualTo(new RequestCosts.Requests(345_600, 0, 0, 345_600, 345_600));
    assertThat(c.usd()).isCloseTo(1.944, within(1e-9));

    // Iceberg: 3 PUTs per snapshot, one per commit_interval (2 s): 43,200 snapshots
    TableDefinition published = table("clicks", new TableDefinition.Flush(500_000, 64L << 20, 1_000), true);
    assertThat(RequestCosts.ceilingPerDay(published, 4, 1).icebergPuts()).isEqualTo(129_600);

    // min_interval 1m: 1,440 parts per partition-day instead of 86,400
    TableDefinition slow = table("clicks", new TableDefinition.Flush(500_000, 64L << 20, 1_000, 60_000), false);
    assertThat(RequestCosts.ceilingPerDay(slow, 1, 1)).isEqualTo(new RequestCosts.Requests(1_440, 0, 0, 1_440, 1_440));
    assertThat(RequestCosts.ceilingPerDay(slow, 1, 1).usd()).isCloseTo(0.0081, within(1e-9));
    // a snapshot needs a new part: at most one per part even when commit_interval is shorter
    TableDefinition slowPublished = table("clicks", new TableDefinition.Flush(500_000, 64L << 20, 1_000, 60_000), true);
    assertThat(RequestCosts.ceilingPerDay(slowPublished, 1, 1).icebergPuts()).isEqualTo(1_440 * 3);
    assertThat(RequestCosts.ceilingPerDay(fast, 1, 1).usd()).isCloseTo(0.486, within(1e-9));
  }

  @Test
  void projectionCountsTheLastHourTimes24FromTheChains() {
    MutableClock clock = new MutableClock(T0);
    InMemoryCatalog catalog = new InMemoryCatalog(clock);
    TableDefinition d = table("clicks", new TableDefinition.Flush(500_000, 64L << 20, 1_000), true);
    catalog.createTable(d, Map.of(0, 0L, 1, 0L));
    // 2 h ago .. now: a commit every 30 s on partition 0, every 60 s on partition 1 (with a dead-letter object)
    List<CommitRecord> heads = new ArrayList<>(List.of(catalog.head("clicks", 0).orElseThrow(),
        catalog.head("clicks", 1).orElseThrow()));
    for (int s = 0; s < 2 * 3600; s += 30) {
      clock.advance(Duration.ofSeconds(30));
      commit(catalog, heads, 0, 0);
      if (s % 60 == 0) {
        commit(catalog, heads, 1, 1);
      }
    }
    long now = clock.millis();
    RequestCosts.Estimate e = RequestCosts.estimate(catalog, catalog.getTable("clicks").orElseThrow().definition(), now);
    // last hour (after now - 1 h, so the record exactly 1 h old is out): 120 + 60 commits
    assertThat(e.commitsLastHour()).isEqualTo(180);
    assertThat(e.partitions()).isEqualTo(2);
    RequestCosts.Requests day = e.perDay();
    assertThat(day.dataPuts()).isEqualTo(180 * 24);
    assertThat(day.dlqPuts()).isEqualTo(60 * 24);
    assertThat(day.dynamoWrites()).isEqualTo(180 * 24);
    assertThat(day.dynamoWriteUnits()).isEqualTo(180 * 24);
    // one Iceberg snapshot per 2 s window with a data commit: 120 distinct windows in the hour
    assertThat(day.icebergPuts()).isEqualTo(120 * 3 * 24);
    assertThat(e.ceilingPerDay().dataPuts()).isEqualTo(2 * 86_400);
    assertThat(e.error()).isNull();

    assertThat(e.text()).isEqualTo("cost: ~14,400 S3 PUTs + 4,320 DynamoDB writes/day = ~$0.0747/day (last hour x 24);"
        + " at most 302,400 PUTs + 172,800 writes/day = ~$1.62/day at max_age 1s, 2 partitions"
        + " (AWS us-east-1 list prices, 2026-12)");
    JsonNode j = e.json();
    assertThat(names(j)).containsExactly("basis", "commits_last_hour", "per_day", "ceiling_per_day", "partitions",
        "cut_interval_ms", "prices", "error");
    assertThat(names(j.get("per_day"))).containsExactly("s3_puts", "data_puts", "dlq_puts", "iceberg_puts",
        "dynamodb_writes", "dynamodb_wru", "usd");
    assertThat(j.at("/per_day/s3_puts").asLong()).isEqualTo(14_400);
    assertThat(j.at("/per_day/usd").asDouble()).isEqualTo(0.0747);
    assertThat(j.at("/ceiling_per_day/dynamodb_writes").asLong()).isEqualTo(172_800);
    assertThat(j.get("cut_interval_ms").asLong()).isEqualTo(1_000);
    assertThat(names(j.get("prices"))).containsExactly("region", "as_of", "s3_put_usd_per_1000",
        "dynamodb_wru_usd_per_million", "sources");
    assertThat(j.get("error").isNull()).isTrue();
  }

  @Test
  void quietTableAndMinIntervalText() {
    InMemoryCatalog catalog = new InMemoryCatalog(new MutableClock(T0));
    TableDefinition d = table("quiet", new TableDefinition.Flush(500_000, 64L << 20, 1_000, 60_000), false);
    catalog.createTable(d, Map.of(0, 0L));
    RequestCosts.Estimate e = RequestCosts.estimate(catalog, d, T0 + 1_000);
    assertThat(e.commitsLastHour()).isZero();
    assertThat(e.text()).isEqualTo("cost: no commits in the last hour ($0/day); at most 1,440 PUTs + 1,440 writes/day"
        + " = ~$0.0081/day at max_age 1s, min_interval 1m, 1 partition (AWS us-east-1 list prices, 2026-12)");
  }

  @Test
  void anUnreadableCatalogStillGivesTheCeiling() {
    TableDefinition d = table("gone", TableDefinition.Flush.DEFAULT, false);
    Catalog down = (Catalog) java.lang.reflect.Proxy.newProxyInstance(Catalog.class.getClassLoader(),
        new Class<?>[] {Catalog.class}, (proxy, method, args) -> {
          throw new CatalogException("connection refused\nat line 2");
        });
    RequestCosts.Estimate e = RequestCosts.estimate(down, d, T0);
    assertThat(e.perDay()).isNull();
    assertThat(e.error()).isEqualTo("cannot read the chains: connection refused");
    assertThat(e.text()).startsWith("cost: last hour unknown (cannot read the chains: connection refused); at most 0 PUTs");
    assertThat(e.json().get("per_day").isNull()).isTrue();
  }

  private static void commit(InMemoryCatalog catalog, List<CommitRecord> heads, int p, int dlqObjects) {
    CommitRecord h = heads.get(p);
    CommitRecord.Builder b = h.successor().endOffset(h.endOffset() + 10).rows(10 - dlqObjects).dlqRows(dlqObjects)
        .bytes(1000).writer("w").epoch(1).minTs(1L).maxTs(2L)
        .object(PartObject.data(ObjectKeys.data("tables", h.table(), LocalDate.of(2027, 1, 15), p, h.endOffset(),
            h.endOffset() + 10, "r" + UUID.randomUUID().toString().replace("-", "")), 10 - dlqObjects, 900));
    if (dlqObjects > 0) {
      b.object(PartObject.dlq(ObjectKeys.dlq("tables", h.table(), LocalDate.of(2027, 1, 15), p, h.endOffset(),
          h.endOffset() + 10, "d" + UUID.randomUUID().toString().replace("-", "")), dlqObjects, 100));
    }
    CommitRecord next = b.build();
    assertThat(catalog.commit(h, next).isCommitted()).isTrue();
    heads.set(p, catalog.head(h.table(), p).orElseThrow());
  }

  /** A record with {@code data} data objects and {@code dlq} dead-letter objects under a long prefix. */
  private static CommitRecord record(String table, int p, long seq, long at, int data, int dlq) {
    String prefix = "warehouse/landing/zone/" + "x".repeat(60);
    CommitRecord.Builder b = CommitRecord.builder().table(table).partition(p).seq(seq).startOffset(1_000_000)
        .endOffset(2_000_000).rows(1_000_000).bytes(50_000_000).writer("ip-10-0-1-2.ec2.internal-4242").epoch(3)
        .minTs(at - 1_000).maxTs(at).committedAt(at).schemaVersion(2);
    for (int i = 0; i < data; i++) {
      b.object(PartObject.data(ObjectKeys.data(prefix, table, LocalDate.of(2027, 1, 15), p, 1_000_000, 2_000_000,
          "0123456789abcdef0123456789abcde" + i), 1_000_000, 5_000_000));
    }
    for (int i = 0; i < dlq; i++) {
      b.object(PartObject.dlq(ObjectKeys.dlq(prefix, table, LocalDate.of(2027, 1, 15), p, 1_000_000, 2_000_000,
          "fedcba9876543210fedcba987654321" + i), 10, 4_000));
    }
    return b.build();
  }

  private static List<String> names(JsonNode n) {
    List<String> out = new ArrayList<>();
    Iterator<String> it = n.fieldNames();
    it.forEachRemaining(out::add);
    return out;
  }
}
