package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.tributary.api.v1.ListTablesRequest;
import io.tributary.api.v1.ListTablesResponse;
import io.tributary.api.v1.SchedulerServiceGrpc;
import io.tributary.api.v1.TableInfo;
import io.tributary.api.v1.TableRef;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Leader redirects, bearer token, and gRPC errors as one-line messages, against in-process servers. */
class SchedulerClientTest {
    private final List<Server> servers = new ArrayList<>();
    private final List<String> authSeen = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(Server::shutdownNow);
    }

    /** A standby that redirects everything to {@code leader}. */
    static class Standby extends SchedulerServiceGrpc.SchedulerServiceImplBase {
        final String leader;

        Standby(String leader) {
            this.leader = leader;
        }

        @Override
        public void listTables(ListTablesRequest req, StreamObserver<ListTablesResponse> obs) {
            obs.onError(Status.FAILED_PRECONDITION.withDescription("scheduler s2 (standby) is not the leader; leader=" + leader)
                    .asRuntimeException());
        }
    }

    static class Leader extends SchedulerServiceGrpc.SchedulerServiceImplBase {
        @Override
        public void listTables(ListTablesRequest req, StreamObserver<ListTablesResponse> obs) {
            obs.onNext(ListTablesResponse.newBuilder().addTables(TableInfo.newBuilder().setName("clicks").setState("ACTIVE")).build());
            obs.onCompleted();
        }

        @Override
        public void describeTable(TableRef req, StreamObserver<io.tributary.api.v1.TableStatus> obs) {
            obs.onError(Status.NOT_FOUND.withDescription("no table '" + req.getName() + "'").asRuntimeException());
        }
    }

    private void serve(String name, SchedulerServiceGrpc.SchedulerServiceImplBase impl) throws Exception {
        ServerInterceptor capture = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                authSeen.add(name + " " + headers.get(SchedulerClient.AUTHORIZATION));
                return next.startCall(call, headers);
            }
        };
        servers.add(InProcessServerBuilder.forName(name).directExecutor()
                .addService(ServerInterceptors.intercept(impl, capture)).build().start());
    }

    private static SchedulerClient client(String address, String token) {
        return SchedulerClient.withChannels(a -> InProcessChannelBuilder.forName(a).directExecutor().build(), address, token);
    }

    @Test
    void followsLeaderRedirectAndSendsTheBearerToken() throws Exception {
        serve("standby:9001", new Standby("leader:9000"));
        serve("leader:9000", new Leader());
        try (SchedulerClient c = client("standby:9001", "s3cret")) {
            ListTablesResponse r = c.call("ListTables", s -> s.listTables(ListTablesRequest.getDefaultInstance()));
            assertThat(r.getTables(0).getName()).isEqualTo("clicks");
            assertThat(c.address()).isEqualTo("leader:9000");
        }
        assertThat(authSeen).containsExactly("standby:9001 Bearer s3cret", "leader:9000 Bearer s3cret");
    }

    @Test
    void redirectLoopsStopWithOneLine() throws Exception {
        serve("a:1", new Standby("b:2"));
        serve("b:2", new Standby("a:1"));
        try (SchedulerClient c = client("a:1", null)) {
            assertThatThrownBy(() -> c.call("ListTables", s -> s.listTables(ListTablesRequest.getDefaultInstance())))
                    .isInstanceOf(CliException.class).hasMessageContaining("not the leader");
        }
        assertThat(authSeen).hasSizeLessThanOrEqualTo(5).allSatisfy(s -> assertThat(s).endsWith(" null"));
    }

    @Test
    void errorsAreOneLine() throws Exception {
        serve("leader:9000", new Leader());
        try (SchedulerClient c = client("leader:9000", null)) {
            assertThatThrownBy(() -> c.call("DescribeTable", s -> s.describeTable(TableRef.newBuilder().setName("x").build())))
                    .isInstanceOf(CliException.class).hasMessage("no table 'x'");
        }
        try (SchedulerClient c = client("nobody:1", null)) {
            assertThatThrownBy(() -> c.call("ListTables", s -> s.listTables(ListTablesRequest.getDefaultInstance())))
                    .isInstanceOf(SchedulerClient.Unreachable.class).hasMessageContaining("cannot reach the scheduler at nobody:1")
                    .hasMessageContaining("tributary scheduler");
        }
    }

    @Test
    void leaderPatternMatchesTheSchedulersMessage() {
        var m = SchedulerClient.LEADER.matcher("scheduler s2 (standby) is not the leader; leader=10.0.0.5:9000");
        assertThat(m.find()).isTrue();
        assertThat(m.group(1)).isEqualTo("10.0.0.5:9000");
        assertThat(SchedulerClient.LEADER.matcher("leader=unknown").find()).isFalse();
    }

    @Test
    void aLeaseIsDescribedInWordsNeverAsAnAgeSince1970() {
        long now = 1_796_351_683_000L;
        assertThat(SchedulerClient.leaseState(new io.tributary.catalog.Lease("s1", "", 3, 0), now))
                .isEqualTo("the last one, s1, released its lease when it stopped");
        assertThat(SchedulerClient.leaseState(new io.tributary.catalog.Lease("s1", "h:9000", 3, now - 90_000), now))
                .isEqualTo("the lease of the last one, s1, expired 90 s ago");
        assertThat(SchedulerClient.leaseState(new io.tributary.catalog.Lease("s1", "h:9000", 3, now - 3 * 3_600_000L), now))
                .isEqualTo("the lease of the last one, s1, expired 3 h ago");
        assertThat(SchedulerClient.leaseState(new io.tributary.catalog.Lease("s1", "h:9000", 3, now - 9 * 86_400_000L), now))
                .isEqualTo("the lease of the last one, s1, expired 9 days ago");
    }
}
