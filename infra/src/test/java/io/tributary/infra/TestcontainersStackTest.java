package io.tributary.infra;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The same stack contract on Testcontainers (LocalStack for S3 + DynamoDB, Apache Kafka), for
 * machines with a Docker engine. Skipped cleanly where there is none.
 */
@Testcontainers(disabledWithoutDocker = true)
class TestcontainersStackTest extends StackContract {

    private static LocalStackContainer aws;
    private static KafkaContainer kafka;

    @BeforeAll
    static void start() {
        aws = new LocalStackContainer(DockerImageName.parse("localstack/localstack:3.8"))
                .withServices(LocalStackContainer.Service.S3, LocalStackContainer.Service.DYNAMODB);
        kafka = new KafkaContainer(DockerImageName.parse("apache/kafka:4.1.0"));
        aws.start();
        kafka.start();
        int code = LocalStack.httpStatus("PUT", aws.getEndpoint() + "/" + LocalStack.BUCKET);
        if (code != 200 && code != 409) {
            throw new IllegalStateException("could not create bucket on LocalStack: HTTP " + code);
        }
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.stop();
        }
        if (aws != null) {
            aws.stop();
        }
    }

    @Override
    Endpoints endpoints() {
        return new Endpoints(kafka.getBootstrapServers(), aws.getEndpoint(), aws.getEndpoint(), LocalStack.BUCKET,
                aws.getRegion(), aws.getAccessKey(), aws.getSecretKey());
    }
}
