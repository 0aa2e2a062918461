package io.tributary.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.api.v1.Hello;
import io.tributary.api.v1.PartitionEpoch;
import io.tributary.api.v1.Revoke;
import io.tributary.api.v1.RevokeDone;
import io.tributary.api.v1.SchedulerMessage;
import io.tributary.catalog.CommitOutcome;
import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.InMemoryCatalog;
import io.tributary.catalog.StoredTable;
import io.tributary.catalog.TableDefinitions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The per-table handover state machine driven directly: an in-memory catalog, runners whose
 * sessions record what they are sent, and explicit times instead of a clock.
 */
class HandoverTest {

  private static final Duration REVOKE_TIMEOUT = Duration.ofSeconds(10);
  private static final String TABLE = "clicks";

  private final InMemoryCatalog catalog = new InMemoryCatalog();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final Map<String, RunnerState> runners = new TreeMap<>();
  private final Map<String, TableRuntime> tables = new TreeMap<>();
  private final Map<String, List<SchedulerMessage>> sent = new TreeMap<>();
  private final Handover handover = new Handover(catalog, new AssignmentPlanner(), REVOKE_TIMEOUT, meters, runners,
      tables);

  @Test
  void newPartitionsGoToTheLiveRunnerWithEpochOneAndAreWrittenToTheCatalog() {
    TableRuntime t = table(0, 1);
    runner("a");

    handover.reconcile(t, Set.of(), 1_000);

    assertThat(t.owners).isEqualTo(Map.of(0, "a", 1, "a"));
    assertThat(t.epochs).isEqualTo(Map.of(0, 1L, 1, 1L));
    var stored = catalog.assignment(TABLE).orElseThrow();
    assertThat(stored.version()).isEqualTo(1).isEqualTo(t.version);
    assertThat(stored.owners()).isEqualTo(t.owners);
    assertThat(stored.epochs()).isEqualTo(t.epochs);
    assertThat(t.ownedSinceMs).containsExactlyInAnyOrderEntriesOf(Map.of(0, 1_000L, 1, 1_000L));
    assertThat(changes()).isEqualTo(2);
    assertThat(sent.get("a")).isEmpty(); // no revoke; the assignment itself is sent by RunnerSessions
  }

  @Test
  void stickyOwnersAreKeptWithoutWritesOrRevokes() {
    TableRuntime t = attachedAAndB(Map.of(0, "a", 1, "b"), Map.of(0, 3L, 1, 4L));

    handover.reconcile(t, Set.of(), 1_000);
    handover.reconcile(t, Set.of(), 2_000);

    assertThat(t.owners).isEqualTo(Map.of(0, "a", 1, "b"));
    assertThat(t.epochs).isEqualTo(Map.of(0, 3L, 1, 4L));
    assertThat(catalog.assignment(TABLE).orElseThrow().version()).isEqualTo(1);
    assertThat(t.revoking).isEmpty();
    assertThat(sent.get("a")).isEmpty();
    assertThat(sent.get("b")).isEmpty();
    assertThat(changes()).isZero();
  }

