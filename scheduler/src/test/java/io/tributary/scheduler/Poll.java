package io.tributary.scheduler;

import java.time.Duration;
import java.util.function.Supplier;

/** Test helper: waits for a condition with a deadline (never sleep as synchronisation). */
final class Poll {
  private Poll() {
  }

  /** Polls {@code check} every 100 ms until it returns non-null, or fails after {@code timeout}. */
  static <T> T until(String what, Duration timeout, Supplier<T> check) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Throwable last = null;
    while (System.nanoTime() < deadline) {
      try {
        T v = check.get();
        if (v != null && !Boolean.FALSE.equals(v)) {
          return v;
        }
      } catch (RuntimeException | AssertionError e) {
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
