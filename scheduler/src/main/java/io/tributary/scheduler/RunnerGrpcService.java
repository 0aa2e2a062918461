package io.tributary.scheduler;

import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.tributary.api.v1.RunnerMessage;
import io.tributary.api.v1.RunnerServiceGrpc;
import io.tributary.api.v1.SchedulerMessage;
import jakarta.inject.Inject;

/**
 * Quarkus edge of {@code RunnerService.Attach}: wraps each stream in a {@link RunnerSession} and
 * hands every event to the {@link SchedulerCoordinator} thread; it never blocks the gRPC thread.
 * A clean half-close from the runner means it is leaving; an error means the stream broke (the
 * runner keeps its partitions until the dead timeout unless it re-attaches).
 */
@GrpcService
public class RunnerGrpcService extends RunnerServiceGrpc.RunnerServiceImplBase {

  @Inject
  SchedulerNode node;

  @Override
  public StreamObserver<RunnerMessage> attach(StreamObserver<SchedulerMessage> out) {
    SchedulerCoordinator c = node.coordinator();
    RunnerSession s = new RunnerSession(out, AuthInterceptor.peer());
    c.opened(s);
    return new StreamObserver<>() {
      @Override
      public void onNext(RunnerMessage m) {
        c.received(s, m);
      }

      @Override
      public void onError(Throwable t) {
        c.closedByPeer(s, false);
      }

      @Override
      public void onCompleted() {
        c.closedByPeer(s, true);
      }
    };
  }
}
