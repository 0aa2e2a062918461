package io.tributary.scheduler.scaling;

/**
 * The default for a plain {@code ./tributary scheduler}: computes and reports the desired pool size
 * but starts and stops nothing; actual is whatever attached.
 */
public final class NoScaler implements Scaler {

  private volatile int desired = -1;

  @Override
  public String name() {
    return "none";
  }

  @Override
  public Observed observe() {
    return new Observed(desired, -1);
  }

  @Override
  public void scaleTo(int desired) {
    this.desired = desired;
  }

  @Override
  public boolean applies() {
    return false;
  }
}
