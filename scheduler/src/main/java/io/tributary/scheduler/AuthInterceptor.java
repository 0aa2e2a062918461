package io.tributary.scheduler;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Bearer-token check on every gRPC call: {@code SchedulerService} needs {@code tributary.auth.token},
 * {@code RunnerService} needs {@code tributary.auth.runner-token} (metadata
 * {@code authorization: Bearer <token>}); an unset token leaves that service open. Refusals are
 * UNAUTHENTICATED and counted in {@code tributary_unauthenticated_calls_total}. Also records the
 * caller's address for logs. Reflection stays open (it reveals only the public .proto).
 */
@ApplicationScoped
@GlobalInterceptor
public class AuthInterceptor implements ServerInterceptor {

  private static final Logger LOG = Logger.getLogger(AuthInterceptor.class);
  private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
      Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<String> PEER = Context.key("tributary-peer");

  @ConfigProperty(name = "tributary.auth.token")
  Optional<String> token;
  @ConfigProperty(name = "tributary.auth.runner-token")
  Optional<String> runnerToken;
  @Inject
  MeterRegistry meters;

  private Counter refused;

  /** The calling peer's address (inside a call), or "unknown". */
  static String peer() {
    String p = PEER.get();
    return p == null ? "unknown" : p;
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
      ServerCallHandler<Q, A> next) {
    String service = call.getMethodDescriptor().getServiceName();
    Optional<String> required = switch (service == null ? "" : service) {
      case "tributary.v1.SchedulerService" -> token;
      case "tributary.v1.RunnerService" -> runnerToken;
      default -> Optional.empty();
    };
    SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    String peer = remote == null ? "unknown" : remote.toString();
    if (required.isPresent() && !required.get().isBlank() && !matches(headers.get(AUTHORIZATION), required.get())) {
      counter().increment();
      LOG.warnf("auth: refused %s from %s (missing or wrong bearer token)", call.getMethodDescriptor()
          .getFullMethodName(), peer);
      call.close(Status.UNAUTHENTICATED.withDescription("authorization: a valid 'Bearer <token>' is required for "
          + service), new Metadata());
      return new ServerCall.Listener<>() {
      };
    }
    return Contexts.interceptCall(Context.current().withValue(PEER, peer), call, headers, next);
  }

  private Counter counter() {
    if (refused == null) {
      refused = Counter.builder("tributary.unauthenticated.calls")
          .description("gRPC calls refused for a missing or wrong bearer token").register(meters);
    }
    return refused;
  }

  void init(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent e) {
    counter(); // present at 0 from the start
  }

  private static boolean matches(String header, String expected) {
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] got = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(got, expected.getBytes(StandardCharsets.UTF_8));
  }
}
