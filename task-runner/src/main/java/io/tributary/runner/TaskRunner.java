package io.tributary.runner;

import io.tributary.runner.buffer.MemoryBudget;
import io.tributary.runner.write.S3PartWriter;
import io.tributary.runner.write.AirCompressorCodecFactory;
import io.tributary.runner.commit.Committer;
import io.tributary.runner.consume.TableWorker;
import io.tributary.runner.metrics.RunnerMetrics;

import io.tributary.catalog.Catalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One task runner: the {@link TableWorker}s of the tables it is assigned, the bounded flush executor
 * they share and the runner-wide memory budget. Plain Java, built through its constructor; Quarkus
 * only starts and stops it.
 *
 * <p>Threads: {@link #assignmentChanged} is called by the {@link AssignmentSource}'s thread;
 * each table has its own poll thread; parts are written and committed on {@code flushThreads}
 * executor threads. {@link #close()} stops polling, flushes and commits everything within the
 * shutdown grace period.
 */
public final class TaskRunner implements AssignmentSource.Listener, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TaskRunner.class);

    private final RunnerConfig config;
    private final TableWorker.Shared shared;
    private final ExecutorService flushExecutor;
    private final Map<String, TableWorker> workers = new HashMap<>();
    private final Map<String, Long> versions = new HashMap<>();
    private boolean closed;

    TaskRunner(RunnerConfig config, Catalog catalog, S3Client s3, RunnerMetrics metrics) {
        this.config = config;
        AtomicInteger n = new AtomicInteger();
        this.flushExecutor = new ThreadPoolExecutor(config.flushThreads(), config.flushThreads(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "tributary-flush-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        MemoryBudget memory = new MemoryBudget(config.memoryBudgetBytes());
        S3PartWriter writer = new S3PartWriter(s3, new AirCompressorCodecFactory(), config.uploadPartBytes(),
                config.rowGroupBytes(), metrics);
        this.shared = new TableWorker.Shared(config, catalog, new Committer(catalog, writer, config.runnerId(), metrics),
                flushExecutor, metrics, memory);
        metrics.bufferedBytes(memory::used);
    }

    RunnerConfig config() {
        return config;
    }

    MemoryBudget memory() {
        return shared.memory();
    }

    @Override
    public synchronized void assignmentChanged(List<AssignmentSource.TableAssignment> tables) {
        if (closed) {
            return;
        }
        Map<String, AssignmentSource.TableAssignment> desired = new HashMap<>();
        for (AssignmentSource.TableAssignment t : tables) {
            desired.put(t.table().name(), t);
        }
        for (String name : List.copyOf(workers.keySet())) {
            AssignmentSource.TableAssignment t = desired.get(name);
            if (t == null || t.table().version() != versions.get(name)) {
                TableWorker w = workers.remove(name);
                versions.remove(name);
                LOG.infof("table %s: %s; flushing and stopping its worker", name,
                        t == null ? "no longer assigned" : "definition changed to version " + t.table().version());
                stopWorker(w);
            }
        }
        for (AssignmentSource.TableAssignment t : tables) {
            String name = t.table().name();
            TableWorker w = workers.get(name);
            if (w == null) {
                w = new TableWorker(shared, TableContext.of(t.table(), config));
                workers.put(name, w);
                versions.put(name, t.table().version());
                w.start();
                LOG.infof("table %s: worker started (definition version %d) for partitions %s", name,
                        t.table().version(), new java.util.TreeSet<>(t.epochs().keySet()));
            }
            w.assign(t.epochs());
        }
    }

    private void stopWorker(TableWorker w) {
        w.stop();
        try {
            if (!w.awaitStopped(config.shutdownGrace().plusSeconds(5))) {
                LOG.warnf("table %s: worker did not stop within the grace period", w.table());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Revokes partitions of one table (the scheduler's revoke handshake): completes when they are
     * flushed and committed, at once if they are not owned.
     */
    public synchronized java.util.concurrent.CompletableFuture<Void> revoke(String table, java.util.Set<Integer> partitions) {
        TableWorker w = workers.get(table);
        return w == null ? java.util.concurrent.CompletableFuture.completedFuture(null) : w.revoke(partitions);
    }

    /** Partition status of every table (heartbeats, health, tests). */
    public synchronized List<TableWorker.PartitionStatus> status() {
        List<TableWorker.PartitionStatus> out = new ArrayList<>();
        for (TableWorker w : workers.values()) {
            out.addAll(w.status());
        }
        return out;
    }

    /** False if a poll thread died of an unexpected error. */
    public synchronized boolean healthy() {
        for (TableWorker w : workers.values()) {
            if (!w.healthy()) {
                return false;
            }
        }
        return true;
    }

    /** Graceful stop: stop polling, flush, commit; returns within the shutdown grace (plus a little). */
    @Override
    public void close() {
        List<TableWorker> ws;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            ws = List.copyOf(workers.values());
        }
        LOG.infof("runner %s: stopping %d table workers (grace %s)", config.runnerId(), ws.size(), config.shutdownGrace());
        for (TableWorker w : ws) {
            w.stop();
        }
        long deadline = System.nanoTime() + config.shutdownGrace().plusSeconds(5).toNanos();
        for (TableWorker w : ws) {
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                w.awaitStopped(Duration.ofNanos(left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        flushExecutor.shutdown();
        LOG.infof("runner %s: stopped", config.runnerId());
    }
}
