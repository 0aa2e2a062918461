package io.tributary.cli;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import picocli.CommandLine.Command;

/** The top of the {@code tributary} command tree; every subcommand has its own {@code --help}. */
@TopCommand
@Command(name = "tributary", mixinStandardHelpOptions = true, version = "tributary 0.1.0",
        description = "Lands Kafka topics in S3 as Parquet parts, exactly once, within seconds.",
        subcommands = {DemoCommand.class, LocalCommand.class, AppCommand.Scheduler.class, AppCommand.Runner.class,
            TableCommand.class, StatusCommand.class, AuditCommand.class, ProduceCommand.class, QueryCommand.class,
            CompactCommand.class, SweepCommand.class, RetentionCommand.class, BenchCommand.class})
public class TributaryCommand {
}
