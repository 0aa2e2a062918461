package io.tributary.scheduler;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Computes one table's partition owners: explicit, deterministic, contiguous ranges, balanced by
 * recent per-partition rate, sticky, and never more runners than partitions.
 *
 * <h2>Algorithm</h2>
 * <ol>
 * <li><b>Who takes part.</b> k = min(live runners, partitions, the table's max runners). Runners
 * that already own partitions of the table come first (most partitions first), then the least
 * loaded across all tables, then by id.</li>
 * <li><b>Keep what is good enough.</b> If every partition is owned by a participant, each
 * participant owns exactly one contiguous range, and the heaviest range is within
 * {@code keepTolerance} of the best possible heaviest range, the current owners are returned
 * unchanged (no churn from noisy rates). While some partition has no measured rate yet (a new
 * leader, a new table), weights are not comparable and any valid assignment is kept.</li>
 * <li><b>Move only what must move.</b> Partitions without a participating owner (its runner left,
 * died or is draining; new partitions) are placed on neighbouring or new runners without moving any
 * owned partition, if the result is balanced within {@code keepTolerance} (it would be kept).</li>
 * <li><b>Otherwise, fewest moves under a balance cap.</b> The best possible heaviest range M* is
 * found (classic linear partition); any split whose ranges all weigh at most
 * {@code M* x (1 + balanceTolerance)} is acceptable, and among those a dynamic programme picks
 * the one that moves the fewest partitions for a given left-to-right order of runners. Current
 * owners keep their left-to-right order; runners with nothing yet are inserted one at a time at
 * the position that moves the fewest partitions.</li>
 * </ol>
 * Weights are the partitions' rates plus a floor (5% of the mean rate, at least 1), so idle
 * partitions still spread by count. Everything is a pure function of the inputs; ties break by
 * position and runner id, so the same inputs give the same owners.
 *
 * <p>Thread-safety: stateless; instances are immutable.
 */
final class AssignmentPlanner {

  private final double keepTolerance;
  private final double balanceTolerance;

  /**
   * @param keepTolerance    how much heavier than optimal the current heaviest range may be
   *                         before a stable assignment is rebalanced (0.5 = 50%)
   * @param balanceTolerance how much heavier than optimal a new split may be, to save moves
   */
  AssignmentPlanner(double keepTolerance, double balanceTolerance) {
    this.keepTolerance = keepTolerance;
    this.balanceTolerance = balanceTolerance;
  }

  /** Defaults: keep within 50% of optimal, new splits within 10%. */
  AssignmentPlanner() {
    this(0.5, 0.1);
  }

  /**
   * A runner that may receive partitions.
   *
   * @param id            runner id
   * @param maxPartitions capacity hint for this table, 0 = no limit
   * @param otherLoad     partitions it holds in other tables (to spread tables over runners)
   */
  record Candidate(String id, int maxPartitions, int otherLoad) {
    Candidate {
      Objects.requireNonNull(id, "id");
    }

    static Candidate of(String id) {
      return new Candidate(id, 0, 0);
    }
  }

  /**
   * Plans the owners of one table.
   *
   * @param partitions    the table's partitions (any order; planned in ascending order)
   * @param runners       live runners that may receive partitions
   * @param current       current owners (partition -> runner id); entries of runners not in
   *                      {@code runners} count as unowned
   * @param rates         recent rows/s per partition; if any partition lacks one, all are
   *                      weighed equally
   * @param maxRunners    the table's maximum parallelism, 0 = no limit
   * @return partition -> runner id for every partition, or empty if there are no runners
   */
  SortedMap<Integer, String> plan(List<Integer> partitions, List<Candidate> runners, Map<Integer, String> current,
      Map<Integer, Double> rates, int maxRunners) {
    List<Integer> parts = partitions.stream().distinct().sorted().toList();
    SortedMap<Integer, String> out = new TreeMap<>();
    if (parts.isEmpty() || runners.isEmpty()) {
      return out;
    }
    Map<String, Candidate> byId = new HashMap<>();
    for (Candidate c : runners) {
      byId.putIfAbsent(c.id(), c);
    }
    int n = parts.size();
    String[] owner = new String[n];
    Map<String, Integer> owned = new HashMap<>();
    for (int i = 0; i < n; i++) {
      String o = current.get(parts.get(i));
      if (o != null && byId.containsKey(o)) {
        owner[i] = o;
        owned.merge(o, 1, Integer::sum);
      }
    }

    // 1. participants
    int k = Math.min(byId.size(), n);
    if (maxRunners > 0) {
      k = Math.min(k, maxRunners);
    }
    List<Candidate> ordered = new ArrayList<>(byId.values());
    ordered.sort(Comparator.<Candidate>comparingInt(c -> -owned.getOrDefault(c.id(), 0))
        .thenComparingInt(Candidate::otherLoad)
        .thenComparing(Candidate::id));
    List<Candidate> chosen = ordered.subList(0, k);

    // Rates are only comparable when every partition has one: right after a leader takeover (or
    // while a new table warms up) some are missing, and weighing measured partitions against
    // unmeasured ones would "balance" by moving partitions that are fine. Then: counts only, and a
    // valid assignment is kept as it is.
    boolean ratesKnown = rates.keySet().containsAll(parts);
    double[] w = weights(parts, ratesKnown ? rates : Map.of());
    double best = optimalMax(w, k);

    // 2. keep the current owners when they are fine
    if (isValid(owner, chosen) && (!ratesKnown || heaviest(owner, w) <= best * (1 + keepTolerance) + 1e-9)) {
      for (int i = 0; i < n; i++) {
        out.put(parts.get(i), owner[i]);
      }
      return out;
    }

    // 3. fewest moves under the (tight) balance cap ...
    Split balanced = solve(chosen, owner, w, best * (1 + balanceTolerance) + 1e-9, k, false);
    int orphans = 0;
    for (String o : owner) {
      if (o == null || chosen.stream().noneMatch(c -> c.id().equals(o))) {
        orphans++;
      }
    }
    if (balanced.moves > orphans) {
      // ... unless only what must move (partitions without a participating owner: its runner left,
      // died or is draining; new partitions) can move, with a result balanced enough to be kept
      Split onlyOrphans = solve(chosen, owner, w, best * (1 + keepTolerance) + 1e-9, k, true);
      if (onlyOrphans != null && onlyOrphans.moves == orphans) {
        return onlyOrphans.toOwners(parts);
      }
    }
    return balanced.toOwners(parts);
  }

  /** A left-to-right order of runners and the exclusive end of each one's range. */
  private record Split(List<Candidate> order, int[] cut, long moves) {
    SortedMap<Integer, String> toOwners(List<Integer> parts) {
      SortedMap<Integer, String> out = new TreeMap<>();
      int start = 0;
      for (int j = 0; j < order.size(); j++) {
        for (int i = start; i < cut[j]; i++) {
          out.put(parts.get(i), order.get(j).id());
        }
        start = cut[j];
      }
      return out;
    }
  }

  /**
   * The split that moves the fewest partitions with every range at most {@code cap} and every
   * capacity hint honoured; unless {@code strict}, falling back to no cap and then to ignoring the
   * hints when none fits (null only when strict and nothing fits). Current owners keep their left-to-right order; runners with nothing
   * yet are inserted one at a time at the position that moves the fewest partitions.
   */
  private Split solve(List<Candidate> chosen, String[] owner, double[] w, double cap, int k, boolean strict) {
    int n = owner.length;
    List<Candidate> order = new ArrayList<>();
    List<Candidate> fresh = new ArrayList<>();
    Map<String, Integer> firstIndex = new HashMap<>();
    for (int i = 0; i < n; i++) {
      if (owner[i] != null) {
        firstIndex.putIfAbsent(owner[i], i);
      }
    }
    for (Candidate c : chosen) {
      if (firstIndex.containsKey(c.id())) {
        order.add(c);
      } else {
        fresh.add(c);
      }
    }
    order.sort(Comparator.comparingInt(c -> firstIndex.get(c.id())));
    fresh.sort(Comparator.comparing(Candidate::id));
    for (Candidate f : fresh) {
      int bestPos = 0;
      long bestMoves = Long.MAX_VALUE;
      for (int pos = 0; pos <= order.size(); pos++) {
        List<Candidate> trial = new ArrayList<>(order);
        trial.add(pos, f);
        // Only a partial order is known while inserting: the runners not placed yet take nothing,
        // so cost the trial against the full count by padding with the remaining fresh runners.
        long moves = movesForPrefixOrder(trial, fresh, owner, w, cap, k);
        if (moves <= bestMoves) { // ties: the later position (fresh runners line up in id order)
          bestMoves = moves;
          bestPos = pos;
        }
      }
      order.add(bestPos, f);
    }
    int[] cut = strict ? split(order, owner, w, cap, true) : bestSplit(order, owner, w, cap);
    return cut == null ? null : new Split(order, cut, moves(order, owner, cut));
  }

  /** Moves of the best split when {@code trial} is completed by the fresh runners it lacks (appended). */
  private long movesForPrefixOrder(List<Candidate> trial, List<Candidate> fresh, String[] owner, double[] w,
      double cap, int k) {
    List<Candidate> full = new ArrayList<>(trial);
    for (Candidate f : fresh) {
      if (full.size() >= k) {
        break;
      }
      if (!full.contains(f)) {
        full.add(f);
      }
    }
    int[] cut = bestSplit(full, owner, w, cap);
    return cut == null ? Long.MAX_VALUE : moves(full, owner, cut);
  }

  /**
   * Capacity hints first, then balance: a runner is never given more than it said it can take
   * unless no split can honour all hints.
   */
  private static int[] bestSplit(List<Candidate> order, String[] owner, double[] w, double cap) {
    int[] cut = split(order, owner, w, cap, true);
    if (cut == null) {
      cut = split(order, owner, w, Double.MAX_VALUE, true);
    }
    if (cut == null) {
      cut = split(order, owner, w, cap, false);
    }
    if (cut == null) {
      cut = split(order, owner, w, Double.MAX_VALUE, false);
    }
    return cut;
  }

  private static long moves(List<Candidate> order, String[] owner, int[] cut) {
    long m = 0;
    int start = 0;
    for (int j = 0; j < order.size(); j++) {
      for (int i = start; i < cut[j]; i++) {
        if (!order.get(j).id().equals(owner[i])) {
          m++;
        }
      }
      start = cut[j];
    }
    return m;
  }

  /**
   * Dynamic programme: the split of partitions into {@code order.size()} non-empty consecutive
   * ranges (range j to order[j]) with every range weighing at most {@code cap} that moves the
   * fewest partitions. Returns the exclusive end index of each range, or null if none fits.
   */
  private static int[] split(List<Candidate> order, String[] owner, double[] w, double cap, boolean capacity) {
    int n = w.length;
    int k = order.size();
    double[] prefix = new double[n + 1];
    for (int i = 0; i < n; i++) {
      prefix[i + 1] = prefix[i] + w[i];
    }
    long inf = Long.MAX_VALUE / 4;
    long[][] cost = new long[k + 1][n + 1];
    int[][] from = new int[k + 1][n + 1];
    for (long[] row : cost) {
      java.util.Arrays.fill(row, inf);
    }
    cost[0][0] = 0;
    for (int j = 1; j <= k; j++) {
      String id = order.get(j - 1).id();
      int max = capacity && order.get(j - 1).maxPartitions() > 0 ? order.get(j - 1).maxPartitions() : n;
      for (int end = j; end <= n - (k - j); end++) {
        long keep = 0; // partitions in (start, end] already owned by id, built while start moves left
        for (int start = end - 1; start >= j - 1; start--) {
          if (id.equals(owner[start])) {
            keep++;
          }
          int len = end - start;
          if (len > max || prefix[end] - prefix[start] > cap) {
            break;
          }
          if (cost[j - 1][start] >= inf) {
            continue;
          }
          long c = cost[j - 1][start] + (len - keep);
          if (c < cost[j][end]) { // strict: ties keep the longest earlier range (deterministic)
            cost[j][end] = c;
            from[j][end] = start;
          }
        }
      }
    }
    if (cost[k][n] >= inf) {
      return null;
    }
    int[] cut = new int[k];
    int end = n;
    for (int j = k; j >= 1; j--) {
      cut[j - 1] = end;
      end = from[j][end];
    }
    return cut;
  }

  /** Every partition owned by a participant, one contiguous range each, capacity hints honoured. */
  private static boolean isValid(String[] owner, List<Candidate> chosen) {
    Map<String, Candidate> ids = new HashMap<>();
    chosen.forEach(c -> ids.put(c.id(), c));
    Map<String, Integer> seen = new HashMap<>();
    String prev = null;
    for (String o : owner) {
      if (o == null || !ids.containsKey(o)) {
        return false;
      }
      if (!o.equals(prev) && seen.containsKey(o)) {
        return false; // not contiguous
      }
      seen.merge(o, 1, Integer::sum);
      prev = o;
    }
    if (seen.size() != chosen.size()) {
      return false;
    }
    for (Map.Entry<String, Integer> e : seen.entrySet()) {
      int max = ids.get(e.getKey()).maxPartitions();
      if (max > 0 && e.getValue() > max) {
        return false;
      }
    }
    return true;
  }

  /** The weight of the heaviest runner's partitions. */
  private static double heaviest(String[] owner, double[] w) {
    Map<String, Double> load = new HashMap<>();
    for (int i = 0; i < owner.length; i++) {
      load.merge(owner[i], w[i], Double::sum);
    }
    return load.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
  }

  static double[] weights(List<Integer> parts, Map<Integer, Double> rates) {
    double sum = 0;
    for (Integer p : parts) {
      sum += Math.max(0, rates.getOrDefault(p, 0.0));
    }
    double floor = Math.max(1.0, 0.05 * sum / parts.size());
    double[] w = new double[parts.size()];
    for (int i = 0; i < w.length; i++) {
      w[i] = Math.max(0, rates.getOrDefault(parts.get(i), 0.0)) + floor;
    }
    return w;
  }

  /** The smallest possible weight of the heaviest of k non-empty consecutive ranges. */
  static double optimalMax(double[] w, int k) {
    int n = w.length;
    double[] prefix = new double[n + 1];
    for (int i = 0; i < n; i++) {
      prefix[i + 1] = prefix[i] + w[i];
    }
    double[][] dp = new double[k + 1][n + 1];
    for (double[] row : dp) {
      java.util.Arrays.fill(row, Double.MAX_VALUE);
    }
    dp[0][0] = 0;
    for (int j = 1; j <= k; j++) {
      for (int end = j; end <= n; end++) {
        for (int start = j - 1; start < end; start++) {
          if (dp[j - 1][start] == Double.MAX_VALUE) {
            continue;
          }
          double v = Math.max(dp[j - 1][start], prefix[end] - prefix[start]);
          if (v < dp[j][end]) {
            dp[j][end] = v;
          }
        }
      }
    }
    return dp[k][n];
  }
}
