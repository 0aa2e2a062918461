package io.tributary.runner;

import io.tributary.runner.write.TlsEquivalentSigV4;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * The runner's S3 client: the one Quarkus configures ({@code quarkus.s3.*}), with request signing that treats a
 * plain-HTTP endpoint as HTTPS ({@link TlsEquivalentSigV4}: no per-chunk payload signatures).
 */
@ApplicationScoped
class S3ClientProducer {

    @Produces
    @ApplicationScoped
    S3Client s3(S3ClientBuilder builder) {
        return builder.putAuthScheme(new TlsEquivalentSigV4()).build();
    }
}
