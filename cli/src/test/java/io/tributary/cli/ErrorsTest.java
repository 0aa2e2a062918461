package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;

/** AWS SDK failures become one actionable line; the full chain stays available for --verbose. */
class ErrorsTest {

    @Test
    void missingCredentialsAreOneLineThatSaysWhatToRun() {
        // the SDK's real message: the whole provider chain, well over a thousand characters
        SdkClientException real = SdkClientException.create("Unable to load credentials from any of the providers in"
                + " the chain AwsCredentialsProviderChain(credentialsProviders=[SystemPropertyCredentialsProvider(),"
                + " EnvironmentVariableCredentialsProvider(), WebIdentityTokenFileCredentialsProvider(),"
                + " ProfileCredentialsProvider(profileName=default, profileFile=ProfileFile(sections=[])),"
                + " ContainerCredentialsProvider(), InstanceProfileCredentialsProvider()]) : [SystemPropertyCredentialsProvider():"
                + " Unable to load credentials from system settings. Access key must be specified either via environment"
                + " variable (AWS_ACCESS_KEY_ID) or system property (aws.accessKeyId)., ...]");
        CliException e = Errors.aws("DynamoDB", null, real);
        assertThat(e.getMessage()).doesNotContain("\n").hasSizeLessThan(Errors.MAX_LINE)
                .startsWith("no AWS credentials for DynamoDB").contains("tributary local up").contains("AWS_PROFILE")
                .doesNotContain("ProviderChain");
        assertThat(e.getCause()).isSameAs(real);
        assertThat(Errors.chain(e)).contains("caused by: " + SdkClientException.class.getName())
                .contains("AwsCredentialsProviderChain");
    }

    @Test
    void anUnreachableEndpointNamesItAndTheNextStep() {
        SdkClientException refused = SdkClientException.create("Unable to execute HTTP request: Connection refused\n  at …");
        assertThat(Errors.aws("S3", "http://127.0.0.1:1", refused).getMessage())
                .isEqualTo("cannot reach S3 at http://127.0.0.1:1: Unable to execute HTTP request: Connection refused"
                        + " (is the local stack up? `tributary local status`)");
        assertThat(Errors.aws("DynamoDB", "", SdkClientException.create("Unable to load region from any provider"))
                .getMessage()).startsWith("no AWS region for DynamoDB: set AWS_REGION");
    }

    @Test
    void anythingElseIsOneShortLineWithTheHint() {
        String longMessage = "x".repeat(2000) + "\nsecond line";
        String line = Errors.line(new IllegalStateException(longMessage));
        assertThat(line).doesNotContain("\n").startsWith("IllegalStateException: xxx").endsWith("(run again with"
                + " --verbose for the cause chain)");
        // the message itself is cut to MAX_LINE; only the class name and the hint come on top
        assertThat(line.length()).isEqualTo("IllegalStateException: ".length() + Errors.MAX_LINE
                + " (run again with --verbose for the cause chain)".length());
        // an SDK failure wrapped anywhere in the chain still gets the AWS line
        assertThat(Errors.line(new RuntimeException("wrapper", SdkClientException.create("Unable to load credentials from x"))))
                .startsWith("no AWS credentials for AWS");
    }
}