  @Test
  void aLiveOwnerIsRevokedFirstAndThePartitionMovesWithEpochPlusOneWhenItConfirms() {
    TableRuntime t = attachedAAndB(Map.of(0, "a", 1, "a"), Map.of(0, 1L, 1, 1L));

    handover.reconcile(t, Set.of(), 1_000);

    Revoke revoke = onlyRevoke("a");
    assertThat(revoke.getTable()).isEqualTo(TABLE);
    assertThat(revoke.getPartitionsList()).containsExactly(1);
    assertThat(t.revoking).containsOnlyKeys(1);
    assertThat(t.owners).isEqualTo(Map.of(0, "a", 1, "a")); // not moved before it confirms
    assertThat(catalog.assignment(TABLE).orElseThrow().version()).isEqualTo(1);

    handover.reconcile(t, Set.of(), 1_250);
    assertThat(sent.get("a")).hasSize(1); // the revoke in flight is not sent again

    handover.confirmRevoke("b", revokeDone(revoke.getRevokeId(), 1)); // not the runner it was sent to
    handover.confirmRevoke("a", revokeDone("another-revoke", 1));
    assertThat(t.revoking).containsOnlyKeys(1);
    assertThat(t.released).isEmpty();

    handover.confirmRevoke("a", revokeDone(revoke.getRevokeId(), 1));
    assertThat(t.revoking).isEmpty();
    assertThat(t.released).containsExactly(1);

    handover.reconcile(t, Set.of(), 1_500);

    assertThat(t.owners).isEqualTo(Map.of(0, "a", 1, "b"));
    assertThat(t.epochs).isEqualTo(Map.of(0, 1L, 1, 2L));
    assertThat(t.released).isEmpty();
    assertThat(catalog.assignment(TABLE).orElseThrow().owners()).containsEntry(1, "b");
    assertThat(t.version).isEqualTo(2);
    assertThat(t.ownedSinceMs).containsEntry(1, 1_500L);
    assertThat(changes()).isEqualTo(1);
  }

  @Test
  void anUnconfirmedRevokeCompletesAtTheRevokeTimeout() {
    TableRuntime t = attachedAAndB(Map.of(0, "a", 1, "a"), Map.of(0, 5L, 1, 5L));
    handover.reconcile(t, Set.of(), 1_000);
    assertThat(onlyRevoke("a").getPartitionsList()).containsExactly(1);

    handover.expireRevokes(1_000 + REVOKE_TIMEOUT.toMillis() - 1);
    handover.reconcile(t, Set.of(), 1_000 + REVOKE_TIMEOUT.toMillis() - 1);
    assertThat(t.revoking).containsOnlyKeys(1);
    assertThat(t.owners).containsEntry(1, "a");

    handover.expireRevokes(1_000 + REVOKE_TIMEOUT.toMillis());
    assertThat(t.revoking).isEmpty();
    assertThat(t.released).containsExactly(1);
    handover.reconcile(t, Set.of(), 1_000 + REVOKE_TIMEOUT.toMillis());

    assertThat(t.owners).isEqualTo(Map.of(0, "a", 1, "b"));
    assertThat(t.epochs).isEqualTo(Map.of(0, 5L, 1, 6L));
    assertThat(catalog.assignment(TABLE).orElseThrow().epochs()).containsEntry(1, 6L);
    assertThat(sent.get("a")).hasSize(1);
  }

  @Test
  void aRemovedRunnersPartitionsMoveAtOnceWithEpochPlusOneAndItsRevokesAreForgotten() {
    TableRuntime t = table(0, 1, 2, 3);
    stored(t, Map.of(0, "a", 1, "a", 2, "b", 3, "b"), Map.of(0, 2L, 1, 2L, 2, 7L, 3, 7L));
    runner("a");
    runner("b");
    t.revoking.put(2, new TableRuntime.Revoking("r1", "b", 99_000));

    handover.removeRunner(runners.get("b"));
    assertThat(runners).containsOnlyKeys("a");
    assertThat(t.revoking).isEmpty();

    handover.reconcile(t, Set.of(), 3_000);

    assertThat(t.owners).isEqualTo(Map.of(0, "a", 1, "a", 2, "a", 3, "a"));
    assertThat(t.epochs).isEqualTo(Map.of(0, 2L, 1, 2L, 2, 8L, 3, 8L));
    assertThat(sent.get("a")).isEmpty();
    assertThat(changes()).isEqualTo(2);
  }

  @Test
  void theNewEpochIsAboveTheChainHeadsEpoch() {
    TableRuntime t = table(0);
    CommitRecord genesis = catalog.head(TABLE, 0).orElseThrow();
    CommitOutcome o = catalog.commit(genesis, genesis.successor().writer("static-runner").epoch(7).build());
    assertThat(o).isInstanceOf(CommitOutcome.Committed.class);
    runner("a");

    handover.reconcile(t, Set.of(), 1_000);

    assertThat(t.epochs).isEqualTo(Map.of(0, 8L));
  }

