package io.tributary.scheduler;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.tributary.api.v1.ClusterStatus;
import io.tributary.api.v1.CreateTableRequest;
import io.tributary.api.v1.GetStatusRequest;
import io.tributary.api.v1.ListRunnersRequest;
import io.tributary.api.v1.ListRunnersResponse;
import io.tributary.api.v1.ListTablesRequest;
import io.tributary.api.v1.ListTablesResponse;
import io.tributary.api.v1.SchedulerServiceGrpc;
import io.tributary.api.v1.TableInfo;
import io.tributary.api.v1.TableRef;
import io.tributary.api.v1.TableStatus;
import io.tributary.api.v1.UpdateTableRequest;
import jakarta.inject.Inject;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Quarkus edge of {@code SchedulerService}: checks leadership (a standby answers
 * FAILED_PRECONDITION with {@code leader=host:port}) and delegates to {@link TableAdmin}. Runs on
 * worker threads (the catalog and Kafka calls block).
 */
@GrpcService
@Blocking
public class SchedulerGrpcService extends SchedulerServiceGrpc.SchedulerServiceImplBase {

  private static final Logger LOG = Logger.getLogger(SchedulerGrpcService.class);

  @Inject
  SchedulerNode node;

  @Override
  public void createTable(CreateTableRequest request, StreamObserver<TableInfo> out) {
    call(out, () -> node.admin().create(request.getDefinitionJson()));
  }

  @Override
  public void updateTable(UpdateTableRequest request, StreamObserver<TableInfo> out) {
    call(out, () -> node.admin().update(request.getDefinitionJson(), request.getExpectedVersion()));
  }

  @Override
  public void dropTable(TableRef request, StreamObserver<TableInfo> out) {
    call(out, () -> node.admin().drop(request.getName()));
  }

  @Override
  public void pauseTable(TableRef request, StreamObserver<TableInfo> out) {
    call(out, () -> node.admin().pause(request.getName()));
  }

  @Override
  public void resumeTable(TableRef request, StreamObserver<TableInfo> out) {
    call(out, () -> node.admin().resume(request.getName()));
  }

  @Override
  public void listTables(ListTablesRequest request, StreamObserver<ListTablesResponse> out) {
    call(out, () -> ListTablesResponse.newBuilder().addAllTables(node.admin().list(request.getIncludeDropped()))
        .build());
  }

  @Override
  public void describeTable(TableRef request, StreamObserver<TableStatus> out) {
    call(out, () -> node.admin().describe(request.getName()));
  }

  @Override
  public void listRunners(ListRunnersRequest request, StreamObserver<ListRunnersResponse> out) {
    call(out, () -> ListRunnersResponse.newBuilder().addAllRunners(node.admin().runners()).build());
  }

  @Override
  public void getStatus(GetStatusRequest request, StreamObserver<ClusterStatus> out) {
    call(out, () -> node.admin().status());
  }

  private <T> void call(StreamObserver<T> out, Supplier<T> body) {
    if (!node.isLeader()) {
      String leader = node.leaderAddress();
      out.onError(Status.FAILED_PRECONDITION.withDescription("this scheduler (" + node.settings().address()
          + ") is not the leader; leader=" + (leader.isEmpty() ? "unknown" : leader)).asRuntimeException());
      return;
    }
    T result;
    try {
      result = body.get();
    } catch (ApiException e) {
      out.onError(e.toStatus());
      return;
    } catch (RuntimeException e) {
      LOG.warnf(e, "api call failed");
      out.onError(Status.UNAVAILABLE.withDescription("scheduler could not complete the call: " + e)
          .asRuntimeException());
      return;
    }
    out.onNext(result);
    out.onCompleted();
  }
}
