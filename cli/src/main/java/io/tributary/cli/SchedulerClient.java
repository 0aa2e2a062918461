package io.tributary.cli;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.TlsChannelCredentials;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tributary.api.v1.SchedulerServiceGrpc;
import io.tributary.api.v1.SchedulerServiceGrpc.SchedulerServiceBlockingStub;
import io.tributary.catalog.Lease;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The scheduler leader over gRPC: its address from {@code --scheduler host:port}, else
 * {@code TRIBUTARY_SCHEDULER}, else the catalog's lease item ({@code lease#scheduler}/{@code leader},
 * attribute {@code address}); follows FAILED_PRECONDITION {@code leader=host:port} redirects from
 * standbys; sends {@code authorization: Bearer $TRIBUTARY_AUTH_TOKEN} when set. Every failure is a
 * one-line {@link CliException}.
 */
final class SchedulerClient implements AutoCloseable {
    static final Pattern LEADER = Pattern.compile("leader=([^\\s,;)]+:\\d+)");
    private static final int MAX_REDIRECTS = 3;
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final String token;
    private final long deadlineMillis;
    private Function<String, ManagedChannel> channels = a -> ManagedChannelBuilder.forTarget(a).usePlaintext().build();
    private String address;
    private String source;
    private ManagedChannel channel;

    private SchedulerClient(String address, String source, String token, long deadlineMillis) {
        this.address = address;
        this.source = source;
        this.token = token;
        this.deadlineMillis = deadlineMillis;
    }

    /** Connects to {@code explicit} if given, else finds the leader (env, then catalog lease). */
    static SchedulerClient connect(String explicit, Map<String, String> env) {
        SchedulerClient c = locate(explicit, env);
        c.channels = channelFactory(env);
        return c;
    }

    /**
     * Plaintext, or with {@code TRIBUTARY_SCHEDULER_TLS=true} TLS trusting the system CAs or the PEM
     * file in {@code TRIBUTARY_SCHEDULER_CA} (the same settings the runners read).
     */
    static Function<String, ManagedChannel> channelFactory(Map<String, String> env) {
        if (!Boolean.parseBoolean(env.getOrDefault("TRIBUTARY_SCHEDULER_TLS", "false"))) {
            return a -> ManagedChannelBuilder.forTarget(a).usePlaintext().build();
        }
        TlsChannelCredentials.Builder creds = TlsChannelCredentials.newBuilder();
        String ca = env.get("TRIBUTARY_SCHEDULER_CA");
        if (ca != null && !ca.isBlank()) {
            try {
                creds.trustManager(new java.io.File(ca));
            } catch (java.io.IOException | RuntimeException e) {
                throw new CliException("TRIBUTARY_SCHEDULER_CA: cannot read CA certificates from " + ca + ": " + e.getMessage());
            }
        }
        ChannelCredentials built = creds.build();
        return a -> Grpc.newChannelBuilder(a, built).build();
    }

