package io.tributary.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.api.v1.CreateTableRequest;
import io.tributary.api.v1.GetStatusRequest;
import io.tributary.api.v1.IcebergStatus;
import io.tributary.api.v1.TableRef;
import io.tributary.catalog.AuditReport;
import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.PartObject;
import io.tributary.catalog.StoredTable;
import io.tributary.iceberg.ChainHeads;
import io.tributary.iceberg.IcebergAudit;
import io.tributary.iceberg.IcebergCatalogs;
import io.tributary.iceberg.IcebergTables;
import io.tributary.infra.LocalStack;
import io.tributary.infra.LocalStackExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The leader publishes the chains to Iceberg (the local JdbcCatalog on SQLite, as LocalStack.env()
 * configures it) while two schedulers and two runners run as child processes under load with dead
 * letters: a runner is SIGKILLed, then the leader while it publishes; the standby takes over and keeps
 * publishing. Iceberg's own reader then returns every good record exactly once, the snapshot holds
 * only committed data parts (with column metrics), its heads equal the chain heads and the Iceberg
 * audit is exact.
 */
@ExtendWith(LocalStackExtension.class)
class IcebergPublicationIT {

  static final int PARTITIONS = 4;

  /** JSON records round-robin over the partitions at about {@code perSecond}; every 25th is malformed. */
  static final class Load implements AutoCloseable {
    final Set<String> good = ConcurrentHashMap.newKeySet();
    final AtomicLong bad = new AtomicLong();
    final AtomicLong acked = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;

