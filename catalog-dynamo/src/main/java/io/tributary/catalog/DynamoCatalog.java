package io.tributary.catalog;

import static io.tributary.catalog.Items.PK;
import static io.tributary.catalog.Items.SK;
import static io.tributary.catalog.Items.n;
import static io.tributary.catalog.Items.s;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * The {@link Catalog} on one DynamoDB table (keys {@code pk}/{@code sk}, on-demand), laid out as
 * DESIGN.md "Names that other tools rely on" says. Every commit is one conditional PutItem; no
 * transactions anywhere. Thread-safe; share one instance per process.
 *
 * <p>Besides the items of DESIGN.md it keeps two additive attributes/items: {@code partitions}
 * (NS) on each table definition item (the partitions that have a chain) and the name index item
 * {@code index#tables}/{@code names} ({@code names}, SS), so listing tables never scans.
 */
public final class DynamoCatalog implements Catalog {

  /** The catalog table's default name. */
  public static final String DEFAULT_TABLE = "tributary-catalog";

  private static final Logger LOG = LoggerFactory.getLogger(DynamoCatalog.class);

  private final DynamoDbClient client;
  private final String tableName;
  private final Clock clock;
  private final Duration resolveDeadline;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final DynamoMaintenance maintenance;

  /** With the system clock and a 30 s resolve deadline. */
  public DynamoCatalog(DynamoDbClient client, String tableName) {
    this(builder().client(client).tableName(tableName));
  }

  private DynamoCatalog(Builder b) {
    this.client = Objects.requireNonNull(b.client, "client");
    this.tableName = Objects.requireNonNull(b.tableName, "tableName");
    this.clock = b.clock;
    this.resolveDeadline = b.resolveDeadline;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.maintenance = new DynamoMaintenance(client, tableName, clock, resolveDeadline);
  }

  @Override
  public List<Compaction> compactions(String table, int partition) {
    return maintenance.compactions(table, partition);
  }

  @Override
  public boolean commitCompaction(Compaction prev, Compaction next) {
    return maintenance.commitCompaction(prev, next);
  }

  @Override
  public Optional<Checkpoint> checkpoint(String table, int partition) {
    return maintenance.checkpoint(table, partition);
  }

  @Override
  public boolean putCheckpoint(Checkpoint expected, Checkpoint next) {
    return maintenance.putCheckpoint(expected, next, head(next.table(), next.partition()).orElse(null));
  }

  @Override
  public int deleteFolded(String table, int partition, long upToSeq) {
    return maintenance.deleteFolded(table, partition, upToSeq, head(table, partition).orElse(null));
  }

  /** A builder; client is required, the table name defaults to {@value #DEFAULT_TABLE}. */
  public static Builder builder() {
    return new Builder();
  }

  /** Options of a {@link DynamoCatalog}. */
  public static final class Builder {
    private DynamoDbClient client;
    private String tableName = DEFAULT_TABLE;
    private Clock clock = Clock.systemUTC();
    private Duration resolveDeadline = Duration.ofSeconds(30);
    private Duration initialBackoff = Duration.ofMillis(50);
    private Duration maxBackoff = Duration.ofSeconds(2);

    private Builder() {
    }

    /** The DynamoDB client (its own retry policy does not matter for correctness). */
    public Builder client(DynamoDbClient v) {
      client = v;
      return this;
    }

    /** The catalog table. */
    public Builder tableName(String v) {
      tableName = v;
      return this;
    }

    /** Clock for leases and committedAt stamps. */
    public Builder clock(Clock v) {
      clock = Objects.requireNonNull(v);
      return this;
    }

    /** How long commit keeps reading back a record whose write response was lost. */
    public Builder resolveDeadline(Duration v) {
      resolveDeadline = Objects.requireNonNull(v);
      return this;
    }

    /** First and maximum pause between read-back attempts (doubling). */
    public Builder resolveBackoff(Duration initial, Duration max) {
      initialBackoff = Objects.requireNonNull(initial);
      maxBackoff = Objects.requireNonNull(max);
      return this;
    }

    public DynamoCatalog build() {
      return new DynamoCatalog(this);
    }
  }

  /** The catalog table's name. */
  public String tableName() {
    return tableName;
  }

  /**
   * Creates the catalog table (on-demand, {@code pk}/{@code sk} strings) unless it exists, and
   * waits until it is active. Cost: 1 DescribeTable (+1 CreateTable + waiter polls).
   */
  public void createCatalogTableIfAbsent() {
    try {
      client.describeTable(r -> r.tableName(tableName));
      return;
    } catch (ResourceNotFoundException e) {
      LOG.info("catalog table {} does not exist; creating it (on-demand, pk/sk)", tableName);
    }
    try {
      client.createTable(r -> r.tableName(tableName).billingMode(BillingMode.PAY_PER_REQUEST)
          .attributeDefinitions(
              AttributeDefinition.builder().attributeName(PK).attributeType(ScalarAttributeType.S).build(),
              AttributeDefinition.builder().attributeName(SK).attributeType(ScalarAttributeType.S).build())
          .keySchema(KeySchemaElement.builder().attributeName(PK).keyType(KeyType.HASH).build(),
              KeySchemaElement.builder().attributeName(SK).keyType(KeyType.RANGE).build()));
    } catch (ResourceInUseException e) {
      LOG.info("catalog table {} is being created by someone else; waiting for it", tableName);
    }
    client.waiter().waitUntilTableExists(r -> r.tableName(tableName));
  }

  // ------------------------------------------------------------------ helpers

  private Optional<Map<String, AttributeValue>> get(String pk, String sk) {
    Map<String, AttributeValue> item = client.getItem(r -> r.tableName(tableName).key(Items.key(pk, sk))
        .consistentRead(true)).item();
    return item == null || item.isEmpty() ? Optional.empty() : Optional.of(item);
  }

  private static Map<String, String> names(String... pairs) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m;
  }

  private static Map<String, AttributeValue> values(Object... pairs) {
    Map<String, AttributeValue> m = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put((String) pairs[i], (AttributeValue) pairs[i + 1]);
    }
    return m;
  }

  private static StoredTable storedTable(Map<String, AttributeValue> item) {
    TableDefinition def = TableDefinitions.fromJson(Items.str(item, "definition"));
    SortedSet<Integer> parts = new TreeSet<>();
    AttributeValue ps = item.get("partitions");
    if (ps != null && ps.hasNs()) {
      ps.ns().forEach(p -> parts.add(Integer.parseInt(p)));
    }
    return new StoredTable(def, Items.num(item, "version"), TableState.valueOf(Items.str(item, "state")), parts);
  }

  private StoredTable existing(String name) {
    return get(Items.defPk(name), Items.DEF_SK).map(DynamoCatalog::storedTable)
        .orElseThrow(() -> new TableNotFoundException(name));
  }

  // ------------------------------------------------------------------ tables

  @Override
  public StoredTable createTable(TableDefinition given, Map<Integer, Long> genesisOffsets) {
    CommitChecks.checkGenesis(genesisOffsets);
    TableDefinition definition = given.withFieldIds(FieldIds.positional(given));
    String name = definition.name();
    client.updateItem(r -> r.tableName(tableName).key(Items.key(Items.INDEX_PK, Items.INDEX_SK))
        .updateExpression("ADD #n :n").expressionAttributeNames(names("#n", "names"))
        .expressionAttributeValues(values(":n", AttributeValue.builder().ss(name).build())));
    Map<String, AttributeValue> item = new HashMap<>(Items.key(Items.defPk(name), Items.DEF_SK));
    item.put("definition", s(TableDefinitions.toJson(definition)));
    item.put("version", n(1));
    item.put("state", s(TableState.ACTIVE.name()));
    if (!genesisOffsets.isEmpty()) {
      item.put("partitions", AttributeValue.builder()
          .ns(genesisOffsets.keySet().stream().sorted().map(String::valueOf).toList()).build());
    }
    try {
      client.putItem(r -> r.tableName(tableName).item(item).conditionExpression("attribute_not_exists(pk)"));
    } catch (ConditionalCheckFailedException e) {
      TableState state = get(Items.defPk(name), Items.DEF_SK).map(i -> TableState.valueOf(Items.str(i, "state")))
          .orElse(TableState.ACTIVE);
      throw new TableAlreadyExistsException(name, state);
    }
    putGenesis(name, 1, genesisOffsets);
    LOG.info("created table {} (version 1) with genesis for partitions {}", name, new TreeMap<>(genesisOffsets));
    return new StoredTable(definition, 1, TableState.ACTIVE, new TreeSet<>(genesisOffsets.keySet()));
  }

  private SortedSet<Integer> putGenesis(String table, long schemaVersion, Map<Integer, Long> genesisOffsets) {
    SortedSet<Integer> added = new TreeSet<>();
    long now = clock.millis();
    for (Map.Entry<Integer, Long> e : new TreeMap<>(genesisOffsets).entrySet()) {
      CommitRecord g = CommitRecord.genesis(table, e.getKey(), e.getValue(), schemaVersion, now);
      try {
        client.putItem(r -> r.tableName(tableName).item(Items.commitItem(g))
            .conditionExpression("attribute_not_exists(pk)"));
        added.add(e.getKey());
      } catch (ConditionalCheckFailedException already) {
        LOG.debug("table {} partition {} already has a genesis record; leaving its chain as it is", table,
            e.getKey());
      }
    }
    return added;
  }

  @Override
  public Optional<StoredTable> getTable(String name) {
    return get(Items.defPk(name), Items.DEF_SK).map(DynamoCatalog::storedTable);
  }

  @Override
  public List<StoredTable> listTables() {
    Optional<Map<String, AttributeValue>> index = get(Items.INDEX_PK, Items.INDEX_SK);
    List<StoredTable> out = new ArrayList<>();
    if (index.isEmpty() || index.get().get("names") == null) {
      return out;
    }
    for (String name : new TreeSet<>(index.get().get("names").ss())) {
      getTable(name).ifPresent(out::add); // absent: a createTable that failed before its definition put
    }
    return out;
  }

  @Override
  public StoredTable updateTable(TableDefinition given, long expectedVersion) {
    String name = given.name();
    StoredTable cur = existing(name);
    if (cur.state() == TableState.DROPPED) {
      throw new TableStateException(name, cur.state(), "update");
    }
    // the stored ids are those of version expectedVersion when the conditional update below succeeds
    TableDefinition definition = given.withFieldIds(FieldIds.evolve(cur.definition().fieldIds(), given));
    CommitChecks.checkTopicUnchanged(cur.definition(), definition);
    if (cur.version() != expectedVersion) {
      throw new VersionConflictException("table " + name, expectedVersion, cur.version());
    }
    try {
      Map<String, AttributeValue> after = client.updateItem(r -> r.tableName(tableName)
          .key(Items.key(Items.defPk(name), Items.DEF_SK))
          .updateExpression("SET #d = :d, #v = :nv")
          .conditionExpression("#v = :ev AND #s <> :dropped")
          .expressionAttributeNames(names("#d", "definition", "#v", "version", "#s", "state"))
          .expressionAttributeValues(values(":d", s(TableDefinitions.toJson(definition)), ":nv",
              n(expectedVersion + 1), ":ev", n(expectedVersion), ":dropped", s(TableState.DROPPED.name())))
          .returnValues(ReturnValue.ALL_NEW)).attributes();
      LOG.info("updated table {} to version {}", name, expectedVersion + 1);
      return storedTable(after);
    } catch (ConditionalCheckFailedException e) {
      StoredTable now = existing(name);
      if (now.state() == TableState.DROPPED) {
        throw new TableStateException(name, now.state(), "update");
      }
      throw new VersionConflictException("table " + name, expectedVersion, now.version());
    }
  }

  private StoredTable setState(String name, TableState to, String op) {
    String condition = to == TableState.DROPPED ? "attribute_exists(pk)" : "attribute_exists(pk) AND #s <> :dropped";
    Map<String, AttributeValue> vals = values(":to", s(to.name()));
    if (to != TableState.DROPPED) {
      vals.put(":dropped", s(TableState.DROPPED.name()));
    }
    try {
      Map<String, AttributeValue> after = client.updateItem(r -> r.tableName(tableName)
          .key(Items.key(Items.defPk(name), Items.DEF_SK)).updateExpression("SET #s = :to")
          .conditionExpression(condition).expressionAttributeNames(names("#s", "state"))
          .expressionAttributeValues(vals).returnValues(ReturnValue.ALL_NEW)).attributes();
      LOG.info("table {} is now {}", name, to);
      return storedTable(after);
    } catch (ConditionalCheckFailedException e) {
      StoredTable now = existing(name);
      throw new TableStateException(name, now.state(), op);
    }
  }

  @Override
  public StoredTable pauseTable(String name) {
    return setState(name, TableState.PAUSED, "pause");
  }

  @Override
  public StoredTable resumeTable(String name) {
    return setState(name, TableState.ACTIVE, "resume");
  }

  @Override
  public StoredTable dropTable(String name) {
    return setState(name, TableState.DROPPED, "drop");
  }

  // ------------------------------------------------------------------ chains

  @Override
  public SortedSet<Integer> addPartitions(String table, Map<Integer, Long> genesisOffsets) {
    CommitChecks.checkGenesis(genesisOffsets);
    StoredTable t = existing(table);
    if (t.state() == TableState.DROPPED) {
      throw new TableStateException(table, t.state(), "add partitions to");
    }
    SortedSet<Integer> added = putGenesis(table, t.version(), genesisOffsets);
    if (!genesisOffsets.isEmpty()) {
      client.updateItem(r -> r.tableName(tableName).key(Items.key(Items.defPk(table), Items.DEF_SK))
          .updateExpression("ADD #p :p").conditionExpression("attribute_exists(pk)")
          .expressionAttributeNames(names("#p", "partitions"))
          .expressionAttributeValues(values(":p", AttributeValue.builder()
              .ns(genesisOffsets.keySet().stream().sorted().map(String::valueOf).toList()).build())));
    }
    if (!added.isEmpty()) {
      LOG.info("table {}: added genesis for partitions {}", table, added);
    }
    return added;
  }

  @Override
  public SortedSet<Integer> partitions(String table) {
    return new TreeSet<>(existing(table).partitions());
  }

  @Override
  public Optional<CommitRecord> head(String table, int partition) {
    QueryResponse resp = client.query(r -> r.tableName(tableName).keyConditionExpression("pk = :pk")
        .expressionAttributeValues(values(":pk", s(Items.partPk(table, partition)))).scanIndexForward(false)
        .limit(1).consistentRead(true));
    return resp.items().isEmpty() ? Optional.empty() : Optional.of(Items.commitRecord(resp.items().get(0)));
  }

  @Override
  public List<CommitRecord> records(String table, int partition, long fromSeq, long toSeqExclusive, int pageSize) {
    CommitChecks.checkRange(fromSeq, pageSize);
    List<CommitRecord> out = new ArrayList<>();
    if (toSeqExclusive <= fromSeq) {
      return out;
    }
    Map<String, AttributeValue> startKey = null;
    do {
      QueryRequest.Builder q = QueryRequest.builder().tableName(tableName)
          .keyConditionExpression("pk = :pk AND sk BETWEEN :a AND :b")
          .expressionAttributeValues(values(":pk", s(Items.partPk(table, partition)), ":a", s(Items.seqSk(fromSeq)),
              ":b", s(Items.seqSk(toSeqExclusive - 1))))
          .consistentRead(true).limit(pageSize - out.size());
      if (startKey != null) {
        q.exclusiveStartKey(startKey);
      }
      QueryResponse resp = client.query(q.build());
      resp.items().forEach(i -> out.add(Items.commitRecord(i)));
      startKey = resp.hasLastEvaluatedKey() && !resp.lastEvaluatedKey().isEmpty() ? resp.lastEvaluatedKey() : null;
    } while (startKey != null && out.size() < pageSize);
    return out;
  }

  @Override
  public CommitOutcome commit(CommitRecord expectedHead, CommitRecord next) {
    CommitChecks.checkCommit(expectedHead, next);
    CommitRecord rec = next.committedAt() == 0 ? next.withCommittedAt(clock.millis()) : next;
    PutItemRequest put = PutItemRequest.builder().tableName(tableName).item(Items.commitItem(rec))
        .conditionExpression("attribute_not_exists(pk)").build();
    try {
      client.putItem(put);
      LOG.debug("committed table {} partition {} seq {} [{}, {}) rows {} commit {}", rec.table(), rec.partition(),
          rec.seq(), rec.startOffset(), rec.endOffset(), rec.rows(), rec.commitId());
      return new CommitOutcome.Committed(rec);
    } catch (ConditionalCheckFailedException e) {
      return settle(rec, e, true);
    } catch (SdkException e) {
      if (isThrottle(e)) {
        LOG.info("commit of table {} partition {} seq {} was throttled; not written, the caller retries",
            rec.table(), rec.partition(), rec.seq());
        return new CommitOutcome.NotCommitted("throttled: " + e.getMessage());
      }
      if (!isAmbiguous(e)) {
        throw new CatalogException("DynamoDB refused commit " + rec.commitId() + " of table " + rec.table()
            + " partition " + rec.partition() + " seq " + rec.seq() + " (nothing written): " + e.getMessage(), e);
      }
      LOG.warn("commit of table {} partition {} seq {} (commit {}) lost its response ({}); reading seq {} back to "
          + "settle it", rec.table(), rec.partition(), rec.seq(), rec.commitId(), e.toString(), rec.seq());
      return settle(rec, e, false);
    }
  }

  private static boolean isThrottle(SdkException e) {
    if (e instanceof DynamoDbException d && d.awsErrorDetails() != null && d.statusCode() == 400) {
      String code = d.awsErrorDetails().errorCode();
      return "ProvisionedThroughputExceededException".equals(code) || "ThrottlingException".equals(code)
          || "RequestLimitExceeded".equals(code);
    }
    return false;
  }

  private static boolean isAmbiguous(SdkException e) {
    return e instanceof SdkClientException || (e instanceof SdkServiceException s && s.statusCode() >= 500);
  }

  /**
   * The one retry loop: reads record seq back (consistent GetItem) until it knows whose it is,
   * or the deadline passes.
   */
  private CommitOutcome settle(CommitRecord rec, Exception cause, boolean taken) {
    long deadline = System.nanoTime() + resolveDeadline.toNanos();
    long backoff = initialBackoff.toMillis();
    int attempt = 0;
    while (true) {
      attempt++;
      try {
        // A failed condition means seq is taken: read the head first (usually it IS that seq, one
        // request). After a lost response, seq is usually empty: read seq itself first.
        Optional<CommitRecord> head = taken ? head(rec.table(), rec.partition()) : Optional.empty();
        Optional<CommitRecord> there = head.isPresent() && head.get().seq() == rec.seq() ? head
            : get(Items.partPk(rec.table(), rec.partition()), Items.seqSk(rec.seq())).map(Items::commitRecord);
        if (there.isPresent() && there.get().commitId().equals(rec.commitId())) {
          if (!taken || attempt > 1) {
            LOG.info("commit of table {} partition {} seq {} settled: COMMITTED (read back commit {})", rec.table(),
                rec.partition(), rec.seq(), rec.commitId());
          }
          return new CommitOutcome.Committed(there.get());
        }
        if (there.isPresent()) {
          CommitRecord current = head.isPresent() ? head.get()
              : head(rec.table(), rec.partition()).orElse(there.get());
          LOG.info("commit conflict on table {} partition {} seq {}: taken by commit {} (writer {}, epoch {}); head is "
              + "seq {} end_offset {}; the caller drops its buffer and resumes there", rec.table(), rec.partition(),
              rec.seq(), there.get().commitId(), there.get().writer(), there.get().epoch(), current.seq(),
              current.endOffset());
          return new CommitOutcome.Conflict(current);
        }
        LOG.info("commit of table {} partition {} seq {} settled: NOT_COMMITTED (seq {} is empty); the caller may "
            + "retry the same commit", rec.table(), rec.partition(), rec.seq(), rec.seq());
        return new CommitOutcome.NotCommitted("the write's response was lost and seq " + rec.seq()
            + " was empty when read back (" + cause + ")");
      } catch (SdkException readFailure) {
        if (System.nanoTime() + backoff * 1_000_000L > deadline) {
          LOG.error("commit of table {} partition {} seq {} (commit {}): outcome UNKNOWN after {} read-backs; its "
              + "objects must be kept", rec.table(), rec.partition(), rec.seq(), rec.commitId(), attempt);
          CommitOutcomeUnknownException ex = new CommitOutcomeUnknownException(rec, cause);
          ex.addSuppressed(readFailure);
          throw ex;
        }
        LOG.debug("read-back {} of table {} partition {} seq {} failed ({}); retrying in {} ms", attempt,
            rec.table(), rec.partition(), rec.seq(), readFailure.toString(), backoff);
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          CommitOutcomeUnknownException ex = new CommitOutcomeUnknownException(rec, cause);
          ex.addSuppressed(ie);
          throw ex;
        }
        backoff = Math.min(backoff * 2, maxBackoff.toMillis());
      }
    }
  }

  /** Test hook: stores a record with a plain PutItem, no checks, to build broken chains. */
  void putRecordUnchecked(CommitRecord r) {
    client.putItem(b -> b.tableName(tableName).item(Items.commitItem(r)));
  }

  /** Test hook: deletes a record with a plain DeleteItem, to build broken chains. */
  void deleteRecordUnchecked(String table, int partition, long seq) {
    client.deleteItem(b -> b.tableName(tableName).key(Items.key(Items.partPk(table, partition), Items.seqSk(seq))));
  }

  // ------------------------------------------------------------------ lease

  private static Lease lease(Map<String, AttributeValue> i) {
    return new Lease(Items.str(i, "owner"), Items.str(i, "address"), Items.num(i, "epoch"),
        Items.num(i, "expires_at"));
  }

  @Override
  public Optional<Lease> acquireLease(String owner, String address, Duration ttl) {
    CommitChecks.checkLeaseArgs(owner, address, ttl);
    long now = clock.millis();
    Optional<Lease> cur = currentLease();
    if (cur.isPresent() && cur.get().isLive(now)) {
      return Optional.empty();
    }
    Lease next = new Lease(owner, address, cur.map(Lease::epoch).orElse(0L) + 1, now + ttl.toMillis());
    Map<String, AttributeValue> item = new HashMap<>(Items.key(Items.LEASE_PK, Items.LEASE_SK));
    item.put("owner", s(owner));
    item.put("address", s(address));
    item.put("epoch", n(next.epoch()));
    item.put("expires_at", n(next.expiresAtMillis()));
    PutItemRequest.Builder put = PutItemRequest.builder().tableName(tableName).item(item);
    if (cur.isEmpty()) {
      put.conditionExpression("attribute_not_exists(pk)");
    } else {
      put.conditionExpression("#e = :e AND #x = :x").expressionAttributeNames(names("#e", "epoch", "#x", "expires_at"))
          .expressionAttributeValues(values(":e", n(cur.get().epoch()), ":x", n(cur.get().expiresAtMillis())));
    }
    try {
      client.putItem(put.build());
      LOG.info("scheduler lease acquired by {} at {} (epoch {})", owner, address, next.epoch());
      return Optional.of(next);
    } catch (ConditionalCheckFailedException e) {
      LOG.info("scheduler lease: {} lost the race to acquire epoch {}", owner, next.epoch());
      return Optional.empty();
    }
  }

  @Override
  public Optional<Lease> renewLease(Lease held, Duration ttl) {
    CommitChecks.checkLeaseArgs(held.owner(), held.address(), ttl);
    long until = clock.millis() + ttl.toMillis();
    try {
      Map<String, AttributeValue> after = client.updateItem(r -> r.tableName(tableName)
          .key(Items.key(Items.LEASE_PK, Items.LEASE_SK)).updateExpression("SET #x = :x")
          .conditionExpression("#o = :o AND #e = :e")
          .expressionAttributeNames(names("#x", "expires_at", "#o", "owner", "#e", "epoch"))
          .expressionAttributeValues(values(":x", n(until), ":o", s(held.owner()), ":e", n(held.epoch())))
          .returnValues(ReturnValue.ALL_NEW)).attributes();
      return Optional.of(lease(after));
    } catch (ConditionalCheckFailedException e) {
      LOG.warn("scheduler lease renewal by {} (epoch {}) refused: someone else holds it; stop leading",
          held.owner(), held.epoch());
      return Optional.empty();
    }
  }

  @Override
  public boolean releaseLease(Lease held) {
    try {
      client.updateItem(r -> r.tableName(tableName).key(Items.key(Items.LEASE_PK, Items.LEASE_SK))
          .updateExpression("SET #x = :x").conditionExpression("#o = :o AND #e = :e")
          .expressionAttributeNames(names("#x", "expires_at", "#o", "owner", "#e", "epoch"))
          .expressionAttributeValues(values(":x", n(0), ":o", s(held.owner()), ":e", n(held.epoch()))));
      LOG.info("scheduler lease released by {} (epoch {})", held.owner(), held.epoch());
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false;
    }
  }

  @Override
  public Optional<Lease> currentLease() {
    return get(Items.LEASE_PK, Items.LEASE_SK).map(DynamoCatalog::lease);
  }

  // ------------------------------------------------------------------ assignments

  @Override
  public Optional<Assignment> assignment(String table) {
    return get(Items.assignPk(table), Items.ASSIGN_SK).map(i -> {
      Map<Integer, String> owners = new TreeMap<>();
      Map<Integer, Long> epochs = new TreeMap<>();
      AttributeValue o = i.get("owners");
      if (o != null && o.hasM()) {
        o.m().forEach((k, v) -> owners.put(Integer.parseInt(k), v.s()));
      }
      AttributeValue e = i.get("epochs");
      if (e != null && e.hasM()) {
        e.m().forEach((k, v) -> epochs.put(Integer.parseInt(k), Long.parseLong(v.n())));
      }
      return new Assignment(table, Items.num(i, "version"), owners, epochs);
    });
  }

  @Override
  public Assignment putAssignment(String table, long expectedVersion, Map<Integer, String> owners,
      Map<Integer, Long> epochs) {
    Assignment next = new Assignment(table, expectedVersion + 1, owners, epochs);
    Map<String, AttributeValue> ownersM = new HashMap<>();
    next.owners().forEach((p, r) -> ownersM.put(String.valueOf(p), s(r)));
    Map<String, AttributeValue> epochsM = new HashMap<>();
    next.epochs().forEach((p, e) -> epochsM.put(String.valueOf(p), n(e)));
    Map<String, AttributeValue> item = new HashMap<>(Items.key(Items.assignPk(table), Items.ASSIGN_SK));
    item.put("version", n(next.version()));
    item.put("owners", AttributeValue.builder().m(ownersM).build());
    item.put("epochs", AttributeValue.builder().m(epochsM).build());
    PutItemRequest.Builder put = PutItemRequest.builder().tableName(tableName).item(item);
    if (expectedVersion == 0) {
      put.conditionExpression("attribute_not_exists(pk)");
    } else {
      put.conditionExpression("#v = :v").expressionAttributeNames(names("#v", "version"))
          .expressionAttributeValues(values(":v", n(expectedVersion)));
    }
    try {
      client.putItem(put.build());
      return next;
    } catch (ConditionalCheckFailedException e) {
      long actual = assignment(table).map(Assignment::version).orElse(0L);
      throw new VersionConflictException("assignment of " + table, expectedVersion, actual);
    }
  }
}
