package io.tributary.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.DynamoCatalog;
import io.tributary.catalog.PartObject;
import io.tributary.catalog.TableDefinition;
import io.tributary.infra.LocalStack;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.parquet.example.data.Group;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/** Integration-test helpers over the local stack: clients, topics, producing, reading landed data back. */
final class ItSupport {
    static final ObjectMapper JSON = new ObjectMapper();

    private ItSupport() {
    }

    static String unique(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    static S3Client s3(LocalStack stack) {
        return S3Client.builder().endpointOverride(stack.s3Endpoint()).region(Region.of(stack.region()))
                .forcePathStyle(true).httpClient(UrlConnectionHttpClient.builder().build())
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(stack.accessKeyId(), stack.secretAccessKey())))
                .build();
    }

    static DynamoDbClient dynamo(LocalStack stack) {
        return DynamoDbClient.builder().endpointOverride(stack.dynamoEndpoint()).region(Region.of(stack.region()))
                .httpClient(UrlConnectionHttpClient.builder().build())
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(stack.accessKeyId(), stack.secretAccessKey())))
                .build();
    }

    static DynamoCatalog catalog(LocalStack stack, String catalogTable) {
        DynamoCatalog c = new DynamoCatalog(dynamo(stack), catalogTable);
        c.createCatalogTableIfAbsent();
        return c;
    }

    static void createTopic(LocalStack stack, String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap()))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
    }

    /** The clicks-like table of DESIGN.md with a required event id. */
    static TableDefinition table(LocalStack stack, String name, String topic, TableDefinition.Flush flush,
            TableDefinition.Errors errors) {
        return TableDefinition.builder(name).source(stack.kafkaBootstrap(), topic)
                .column(new TableDefinition.Column("event_id", io.tributary.catalog.ColumnType.parse("string"), "$.event_id",
                        false))
                .column(new TableDefinition.Column("user_id", io.tributary.catalog.ColumnType.parse("long"), "$.user.id",
                        true))
                .column(new TableDefinition.Column("ts", io.tributary.catalog.ColumnType.parse("timestamp"), "$.ts", true))
                .column(new TableDefinition.Column("amount", io.tributary.catalog.ColumnType.parse("decimal(12,2)"),
                        "$.amount", true))
                .column(new TableDefinition.Column("attrs", io.tributary.catalog.ColumnType.parse("json"), "$.attrs", true))
                .metadata(List.of("_partition", "_offset", "_timestamp", "_key"))
                .output(new TableDefinition.Output(stack.bucket(), "tables", null)).flush(flush).errors(errors).build();
    }

    /** What was produced: per partition, offset -> event id (good) or null (malformed). */
    static final class Produced {
        final Map<Integer, Map<Long, String>> byPartition = new ConcurrentHashMap<>();
        long good;
        long bad;

        long total() {
            return good + bad;
        }
    }

    /** A good record, or every {@code badEvery}-th record a malformed one of one of three kinds. */
    static byte[] value(long i, int badEvery) {
        if (badEvery > 0 && i % badEvery == badEvery - 1) {
            long kind = (i / badEvery) % 3;
            if (kind == 0) {
                return ("{\"event_id\":\"e" + i + "\",\"user\":{\"id\":").getBytes(StandardCharsets.UTF_8); // bad JSON
            } else if (kind == 1) {
                return ("{\"event_id\":\"e" + i + "\",\"user\":{\"id\":\"not-a-number\"}}").getBytes(StandardCharsets.UTF_8);
            } else {
                return ("{\"user\":{\"id\":" + i + "}}").getBytes(StandardCharsets.UTF_8); // missing required
            }
        }
        return ("{\"event_id\":\"e" + i + "\",\"user\":{\"id\":" + i + ",\"name\":\"user " + (i % 97)
                + "\"},\"ts\":\"2024-05-0" + (1 + i % 9) + "T12:34:56." + (100 + i % 900) + "Z\",\"amount\":\""
                + (i % 10000) + "." + (i % 100 < 10 ? "0" : "") + (i % 100) + "\",\"attrs\":{\"i\":" + i
                + ",\"tags\":[\"a\",\"b\"]},\"ok\":true}").getBytes(StandardCharsets.UTF_8);
    }

    static boolean isBad(long i, int badEvery) {
        return badEvery > 0 && i % badEvery == badEvery - 1;
    }

    /** Produces ids {@code [from, to)}, record i to partition i % partitions. */
    static void produce(LocalStack stack, String topic, int partitions, long from, long to, int badEvery,
            Produced out) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // generous: a loaded 2-core CI machine may take minutes to elect leaders of a fresh topic
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "600000");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "300000");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            List<Future<RecordMetadata>> futures = new ArrayList<>();
            List<Long> ids = new ArrayList<>();
            for (long i = from; i < to; i++) {
                int part = (int) (i % partitions);
                futures.add(producer.send(new ProducerRecord<>(topic, part, System.currentTimeMillis(),
                        ("k" + i).getBytes(StandardCharsets.UTF_8), value(i, badEvery))));
                ids.add(i);
            }
            producer.flush();
            for (int k = 0; k < futures.size(); k++) {
                RecordMetadata md = futures.get(k).get();
                long i = ids.get(k);
                boolean bad = isBad(i, badEvery);
                out.byPartition.computeIfAbsent(md.partition(), x -> new ConcurrentHashMap<>()).put(md.offset(),
                        bad ? "" : "e" + i);
                if (bad) {
                    out.bad++;
                } else {
                    out.good++;
                }
            }
        }
    }

    static Map<Integer, Long> endOffsets(LocalStack stack, String topic, int partitions) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int i = 0; i < partitions; i++) {
                tps.add(new TopicPartition(topic, i));
            }
            return c.endOffsets(tps, Duration.ofSeconds(30)).entrySet().stream()
                    .collect(Collectors.toMap(e -> e.getKey().partition(), Map.Entry::getValue));
        }
    }

    /** Head end offsets from the catalog. */
    static Map<Integer, Long> committed(DynamoCatalog catalog, String table, int partitions) {
        Map<Integer, Long> m = new HashMap<>();
        for (int i = 0; i < partitions; i++) {
            m.put(i, catalog.head(table, i).map(CommitRecord::endOffset).orElse(-1L));
        }
        return m;
    }

    static void await(Duration timeout, String what, BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    /** Everything the committed chains reference, read back from S3. */
    static final class Landed {
        /** (partition, offset) -> how many times it appears in committed data parts; value = event_id. */
        final Map<Integer, Map<Long, List<String>>> rows = new HashMap<>();
        /** (partition, offset) -> errors of committed dead letters. */
        final Map<Integer, Map<Long, List<String>>> deadLetters = new HashMap<>();
        long committedRows;
        long committedDlqRows;
        int records;
        int parts;
        final List<String> keys = new ArrayList<>();
    }

    static Landed readLanded(DynamoCatalog catalog, S3Client s3, String bucket, String table, Set<Integer> partitions)
            throws Exception {
        Landed l = new Landed();
        for (int p : partitions) {
            List<CommitRecord> chain = catalog.chain(table, p).toList();
            for (CommitRecord r : chain) {
                if (r.isGenesis()) {
                    continue;
                }
                l.records++;
                l.committedRows += r.rows();
                l.committedDlqRows += r.dlqRows();
                for (PartObject o : r.objects()) {
                    l.keys.add(o.key());
                    byte[] bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(o.key())).asByteArray();
                    assertThat((long) bytes.length).as("bytes of " + o.key()).isEqualTo(o.bytes());
                    if (o.kind() == PartObject.Kind.DATA) {
                        l.parts++;
                        Parts.Read read = Parts.read(bytes);
                        assertThat(read.rows()).as("rows of " + o.key()).hasSize((int) o.rows());
                        for (Group g : read.rows()) {
                            assertThat(g.getInteger("_partition", 0)).isEqualTo(p);
                            long off = g.getLong("_offset", 0);
                            assertThat(off).isBetween(r.startOffset(), r.endOffset() - 1);
                            l.rows.computeIfAbsent(p, x -> new HashMap<>()).computeIfAbsent(off, x -> new ArrayList<>())
                                    .add(g.getString("event_id", 0));
                        }
                    } else {
                        int n = 0;
                        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                                new GZIPInputStream(new ByteArrayInputStream(bytes)), StandardCharsets.UTF_8))) {
                            String line;
                            while ((line = in.readLine()) != null) {
                                JsonNode j = JSON.readTree(line);
                                n++;
                                assertThat(j.get("partition").asInt()).isEqualTo(p);
                                long off = j.get("offset").asLong();
                                assertThat(off).isBetween(r.startOffset(), r.endOffset() - 1);
                                assertThat(j.has("timestamp") && j.has("key_b64") && j.has("value_b64")).isTrue();
                                l.deadLetters.computeIfAbsent(p, x -> new HashMap<>())
                                        .computeIfAbsent(off, x -> new ArrayList<>()).add(j.get("error").asText());
                            }
                        }
                        assertThat((long) n).as("lines of " + o.key()).isEqualTo(o.rows());
                    }
                }
            }
        }
        return l;
    }

    /** Asserts every good record landed exactly once as a row and every bad one exactly once as a dead letter. */
    static void assertExactlyOnce(Produced produced, Landed landed) {
        long good = 0;
        long bad = 0;
        for (Map.Entry<Integer, Map<Long, String>> e : produced.byPartition.entrySet()) {
            int p = e.getKey();
            Map<Long, List<String>> rows = landed.rows.getOrDefault(p, Map.of());
            Map<Long, List<String>> dl = landed.deadLetters.getOrDefault(p, Map.of());
            for (Map.Entry<Long, String> r : e.getValue().entrySet()) {
                long off = r.getKey();
                if (r.getValue().isEmpty()) {
                    bad++;
                    assertThat(dl.get(off)).as("dead letters for p%d@%d", p, off).hasSize(1);
                    assertThat(rows.get(off)).as("rows for bad p%d@%d", p, off).isNull();
                    String err = dl.get(off).get(0);
                    assertThat(err).as("reason of p%d@%d", p, off).satisfiesAnyOf(
                            s -> assertThat(s).startsWith("invalid JSON at line 1"),
                            s -> assertThat(s).startsWith("column 'user_id' ($.user.id): expected long"),
                            s -> assertThat(s).startsWith("column 'event_id' ($.event_id): missing required value"));
                } else {
                    good++;
                    assertThat(rows.get(off)).as("rows for p%d@%d", p, off).containsExactly(r.getValue());
                    assertThat(dl.get(off)).as("dead letters for good p%d@%d", p, off).isNull();
                }
            }
        }
        assertThat(good).isEqualTo(produced.good);
        assertThat(bad).isEqualTo(produced.bad);
        long landedRows = landed.rows.values().stream().mapToLong(Map::size).sum();
        long landedDl = landed.deadLetters.values().stream().mapToLong(Map::size).sum();
        assertThat(landedRows).as("distinct rows landed").isEqualTo(produced.good);
        assertThat(landedDl).as("distinct dead letters landed").isEqualTo(produced.bad);
        assertThat(landed.committedRows).as("rows in commit records").isEqualTo(produced.good);
        assertThat(landed.committedDlqRows).as("dlq_rows in commit records").isEqualTo(produced.bad);
    }
}
