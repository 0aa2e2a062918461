package io.tributary.scheduler;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.tributary.api.v1.SchedulerServiceGrpc;
import io.tributary.catalog.DynamoCatalog;
import io.tributary.catalog.Lease;
import io.tributary.infra.LocalStack;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Test helper: schedulers and runners as child processes on the local stack, each test class
 * with its own catalog table (so leases, tables and assignments of other classes never leak in),
 * plus a gRPC client, the catalog, topics and a steady JSON producer.
 */
final class TestCluster implements AutoCloseable {

  final LocalStack stack;
  final String catalogTable;
  final Map<String, String> env;
  final DynamoCatalog catalog;
  private final DynamoDbClient dynamo;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  TestCluster(LocalStack stack, String catalogTable, Map<String, String> extraEnv) {
    this.stack = stack;
    this.catalogTable = catalogTable;
    Map<String, String> e = new HashMap<>(stack.env());
    e.put("TRIBUTARY_CATALOG_TABLE", catalogTable);
    e.putAll(extraEnv);
    this.env = Map.copyOf(e);
    this.dynamo = StackClients.dynamo(stack);
    this.catalog = DynamoCatalog.builder().client(dynamo).tableName(catalogTable).build();
    catalog.createCatalogTableIfAbsent();
  }

  static int freePort() {
    return StackClients.freePort();
  }

  /** A scheduler child process. */
  record Scheduler(String id, int grpcPort, int httpPort, ChildProcess proc) {
    String address() {
      return "127.0.0.1:" + grpcPort;
    }
  }

  Scheduler scheduler(String id) {
    int grpc = freePort();
    int http = freePort();
    ChildProcess p = ChildProcess.start(catalogTable + "-" + id, ChildProcess.jar("tributary.scheduler.jar"), env,
        List.of("--id", id, "--grpc-port", Integer.toString(grpc), "--http-port", Integer.toString(http),
            "--advertise", "127.0.0.1"));
    closeables.add(p);
    return new Scheduler(id, grpc, http, p);
  }

  ChildProcess runner(String id) {
    Map<String, String> e = new HashMap<>(env);
    e.put("TRIBUTARY_HTTP_PORT", Integer.toString(freePort()));
    ChildProcess p = ChildProcess.start(catalogTable + "-" + id, ChildProcess.jar("tributary.runner.jar"), e,
        List.of("--id", id));
    closeables.add(p);
    return p;
  }

  /** The live lease holder, or null. */
  Lease leader() {
    return catalog.currentLease().filter(l -> l.isLive(System.currentTimeMillis())).orElse(null);
  }

  Scheduler awaitLeader(Scheduler s, Duration timeout) {
    Poll.until(s.id() + " leads", timeout, () -> {
      if (!s.proc().alive()) {
        throw new AssertionError(s.id() + " died:\n" + s.proc().logTail(40));
      }
      Lease l = leader();
      return l != null && l.owner().equals(s.id()) && httpGet(s, "/q/health").replaceAll("\\s", "").contains("\"role\":\"leader\"");
    });
    return s;
  }

  SchedulerServiceGrpc.SchedulerServiceBlockingStub api(Scheduler s, String token) {
    ManagedChannel ch = ManagedChannelBuilder.forAddress("127.0.0.1", s.grpcPort()).usePlaintext().build();
    channels.add(ch);
    SchedulerServiceGrpc.SchedulerServiceBlockingStub stub = SchedulerServiceGrpc.newBlockingStub(ch);
    if (token != null) {
      Metadata md = new Metadata();
      md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
      stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
    }
    return stub.withDeadlineAfter(30, java.util.concurrent.TimeUnit.SECONDS);
  }

  ManagedChannel channel(Scheduler s) {
    ManagedChannel ch = ManagedChannelBuilder.forAddress("127.0.0.1", s.grpcPort()).usePlaintext().build();
    channels.add(ch);
    return ch;
  }

  String httpGet(Scheduler s, String path) {
    return TestHttp.get("http://127.0.0.1:" + s.httpPort() + path);
  }


  void createTopic(String topic, int partitions) {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException("cannot create topic " + topic, e);
    }
  }

  void addPartitions(String topic, int total) {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
      admin.createPartitions(Map.of(topic, org.apache.kafka.clients.admin.NewPartitions.increaseTo(total))).all().get();
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException("cannot add partitions to " + topic, e);
    }
  }

  /** The definition JSON of a small table on {@code topic}. */
  String definition(String table, String topic, String start) {
    return """
        {"name":"%s","source":{"bootstrap":"%s","topic":"%s","start":"%s"},"format":"json",
         "columns":[{"name":"id","type":"long","path":"$.id","nullable":false},
                    {"name":"msg","type":"string","path":"$.msg"}],
         "output":{"bucket":"%s","prefix":"tables","compression":"zstd"},
         "flush":{"max_rows":100000,"max_bytes":"16MiB","max_age":"1s"}}
        """.formatted(table, stack.kafkaBootstrap(), topic, start, stack.bucket());
  }

  /** Sends {@code perPartition} records to every partition of {@code topic}, synchronously. */
  void produce(String topic, int partitions, int perPartition) {
    try (KafkaProducer<String, String> p = producer()) {
      long id = 0;
      for (int i = 0; i < perPartition; i++) {
        for (int part = 0; part < partitions; part++) {
          p.send(new ProducerRecord<>(topic, part, null, "{\"id\":" + (id++) + ",\"msg\":\"m\"}"));
        }
      }
      p.flush();
    }
  }

  /** A background producer writing about {@code perSecond} records a second round-robin over the partitions. */
  final class SteadyLoad implements AutoCloseable {
    final AtomicLong sent = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;

    SteadyLoad(String topic, int partitions, int perSecond) {
      thread = new Thread(() -> {
        try (KafkaProducer<String, String> p = producer()) {
          long start = System.nanoTime();
          long n = 0;
          while (!stop.get()) {
            long due = (System.nanoTime() - start) * perSecond / 1_000_000_000L;
            while (n < due) {
              p.send(new ProducerRecord<>(topic, (int) (n % partitions), null, "{\"id\":" + n + ",\"msg\":\"m\"}"));
              n++;
            }
            sent.set(n);
            try {
              Thread.sleep(10);
            } catch (InterruptedException e) {
              return;
            }
          }
          p.flush();
          sent.set(n);
        }
      }, "it-steady-load");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() {
      stop.set(true);
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  SteadyLoad steadyLoad(String topic, int partitions, int perSecond) {
    SteadyLoad l = new SteadyLoad(topic, partitions, perSecond);
    closeables.add(0, l);
    return l;
  }

  KafkaProducer<String, String> producer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    // generous: a loaded 2-core CI machine may take minutes to elect leaders of a fresh topic
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "600000");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "300000");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    for (ManagedChannel ch : channels) {
      ch.shutdownNow();
    }
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception e) {
        // best effort
      }
    }
    dynamo.close();
  }
}
