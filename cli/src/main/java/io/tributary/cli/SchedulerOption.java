package io.tributary.cli;

import picocli.CommandLine.Option;

/** {@code --scheduler host:port}: talk to this scheduler instead of the catalog lease's leader. */
class SchedulerOption {
    @Option(names = "--scheduler", paramLabel = "HOST:PORT",
            description = "Scheduler gRPC address (default: TRIBUTARY_SCHEDULER, else the leader in the catalog lease)")
    String scheduler;

    SchedulerClient connect() {
        return SchedulerClient.connect(scheduler, Home.env());
    }

    /** For {@code table} commands: the scheduler when one runs, else the catalog ({@link TableAccess}). */
    TableAccess tables() {
        return new TableAccess(scheduler, Home.env());
    }
}
