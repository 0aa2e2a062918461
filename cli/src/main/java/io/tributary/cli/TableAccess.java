package io.tributary.cli;

import io.tributary.api.v1.SchedulerServiceGrpc.SchedulerServiceBlockingStub;
import io.tributary.api.v1.PartitionStatus;
import io.tributary.api.v1.TableInfo;
import io.tributary.api.v1.TableStatus;
import io.tributary.catalog.Assignment;
import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.InvalidDefinitionException;
import io.tributary.catalog.Lease;
import io.tributary.catalog.StoredTable;
import io.tributary.catalog.TableAlreadyExistsException;
import io.tributary.catalog.TableDefinitions;
import io.tributary.catalog.TableNotFoundException;
import io.tributary.catalog.TableState;
import io.tributary.catalog.TableStateException;
import io.tributary.catalog.VersionConflictException;
import io.tributary.catalog.admin.KafkaTopics;
import io.tributary.catalog.admin.TableLifecycle;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where a {@code table} command goes: the scheduler leader when one is reachable, otherwise the
 * catalog itself through {@link TableLifecycle} — the same validation, genesis records and
 * conditional writes the scheduler applies — so tables can be declared (from CI, with IAM
 * credentials) before or while a scheduler is deployed. A leader that starts later reads the
 * catalog when it takes the lease; a running one re-reads the table list every 2 s.
 *
 * <p>The scheduler is used when named ({@code --scheduler}, {@code TRIBUTARY_SCHEDULER}: then it
 * must answer) or when the catalog lease is live; a live lease whose holder cannot be reached
 * (it just died, or this host cannot reach its network) falls back to the catalog. A call whose
 * outcome is unknown (deadline exceeded) never falls back: it is reported.
 */
final class TableAccess implements AutoCloseable {
    private final Map<String, String> env;
    private final String explicit;
    private SchedulerClient scheduler;
    private String fallbackReason;
    private CatalogAccess catalog;
    private KafkaTopics kafka;
    private String path;

    TableAccess(String explicitScheduler, Map<String, String> env) {
        this.env = env;
        this.explicit = explicitScheduler;
    }

    /**
     * Runs a table operation: {@code viaScheduler} on the leader's stub, else {@code direct} on the
     * catalog. {@link #path()} then says which was taken.
     */
    <T> T run(String rpc, Function<SchedulerServiceBlockingStub, T> viaScheduler, Function<Direct, T> direct) {
        if (scheduler == null && fallbackReason == null) {
            locate();
        }
        if (scheduler != null) {
            try {
                T out = scheduler.call(rpc, viaScheduler);
                path = "through the scheduler at " + scheduler.address();
                return out;
            } catch (SchedulerClient.Unreachable e) {
                if (explicit != null || env.get("TRIBUTARY_SCHEDULER") != null) {
                    throw e;
                }
                fallbackReason = "the scheduler in the lease (" + scheduler.address() + ") is not reachable";
                scheduler.close();
                scheduler = null;
            }
        }
        T out = catalog().call(c -> direct.apply(new Direct(new TableLifecycle(c, kafka()), c, kafka())));
        path = "directly in the catalog " + CatalogAccess.tableName(env) + " (" + fallbackReason
                + "; a scheduler leader picks the change up when it runs)";
        return out;
    }

    /** Which way the last {@link #run} went, for the command's output. */
    String path() {
        return path;
    }

    private void locate() {
        if ((explicit != null && !explicit.isBlank()) || isSet(env.get("TRIBUTARY_SCHEDULER"))) {
            scheduler = SchedulerClient.connect(explicit, env);
            return;
        }
        Optional<Lease> lease = catalog().call(c -> c.currentLease());
        long now = System.currentTimeMillis();
        if (lease.isEmpty() || lease.get().address().isBlank()) {
            fallbackReason = "no scheduler has run yet";
        } else if (!lease.get().isLive(now)) {
            fallbackReason = SchedulerClient.leaseState(lease.get(), now);
        } else {
            scheduler = SchedulerClient.connect(null, env);
        }
    }

