package io.tributary.cli;

import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import jakarta.inject.Inject;
import picocli.CommandLine;

/**
 * Entry point: runs the picocli command tree; a {@link CliException} (or any error) becomes one
 * clear line on stderr ({@link Errors#line}) and exit code 1 instead of a stack trace;
 * {@code --verbose} adds the cause chain.
 */
@QuarkusMain
public class CliMain implements QuarkusApplication {

    @Inject
    CommandLine.IFactory factory;

    /** {@code --verbose} anywhere on the line (or TRIBUTARY_VERBOSE=1): errors show their cause chain. */
    static boolean verbose;

    @Override
    public int run(String... args) {
        return commandLine(factory).execute(withoutVerbose(args));
    }

    static String[] withoutVerbose(String... args) {
        java.util.List<String> out = new java.util.ArrayList<>();
        verbose = "1".equals(System.getenv("TRIBUTARY_VERBOSE")) || "true".equals(System.getenv("TRIBUTARY_VERBOSE"));
        for (String a : args) {
            if (a.equals("--verbose")) {
                verbose = true;
            } else {
                out.add(a);
            }
        }
        return out.toArray(String[]::new);
    }

    /** The command tree with the one-line error handler (tests use it with the default factory). */
    static CommandLine commandLine(CommandLine.IFactory factory) {
        // Output is read by scripts: the same number format everywhere (1,234.5).
        java.util.Locale.setDefault(java.util.Locale.ROOT);
        CommandLine cl = factory == null ? new CommandLine(TributaryCommand.class) : new CommandLine(TributaryCommand.class, factory);
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            cmd.getErr().println("tributary: " + Errors.line(ex));
            if (verbose) {
                cmd.getErr().print(Errors.chain(ex));
            }
            return 1;
        });
        // Usage errors: one line naming what is wrong and where the help is, exit 2.
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            cmd.getErr().println("tributary: " + ex.getMessage() + " (see `" + cmd.getCommandSpec().qualifiedName() + " --help`)");
            return 2;
        });
        return cl;
    }
}
