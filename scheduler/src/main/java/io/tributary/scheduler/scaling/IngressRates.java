package io.tributary.scheduler.scaling;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Ingress rate per partition from Kafka end offsets sampled over time: the offset advance between
 * the oldest sample inside the window and the newest, divided by the time between them. A partition
 * whose end offset went backwards (topic recreated) restarts its history.
 *
 * <p>Thread-safety: not thread-safe; used by the scaling tick only.
 */
final class IngressRates {

  private record Sample(long atMs, long endOffset) {
  }

  private final long windowMs;
  private final Map<String, Deque<Sample>> history = new HashMap<>();

  IngressRates(long windowMs) {
    this.windowMs = windowMs;
  }

  /** Records an end offset and returns the partition's rate (offsets/s; 0 until two samples). */
  double record(String table, int partition, long atMs, long endOffset) {
    String key = table + "#" + partition;
    Deque<Sample> d = history.computeIfAbsent(key, k -> new ArrayDeque<>());
    if (endOffset < 0) {
      return rate(d);
    }
    if (!d.isEmpty() && endOffset < d.peekLast().endOffset()) {
      d.clear();
    }
    if (!d.isEmpty() && d.peekLast().atMs() >= atMs) {
      return rate(d);
    }
    d.addLast(new Sample(atMs, endOffset));
    // Keep one sample at or before the window start, so the rate always spans the full window.
    while (d.size() > 2) {
      Sample second = d.stream().skip(1).findFirst().orElseThrow();
      if (second.atMs() <= atMs - windowMs) {
        d.removeFirst();
      } else {
        break;
      }
    }
    return rate(d);
  }

  /** Forgets partitions not seen in this tick (dropped tables). */
  void retain(java.util.Set<String> keys) {
    history.keySet().retainAll(keys);
  }

  private static double rate(Deque<Sample> d) {
    if (d.size() < 2) {
      return 0;
    }
    Sample a = d.peekFirst();
    Sample b = d.peekLast();
    long dt = b.atMs() - a.atMs();
    return dt <= 0 ? 0 : (b.endOffset() - a.endOffset()) * 1000.0 / dt;
  }
}