    Load(TestCluster c, String topic, int perSecond) {
      thread = new Thread(() -> {
        try (KafkaProducer<String, String> p = c.producer()) {
          long start = System.nanoTime();
          long n = 0;
          while (!stop.get()) {
            long due = (System.nanoTime() - start) * perSecond / 1_000_000_000L;
            for (; n < due; n++) {
              boolean malformed = n % 25 == 7;
              String value = malformed ? (n % 2 == 0 ? "{\"id\":\"not-a-number\"}" : "{not json")
                  : "{\"id\":" + n + ",\"msg\":\"m" + n + "\"}";
              p.send(new ProducerRecord<>(topic, (int) (n % PARTITIONS), null, value), (md, e) -> {
                if (e != null) {
                  failed.incrementAndGet();
                  return;
                }
                acked.incrementAndGet();
                if (malformed) {
                  bad.incrementAndGet();
                } else {
                  good.add(md.partition() + "/" + md.offset());
                }
              });
            }
            try {
              Thread.sleep(10);
            } catch (InterruptedException e) {
              return;
            }
          }
          p.flush();
        }
      }, "it-iceberg-load");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() {
      stop.set(true);
      try {
        thread.join(60_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static String definition(TestCluster c, String table) {
    return """
        {"name":"%s","source":{"bootstrap":"%s","topic":"%s","start":"earliest"},"format":"json",
         "columns":[{"name":"id","type":"long","path":"$.id","nullable":false},
                    {"name":"msg","type":"string","path":"$.msg"}],
         "output":{"bucket":"%s","prefix":"tables","compression":"zstd"},
         "flush":{"max_rows":100000,"max_bytes":"16MiB","max_age":"1s"},
         "errors":{"policy":"dlq"},
         "iceberg":{"commit_interval":"1s"}}
        """.formatted(table, c.stack.kafkaBootstrap(), table, c.stack.bucket());
  }

  /** Chain head seq per partition. */
  private static SortedMap<Integer, Long> chainHeads(TestCluster c, String table) {
    SortedMap<Integer, Long> out = new TreeMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      out.put(p, c.catalog.head(table, p).orElseThrow().seq());
    }
    return out;
  }

  private static Table load(IcebergCatalogs catalogs, TableIdentifier id) {
    return catalogs.catalog(null).loadTable(id);
  }

  @Test
  void leader_publishes_standby_takes_over_and_the_iceberg_table_holds_every_good_record_once(LocalStack stack)
      throws Exception {
    long t0 = System.currentTimeMillis();
    String table = "icepub_" + Long.toString(t0 % 1_000_000, 36);
    try (TestCluster c = new TestCluster(stack, "catalog-iceberg-it", Map.of());
        IcebergCatalogs catalogs = new IcebergCatalogs(c.env)) {
      assertThat(catalogs.enabled()).as("LocalStack.env() configures the local Iceberg catalog").isTrue();
      TestCluster.Scheduler a = c.awaitLeader(c.scheduler("sched-a"), Duration.ofSeconds(180));
      TestCluster.Scheduler b = c.scheduler("sched-b");
      Poll.until("standby up", Duration.ofSeconds(180), () -> c.httpGet(b, "/q/health").replaceAll("\\s", "")
          .contains("\"role\":\"standby\""));
      c.createTopic(table, PARTITIONS);
      c.api(a, null).createTable(CreateTableRequest.newBuilder().setDefinitionJson(definition(c, table)).build());
      StoredTable stored = c.catalog.getTable(table).orElseThrow();
      TableIdentifier id = IcebergTables.identifier(stored.definition(), catalogs.defaultNamespace());

      Load load = new Load(c, table, 300);
      try {
        ChildProcess r1 = c.runner("r1");
        ChildProcess r2 = c.runner("r2");
        Poll.until("both runners committing", Duration.ofSeconds(180), () -> {
          Set<String> writers = new HashSet<>();
          for (int p = 0; p < PARTITIONS; p++) {
            CommitRecord h = c.catalog.head(table, p).orElseThrow();
            if (h.isGenesis()) {
              return false;
            }
            writers.add(h.writer());
          }
          return writers.equals(Set.of("r1", "r2"));
        });
        long killedRunnerAt = System.currentTimeMillis();
        r2.kill9();
        System.out.printf("iceberg: r2 SIGKILLed %d s into the test%n", (killedRunnerAt - t0) / 1000);

        // the leader publishes: a snapshot with chain heads, status and metrics say so
        Snapshot first = Poll.until("first Iceberg snapshot by sched-a", Duration.ofSeconds(120), () -> {
          Snapshot s = load(catalogs, id).currentSnapshot();
          return s != null && "sched-a".equals(s.summary().get("tributary.publisher")) ? s : null;
        });
        assertThat(first.summary()).containsKey(ChainHeads.PROPERTY);
        IcebergStatus st = Poll.until("status shows the publication", Duration.ofSeconds(60), () -> {
          IcebergStatus s = c.api(a, null).getStatus(GetStatusRequest.getDefaultInstance()).getTablesList().stream()
              .filter(t -> t.getTable().getName().equals(table)).findFirst().orElseThrow().getIceberg();
          return s.getEnabled() && s.getSnapshotId() > 0 && s.getPublishedFiles() > 0 ? s : null;
        });
        System.out.printf("iceberg: sched-a status %s%n", st.toString().replace('\n', ' '));
        assertThat(st.getTable()).endsWith("tributary." + table);
        assertThat(st.getHeadsMap()).isNotEmpty();
        String metrics = c.httpGet(a, "/q/metrics");
        for (String m : List.of("tributary_iceberg_pending_rows", "tributary_iceberg_lag_seconds",
            "tributary_iceberg_published_files_total", "tributary_iceberg_published_rows_total",
            "tributary_iceberg_publish_failures_total")) {
          assertThat(metrics).as(m).contains(m + "{table=\"" + table + "\"");
        }

        // SIGKILL the leader while it publishes (records keep flowing): the standby leads and publishes
        Poll.until("sched-a publishes again after its first snapshot", Duration.ofSeconds(60), () -> {
          Snapshot s = load(catalogs, id).currentSnapshot();
          return s.snapshotId() != first.snapshotId() ? s : null;
        });
        long leaderKilledAt = System.currentTimeMillis();
        a.proc().kill9();
        Poll.until("sched-b leads", Duration.ofSeconds(60), () -> {
          var l = c.leader();
          return l != null && l.owner().equals("sched-b");
        });
        System.out.printf("iceberg: leader SIGKILLed; sched-b leads after %d ms%n",
            System.currentTimeMillis() - leaderKilledAt);
        Snapshot byB = Poll.until("a snapshot by sched-b", Duration.ofSeconds(120), () -> {
          Snapshot s = load(catalogs, id).currentSnapshot();
          return "sched-b".equals(s.summary().get("tributary.publisher")) ? s : null;
        });
        System.out.printf("iceberg: sched-b published snapshot %d %s after %d ms%n", byB.snapshotId(),
            byB.summary().get(ChainHeads.PROPERTY), System.currentTimeMillis() - leaderKilledAt);
        assertThat(r1.alive()).isTrue();
      } finally {
        load.close();
      }
      long produced = load.acked.get();
      assertThat(load.failed.get()).as("sends that failed").isZero();
      System.out.printf("iceberg: produced %d records (%d good, %d malformed)%n", produced, load.good.size(),
          load.bad.get());

      // everything produced is landed, then published: snapshot heads == chain heads
      Poll.until("all " + produced + " records landed", Duration.ofSeconds(240), () -> {
        long end = 0;
        for (int p = 0; p < PARTITIONS; p++) {
          end += c.catalog.head(table, p).orElseThrow().endOffset();
        }
        return end == produced;
      });
      SortedMap<Integer, Long> heads = chainHeads(c, table);
      long landedAt = System.currentTimeMillis();
      Table iceberg = Poll.until("Iceberg heads == chain heads " + heads, Duration.ofSeconds(180), () -> {
        Table t = load(catalogs, id);
        return ChainHeads.of(t).heads().equals(heads) ? t : null;
      });
      System.out.printf("iceberg: snapshot %d has the chain heads %s %d ms after the last commit landed%n",
          iceberg.currentSnapshot().snapshotId(), heads, System.currentTimeMillis() - landedAt);

      // chain: exact, with the dead letters
      AuditReport chainAudit = c.catalog.audit(table);
      assertThat(chainAudit.problems()).isEmpty();
      assertThat(chainAudit.exact()).isTrue();
      assertThat(chainAudit.rows()).isEqualTo(load.good.size());
      assertThat(chainAudit.dlqRows()).isEqualTo(load.bad.get()).isPositive();

      // Iceberg's generic reader: every good record exactly once, by (Kafka partition, _offset)
      // the Iceberg column of the parts' _partition is _kafka_partition (same field id; Spark reserves _partition)
      String partitionColumn = iceberg.schema().findField("_kafka_partition") != null ? "_kafka_partition"
          : "_partition";
      Map<String, Integer> seen = new HashMap<>();
      try (CloseableIterable<Record> rows = IcebergGenerics.read(iceberg).build()) {
        for (Record r : rows) {
          seen.merge(r.getField(partitionColumn) + "/" + r.getField("_offset"), 1, Integer::sum);
        }
      }
      assertThat(seen.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList())
          .as("records read twice").isEmpty();
      assertThat(seen.keySet()).as("records read").isEqualTo(load.good);

      // the snapshot's files: committed data parts only (no dead letters, no orphans), with metrics
      Set<String> dataObjects = new HashSet<>();
      Set<String> dlqObjects = new HashSet<>();
      for (int p = 0; p < PARTITIONS; p++) {
        c.catalog.chain(table, p).forEach(rec -> {
          for (PartObject o : rec.objects()) {
            (o.kind() == PartObject.Kind.DATA ? dataObjects : dlqObjects)
                .add(IcebergTables.objectUri(stored.definition(), o.key()));
          }
        });
      }
      assertThat(dlqObjects).isNotEmpty();
      Set<String> files = new HashSet<>();
      try (CloseableIterable<FileScanTask> tasks = iceberg.newScan().includeColumnStats().planFiles()) {
        for (FileScanTask t : tasks) {
          DataFile f = t.file();
          assertThat(files.add(f.location())).as("file once: " + f.location()).isTrue();
          assertThat(f.valueCounts()).as("value counts of " + f.location()).isNotEmpty();
          assertThat(f.lowerBounds()).as("lower bounds of " + f.location()).isNotEmpty();
          assertThat(f.upperBounds()).as("upper bounds of " + f.location()).isNotEmpty();
        }
      }
      assertThat(files).as("snapshot files are exactly the chains' data objects").isEqualTo(dataObjects);
      assertThat(files.stream().filter(dlqObjects::contains).collect(Collectors.toSet())).isEmpty();

      IcebergAudit.Report audit = IcebergAudit.audit(c.catalog, c.catalog.getTable(table).orElseThrow(), iceberg);
      System.out.printf("iceberg: audit exact=%s snapshot=%d files=%d rows=%d heads=%s problems=%s%n", audit.exact(),
          audit.snapshotId(), audit.files(), audit.rows(), audit.heads(), audit.problems());
      assertThat(audit.problems()).isEmpty();
      assertThat(audit.exact()).isTrue();
      assertThat(audit.rows()).isEqualTo(load.good.size());
      assertThat(audit.heads()).isEqualTo(heads);

      // the new leader's describe shows it caught up
      IcebergStatus done = Poll.until("sched-b status caught up", Duration.ofSeconds(60), () -> {
        IcebergStatus s = c.api(b, null).describeTable(TableRef.newBuilder().setName(table).build()).getIceberg();
        return s.getEnabled() && s.getPendingRows() == 0 && s.getHeadsMap().equals(heads) ? s : null;
      });
      assertThat(done.getSnapshotId()).isEqualTo(iceberg.currentSnapshot().snapshotId());
      assertThat(done.getLagSeconds()).isZero();
      assertThat(c.httpGet(b, "/q/metrics").lines().filter(l -> l.startsWith("tributary_iceberg_pending_rows{")
          && l.contains("table=\"" + table + "\"")).toList()).singleElement().satisfies(l -> assertThat(l).endsWith(" 0.0"));
      System.out.printf("iceberg: whole test %d s%n", (System.currentTimeMillis() - t0) / 1000);
    }
  }
}
