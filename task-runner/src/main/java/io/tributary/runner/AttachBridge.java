package io.tributary.runner;

import io.tributary.runner.consume.TableWorker;

import io.tributary.runner.attach.RunnerControl;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Adapts the {@link TaskRunner} to {@link RunnerControl}, the seam the scheduler attachment
 * ({@code io.tributary.runner.attach.AttachLoop}) drives: assignments become
 * {@link TaskRunner#assignmentChanged}, revokes {@link TaskRunner#revoke}, heartbeats read
 * {@link TaskRunner#status()}.
 */
public final class AttachBridge implements RunnerControl {
    private final TaskRunner runner;
    private final int maxPartitions;
    private final String httpAddress;

    /**
     * @param maxPartitions capacity hint for the scheduler, 0 = no limit
     * @param httpAddress   where this runner serves HTTP ({@code host:port}), shown in status
     */
    public AttachBridge(TaskRunner runner, int maxPartitions, String httpAddress) {
        this.runner = runner;
        this.maxPartitions = maxPartitions;
        this.httpAddress = httpAddress;
    }

    @Override
    public String httpAddress() {
        return httpAddress;
    }

    @Override
    public int maxPartitions() {
        return maxPartitions;
    }

    @Override
    public String runnerId() {
        return runner.config().runnerId();
    }

    @Override
    public void assign(List<Work> tables) {
        List<AssignmentSource.TableAssignment> out = new ArrayList<>();
        for (Work w : tables) {
            out.add(new AssignmentSource.TableAssignment(w.table(), w.epochs()));
        }
        runner.assignmentChanged(out);
    }

    @Override
    public CompletableFuture<Void> revoke(String table, Set<Integer> partitions) {
        return runner.revoke(table, partitions);
    }

    @Override
    public List<Progress> progress() {
        List<Progress> out = new ArrayList<>();
        for (TableWorker.PartitionStatus s : runner.status()) {
            out.add(new Progress(s.table(), s.partition(), s.epoch(), s.committedOffset(), s.bufferedRows(), s.stopped(),
                    s.error(), s.lastCommitMillis(), s.newestCommittedTs()));
        }
        return out;
    }

    @Override
    public long bufferedBytes() {
        return runner.memory().used();
    }

    @Override
    public long memoryBudgetBytes() {
        return runner.config().memoryBudgetBytes();
    }
}
