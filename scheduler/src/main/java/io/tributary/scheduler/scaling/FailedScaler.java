package io.tributary.scheduler.scaling;

/**
 * Stands in for a scaler whose configuration is unusable (unknown {@code TRIBUTARY_SCALER}, missing
 * target, a client that cannot be built): every call fails with the configuration error, so the
 * scheduler keeps running and status/metrics show what to fix.
 */
public final class FailedScaler implements Scaler {

  private final String name;
  private final String error;

  /** A scaler named {@code name} that always fails with {@code error}. */
  public FailedScaler(String name, String error) {
    this.name = name;
    this.error = error;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Observed observe() {
    throw new ScalerException(error);
  }

  @Override
  public void scaleTo(int desired) {
    throw new ScalerException(error);
  }
}
