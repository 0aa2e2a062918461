package io.tributary.cli;

import io.tributary.api.v1.ClusterStatus;
import io.tributary.api.v1.GetStatusRequest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tributary status [--watch] [--json]}: the scheduler's GetStatus as a table or JSON. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show tables, runners, per-partition lag and freshness (from the scheduler leader).",
            "--json prints {\"leader\", \"runners\":[{\"id\",\"partitions\",\"last_heartbeat_ms\"}], \"tables\":[{\"name\",\"state\",\"lag\","
                + "\"partitions\":[{\"partition\",\"owner\",\"epoch\",\"committed\",\"end\",\"lag\",\"freshness_s\"}]}], "
                + "\"scaling\":{\"desired\",\"actual\",\"reason\"}}."})
public class StatusCommand implements Callable<Integer> {
    @Option(names = "--watch", description = "Refresh until interrupted (Ctrl-C).")
    boolean watch;
    @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "2", description = "Refresh interval of --watch (default ${DEFAULT-VALUE}).")
    double interval;
    @Option(names = "--json", description = "Print JSON (one document, or one line per refresh with --watch).")
    boolean json;
    @Mixin
    SchedulerOption scheduler;

    @Override
    public Integer call() throws Exception {
        if (!(interval > 0)) {
            throw new CliException("--interval must be positive, got " + interval);
        }
        try (SchedulerClient c = scheduler.connect()) {
            while (true) {
                ClusterStatus s = c.call("GetStatus", stub -> stub.getStatus(GetStatusRequest.getDefaultInstance()));
                if (json) {
                    System.out.println(StatusView.toJsonText(s));
                } else {
                    if (watch) {
                        System.out.print("\033[H\033[2J");
                    }
                    System.out.print(StatusView.render(s, System.currentTimeMillis()));
                }
                System.out.flush();
                if (!watch) {
                    return 0;
                }
                Thread.sleep((long) (interval * 1000));
            }
        }
    }
}
