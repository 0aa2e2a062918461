package io.tributary.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import io.tributary.api.v1.ListRunnersRequest;
import io.tributary.api.v1.ListTablesRequest;
import io.tributary.api.v1.RunnerInfo;
import io.tributary.api.v1.SchedulerServiceGrpc;
import io.tributary.api.v1.SchedulerServiceGrpc.SchedulerServiceBlockingStub;
import io.tributary.infra.LocalStack;
import io.tributary.infra.LocalStackExtension;
import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on both gRPC services, as configured in production: the scheduler serves a PEM certificate
 * and key ({@code TRIBUTARY_TLS_CERT}/{@code _KEY}); operators and runners trust its CA
 * ({@code TRIBUTARY_SCHEDULER_TLS=true}, {@code TRIBUTARY_SCHEDULER_CA}); bearer tokens still apply.
 * The certificate is a fresh self-signed one made with the JDK's keytool.
 */
@ExtendWith(LocalStackExtension.class)
class TlsIT {

  private static final String TOKEN = "tls-operator-token";
  private static final String RUNNER_TOKEN = "tls-runner-token";

  @TempDir
  Path dir;

  @Test
  void both_services_serve_tls_and_plaintext_or_untrusted_clients_are_refused(LocalStack stack) throws Exception {
    Path[] pem = selfSigned(dir);
    Path cert = pem[0];
    Map<String, String> env = Map.of("TRIBUTARY_TLS_CERT", cert.toString(), "TRIBUTARY_TLS_KEY", pem[1].toString(),
        "TRIBUTARY_SCHEDULER_TLS", "true", "TRIBUTARY_SCHEDULER_CA", cert.toString(),
        "TRIBUTARY_AUTH_TOKEN", TOKEN, "TRIBUTARY_AUTH_RUNNER_TOKEN", RUNNER_TOKEN);
    try (TestCluster c = new TestCluster(stack, "catalog-tls", env)) {
      TestCluster.Scheduler s = c.awaitLeader(c.scheduler("sched-tls"), Duration.ofSeconds(180));
      assertThat(s.proc().logText()).contains("tls: gRPC (SchedulerService and RunnerService) over TLS");

      ManagedChannel trusted = Grpc.newChannelBuilderForAddress("127.0.0.1", s.grpcPort(),
          TlsChannelCredentials.newBuilder().trustManager(cert.toFile()).build()).build();
      ManagedChannel systemCas = Grpc.newChannelBuilderForAddress("127.0.0.1", s.grpcPort(),
          TlsChannelCredentials.create()).build();
      try {
        // trusted TLS + token: served
        assertThat(stub(trusted, TOKEN).listTables(ListTablesRequest.getDefaultInstance()).getTablesList()).isEmpty();
        // trusted TLS, no token: still UNAUTHENTICATED
        assertThat(code(() -> stub(trusted, null).listTables(ListTablesRequest.getDefaultInstance())))
            .isEqualTo(Status.Code.UNAUTHENTICATED);
        // plaintext to the TLS port: refused at the transport
        assertThat(code(() -> c.api(s, TOKEN).listTables(ListTablesRequest.getDefaultInstance())))
            .isEqualTo(Status.Code.UNAVAILABLE);
        // TLS that does not trust this certificate (system CAs only): the handshake fails
        assertThat(code(() -> stub(systemCas, TOKEN).listTables(ListTablesRequest.getDefaultInstance())))
            .isEqualTo(Status.Code.UNAVAILABLE);

        // a runner attaches over TLS with its token and heartbeats
        c.runner("r-tls");
        RunnerInfo r = Poll.until("r-tls attached over TLS", Duration.ofSeconds(120), () -> stub(trusted, TOKEN)
            .listRunners(ListRunnersRequest.getDefaultInstance()).getRunnersList().stream()
            .filter(x -> x.getId().equals("r-tls") && System.currentTimeMillis() - x.getLastHeartbeatMs() < 5_000)
            .findFirst().orElse(null));
        assertThat(r.getVersion()).isNotEmpty();
      } finally {
        trusted.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        systemCas.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private static SchedulerServiceBlockingStub stub(ManagedChannel ch, String token) {
    SchedulerServiceBlockingStub stub = SchedulerServiceGrpc.newBlockingStub(ch);
    if (token != null) {
      Metadata md = new Metadata();
      md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
      stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
    }
    return stub.withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private static Status.Code code(Runnable call) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call::run);
    assertThat(e).as("the call must fail").isNotNull();
    return e.getStatus().getCode();
  }

  /** A self-signed certificate for 127.0.0.1/localhost: [certificate PEM, PKCS#8 key PEM]. */
  static Path[] selfSigned(Path dir) throws Exception {
    Path ks = dir.resolve("scheduler.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process p = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair", "-alias", "scheduler", "-keyalg", "RSA",
        "-keysize", "2048", "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
        "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", "changeit")).redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = new FileInputStream(ks.toFile())) {
      store.load(in, "changeit".toCharArray());
    }
    Key key = store.getKey("scheduler", "changeit".toCharArray());
    Path cert = dir.resolve("scheduler.crt");
    Path keyFile = dir.resolve("scheduler.key");
    Files.writeString(cert, pem("CERTIFICATE", store.getCertificate("scheduler").getEncoded()));
    Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()));
    return new Path[] {cert, keyFile};
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der) + "\n-----END " + type + "-----\n";
  }
}
