package io.tributary.scheduler;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.io.IOException;
import java.net.ServerSocket;

/**
 * Entry point: {@code java -jar quarkus-run.jar [--id ID] [--grpc-port P] [--http-port P]
 * [--advertise HOST] [--scaler NAME]}. Flags become configuration before Quarkus starts (port 0
 * picks a free port here, so the advertised address is known); everything else comes from
 * application.properties and the environment ({@code TRIBUTARY_*}, {@code AWS_*}).
 */
@QuarkusMain
public final class SchedulerMain {

  private SchedulerMain() {
  }

  public static void main(String... args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String v = i + 1 < args.length ? args[i + 1] : null;
      switch (a) {
        case "--id" -> System.setProperty("tributary.scheduler.id", need(a, v));
        case "--grpc-port" -> System.setProperty("quarkus.grpc.server.port", port(a, need(a, v)));
        case "--http-port" -> System.setProperty("quarkus.http.port", port(a, need(a, v)));
        case "--advertise" -> System.setProperty("tributary.scheduler.advertised-host", need(a, v));
        case "--scaler" -> System.setProperty("tributary.scheduler.scaler", need(a, v));
        case "-h", "--help" -> {
          System.out.println("usage: tributary scheduler [--id ID] [--grpc-port P] [--http-port P] [--advertise HOST]"
              + " [--scaler NAME]\n  ports default to 9000 (gRPC) and 8080 (HTTP: /q/health, /q/metrics); 0 = free port");
          return;
        }
        default -> {
          System.err.println("scheduler: unknown argument '" + a + "' (try --help)");
          System.exit(2);
        }
      }
      i++;
    }
    tls(System.getenv("TRIBUTARY_TLS_CERT"), System.getenv("TRIBUTARY_TLS_KEY"));
    if ("0".equals(System.getProperty("quarkus.grpc.server.port"))) {
      System.setProperty("quarkus.grpc.server.port", Integer.toString(freePort()));
    }
    if ("0".equals(System.getProperty("quarkus.http.port"))) {
      System.setProperty("quarkus.http.port", Integer.toString(freePort()));
    }
    Quarkus.run(args);
  }

  /**
   * TLS on the gRPC server (both services) from PEM files: {@code TRIBUTARY_TLS_CERT} (certificate
   * chain) and {@code TRIBUTARY_TLS_KEY} (private key, PKCS#8). Neither = plaintext (a warning at
   * startup); only one = an error.
   */
  static void tls(String cert, String key) {
    boolean c = cert != null && !cert.isBlank();
    boolean k = key != null && !key.isBlank();
    if (c != k) {
      System.err.println("scheduler: TRIBUTARY_TLS_CERT and TRIBUTARY_TLS_KEY must be set together (got only "
          + (c ? "TRIBUTARY_TLS_CERT" : "TRIBUTARY_TLS_KEY") + ")");
      System.exit(2);
    }
    if (c) {
      for (String[] f : new String[][] {{"TRIBUTARY_TLS_CERT", cert}, {"TRIBUTARY_TLS_KEY", key}}) {
        if (!java.nio.file.Files.isReadable(java.nio.file.Path.of(f[1]))) {
          System.err.println("scheduler: " + f[0] + ": cannot read " + f[1]);
          System.exit(2);
        }
      }
      System.setProperty("quarkus.grpc.server.ssl.certificate", cert);
      System.setProperty("quarkus.grpc.server.ssl.key", key);
      System.setProperty("quarkus.grpc.server.plain-text", "false");
    }
  }

  private static String need(String flag, String v) {
    if (v == null || v.startsWith("--")) {
      System.err.println("scheduler: " + flag + " needs a value");
      System.exit(2);
    }
    return v;
  }

  private static String port(String flag, String v) {
    try {
      int p = Integer.parseInt(v);
      if (p < 0 || p > 65535) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      System.err.println("scheduler: " + flag + " must be a port 0..65535, got '" + v + "'");
      System.exit(2);
      return v;
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port", e);
    }
  }
}
