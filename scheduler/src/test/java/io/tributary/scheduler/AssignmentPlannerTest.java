package io.tributary.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.scheduler.AssignmentPlanner.Candidate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class AssignmentPlannerTest {

  private final AssignmentPlanner planner = new AssignmentPlanner();

  private static List<Integer> parts(int n) {
    return IntStream.range(0, n).boxed().toList();
  }

  private static List<Candidate> runners(String... ids) {
    List<Candidate> out = new ArrayList<>();
    for (String id : ids) {
      out.add(Candidate.of(id));
    }
    return out;
  }

  private static Map<String, Integer> counts(Map<Integer, String> owners) {
    Map<String, Integer> c = new TreeMap<>();
    owners.values().forEach(o -> c.merge(o, 1, Integer::sum));
    return c;
  }

  private static void assertContiguous(Map<Integer, String> owners) {
    Map<String, Integer> last = new HashMap<>();
    String prev = null;
    for (var e : owners.entrySet()) {
      if (!e.getValue().equals(prev)) {
        assertThat(last).as("runner %s owns two ranges in %s", e.getValue(), owners).doesNotContainKey(e.getValue());
      }
      last.put(e.getValue(), e.getKey());
      prev = e.getValue();
    }
  }

  private static int moved(Map<Integer, String> before, Map<Integer, String> after) {
    int m = 0;
    for (var e : after.entrySet()) {
      if (!e.getValue().equals(before.get(e.getKey()))) {
        m++;
      }
    }
    return m;
  }

  /**
   * Brute force: the fewest moves of any contiguous split of n equal-weight partitions over the
   * runners (any order) with every range at most ceil(n / k) long.
   */
  static int minimalMoves(Map<Integer, String> current, List<String> runners, int n) {
    int k = Math.min(runners.size(), n);
    int max = (n + k - 1) / k;
    int[] best = {Integer.MAX_VALUE};
    permute(new ArrayList<>(runners), 0, order -> compose(n, k, max, new int[k], 0, 0, sizes -> {
      int m = 0;
      int start = 0;
      for (int j = 0; j < k; j++) {
        for (int i = start; i < start + sizes[j]; i++) {
          if (!order.get(j).equals(current.get(i))) {
            m++;
          }
        }
        start += sizes[j];
      }
      best[0] = Math.min(best[0], m);
    }));
    return best[0];
  }

  private static void permute(List<String> a, int i, java.util.function.Consumer<List<String>> f) {
    if (i == a.size()) {
      f.accept(a);
      return;
    }
    for (int j = i; j < a.size(); j++) {
      java.util.Collections.swap(a, i, j);
      permute(a, i + 1, f);
      java.util.Collections.swap(a, i, j);
    }
  }

  private static void compose(int n, int k, int max, int[] sizes, int j, int used,
      java.util.function.Consumer<int[]> f) {
    if (j == k) {
      if (used == n) {
        f.accept(sizes);
      }
      return;
    }
    for (int s = 1; s <= max && used + s <= n; s++) {
      sizes[j] = s;
      compose(n, k, max, sizes, j + 1, used + s, f);
    }
  }

  @Test
  void fresh_assignment_is_contiguous_balanced_and_deterministic() {
    SortedMap<Integer, String> a = planner.plan(parts(8), runners("c", "a", "b"), Map.of(), Map.of(), 0);
    assertThat(a).hasSize(8);
    assertContiguous(a);
    assertThat(counts(a).values()).allMatch(c -> c == 2 || c == 3);
    // same inputs, any runner order: same answer
    assertThat(planner.plan(parts(8), runners("b", "c", "a"), Map.of(), Map.of(), 0)).isEqualTo(a);
    assertThat(a.get(0)).isEqualTo("a"); // ties by id, left to right
  }

  @Test
  void never_more_runners_than_partitions_or_max_runners() {
    SortedMap<Integer, String> a = planner.plan(parts(3), runners("a", "b", "c", "d", "e"), Map.of(), Map.of(), 0);
    assertThat(counts(a)).hasSize(3).allSatisfy((r, c) -> assertThat(c).isEqualTo(1));
    SortedMap<Integer, String> b = planner.plan(parts(8), runners("a", "b", "c", "d"), Map.of(), Map.of(), 2);
    assertThat(counts(b)).hasSize(2);
    assertContiguous(b);
  }

  @Test
  void stable_assignment_is_kept_sticky() {
    SortedMap<Integer, String> a = planner.plan(parts(8), runners("a", "b", "c"), Map.of(), Map.of(), 0);
    // noisy but similar rates do not move anything
    Map<Integer, Double> rates = new HashMap<>();
    Random rnd = new Random(7);
    for (int p = 0; p < 8; p++) {
      rates.put(p, 1000 + rnd.nextInt(200) * 1.0);
    }
    assertThat(planner.plan(parts(8), runners("a", "b", "c"), a, rates, 0)).isEqualTo(a);
  }

  @Test
  void adding_a_runner_moves_only_what_it_takes() {
    SortedMap<Integer, String> before = planner.plan(parts(8), runners("a", "b", "c"), Map.of(), Map.of(), 0);
    SortedMap<Integer, String> after = planner.plan(parts(8), runners("a", "b", "c", "d"), before, Map.of(), 0);
    assertContiguous(after);
    assertThat(counts(after)).containsEntry("d", 2).allSatisfy((r, c) -> assertThat(c).isEqualTo(2));
    assertThat(moved(before, after)).isEqualTo(2); // exactly the two partitions d takes
    assertThat(minimalMoves(before, List.of("a", "b", "c", "d"), 8)).isEqualTo(2);
  }

  @Test
  void removing_a_runner_moves_only_its_partitions() {
    SortedMap<Integer, String> four = planner.plan(parts(8), runners("a", "b", "c", "d"), Map.of(), Map.of(), 0);
    for (String gone : List.of("a", "b", "c", "d")) {
      List<Candidate> left = new ArrayList<>(runners("a", "b", "c", "d"));
      left.removeIf(c -> c.id().equals(gone));
      Map<Integer, String> current = new TreeMap<>(four);
      current.values().removeIf(gone::equals);
      SortedMap<Integer, String> after = planner.plan(parts(8), left, current, Map.of(), 0);
      assertContiguous(after);
      assertThat(counts(after).values()).allMatch(c -> c == 2 || c == 3);
      int minimal = minimalMoves(current, left.stream().map(Candidate::id).toList(), 8);
      assertThat(moved(current, after)).as("removing %s: %s -> %s", gone, four, after).isEqualTo(minimal);
      // at most one partition besides the removed runner's two has to shift to keep ranges contiguous
      assertThat(minimal).isBetween(2, 3);
    }
  }

  @Test
  void balances_by_rate() {
    Map<Integer, Double> rates = new HashMap<>();
    for (int p = 0; p < 8; p++) {
      rates.put(p, p < 2 ? 10_000.0 : 100.0); // two hot partitions
    }
    SortedMap<Integer, String> a = planner.plan(parts(8), runners("a", "b", "c"), Map.of(), rates, 0);
    assertContiguous(a);
    // each hot partition gets its own runner; the cold ones go with the runner of the second hot one or alone
    assertThat(a.get(0)).isNotEqualTo(a.get(1));
    assertThat(a.get(2)).isNotEqualTo(a.get(0));
    double[] w = AssignmentPlanner.weights(parts(8), rates);
    Map<String, Double> load = new HashMap<>();
    a.forEach((p, r) -> load.merge(r, w[p], Double::sum));
    double heaviest = load.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    assertThat(heaviest).isLessThanOrEqualTo(AssignmentPlanner.optimalMax(w, 3) * 1.1 + 1e-6);
  }

  @Test
  void rebalances_a_stable_assignment_when_rates_skew_too_far() {
    SortedMap<Integer, String> even = planner.plan(parts(8), runners("a", "b", "c"), Map.of(), Map.of(), 0);
    Map<Integer, Double> rates = new HashMap<>();
    for (int p = 0; p < 8; p++) {
      rates.put(p, p < 3 ? 10_000.0 : 10.0);
    }
    SortedMap<Integer, String> after = planner.plan(parts(8), runners("a", "b", "c"), even, rates, 0);
    assertThat(after).isNotEqualTo(even);
    assertContiguous(after);
  }

  @Test
  void respects_capacity_hints_when_possible() {
    List<Candidate> rs = List.of(new Candidate("a", 2, 0), Candidate.of("b"));
    SortedMap<Integer, String> a = planner.plan(parts(8), rs, Map.of(), Map.of(), 0);
    assertThat(counts(a)).containsEntry("a", 2).containsEntry("b", 6);
  }

  @Test
  void new_partitions_go_somewhere_without_moving_the_old_ones_much() {
    SortedMap<Integer, String> before = planner.plan(parts(4), runners("a", "b"), Map.of(), Map.of(), 0);
    SortedMap<Integer, String> after = planner.plan(parts(6), runners("a", "b"), before, Map.of(), 0);
    assertThat(after).hasSize(6);
    assertContiguous(after);
    assertThat(counts(after).values()).containsOnly(3);
    int movedOld = 0;
    for (int p = 0; p < 4; p++) {
      if (!after.get(p).equals(before.get(p))) {
        movedOld++;
      }
    }
    assertThat(movedOld).isLessThanOrEqualTo(1);
  }

  @Test
  void no_runners_no_owners() {
    assertThat(planner.plan(parts(4), List.of(), Map.of(), Map.of(), 0)).isEmpty();
    assertThat(planner.plan(List.of(), runners("a"), Map.of(), Map.of(), 0)).isEmpty();
  }

  @Test
  void randomized_invariants() {
    Random rnd = new Random(42);
    for (int round = 0; round < 300; round++) {
      int n = 1 + rnd.nextInt(24);
      int k = 1 + rnd.nextInt(6);
      List<Candidate> rs = new ArrayList<>();
      for (int i = 0; i < k; i++) {
        rs.add(Candidate.of("r" + i));
      }
      Map<Integer, String> current = new HashMap<>();
      for (int p = 0; p < n; p++) {
        if (rnd.nextBoolean()) {
          current.put(p, "r" + rnd.nextInt(k + 2)); // some owners are gone
        }
      }
      Map<Integer, Double> rates = new HashMap<>();
      for (int p = 0; p < n; p++) {
        rates.put(p, rnd.nextDouble() * 1000);
      }
      SortedMap<Integer, String> a = planner.plan(parts(n), rs, current, rates, 0);
      assertThat(a).hasSize(n);
      assertContiguous(a);
      assertThat(counts(a)).hasSize(Math.min(n, k));
      assertThat(planner.plan(parts(n), rs, current, rates, 0)).isEqualTo(a);
      // planning again from the result changes nothing
      assertThat(planner.plan(parts(n), rs, a, rates, 0)).isEqualTo(a);
    }
  }
}
