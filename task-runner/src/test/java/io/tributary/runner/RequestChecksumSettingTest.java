package io.tributary.runner;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The runner's S3 client sends request checksums only where S3 requires one, unless the user says otherwise. */
class RequestChecksumSettingTest {
    @Test
    void theRunnerAsksForChecksumsOnlyWhereRequired() {
        String before = System.getProperty("aws.requestChecksumCalculation");
        try {
            System.clearProperty("aws.requestChecksumCalculation");
            RunnerMain.requestChecksumsOnlyWhereRequired();
            if (System.getenv("AWS_REQUEST_CHECKSUM_CALCULATION") == null) {
                assertThat(System.getProperty("aws.requestChecksumCalculation")).isEqualTo("WHEN_REQUIRED");
            }
            System.setProperty("aws.requestChecksumCalculation", "WHEN_SUPPORTED");
            RunnerMain.requestChecksumsOnlyWhereRequired();
            assertThat(System.getProperty("aws.requestChecksumCalculation")).isEqualTo("WHEN_SUPPORTED");
        } finally {
            if (before == null) {
                System.clearProperty("aws.requestChecksumCalculation");
            } else {
                System.setProperty("aws.requestChecksumCalculation", before);
            }
        }
    }
}
