package io.tributary.runner;

import io.tributary.runner.consume.TableWorker;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/** {@code /q/health}: up while every table's poll thread runs; stopped partitions are listed, not fatal. */
@Liveness
@Readiness
@ApplicationScoped
public class RunnerHealthCheck implements HealthCheck {
    @Inject
    RunnerHolder holder;

    @Override
    public HealthCheckResponse call() {
        TaskRunner r = holder.get();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("tributary-runner");
        if (r == null) {
            return b.down().withData("state", "starting").build();
        }
        int owned = 0;
        int stopped = 0;
        for (TableWorker.PartitionStatus s : r.status()) {
            owned++;
            if (s.stopped()) {
                stopped++;
                b.withData(s.table() + "/" + s.partition(), "stopped: " + s.error());
            }
        }
        return b.status(r.healthy()).withData("partitions", owned).withData("stopped", stopped)
                .withData("buffered_bytes", r.memory().used()).withData("runner", r.config().runnerId()).build();
    }
}
