package io.tributary.cli;

import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import jakarta.inject.Inject;
import picocli.CommandLine;

/**
 * Entry point: runs the picocli command tree; a {@link CliException} (or any error) becomes one
 * clear line on stderr and exit code 1 instead of a stack trace.
 */
@QuarkusMain
public class CliMain implements QuarkusApplication {

    @Inject
    CommandLine.IFactory factory;

    @Override
    public int run(String... args) {
        CommandLine cl = new CommandLine(TributaryCommand.class, factory);
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            String msg = ex instanceof CliException ? ex.getMessage() : ex.getClass().getSimpleName() + ": " + ex.getMessage();
            cmd.getErr().println("tributary: " + msg);
            return 1;
        });
        return cl.execute(args);
    }
}
