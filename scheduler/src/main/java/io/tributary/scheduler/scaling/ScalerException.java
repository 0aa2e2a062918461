package io.tributary.scheduler.scaling;

/** A scaler could not read or change the platform; the message says what and where. */
public final class ScalerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** With a message naming the platform object and the failure. */
  public ScalerException(String message) {
    super(message);
  }

  /** With a message and the cause. */
  public ScalerException(String message, Throwable cause) {
    super(message, cause);
  }
}
