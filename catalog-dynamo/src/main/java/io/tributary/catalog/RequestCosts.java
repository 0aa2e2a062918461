package io.tributary.catalog;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * What a table's requests cost per day at AWS list prices. Every part is one S3 PUT and one DynamoDB
 * conditional write (its commit record), so the request bill grows with partitions / {@code max_age},
 * not with data: at {@code max_age: 1s} one partition that always has data is 86,400 PUTs and 86,400
 * writes a day. Counted per table:
 * <ul>
 *   <li>S3 PUT-class requests: one per data part and one per dead-letter object (an object above
 *       {@link #SINGLE_PUT_MAX_BYTES} is a multipart upload: create + one request per 16 MiB + complete),
 *       and the Iceberg publication's {@link #ICEBERG_PUTS_PER_SNAPSHOT} per snapshot (metadata.json,
 *       manifest list, manifest; one snapshot per {@code iceberg.commit_interval} while data arrives);</li>
 *   <li>DynamoDB write request units: one conditional PutItem per commit record, {@code ceil(item size /
 *       1 KB)} units, the item size estimated by DynamoDB's sizing rules from the record.</li>
 * </ul>
 * Not counted: reads (GETs, DynamoDB reads, the publisher's chain reads), Kafka, the Iceberg catalog's own
 * update (Glue/REST), compaction and sweeping, storage, and failed conditional writes (a conflict, rare).
 *
 * <p>Two figures per table ({@link Estimate}): the projection from what the table did in the last hour
 * (its commit records committed in the last hour, x 24) and the ceiling at its settings: every
 * partition always has data and cuts a part every {@code max(max_age, min_interval)}.
 */
public final class RequestCosts {

  /** Where the prices apply. */
  public static final String PRICE_REGION = "us-east-1";
  /** When the prices below were read from their pages. */
  public static final String PRICES_AS_OF = "2026-12";

  /**
   * S3 Standard PUT, COPY, POST, LIST requests, USD per 1,000 requests, us-east-1 (multipart create, upload
   * part and complete are PUT-class too). Source {@link #S3_PRICE_SOURCE}, read {@link #PRICES_AS_OF}.
   */
  public static final double S3_PUT_USD_PER_1000 = 0.005;
  /** The page {@link #S3_PUT_USD_PER_1000} is from. */
  public static final String S3_PRICE_SOURCE = "https://aws.amazon.com/s3/pricing/";

  /**
   * DynamoDB on-demand write request units, USD per million, us-east-1, Standard table class, after the
   * November 2024 price cut (was 1.25). Source {@link #DYNAMODB_PRICE_SOURCE}, read {@link #PRICES_AS_OF}.
   */
  public static final double DYNAMODB_WRU_USD_PER_MILLION = 0.625;
  /** The page {@link #DYNAMODB_WRU_USD_PER_MILLION} is from. */
  public static final String DYNAMODB_PRICE_SOURCE = "https://aws.amazon.com/dynamodb/pricing/on-demand/";

  /** One write request unit writes an item of up to 1 KB; larger items take one unit per started KB. */
  public static final int WRU_BYTES = 1024;
  /**
   * Objects up to this size are one PutObject; larger ones a multipart upload (the runner's default
   * {@code uploadPartBytes}, 16 MiB).
   */
  public static final long SINGLE_PUT_MAX_BYTES = 16L << 20;
  /** S3 PUTs of one Iceberg snapshot: its metadata.json, its manifest list and one manifest. */
  public static final int ICEBERG_PUTS_PER_SNAPSHOT = 3;
  /** The projection's window: the last hour, scaled to a day. */
  public static final long WINDOW_MILLIS = 3_600_000L;
  public static final long DAY_MILLIS = 86_400_000L;

  private static final int PAGE = 1000;

  private RequestCosts() {
  }

  /**
   * Request counts (in a window or per day).
   *
   * @param dataPuts         S3 PUT-class requests of data parts
   * @param dlqPuts          S3 PUT-class requests of dead-letter objects
   * @param icebergPuts      S3 PUTs of Iceberg snapshots
   * @param dynamoWrites     DynamoDB write requests (commit records)
   * @param dynamoWriteUnits DynamoDB write request units they consume (1 per started KB of item)
   */
  public record Requests(long dataPuts, long dlqPuts, long icebergPuts, long dynamoWrites, long dynamoWriteUnits) {
    public static final Requests NONE = new Requests(0, 0, 0, 0, 0);

    /** All S3 PUT-class requests. */
    public long s3Puts() {
      return dataPuts + dlqPuts + icebergPuts;
    }

    /** S3 PUTs plus DynamoDB write requests. */
    public long requests() {
      return s3Puts() + dynamoWrites;
    }

    /** The S3 part of {@link #usd()}. */
    public double s3Usd() {
      return s3Puts() * S3_PUT_USD_PER_1000 / 1_000.0;
    }

    /** The DynamoDB part of {@link #usd()}. */
    public double dynamoUsd() {
      return dynamoWriteUnits * DYNAMODB_WRU_USD_PER_MILLION / 1_000_000.0;
    }

    /** At {@link #S3_PUT_USD_PER_1000} and {@link #DYNAMODB_WRU_USD_PER_MILLION}. */
    public double usd() {
      return s3Usd() + dynamoUsd();
    }

    public Requests plus(Requests o) {
      return new Requests(dataPuts + o.dataPuts, dlqPuts + o.dlqPuts, icebergPuts + o.icebergPuts,
          dynamoWrites + o.dynamoWrites, dynamoWriteUnits + o.dynamoWriteUnits);
    }

    public Requests times(long k) {
      return new Requests(dataPuts * k, dlqPuts * k, icebergPuts * k, dynamoWrites * k, dynamoWriteUnits * k);
    }

    /** {@code {"s3_puts","data_puts","dlq_puts","iceberg_puts","dynamodb_writes","dynamodb_wru","usd"}}. */
    public ObjectNode json() {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      o.put("s3_puts", s3Puts());
      o.put("data_puts", dataPuts);
      o.put("dlq_puts", dlqPuts);
      o.put("iceberg_puts", icebergPuts);
      o.put("dynamodb_writes", dynamoWrites);
      o.put("dynamodb_wru", dynamoWriteUnits);
      o.put("usd", Math.round(usd() * 10_000) / 10_000.0);
      return o;
    }
  }

  // ------------------------------------------------------------------ one record

  /** S3 PUT-class requests of one object: 1, or a multipart upload above {@link #SINGLE_PUT_MAX_BYTES}. */
  public static long s3Requests(long objectBytes) {
    if (objectBytes <= SINGLE_PUT_MAX_BYTES) {
      return 1;
    }
    return 2 + (objectBytes + SINGLE_PUT_MAX_BYTES - 1) / SINGLE_PUT_MAX_BYTES;
  }

  /** The data and dead-letter PUTs and the DynamoDB write of one commit record (no Iceberg). */
  public static Requests of(CommitRecord r) {
    long data = 0;
    long dlq = 0;
    for (PartObject o : r.objects()) {
      if (o.kind() == PartObject.Kind.DATA) {
        data += s3Requests(o.bytes());
      } else {
        dlq += s3Requests(o.bytes());
      }
    }
    return new Requests(data, dlq, 0, 1, writeUnits(r));
  }

  /** Write request units of the record's conditional PutItem: one per started KB of its item. */
  public static long writeUnits(CommitRecord r) {
    return Math.max(1, (itemBytes(r) + WRU_BYTES - 1) / WRU_BYTES);
  }

  /** The size DynamoDB bills for the record's item (the item {@link DynamoCatalog} writes). */
  public static long itemBytes(CommitRecord r) {
    return itemBytes(Items.commitItem(r));
  }

  /**
   * DynamoDB's item size: per attribute its name's UTF-8 bytes plus its value: a string its UTF-8 bytes, a
   * number 1 byte per two significant digits + 1, a boolean or null 1, a list or map 3 + 1 per element + the
   * elements (a map's keys count as names).
   */
  static long itemBytes(Map<String, AttributeValue> item) {
    long n = 0;
    for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
      n += utf8(e.getKey()) + valueBytes(e.getValue());
    }
    return n;
  }

  private static long valueBytes(AttributeValue v) {
    if (v.s() != null) {
      return utf8(v.s());
    }
    if (v.n() != null) {
      return numberBytes(v.n());
    }
    if (v.bool() != null || Boolean.TRUE.equals(v.nul())) {
      return 1;
    }
    if (v.hasL()) {
      long n = 3;
      for (AttributeValue x : v.l()) {
        n += 1 + valueBytes(x);
      }
      return n;
    }
    if (v.hasM()) {
      long n = 3;
      for (Map.Entry<String, AttributeValue> e : v.m().entrySet()) {
        n += 1 + utf8(e.getKey()) + valueBytes(e.getValue());
      }
      return n;
    }
    if (v.hasSs()) {
      return v.ss().stream().mapToLong(RequestCosts::utf8).sum();
    }
    if (v.hasNs()) {
      return v.ns().stream().mapToLong(RequestCosts::numberBytes).sum();
    }
    if (v.b() != null) {
      return v.b().asByteArray().length;
    }
    return 1;
  }

  static long numberBytes(String number) {
    String digits = number.replace("-", "").replace(".", "");
    int from = 0;
    int to = digits.length();
    while (from < to && digits.charAt(from) == '0') {
      from++;
    }
    while (to > from && digits.charAt(to - 1) == '0') {
      to--;
    }
    int significant = Math.max(1, to - from);
    return (significant + 1) / 2 + 1;
  }

  private static long utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  // ------------------------------------------------------------------ a table

  /**
   * The request counts of {@code records} (commit records of one table, any partitions, genesis records
   * ignored) plus, when the table publishes to Iceberg, {@link #ICEBERG_PUTS_PER_SNAPSHOT} per
   * {@code iceberg.commit_interval} window in which at least one data part was committed.
   */
  public static Requests of(TableDefinition def, Collection<CommitRecord> records) {
    Requests sum = Requests.NONE;
    Set<Long> windows = new HashSet<>();
    long interval = Math.max(1, def.iceberg().commitIntervalMillis());
    for (CommitRecord r : records) {
      if (r.isGenesis()) {
        continue;
      }
      sum = sum.plus(of(r));
      if (r.rows() > 0) {
        windows.add(Math.floorDiv(r.committedAt(), interval));
      }
    }
    if (def.iceberg().enabled()) {
      sum = sum.plus(new Requests(0, 0, (long) windows.size() * ICEBERG_PUTS_PER_SNAPSHOT, 0, 0));
    }
    return sum;
  }

  /**
   * The most a day can cost at the table's settings when no part is cut by size: every one of
   * {@code partitions} always has data, so each cuts a part every {@code max(max_age, min_interval)}
   * (one PUT, one commit record of {@code wruPerRecord} units, no dead letters), and the publisher commits
   * a snapshot every {@code iceberg.commit_interval} in which a part was committed (so never more snapshots
   * than parts).
   */
  public static Requests ceilingPerDay(TableDefinition def, int partitions, long wruPerRecord) {
    long parts = (long) partitions * (DAY_MILLIS / def.flush().ageCutIntervalMillis());
    long snapshots = def.iceberg().enabled()
        ? Math.min(parts, DAY_MILLIS / Math.max(1, def.iceberg().commitIntervalMillis())) : 0;
    return new Requests(parts, 0, snapshots * ICEBERG_PUTS_PER_SNAPSHOT, parts, parts * wruPerRecord);
  }

  /**
   * The write units of a typical commit record of this table (one data part, large offsets, a UUID commit
   * id, a 32-character writer id), for the ceiling.
   */
  public static long typicalWriteUnits(TableDefinition def, int partitions) {
    int p = Math.max(0, partitions - 1);
    long start = 1_000_000_000_000L;
    long end = start + 1_000_000L;
    String key = ObjectKeys.data(def.output().prefix(), def.name(), LocalDate.of(2026, 12, 31), p, start, end,
        "0123456789abcdef0123456789abcdef");
    CommitRecord r = CommitRecord.builder().table(def.name()).partition(p).seq(1_000_000_000L).startOffset(start)
        .endOffset(end).rows(1_000_000L).bytes(100_000_000L).object(PartObject.data(key, 1_000_000L, 100_000_000L))
        .writer("ip-10-0-123-45.ec2.internal-1234").epoch(1_000).minTs(1_800_000_000_000L)
        .maxTs(1_800_000_000_000L).committedAt(1_800_000_000_000L).schemaVersion(100).build();
    return writeUnits(r);
  }

  /**
   * What a table costs per day.
   *
   * @param table           table name
   * @param partitions      partitions with a chain
   * @param flush           the table's flush policy (for the text)
   * @param commitsLastHour commit records committed in the last hour (genesis excluded)
   * @param perDay          the last hour's requests x 24, or null when the chains could not be read
   * @param ceilingPerDay   {@link #ceilingPerDay} at the table's settings
   * @param error           why the chains could not be read, else null
   */
  public record Estimate(String table, int partitions, TableDefinition.Flush flush, long commitsLastHour,
      Requests perDay, Requests ceilingPerDay, String error) {

    /**
     * One line: {@code cost: ~N S3 PUTs + M DynamoDB writes/day = ~$X/day (last hour x 24); at most ... at
     * max_age 1s, 4 partitions (AWS us-east-1 list prices, 2026-12)}.
     */
    public String text() {
      StringBuilder b = new StringBuilder("cost: ");
      if (perDay == null) {
        b.append("last hour unknown (").append(error).append(')');
      } else if (commitsLastHour == 0) {
        b.append("no commits in the last hour ($0/day)");
      } else {
        b.append('~').append(num(perDay.s3Puts())).append(" S3 PUTs + ").append(num(perDay.dynamoWrites()))
            .append(" DynamoDB writes").append(wru(perDay)).append("/day = ~").append(usd(perDay.usd()))
            .append("/day (last hour x 24)");
      }
      b.append("; at most ").append(num(ceilingPerDay.s3Puts())).append(" PUTs + ")
          .append(num(ceilingPerDay.dynamoWrites())).append(" writes").append(wru(ceilingPerDay)).append("/day = ~")
          .append(usd(ceilingPerDay.usd())).append("/day at max_age ").append(duration(flush.maxAgeMillis()));
      if (flush.hasMinInterval()) {
        b.append(", min_interval ").append(duration(flush.minIntervalMillis()));
      }
      b.append(", ").append(partitions).append(partitions == 1 ? " partition" : " partitions")
          .append(" (AWS ").append(PRICE_REGION).append(" list prices, ").append(PRICES_AS_OF).append(')');
      return b.toString();
    }

    /**
     * {@code {"basis","commits_last_hour","per_day":{...}|null,"ceiling_per_day":{...},"partitions",
     * "cut_interval_ms","prices":{...},"error"}}; the request objects are {@link Requests#json()}.
     */
    public ObjectNode json() {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      o.put("basis", "last hour x 24");
      o.put("commits_last_hour", commitsLastHour);
      if (perDay == null) {
        o.putNull("per_day");
      } else {
        o.set("per_day", perDay.json());
      }
      o.set("ceiling_per_day", ceilingPerDay.json());
      o.put("partitions", partitions);
      o.put("cut_interval_ms", flush.ageCutIntervalMillis());
      o.set("prices", prices());
      if (error == null) {
        o.putNull("error");
      } else {
        o.put("error", error);
      }
      return o;
    }
  }

  /** {@code {"region","as_of","s3_put_usd_per_1000","dynamodb_wru_usd_per_million","sources":[...]}}. */
  public static ObjectNode prices() {
    ObjectNode p = JsonNodeFactory.instance.objectNode();
    p.put("region", PRICE_REGION);
    p.put("as_of", PRICES_AS_OF);
    p.put("s3_put_usd_per_1000", S3_PUT_USD_PER_1000);
    p.put("dynamodb_wru_usd_per_million", DYNAMODB_WRU_USD_PER_MILLION);
    p.putArray("sources").add(S3_PRICE_SOURCE).add(DYNAMODB_PRICE_SOURCE);
    return p;
  }

  /**
   * The estimate from records already read: {@code lastHour} are the table's commit records committed in
   * the hour before now.
   */
  public static Estimate of(TableDefinition def, int partitions, Collection<CommitRecord> lastHour) {
    long commits = lastHour.stream().filter(r -> !r.isGenesis()).count();
    return new Estimate(def.name(), partitions, def.flush(), commits, of(def, lastHour).times(DAY_MILLIS / WINDOW_MILLIS),
        ceilingPerDay(def, partitions, typicalWriteUnits(def, partitions)), null);
  }

  /**
   * Reads each chain of the table back from its head to the first record older than an hour (one Query per
   * 1,000 records: 4 per partition-hour at {@code max_age: 1s}) and estimates. A catalog error becomes the
   * estimate's {@code error} (the ceiling is still given).
   */
  public static Estimate estimate(Catalog catalog, TableDefinition def, long nowMillis) {
    int partitions = 0;
    try {
      Collection<Integer> ps = catalog.partitions(def.name());
      partitions = ps.size();
      List<CommitRecord> lastHour = new ArrayList<>();
      for (int p : ps) {
        lastHour.addAll(lastHour(catalog, def.name(), p, nowMillis));
      }
      return of(def, partitions, lastHour);
    } catch (RuntimeException e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      int nl = why.indexOf('\n');
      return new Estimate(def.name(), partitions, def.flush(), 0, null,
          ceilingPerDay(def, partitions, typicalWriteUnits(def, partitions)),
          "cannot read the chains: " + (nl < 0 ? why : why.substring(0, nl)));
    }
  }

  /** The partition's records committed after {@code now - 1 h}, read back from the head. */
  static List<CommitRecord> lastHour(Catalog catalog, String table, int partition, long nowMillis) {
    Optional<CommitRecord> head = catalog.head(table, partition);
    List<CommitRecord> out = new ArrayList<>();
    if (head.isEmpty()) {
      return out;
    }
    long since = nowMillis - WINDOW_MILLIS;
    long to = head.get().seq() + 1;
    while (to > 1) {
      long from = Math.max(1, to - PAGE);
      List<CommitRecord> page = catalog.records(table, partition, from, to, PAGE);
      boolean older = false;
      for (CommitRecord r : page) {
        if (r.committedAt() > since) {
          out.add(r);
        } else {
          older = true;
        }
      }
      if (older || page.isEmpty()) {
        break;
      }
      to = from;
    }
    return out;
  }

  // ------------------------------------------------------------------ formatting

  private static String wru(Requests r) {
    return r.dynamoWriteUnits() > r.dynamoWrites() ? " (" + num(r.dynamoWriteUnits()) + " WRU)" : "";
  }

  static String num(long v) {
    return String.format(Locale.ROOT, "%,d", v);
  }

  /** {@code $1.94}, {@code $0.22}, {@code $0.0043}, {@code $0}. */
  static String usd(double v) {
    if (v == 0) {
      return "$0";
    }
    if (v >= 100) {
      return String.format(Locale.ROOT, "$%,.0f", v);
    }
    return v >= 0.1 ? String.format(Locale.ROOT, "$%.2f", v) : String.format(Locale.ROOT, "$%.4f", v);
  }

  /** {@code 500ms}, {@code 1s}, {@code 90s}, {@code 1m}, {@code 2h}. */
  static String duration(long ms) {
    if (ms > 0 && ms % 3_600_000L == 0) {
      return ms / 3_600_000L + "h";
    }
    if (ms > 0 && ms % 60_000L == 0) {
      return ms / 60_000L + "m";
    }
    if (ms > 0 && ms % 1_000L == 0) {
      return ms / 1_000L + "s";
    }
    return ms + "ms";
  }
}
