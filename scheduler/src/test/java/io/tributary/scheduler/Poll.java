package io.tributary.scheduler;

import java.time.Duration;
import java.util.function.Supplier;

/** Test helper: waits for a condition with a deadline (never sleep as synchronisation). */
public final class Poll {
  private Poll() {
  }

  /**
   * Polls {@code check} every 100 ms until it returns non-null (and not false), or fails after
   * {@code timeout}; exceptions and assertion errors inside {@code check} count as "not yet".
   */
  public static <T> T until(String what, Duration timeout, Supplier<T> check) {
    return poll(what, timeout, check, false);
  }

  /** Like {@link #until}, but an {@link AssertionError} inside {@code check} fails at once (e.g. a bad audit). */
  public static <T> T untilFailFast(String what, Duration timeout, Supplier<T> check) {
    return poll(what, timeout, check, true);
  }

  private static <T> T poll(String what, Duration timeout, Supplier<T> check, boolean failFast) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Throwable last = null;
    while (System.nanoTime() < deadline) {
      try {
        T v = check.get();
        if (v != null && !Boolean.FALSE.equals(v)) {
          return v;
        }
      } catch (RuntimeException e) {
        last = e;
      } catch (AssertionError e) {
        if (failFast) {
          throw e;
        }
        last = e;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
    throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what
        + (last == null ? "" : " (last error: " + last + ")"), last);
  }
}
