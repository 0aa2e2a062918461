package io.tributary.runner.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.infra.LocalStack;
import io.tributary.infra.LocalStackExtension;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumMode;

/**
 * Uploads through S3Mock, read back byte for byte: one PutObject, and a multipart upload whose buffer is reused for
 * every part (the request bodies are views of it, not copies), with the request checksums the runner's client sends
 * (none where S3 does not require one) and its signing (the payload unsigned, as over TLS, on S3Mock's plain HTTP).
 * Each upload takes the buffer of the one before on this thread, so a reused buffer must read back exactly too.
 */
@ExtendWith(LocalStackExtension.class)
class S3ObjectUploadTest {
    private static S3Client client(LocalStack stack, RequestChecksumCalculation checksums) {
        return S3Client.builder().endpointOverride(stack.s3Endpoint()).region(Region.of(stack.region()))
                .forcePathStyle(true).httpClient(UrlConnectionHttpClient.builder().build())
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(stack.accessKeyId(), stack.secretAccessKey())))
                .requestChecksumCalculation(checksums).putAuthScheme(new TlsEquivalentSigV4()).build();
    }

    private static byte[] upload(S3Client s3, String bucket, String key, int size, int partSize) throws Exception {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        S3ObjectUpload up = new S3ObjectUpload(s3, bucket, key, "application/octet-stream", partSize);
        int off = 0;
        int step = 1;
        while (off < size) {
            if (step % 7 == 0) {
                up.write(bytes[off++]);
            } else {
                int n = Math.min(size - off, 1 + (step * 7919) % 300_000);
                up.write(bytes, off, n);
                off += n;
            }
            step++;
        }
        up.close();
        assertThat(up.getPos()).isEqualTo(size);
        return bytes;
    }

    @Test
    void smallAndMultipartObjectsReadBackExactly(LocalStack stack) throws Exception {
        String bucket = stack.bucket();
        try (S3Client s3 = client(stack, RequestChecksumCalculation.WHEN_REQUIRED)) {
            byte[] small = upload(s3, bucket, "upload-test/small", 1_000, 5 << 20);
            assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("upload-test/small")).asByteArray()).isEqualTo(small);
            // 13 MiB in 5 MiB parts: three UploadPart requests from one reused buffer
            byte[] big = upload(s3, bucket, "upload-test/big", 13 << 20, 5 << 20);
            byte[] back = s3.getObjectAsBytes(b -> b.bucket(bucket).key("upload-test/big")).asByteArray();
            assertThat(back.length).isEqualTo(big.length);
            assertThat(back).isEqualTo(big);
        }
    }

    @Test
    void noRequestChecksumWhereS3DoesNotRequireOne(LocalStack stack) throws Exception {
        String bucket = stack.bucket();
        try (S3Client when = client(stack, RequestChecksumCalculation.WHEN_SUPPORTED);
                S3Client required = client(stack, RequestChecksumCalculation.WHEN_REQUIRED)) {
            upload(when, bucket, "upload-test/crc", 10_000, 5 << 20);
            upload(required, bucket, "upload-test/none", 10_000, 5 << 20);
            // the SDK's default sends a CRC32 that S3 (here S3Mock) stores; the runner's setting sends none
            assertThat(when.headObject(b -> b.bucket(bucket).key("upload-test/crc").checksumMode(ChecksumMode.ENABLED))
                    .checksumCRC32()).isNotNull();
            assertThat(required.headObject(b -> b.bucket(bucket).key("upload-test/none").checksumMode(ChecksumMode.ENABLED))
                    .checksumCRC32()).isNull();
        }
    }
}
