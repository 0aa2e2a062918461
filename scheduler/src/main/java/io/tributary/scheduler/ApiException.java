package io.tributary.scheduler;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * A refused API call with the gRPC status it maps to. Messages name the offending field first
 * ({@code name: is required}), like {@link io.tributary.catalog.InvalidDefinitionException}.
 */
final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient Status status;

  ApiException(Status status, String message) {
    super(message);
    this.status = status.withDescription(message);
  }

  static ApiException invalid(String field, String detail) {
    return new ApiException(Status.INVALID_ARGUMENT, field + ": " + detail);
  }

  static ApiException notFound(String table) {
    return new ApiException(Status.NOT_FOUND, "table '" + table + "' does not exist");
  }

  StatusRuntimeException toStatus() {
    return status.asRuntimeException();
  }
}
