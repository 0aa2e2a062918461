package io.tributary.scheduler;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.tributary.catalog.ListenPorts;

/**
 * Entry point: {@code java -jar quarkus-run.jar [--id ID] [--grpc-port P] [--http-port P]
 * [--advertise HOST] [--scaler NAME]}. Flags become configuration before Quarkus starts; ports are
 * chosen here by {@link ListenPorts#choose} (so the advertised address is known): the defaults 9000
 * (gRPC) and 8080 (HTTP), or a free port when a default is taken on this host; a port asked for
 * ({@code --grpc-port}/{@code --http-port}, {@code TRIBUTARY_SCHEDULER_GRPC_PORT}/{@code _HTTP_PORT})
 * that is taken is an error. Everything else comes from application.properties and the environment
 * ({@code TRIBUTARY_*}, {@code AWS_*}).
 */
@QuarkusMain
public final class SchedulerMain {

  private SchedulerMain() {
  }

  public static void main(String... args) {
    // not TRIBUTARY_HTTP_PORT: that is the runners' (and local runners inherit this environment)
    String grpcPort = System.getenv("TRIBUTARY_SCHEDULER_GRPC_PORT");
    String grpcSource = "TRIBUTARY_SCHEDULER_GRPC_PORT";
    String httpPort = System.getenv("TRIBUTARY_SCHEDULER_HTTP_PORT");
    String httpSource = "TRIBUTARY_SCHEDULER_HTTP_PORT";
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String v = i + 1 < args.length ? args[i + 1] : null;
      switch (a) {
        case "--id" -> System.setProperty("tributary.scheduler.id", need(a, v));
        case "--grpc-port" -> {
          grpcPort = need(a, v);
          grpcSource = a;
        }
        case "--http-port" -> {
          httpPort = need(a, v);
          httpSource = a;
        }
        case "--advertise" -> System.setProperty("tributary.scheduler.advertised-host", need(a, v));
        case "--scaler" -> System.setProperty("tributary.scheduler.scaler", need(a, v));
        case "-h", "--help" -> {
          System.out.println("usage: tributary scheduler [--id ID] [--grpc-port P] [--http-port P] [--advertise HOST]"
              + " [--scaler NAME]\n  ports default to 9000 (gRPC) and 8080 (HTTP: /q/health, /q/metrics), or a free port"
              + " when the default is taken on this host;\n  0 = a free port; a port asked for that is taken is an error");
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
    try {
      System.setProperty("quarkus.grpc.server.port", port("gRPC", grpcPort, grpcSource, 9000));
      System.setProperty("quarkus.http.port", port("HTTP", httpPort, httpSource, 8080));
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
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

  private static String port(String listener, String asked, String source, int defaultPort) {
    ListenPorts.Choice c = ListenPorts.choose("scheduler", listener, asked, source, defaultPort);
    if (c.note() != null) {
      System.err.println(c.note());
    }
    return Integer.toString(c.port());
  }
}
