package io.tributary.scheduler;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Readiness at /q/health: up as leader or standby; reports the role and the leader's address. */
@Readiness
@ApplicationScoped
public class LeaderHealthCheck implements HealthCheck {

  @Inject
  SchedulerNode node;

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("scheduler").up().withData("role", node.isLeader() ? "leader" : "standby")
        .withData("leader", node.leaderAddress()).withData("id", node.settings().id()).build();
  }
}
