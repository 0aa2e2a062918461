package io.tributary.scheduler.scaling;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.tributary.api.v1.ClusterStatus;
import io.tributary.api.v1.CreateTableRequest;
import io.tributary.api.v1.GetStatusRequest;
import io.tributary.api.v1.SchedulerServiceGrpc;
import io.tributary.catalog.AuditReport;
import io.tributary.catalog.DynamoCatalog;
import io.tributary.catalog.Lease;
import io.tributary.infra.LocalStack;
import io.tributary.scheduler.ChildProcess;
import io.tributary.scheduler.Poll;
import io.tributary.scheduler.StackClients;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Test helper for the process-level scaling tests: a scheduler (and, where a test needs them,
 * runners) as child processes on the local stack, with their own catalog table; a gRPC client,
 * the catalog for audits, topics, a rate-controlled JSON producer, and the scheduler's metrics.
 * Everything it starts is stopped by {@link #close()} (and by a shutdown hook if the test JVM dies).
 */
final class ScalingItCluster implements AutoCloseable {

  final LocalStack stack;
  final String catalogTable;
  final Map<String, String> env;
  final DynamoCatalog catalog;
  final Path logs;
  private final DynamoDbClient dynamo;
  private final List<ChildProcess> children = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private int grpcPort;
  private int httpPort;
  private ChildProcess scheduler;

  ScalingItCluster(LocalStack stack, String catalogTable, Map<String, String> extraEnv) {
    this.stack = stack;
    this.catalogTable = catalogTable;
    this.logs = Path.of(System.getProperty("tributary.it.logs", "target/it-logs")).resolve(catalogTable);
    Map<String, String> e = new HashMap<>(stack.env());
    e.put("TRIBUTARY_CATALOG_TABLE", catalogTable);
    e.put("TRIBUTARY_HOME", logs.toString()); // local runner logs under <logs>/.tributary/runners
    e.put("TRIBUTARY_SCALER_TARGET", ChildProcess.jar("tributary.runner.jar").toString());
    e.put("TRIBUTARY_RUNNER_JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
    e.putAll(extraEnv);
    this.env = Map.copyOf(e);
    this.dynamo = StackClients.dynamo(stack);
    this.catalog = DynamoCatalog.builder().client(dynamo).tableName(catalogTable).build();
    catalog.createCatalogTableIfAbsent();
  }

  static int freePort() {
    return StackClients.freePort();
  }

  ChildProcess start(String name, Path jar, List<String> args) {
    ChildProcess c = ChildProcess.start(name, jar, env, args, logs);
    children.add(c);
    return c;
  }

  /** Starts the scheduler with {@code args} (e.g. {@code --scaler local}) and waits until it leads. */
  ChildProcess scheduler(List<String> args) {
    grpcPort = freePort();
    httpPort = freePort();
    List<String> a = new ArrayList<>(List.of("--id", "sched", "--grpc-port", Integer.toString(grpcPort),
        "--http-port", Integer.toString(httpPort), "--advertise", "127.0.0.1"));
    a.addAll(args);
    scheduler = start("scheduler", ChildProcess.jar("tributary.scheduler.jar"), a);
    until("the scheduler leads", Duration.ofSeconds(120), () -> {
      if (!scheduler.alive()) {
        throw new AssertionError("scheduler died:\n" + scheduler.logTail(60));
      }
      Lease l = catalog.currentLease().filter(x -> x.isLive(System.currentTimeMillis())).orElse(null);
      return l != null && l.owner().equals("sched") && status() != null;
    });
    return scheduler;
  }

  /** A runner the test starts itself (not through a scaler). */
  ChildProcess runner(String id) {
    return start(id, ChildProcess.jar("tributary.runner.jar"), List.of("--id", id));
  }

  ChildProcess schedulerProcess() {
    return scheduler;
  }

  SchedulerServiceGrpc.SchedulerServiceBlockingStub api() {
    ManagedChannel ch;
    synchronized (channels) {
      if (channels.isEmpty()) {
        channels.add(ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build());
      }
      ch = channels.get(0);
    }
    return SchedulerServiceGrpc.newBlockingStub(ch).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  ClusterStatus status() {
    return api().getStatus(GetStatusRequest.getDefaultInstance());
  }

  /** The scheduler's Prometheus text. */
  String metrics() {
    return io.tributary.scheduler.TestHttp.get("http://127.0.0.1:" + httpPort + "/q/metrics");
  }


  /** Sum of all series of a Prometheus metric (0 if absent). */
  static double metric(String text, String name) {
    double sum = 0;
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(text);
    while (m.find()) {
      sum += Double.parseDouble(m.group(2));
    }
    return sum;
  }

  void createTopic(String topic, int partitions) {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException("cannot create topic " + topic, e);
    }
  }

  void createTable(String table, String topic) {
    String def = """
        {"name":"%s","source":{"bootstrap":"%s","topic":"%s","start":"earliest"},"format":"json",
         "columns":[{"name":"id","type":"long","path":"$.id","nullable":false},
                    {"name":"msg","type":"string","path":"$.msg"}],
         "output":{"bucket":"%s","prefix":"tables","compression":"zstd"},
         "flush":{"max_rows":20000,"max_bytes":"4MiB","max_age":"1s"},
         "scaling":{"min_runners":1,"max_runners":8}}
        """.formatted(table, stack.kafkaBootstrap(), topic, stack.bucket());
    api().createTable(CreateTableRequest.newBuilder().setDefinitionJson(def).build());
  }

  /** The catalog audit; fails the test on any problem (gap, overlap, bad record). */
  AuditReport auditExact(String table) {
    AuditReport r = catalog.audit(table);
    if (!r.problems().isEmpty()) {
      throw new AssertionError("audit of " + table + " is not exact: " + r.problems());
    }
    return r;
  }

  static long rows(AuditReport r) {
    return r.partitions().stream().mapToLong(AuditReport.PartitionSummary::rows).sum();
  }

  /** A background producer writing about {@code perSecond} records a second round-robin over the partitions. */
  final class Load implements AutoCloseable {
    final AtomicLong sent = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;
    private volatile double perSecond;

    Load(String topic, int partitions, double perSecond) {
      this.perSecond = perSecond;
      thread = new Thread(() -> {
        try (KafkaProducer<String, String> p = producer()) {
          long start = System.nanoTime();
          double due = 0;
          long lastNanos = start;
          while (!stop.get()) {
            long now = System.nanoTime();
            due += this.perSecond * (now - lastNanos) / 1e9;
            lastNanos = now;
            while (due >= 1) {
              long id = sent.getAndIncrement();
              p.send(new ProducerRecord<>(topic, (int) (id % partitions), null,
                  "{\"id\":" + id + ",\"msg\":\"scaling test record " + id + "\"}"));
              due -= 1;
            }
            try {
              Thread.sleep(20);
            } catch (InterruptedException e) {
              return;
            }
          }
          p.flush();
        }
      }, "scaling-it-load");
      thread.setDaemon(true);
      thread.start();
      closeables.add(this);
    }

    void rate(double perSecond) {
      this.perSecond = perSecond;
    }

    /** Stops producing; every record counted in {@link #sent} is acknowledged when this returns. */
    @Override
    public void close() {
      stop.set(true);
      try {
        thread.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  KafkaProducer<String, String> producer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    return new KafkaProducer<>(p);
  }

  /** Polls until {@code check} holds; an assertion inside it (a bad audit) fails at once. */
  static <T> T until(String what, Duration timeout, Supplier<T> check) {
    return Poll.untilFailFast(what, timeout, check);
  }

  /** Live runner processes started by the local scaler under this cluster (their ids from the runner log files). */
  long localRunnerLogs() {
    Path dir = logs.resolve(".tributary").resolve("runners");
    try (var s = Files.list(dir)) {
      return s.count();
    } catch (IOException e) {
      return 0;
    }
  }

  @Override
  public void close() {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception e) {
        // best effort
      }
    }
    channels.forEach(ManagedChannel::shutdownNow);
    // Newest first, so the scheduler goes before the runners: SIGTERM makes the local scaler drain its runners.
    for (int i = children.size() - 1; i >= 0; i--) {
      children.get(i).stop(Duration.ofSeconds(60));
      children.get(i).close();
    }
    dynamo.close();
  }
}
