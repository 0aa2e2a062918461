package io.tributary.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tributary.api.v1.ClusterStatus;
import io.tributary.api.v1.CreateTableRequest;
import io.tributary.api.v1.GetStatusRequest;
import io.tributary.api.v1.ListRunnersRequest;
import io.tributary.api.v1.ListTablesRequest;
import io.tributary.api.v1.PartitionStatus;
import io.tributary.api.v1.SchedulerMessage;
import io.tributary.api.v1.SchedulerServiceGrpc.SchedulerServiceBlockingStub;
import io.tributary.api.v1.TableInfo;
import io.tributary.api.v1.TableRef;
import io.tributary.api.v1.TableStatus;
import io.tributary.api.v1.UpdateTableRequest;
import io.tributary.catalog.Assignment;
import io.tributary.infra.LocalStack;
import io.tributary.infra.LocalStackExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every SchedulerService RPC against a real scheduler process (leader) and a standby, with bearer
 * tokens on; bad input, NOT_FOUND, non-leader and unauthenticated cases; and the Attach protocol
 * (assignment, revoke handshake, dead runner, graceful leave, NotLeader) with fake runners that
 * move no data.
 */
@ExtendWith(LocalStackExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SchedulerApiIT {

  static final String TOKEN = "op-secret";
  static final String RUNNER_TOKEN = "runner-secret";
  static TestCluster cluster;
  static TestCluster.Scheduler leader;
  static TestCluster.Scheduler standby;
  static SchedulerServiceBlockingStub api;

  @BeforeAll
  static void start(LocalStack stack) {
    cluster = new TestCluster(stack, "catalog-api-it", Map.of("TRIBUTARY_AUTH_TOKEN", TOKEN,
        "TRIBUTARY_AUTH_RUNNER_TOKEN", RUNNER_TOKEN));
    leader = cluster.awaitLeader(cluster.scheduler("sched-a"), Duration.ofSeconds(60));
    standby = cluster.scheduler("sched-b");
    Poll.until("standby up", Duration.ofSeconds(60), () -> cluster.httpGet(standby, "/q/health")
        .replaceAll("\\s", "").contains("\"role\":\"standby\""));
    api = cluster.api(leader, TOKEN);
    cluster.createTopic("api_events", 4);
    cluster.produce("api_events", 4, 10);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static Status.Code code(Runnable r) {
    try {
      r.run();
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  private static String description(Runnable r) {
    try {
      r.run();
      return "";
    } catch (StatusRuntimeException e) {
      return e.getStatus().getDescription();
    }
  }

  @Test
  @Order(1)
  void unauthenticated_calls_are_refused_and_counted() {
    assertThat(code(() -> cluster.api(leader, null).listTables(ListTablesRequest.getDefaultInstance())))
        .isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(code(() -> cluster.api(leader, "wrong").getStatus(GetStatusRequest.getDefaultInstance())))
        .isEqualTo(Status.Code.UNAUTHENTICATED);
    // the runner token does not open the operator API, and vice versa
    assertThat(code(() -> cluster.api(leader, RUNNER_TOKEN).listTables(ListTablesRequest.getDefaultInstance())))
        .isEqualTo(Status.Code.UNAUTHENTICATED);
    try (FakeRunner r = new FakeRunner(cluster.channel(leader), "intruder", TOKEN)) {
      r.hello();
      Poll.until("attach refused", Duration.ofSeconds(10), () -> r.error != null);
      assertThat(Status.fromThrowable(r.error).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    }
    String metrics = cluster.httpGet(leader, "/q/metrics");
    double refused = metricValue(metrics, "tributary_unauthenticated_calls_total");
    assertThat(refused).isGreaterThanOrEqualTo(4);
  }

  @Test
  @Order(2)
  void create_table_validates_and_resolves_genesis_offsets() {
    // bad input names the field
    String bad = description(() -> api.createTable(CreateTableRequest.newBuilder().setDefinitionJson(
        cluster.definition("Bad-Name", "api_events", "earliest")).build()));
    assertThat(bad).startsWith("name");
    String badType = description(() -> api.createTable(CreateTableRequest.newBuilder().setDefinitionJson(
        cluster.definition("t1", "api_events", "earliest").replace("\"long\"", "\"integer64\"")).build()));
    assertThat(badType).contains("columns[0].type");
    assertThat(code(() -> api.createTable(CreateTableRequest.newBuilder().setDefinitionJson("{not json").build())))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(description(() -> api.createTable(CreateTableRequest.getDefaultInstance())))
        .startsWith("definition_json");
    assertThat(description(() -> api.createTable(CreateTableRequest.newBuilder().setDefinitionJson(
        cluster.definition("t1", "no_such_topic", "earliest")).build()))).startsWith("source.topic");
    assertThat(description(() -> api.createTable(CreateTableRequest.newBuilder().setDefinitionJson(
        cluster.definition("t1", "api_events", "999")).build()))).startsWith("source.start");

    TableInfo early = api.createTable(CreateTableRequest.newBuilder().setDefinitionJson(
        cluster.definition("api_early", "api_events", "earliest")).build());
    assertThat(early.getVersion()).isEqualTo(1);
    assertThat(early.getState()).isEqualTo("ACTIVE");
    TableInfo late = api.createTable(CreateTableRequest.newBuilder().setDefinitionJson(
        cluster.definition("api_late", "api_events", "latest")).build());
    assertThat(late.getName()).isEqualTo("api_late");
    TableInfo at5 = api.createTable(CreateTableRequest.newBuilder().setDefinitionJson(
        cluster.definition("api_at5", "api_events", "5")).build());
    assertThat(at5.getState()).isEqualTo("ACTIVE");
    assertThat(code(() -> api.createTable(CreateTableRequest.newBuilder().setDefinitionJson(
        cluster.definition("api_early", "api_events", "earliest")).build()))).isEqualTo(Status.Code.ALREADY_EXISTS);

    for (int p = 0; p < 4; p++) {
      assertThat(cluster.catalog.head("api_early", p).orElseThrow().endOffset()).isZero();
      assertThat(cluster.catalog.head("api_late", p).orElseThrow().endOffset()).isEqualTo(10);
      assertThat(cluster.catalog.head("api_at5", p).orElseThrow().endOffset()).isEqualTo(5);
    }
    TableStatus st = api.describeTable(TableRef.newBuilder().setName("api_early").build());
    assertThat(st.getPartitionsList()).hasSize(4);
    assertThat(st.getLag()).isEqualTo(40);
    for (PartitionStatus ps : st.getPartitionsList()) {
      assertThat(ps.getCommittedOffset()).isZero();
      assertThat(ps.getEndOffset()).isEqualTo(10);
      assertThat(ps.getLag()).isEqualTo(10);
      assertThat(ps.getSeq()).isZero();
    }
    Poll.until("lag metric", Duration.ofSeconds(20), () -> cluster.httpGet(leader, "/q/metrics")
        .contains("tributary_lag_records{partition=\"3\",table=\"api_early\"} 10.0"));
  }

  @Test
  @Order(3)
  void update_pause_resume_drop_list_describe() {
    String def = cluster.definition("api_at5", "api_events", "5").replace("\"max_age\":\"1s\"", "\"max_age\":\"2s\"");
    assertThat(description(() -> api.updateTable(UpdateTableRequest.newBuilder().setDefinitionJson(def)
        .setExpectedVersion(0).build()))).startsWith("expected_version");
    assertThat(code(() -> api.updateTable(UpdateTableRequest.newBuilder().setDefinitionJson(def)
        .setExpectedVersion(7).build()))).isEqualTo(Status.Code.ABORTED);
    assertThat(description(() -> api.updateTable(UpdateTableRequest.newBuilder().setDefinitionJson(
        def.replace("api_events", "other_topic")).setExpectedVersion(1).build()))).startsWith("source.topic");
    TableInfo v2 = api.updateTable(UpdateTableRequest.newBuilder().setDefinitionJson(def).setExpectedVersion(1).build());
    assertThat(v2.getVersion()).isEqualTo(2);
    assertThat(v2.getDefinitionJson()).contains("\"max_age\":2000");
    assertThat(code(() -> api.updateTable(UpdateTableRequest.newBuilder().setDefinitionJson(
        cluster.definition("api_nope", "api_events", "earliest")).setExpectedVersion(1).build())))
        .isEqualTo(Status.Code.NOT_FOUND);

    TableRef ref = TableRef.newBuilder().setName("api_at5").build();
    assertThat(api.pauseTable(ref).getState()).isEqualTo("PAUSED");
    assertThat(api.pauseTable(ref).getState()).isEqualTo("PAUSED");
    assertThat(api.resumeTable(ref).getState()).isEqualTo("ACTIVE");
    Poll.until("api_at5 lag series", Duration.ofSeconds(20), () -> cluster.httpGet(leader, "/q/metrics")
        .contains("table=\"api_at5\""));
    assertThat(api.dropTable(ref).getState()).isEqualTo("DROPPED");
    // a dropped table's lag series go away (no stale lag on dashboards)
    Poll.until("api_at5 lag series removed", Duration.ofSeconds(20), () -> !cluster.httpGet(leader, "/q/metrics")
        .contains("table=\"api_at5\""));
    assertThat(code(() -> api.resumeTable(ref))).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(api.listTables(ListTablesRequest.getDefaultInstance()).getTablesList()).extracting(TableInfo::getName)
        .contains("api_early", "api_late").doesNotContain("api_at5");
    assertThat(api.listTables(ListTablesRequest.newBuilder().setIncludeDropped(true).build()).getTablesList())
        .extracting(TableInfo::getName).contains("api_at5");
    // drop keeps the chain
    assertThat(cluster.catalog.head("api_at5", 0)).isPresent();

    TableRef unknown = TableRef.newBuilder().setName("api_unknown").build();
    assertThat(code(() -> api.describeTable(unknown))).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(code(() -> api.pauseTable(unknown))).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(code(() -> api.resumeTable(unknown))).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(code(() -> api.dropTable(unknown))).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(description(() -> api.describeTable(TableRef.getDefaultInstance()))).startsWith("name");
    assertThat(description(() -> api.pauseTable(TableRef.newBuilder().setName("../x").build()))).startsWith("name");
  }

  @Test
  @Order(4)
  void standby_refuses_with_the_leader_address() {
    SchedulerServiceBlockingStub b = cluster.api(standby, TOKEN);
    StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
        () -> b.listTables(ListTablesRequest.getDefaultInstance()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(e.getStatus().getDescription()).contains("leader=" + leader.address());
    assertThat(code(() -> b.getStatus(GetStatusRequest.getDefaultInstance())))
        .isEqualTo(Status.Code.FAILED_PRECONDITION);
    try (FakeRunner r = new FakeRunner(cluster.channel(standby), "lost", RUNNER_TOKEN)) {
      r.hello();
      Poll.until("NotLeader", Duration.ofSeconds(10), () -> r.count(SchedulerMessage.BodyCase.NOT_LEADER) == 1
          && r.completed);
      assertThat(r.received.get(0).getNotLeader().getLeaderAddress()).isEqualTo(leader.address());
    }
    assertThat(cluster.httpGet(standby, "/q/metrics")).contains("tributary_leader 0.0");
    assertThat(cluster.httpGet(leader, "/q/metrics")).contains("tributary_leader 1.0");
  }

  @Test
  @Order(5)
  void attach_assigns_revokes_and_fails_over_between_runners() {
    // only api_early and api_late are active, 4 partitions each
    try (FakeRunner r1 = new FakeRunner(cluster.channel(leader), "fake-1", RUNNER_TOKEN).hello()) {
      Map<Integer, Long> first = r1.awaitOwned("api_early", 4, Duration.ofSeconds(15));
      assertThat(first.values()).containsOnly(1L);
      Poll.until("acks", Duration.ofSeconds(10), () -> r1.count(SchedulerMessage.BodyCase.ACK) >= 2);
      Assignment stored = cluster.catalog.assignment("api_early").orElseThrow();
      assertThat(stored.owners().values()).containsOnly("fake-1");

      try (FakeRunner r2 = new FakeRunner(cluster.channel(leader), "fake-2", RUNNER_TOKEN).hello()) {
        // two partitions move to fake-2 through the revoke handshake, with epoch 2
        Map<Integer, Long> second = r2.awaitOwned("api_early", 2, Duration.ofSeconds(15));
        assertThat(second.values()).containsOnly(2L);
        r1.awaitOwned("api_early", 2, Duration.ofSeconds(15));
        assertThat(r1.count(SchedulerMessage.BodyCase.REVOKE)).isGreaterThanOrEqualTo(1);
        // contiguous ranges
        assertThat(java.util.List.copyOf(new java.util.TreeSet<>(second.keySet())))
            .isIn(java.util.List.of(0, 1), java.util.List.of(2, 3));
        Poll.until("stored assignment", Duration.ofSeconds(10), () -> cluster.catalog.assignment("api_early")
            .orElseThrow().owners().values().stream().filter("fake-2"::equals).count() == 2);

        assertThat(api.listRunners(ListRunnersRequest.getDefaultInstance()).getRunnersList())
            .extracting(r -> r.getId()).containsExactlyInAnyOrder("fake-1", "fake-2");
        ClusterStatus status = api.getStatus(GetStatusRequest.getDefaultInstance());
        assertThat(status.getLeader()).isEqualTo(leader.address());
        assertThat(status.getRunnersCount()).isEqualTo(2);
        assertThat(status.getScaling().getReason()).isNotEmpty();
        assertThat(status.getTablesList()).extracting(t -> t.getTable().getName()).contains("api_early", "api_late");
        TableStatus d = api.describeTable(TableRef.newBuilder().setName("api_early").build());
        assertThat(d.getPartitionsList()).extracting(PartitionStatus::getOwner).containsOnly("fake-1", "fake-2");
        assertThat(cluster.httpGet(leader, "/q/metrics")).contains("tributary_runners 2.0");

        // fake-2 goes silent: after the dead timeout its partitions return to fake-1 with epoch 3
        long silentAt = System.nanoTime();
        r2.beating = false;
        Map<Integer, Long> back = r1.awaitOwned("api_early", 4, Duration.ofSeconds(15));
        long ms = (System.nanoTime() - silentAt) / 1_000_000;
        System.out.printf("dead runner detected and its partitions reassigned in %d ms%n", ms);
        assertThat(back.entrySet()).filteredOn(e -> second.containsKey(e.getKey()))
            .allSatisfy(e -> assertThat(e.getValue()).isEqualTo(3L));
      }

      // pause removes the table from the assignment within seconds; resume brings it back with epoch + 1
      TableRef ref = TableRef.newBuilder().setName("api_early").build();
      api.pauseTable(ref);
      Poll.until("paused table unassigned", Duration.ofSeconds(10), () -> r1.owned("api_early").isEmpty());
      api.resumeTable(ref);
      Map<Integer, Long> resumed = r1.awaitOwned("api_early", 4, Duration.ofSeconds(10));
      assertThat(resumed.values()).allMatch(e -> e >= 2);

      // a runner that leaves gracefully hands its partitions over at once
      try (FakeRunner r3 = new FakeRunner(cluster.channel(leader), "fake-3", RUNNER_TOKEN).hello()) {
        r3.awaitOwned("api_late", 2, Duration.ofSeconds(15));
        long leftAt = System.nanoTime();
        r3.leave();
        r1.awaitOwned("api_late", 4, Duration.ofSeconds(10));
        long ms = (System.nanoTime() - leftAt) / 1_000_000;
        System.out.printf("graceful leave: partitions reassigned in %d ms%n", ms);
        assertThat(ms).isLessThan(2_500); // well under the 3 s dead timeout
      }

      // drop removes it too
      api.dropTable(ref);
      Poll.until("dropped table unassigned", Duration.ofSeconds(10), () -> r1.owned("api_early").isEmpty());
    }
    assertThat(cluster.httpGet(leader, "/q/metrics")).contains("tributary_assignment_changes_total",
        "tributary_scaling_desired_runners", "tributary_scaling_actual_runners", "tributary_runners");
  }

  static double metricValue(String metrics, String name) {
    return metrics.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }
}
