package io.tributary.scheduler;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tributary.catalog.DynamoCatalog;
import io.tributary.iceberg.IcebergCatalogs;
import io.tributary.scheduler.scaling.ScalingConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Quarkus edge: builds the {@link SchedulerNode} from configuration and the injected DynamoDB
 * client, starts it at startup and closes it (releasing the lease) at shutdown.
 */
@ApplicationScoped
public class SchedulerBeans {

  private static final Logger LOG = Logger.getLogger(SchedulerBeans.class);

  @ConfigProperty(name = "tributary.scheduler.id")
  Optional<String> id;
  @ConfigProperty(name = "tributary.scheduler.advertised-host")
  Optional<String> advertisedHost;
  @ConfigProperty(name = "quarkus.grpc.server.port", defaultValue = "9000")
  int grpcPort;
  @ConfigProperty(name = "tributary.catalog.table", defaultValue = "tributary-catalog")
  String catalogTable;
  @ConfigProperty(name = "tributary.scheduler.lease-ttl", defaultValue = "5s")
  Duration leaseTtl;
  @ConfigProperty(name = "tributary.scheduler.renew-interval", defaultValue = "1s")
  Duration renewInterval;
  @ConfigProperty(name = "tributary.scheduler.dead-timeout", defaultValue = "3s")
  Duration deadTimeout;
  @ConfigProperty(name = "tributary.scheduler.revoke-timeout", defaultValue = "10s")
  Duration revokeTimeout;
  @ConfigProperty(name = "tributary.scheduler.takeover-grace", defaultValue = "8s")
  Duration takeoverGrace;
  @ConfigProperty(name = "tributary.scheduler.scaler")
  Optional<String> scaler;
  @ConfigProperty(name = "tributary.auth.token")
  Optional<String> token;
  @ConfigProperty(name = "tributary.auth.runner-token")
  Optional<String> runnerToken;

  @Produces
  @Singleton
  SchedulerNode node(DynamoDbClient dynamo, MeterRegistry meters) {
    String host = advertisedHost.filter(h -> !h.isBlank()).orElseGet(SchedulerBeans::localAddress);
    String me = id.filter(s -> !s.isBlank()).orElseGet(SchedulerBeans::defaultId);
    DynamoCatalog catalog = DynamoCatalog.builder().client(dynamo).tableName(catalogTable).build();
    catalog.createCatalogTableIfAbsent();
    SchedulerSettings d = SchedulerSettings.defaults(me, host + ":" + grpcPort);
    SchedulerSettings s = new SchedulerSettings(me, d.address(), leaseTtl, renewInterval, deadTimeout, revokeTimeout,
        d.tick(), d.tablesRefresh(), d.metadataPoll(), takeoverGrace);
    LOG.infof("scheduler %s: advertising %s; catalog table %s; lease %s renewed every %s; dead timeout %s, revoke"
        + " timeout %s", me, s.address(), catalogTable, leaseTtl, renewInterval, deadTimeout, revokeTimeout);
    ScalingConfig scaling = ScalingConfig.fromEnv(System.getenv(), scaler.filter(v -> !v.isBlank()).orElse(null));
    return new SchedulerNode(catalog, s, scaling, IcebergCatalogs.fromEnvironment(), meters, Clock.systemUTC());
  }

  void onStart(@Observes StartupEvent e, SchedulerNode node) {
    String cert = System.getProperty("quarkus.grpc.server.ssl.certificate");
    if (cert == null) {
      LOG.warn("tls: gRPC is PLAINTEXT (no TRIBUTARY_TLS_CERT / TRIBUTARY_TLS_KEY): tokens and table definitions"
          + " travel unencrypted. Fine for the local stack and demos only.");
    } else {
      LOG.infof("tls: gRPC (SchedulerService and RunnerService) over TLS with the certificate %s", cert);
    }
    if (token.filter(s -> !s.isBlank()).isEmpty()) {
      LOG.warn("auth: SchedulerService is OPEN (no tributary.auth.token / TRIBUTARY_AUTH_TOKEN): anyone who can reach"
          + " the gRPC port can create, pause and drop tables. Fine for the local stack and demos only.");
    }
    if (runnerToken.filter(s -> !s.isBlank()).isEmpty()) {
      LOG.warn("auth: RunnerService is OPEN (no tributary.auth.runner-token / TRIBUTARY_AUTH_RUNNER_TOKEN): any"
          + " process can attach as a runner. Fine for the local stack and demos only.");
    }
    node.start();
    // SIGTERM (ECS, Kubernetes, the local scaler's parent) is the normal way to stop: shut down
    // cleanly (release the lease, stop local runners) and exit 0 instead of the JVM's 143.
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
          LOG.infof("SIG%s: stopping (releasing the lease so a standby takes over at once), then exit 0", name);
          io.quarkus.runtime.Quarkus.asyncExit(0);
        });
      } catch (IllegalArgumentException ex) {
        LOG.debugf("cannot handle SIG%s: %s", name, ex.getMessage());
      }
    }
  }

  void onStop(@Observes ShutdownEvent e, SchedulerNode node) {
    node.close();
  }

  private static String localAddress() {
    try {
      return InetAddress.getLocalHost().getHostAddress();
    } catch (UnknownHostException e) {
      return "127.0.0.1";
    }
  }

  private static String defaultId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "scheduler";
    }
    return host + "-" + ProcessHandle.current().pid();
  }
}
