package io.tributary.scheduler.scaling;

/**
 * Applies a runner pool size to a platform: local child processes, an ECS service's desiredCount,
 * a Knative Service's min-scale or a Deployment's replicas. Chosen by {@code TRIBUTARY_SCALER}
 * (see {@link Scalers}).
 *
 * <p>Calls come from one thread (the scaling tick) and may block for a bounded time (an API call
 * with a timeout); failures are thrown as {@link ScalerException} with a message an operator can act
 * on, and never stop ingestion: the tick records the error in status and metrics and retries.
 */
public interface Scaler extends AutoCloseable {

  /**
   * What the platform reports.
   *
   * @param desired the pool size the platform is currently asked to run (-1 = unknown)
   * @param actual  runners the platform reports running (-1 = unknown)
   */
  record Observed(int desired, int actual) {
  }

  /** Short name for logs and status: {@code none}, {@code local}, {@code ecs}, {@code knative}, {@code kubernetes}. */
  String name();

  /** What the platform reports now. */
  Observed observe();

  /** Asks the platform to run {@code desired} runners. Scale-in must let runners drain (SIGTERM). */
  void scaleTo(int desired);

  /** Whether {@link #scaleTo} changes anything (false for the advisory {@code none} scaler). */
  default boolean applies() {
    return true;
  }

  /** Releases clients; the local scaler also stops its children. */
  @Override
  default void close() {
  }
}