    private static boolean isSet(String v) {
        return v != null && !v.isBlank();
    }

    private CatalogAccess catalog() {
        if (catalog == null) {
            catalog = new CatalogAccess(env);
        }
        return catalog;
    }

    private KafkaTopics kafka() {
        if (kafka == null) {
            kafka = new KafkaTopics(10_000, "tributary-cli");
        }
        return kafka;
    }

    /**
     * The catalog path, with the scheduler's refusals as the same one-line messages the scheduler
     * sends (field first).
     */
    static final class Direct {
        final TableLifecycle lifecycle;
        final io.tributary.catalog.Catalog catalog;
        private final KafkaTopics kafka;

        Direct(TableLifecycle lifecycle, io.tributary.catalog.Catalog catalog, KafkaTopics kafka) {
            this.lifecycle = lifecycle;
            this.catalog = catalog;
            this.kafka = kafka;
        }

        /**
         * A table's progress from the catalog alone: chain heads, Kafka end offsets (when Kafka
         * answers) and the owners and epochs of the stored assignment (the last leader's plan).
         */
        TableStatus status(StoredTable st) {
            Map<Integer, Long> ends = Map.of();
            if (st.state() != TableState.DROPPED && !st.partitions().isEmpty()) {
                try {
                    ends = kafka.latest(st.definition().source().bootstrap(), st.definition().source().topic(),
                            st.partitions());
                } catch (RuntimeException e) {
                    ends = Map.of(); // lag unknown: shown as such
                }
            }
            Optional<Assignment> a = st.state() == TableState.ACTIVE ? catalog.assignment(st.name()) : Optional.empty();
            long now = System.currentTimeMillis();
            long lag = 0;
            TableStatus.Builder b = TableStatus.newBuilder().setTable(info(st));
            for (Integer p : st.partitions()) {
                PartitionStatus.Builder ps = PartitionStatus.newBuilder().setPartition(p).setFreshnessS(-1);
                CommitRecord head = catalog.head(st.name(), p).orElse(null);
                long committed = head == null ? 0 : head.endOffset();
                ps.setCommittedOffset(committed);
                if (head != null) {
                    ps.setSeq(head.seq());
                    if (!head.isGenesis()) {
                        ps.setLastCommitMs(head.committedAt());
                    }
                    if (head.maxTs() != null) {
                        ps.setFreshnessS((now - head.maxTs()) / 1000.0);
                    }
                }
                Long end = ends.get(p);
                if (end != null) {
                    ps.setEndOffset(end).setLag(Math.max(0, end - committed));
                    lag += Math.max(0, end - committed);
                }
                a.map(x -> x.owners().get(p)).ifPresent(ps::setOwner);
                a.map(x -> x.epochs().get(p)).ifPresent(ps::setEpoch);
                b.addPartitions(ps);
            }
            return b.setLag(lag).build();
        }

        /** Runs {@code op} for table {@code name}, mapping the catalog's refusals to one line. */
        <T> T apply(String name, Function<TableLifecycle, T> op) {
            try {
                return op.apply(lifecycle);
            } catch (InvalidDefinitionException e) {
                throw new CliException(e.getMessage());
            } catch (TableAlreadyExistsException e) {
                throw new CliException("name: table '" + name + "' already exists (names are never reused, even after"
                        + " drop)");
            } catch (TableNotFoundException e) {
                throw new CliException("table '" + name + "' does not exist (see `tributary table list --all`)");
            } catch (TableStateException | VersionConflictException | TableLifecycle.SourceUnavailableException e) {
                throw new CliException(e.getMessage());
            }
        }
    }

    /** A stored table as the API shows it (the same fields {@code SchedulerService} returns). */
    static TableInfo info(StoredTable st) {
        return TableInfo.newBuilder().setName(st.name()).setVersion(st.version()).setState(st.state().name())
                .setDefinitionJson(TableDefinitions.toJson(st.definition())).build();
    }

    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (catalog != null) {
            catalog.close();
        }
    }
}