  @Test
  void aHelloClaimAtTheStoredEpochIsAdoptedWithoutAMove() {
    TableRuntime t = table(0, 1);
    stored(t, Map.of(0, "gone", 1, "gone"), Map.of(0, 3L, 1, 3L));
    runner("a");

    handover.claim(t, 0, 3, "a");
    handover.claim(t, 1, 2, "a"); // a stale epoch: not a claim
    assertThat(t.claims).isEqualTo(Map.of(0, "a"));
    handover.reconcile(t, Set.of(), 1_000);

    assertThat(t.owners).isEqualTo(Map.of(0, "a", 1, "a"));
    assertThat(t.epochs).isEqualTo(Map.of(0, 3L, 1, 4L));
    assertThat(t.claims).isEmpty();
    assertThat(changes()).isEqualTo(1); // only partition 1 moved
  }

  @Test
  void aClaimIsIgnoredWhileTheStoredOwnerIsAMember() {
    TableRuntime t = table(0);
    stored(t, Map.of(0, "b"), Map.of(0, 3L));
    runner("a");
    runner("b");

    handover.claim(t, 0, 3, "a");

    assertThat(t.claims).isEmpty();
  }

  @Test
  void drainingRunnersGetNothingAndTheirPartitionsAreRevoked() {
    TableRuntime t = attachedAAndB(Map.of(0, "a", 1, "b"), Map.of(0, 1L, 1, 1L));

    handover.reconcile(t, Set.of("b"), 1_000);

    assertThat(onlyRevoke("b").getPartitionsList()).containsExactly(1);
    assertThat(sent.get("a")).isEmpty();
    assertThat(t.target).isEqualTo(Map.of(0, "a", 1, "a"));
  }

  // ------------------------------------------------------------------ helpers

  private TableRuntime table(Integer... partitions) {
    Map<Integer, Long> genesis = new TreeMap<>();
    for (Integer p : partitions) {
      genesis.put(p, 0L);
    }
    StoredTable st = catalog.createTable(TableDefinitions.fromYaml("""
        name: clicks
        source: { bootstrap: "127.0.0.1:9092", topic: clicks }
        columns:
          - { name: a, type: int }
        output: { bucket: tributary }
        """, Map.of()), genesis);
    TableRuntime t = new TableRuntime(st);
    tables.put(st.name(), t);
    return t;
  }

  /** Partitions 0 and 1 stored with these owners and epochs; runners a and b attached. */
  private TableRuntime attachedAAndB(Map<Integer, String> owners, Map<Integer, Long> epochs) {
    TableRuntime t = table(0, 1);
    stored(t, owners, epochs);
    runner("a");
    runner("b");
    return t;
  }

  private void stored(TableRuntime t, Map<Integer, String> owners, Map<Integer, Long> epochs) {
    t.adopt(catalog.putAssignment(t.name(), 0, owners, epochs));
  }

  /** A live, attached runner whose stream records what it is sent. */
  private void runner(String id) {
    List<SchedulerMessage> out = new ArrayList<>();
    sent.put(id, out);
    RunnerState r = new RunnerState(id);
    r.hello = Hello.newBuilder().setRunnerId(id).build();
    r.session = new RunnerSession(new StreamObserver<>() {
      @Override
      public void onNext(SchedulerMessage m) {
        out.add(m);
      }

      @Override
      public void onError(Throwable e) {
      }

      @Override
      public void onCompleted() {
      }
    }, "test");
    r.session.runnerId = id;
    runners.put(id, r);
  }

  private Revoke onlyRevoke(String runner) {
    assertThat(sent.get(runner)).hasSize(1);
    SchedulerMessage m = sent.get(runner).get(0);
    assertThat(m.hasRevoke()).isTrue();
    return m.getRevoke();
  }

  private static RevokeDone revokeDone(String revokeId, int partition) {
    return RevokeDone.newBuilder().setRevokeId(revokeId).setTable(TABLE)
        .addPartitions(PartitionEpoch.newBuilder().setPartition(partition)).build();
  }

  private double changes() {
    return meters.get("tributary.assignment.changes").counter().count();
  }
}