    private static SchedulerClient locate(String explicit, Map<String, String> env) {
        String token = env.get("TRIBUTARY_AUTH_TOKEN");
        if (explicit != null && !explicit.isBlank()) {
            return new SchedulerClient(checkAddress(explicit, "--scheduler"), "--scheduler", token, 30_000);
        }
        String fromEnv = env.get("TRIBUTARY_SCHEDULER");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return new SchedulerClient(checkAddress(fromEnv, "TRIBUTARY_SCHEDULER"), "TRIBUTARY_SCHEDULER", token, 30_000);
        }
        Optional<Lease> lease;
        try (CatalogAccess c = new CatalogAccess(env)) {
            lease = c.call(cat -> cat.currentLease());
        }
        if (lease.isEmpty() || lease.get().address().isBlank()) {
            throw new CliException("no scheduler has ever led (no lease#scheduler item in " + CatalogAccess.tableName(env)
                    + "): start one with `tributary scheduler` or pass --scheduler host:port");
        }
        Lease l = lease.get();
        long now = System.currentTimeMillis();
        if (!l.isLive(now)) {
            throw new CliException("no scheduler is running (" + leaseState(l, now) + "): start one with `tributary"
                    + " scheduler`, or pass --scheduler host:port");
        }
        return new SchedulerClient(l.address(), "the catalog lease", token, 30_000);
    }

    /** Why a lease that is not live names no leader, in words (a released lease has no age). */
    static String leaseState(Lease l, long now) {
        if (l.expiresAtMillis() <= 0) {
            return "the last one, " + l.owner() + ", released its lease when it stopped";
        }
        long s = Math.max(0, (now - l.expiresAtMillis()) / 1000);
        String age = s < 120 ? s + " s" : s < 7200 ? s / 60 + " min" : s < 172_800 ? s / 3600 + " h" : s / 86_400 + " days";
        return "the lease of the last one, " + l.owner() + ", expired " + age + " ago";
    }

    /** The scheduler could not be reached at all (nothing was asked of it). */
    static final class Unreachable extends CliException {
        private static final long serialVersionUID = 1L;

        Unreachable(String message) {
            super(message);
        }
    }

    static String checkAddress(String a, String what) {
        if (!a.matches("[^\\s:/]+:\\d{1,5}")) {
            throw new CliException(what + ": expected host:port, got '" + a + "'");
        }
        return a;
    }

    String address() {
        return address;
    }

    /**
     * Runs one RPC ({@code name} is for messages) against the leader, following redirects.
     */
    <T> T call(String name, Function<SchedulerServiceBlockingStub, T> rpc) {
        for (int hop = 0; ; hop++) {
            try {
                return rpc.apply(stub());
            } catch (StatusRuntimeException e) {
                Status st = e.getStatus();
                String desc = st.getDescription() == null ? "" : st.getDescription();
                if (st.getCode() == Status.Code.FAILED_PRECONDITION) {
                    Matcher m = LEADER.matcher(desc);
                    if (m.find() && hop < MAX_REDIRECTS && !m.group(1).equals(address)) {
                        redirect(m.group(1));
                        continue;
                    }
                }
                throw toCli(name, st, desc);
            }
        }
    }

    private CliException toCli(String name, Status st, String desc) {
        return switch (st.getCode()) {
            // the scheduler answered, but Kafka behind it did not: a refusal, not an unreachable scheduler
            case UNAVAILABLE -> desc.startsWith("source.") ? new CliException(desc) : new Unreachable("cannot reach the scheduler at " + address + " (from " + source + "): "
                    + (desc.isEmpty() ? "unavailable" : CatalogAccess.firstLine(desc)) + "; is `tributary scheduler` running?");
            case DEADLINE_EXCEEDED -> new CliException("the scheduler at " + address + " did not answer " + name
                    + " within " + deadlineMillis / 1000 + " s");
            case UNAUTHENTICATED, PERMISSION_DENIED -> new CliException(name + " refused by the scheduler at " + address
                    + " (" + st.getCode() + "): " + desc + " (set TRIBUTARY_AUTH_TOKEN)");
            case INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION, ABORTED -> new CliException(desc.isEmpty()
                    ? name + " refused: " + st.getCode() : desc);
            default -> new CliException(name + " failed at " + address + " (" + st.getCode() + ")"
                    + (desc.isEmpty() ? "" : ": " + CatalogAccess.firstLine(desc)));
        };
    }

    private void redirect(String leader) {
        closeChannel();
        source = "a redirect from " + address;
        address = leader;
    }

    private SchedulerServiceBlockingStub stub() {
        if (channel == null) {
            channel = channels.apply(address);
        }
        Channel ch = channel;
        SchedulerServiceBlockingStub s = SchedulerServiceGrpc.newBlockingStub(ch);
        if (token != null && !token.isBlank()) {
            s = s.withInterceptors(bearer(token));
        }
        return s.withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
    }

    static ClientInterceptor bearer(String token) {
        return new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        headers.put(AUTHORIZATION, "Bearer " + token);
                        super.start(listener, headers);
                    }
                };
            }
        };
    }

    /** For tests: a client whose channels (to an address) come from {@code channels}. */
    static SchedulerClient withChannels(Function<String, ManagedChannel> channels, String address, String token) {
        SchedulerClient c = new SchedulerClient(address, "test", token, 10_000);
        c.channels = channels;
        return c;
    }

    private void closeChannel() {
        if (channel != null) {
            channel.shutdownNow();
            try {
                channel.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            channel = null;
        }
    }

    @Override
    public void close() {
        closeChannel();
    }
}
