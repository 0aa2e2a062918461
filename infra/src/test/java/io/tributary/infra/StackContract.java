package io.tributary.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Each server of a stack works with a real client. Run against the embedded local stack
 * ({@link LocalStackTest}) and, where Docker exists, against Testcontainers
 * ({@link TestcontainersStackTest}).
 */
abstract class StackContract {

    /** Endpoints under test. */
    record Endpoints(String kafkaBootstrap, java.net.URI dynamoEndpoint, java.net.URI s3Endpoint, String bucket,
                     String region, String accessKeyId, String secretAccessKey) {
    }

    abstract Endpoints endpoints();


    @Test
    void kafkaProducesAndConsumesOnEightPartitions() throws Exception {
        Endpoints stack = endpoints();
        String topic = "smoke-" + System.nanoTime();
        Map<String, Object> common = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
        try (Admin admin = Admin.create(common)) {
            admin.createTopics(List.of(new NewTopic(topic, 8, (short) 1))).all().get();
        }
        Properties pp = new Properties();
        pp.putAll(common);
        pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        int perPartition = 50;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp)) {
            for (int p = 0; p < 8; p++) {
                for (int i = 0; i < perPartition; i++) {
                    producer.send(new ProducerRecord<>(topic, p, "k" + i, "{\"p\":" + p + ",\"i\":" + i + "}"));
                }
            }
            producer.flush();
        }
        Properties cp = new Properties();
        cp.putAll(common);
        cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Set<String> seen = new HashSet<>();
        Map<Integer, Integer> perPart = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < 8; p++) {
                tps.add(new TopicPartition(topic, p));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (seen.size() < 8 * perPartition && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    assertThat(r.value()).contains("\"p\":" + r.partition() + ",");
                    seen.add(r.value());
                    perPart.merge(r.partition(), 1, Integer::sum);
                }
            }
        }
        assertThat(seen).hasSize(8 * perPartition);
        assertThat(perPart).hasSize(8).allSatisfy((p, n) -> assertThat(n).isEqualTo(perPartition));
    }

    @Test
    void dynamoConditionalPutFailsTheSecondTime() {
        Endpoints stack = endpoints();
        try (DynamoDbClient ddb = DynamoDbClient.builder()
                .endpointOverride(stack.dynamoEndpoint())
                .region(Region.of(stack.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(stack.accessKeyId(), stack.secretAccessKey())))
                .httpClient(UrlConnectionHttpClient.create())
                .build()) {
            String table = "smoke_" + System.nanoTime();
            ddb.createTable(b -> b.tableName(table)
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(
                            AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build(),
                            AttributeDefinition.builder().attributeName("sk").attributeType(ScalarAttributeType.S).build())
                    .keySchema(
                            KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build(),
                            KeySchemaElement.builder().attributeName("sk").keyType(KeyType.RANGE).build()));
            PutItemRequest put = PutItemRequest.builder()
                    .tableName(table)
                    .item(Map.of("pk", AttributeValue.fromS("part#t#0"), "sk", AttributeValue.fromS("00000000000000000001"),
                            "commit_id", AttributeValue.fromS("a")))
                    .conditionExpression("attribute_not_exists(pk)")
                    .build();
            ddb.putItem(put);
            assertThatThrownBy(() -> ddb.putItem(put)).isInstanceOf(ConditionalCheckFailedException.class);
            var item = ddb.getItem(b -> b.tableName(table).consistentRead(true)
                    .key(Map.of("pk", AttributeValue.fromS("part#t#0"), "sk", AttributeValue.fromS("00000000000000000001"))));
            assertThat(item.item().get("commit_id").s()).isEqualTo("a");
        }
    }

    @Test
    void s3PutsAndGetsTwentyMibAndMultipart() throws Exception {
        Endpoints stack = endpoints();
        try (S3Client s3 = S3Client.builder()
                .endpointOverride(stack.s3Endpoint())
                .forcePathStyle(true)
                .region(Region.of(stack.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(stack.accessKeyId(), stack.secretAccessKey())))
                .httpClient(UrlConnectionHttpClient.create())
                .build()) {
            byte[] body = new byte[20 << 20];
            new Random(42).nextBytes(body);
            String key = "smoke/" + System.nanoTime() + ".bin";
            s3.putObject(b -> b.bucket(stack.bucket()).key(key), RequestBody.fromBytes(body));
            byte[] back = s3.getObjectAsBytes(b -> b.bucket(stack.bucket()).key(key)).asByteArray();
            assertThat(sha256(back)).isEqualTo(sha256(body));

            String mkey = "smoke/" + System.nanoTime() + "-multipart.bin";
            String uploadId = s3.createMultipartUpload(b -> b.bucket(stack.bucket()).key(mkey)).uploadId();
            int partSize = 5 << 20;
            List<CompletedPart> parts = new ArrayList<>();
            for (int i = 0; i * partSize < body.length; i++) {
                int from = i * partSize;
                int len = Math.min(partSize, body.length - from);
                int partNumber = i + 1;
                UploadPartResponse r = s3.uploadPart(b -> b.bucket(stack.bucket()).key(mkey).uploadId(uploadId)
                        .partNumber(partNumber), RequestBody.fromBytes(java.util.Arrays.copyOfRange(body, from, from + len)));
                parts.add(CompletedPart.builder().partNumber(partNumber).eTag(r.eTag()).build());
            }
            s3.completeMultipartUpload(b -> b.bucket(stack.bucket()).key(mkey).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
            byte[] mback = s3.getObjectAsBytes(b -> b.bucket(stack.bucket()).key(mkey)).asByteArray();
            assertThat(parts).hasSize(4);
            assertThat(sha256(mback)).isEqualTo(sha256(body));
        }
    }

    private static String sha256(byte[] b) throws Exception {
        return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
