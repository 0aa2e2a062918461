package io.tributary.scheduler.scaling;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Decides the runner pool size from lag, ingress and measured per-runner capacity. Plain Java, no
 * I/O, no clock of its own: every input (including "now") comes in through {@link #decide}, so it is
 * unit-tested against simulated series.
 *
 * <h2>Target</h2>
 * Per table t: {@code need_t = ingress_t x (1 + headroom) / capacity + excessLag_t / (capacity x
 * drainTarget)}, where {@code excessLag_t} is the lag beyond what normal buffering explains
 * ({@code lowLagRows + ingress_t x (flushMaxAge_t + lowLagSeconds)}), capped at the table's partition
 * count and its {@code max_runners}. The pool target is {@code ceil(sum need_t)}, at least every
 * table's {@code min_runners} (capped at its partitions), clamped to at most the total partition
 * count and to {@code [minRunners, maxRunners]}.
 *
 * <h2>Capacity</h2>
 * A runner is <em>busy</em> when the lag of the partitions it owns exceeds its buffering allowance:
 * it is working as fast as it can, so its commit rows/s is a capacity sample. The estimate is an
 * exponential moving average of the busy runners' mean rate; before any sample it is the configured
 * default. Idle runners never lower the estimate (their rate is only what arrives).
 *
 * <h2>Hysteresis</h2>
 * <ul>
 * <li>Scale out to the target at once, but not within {@code scaleOutCooldown} of the last change.</li>
 * <li>Scale in only to {@code ceil(need x (1 + scaleInMargin))} (so a load near a boundary does
 * not flap), only after every table's lag has stayed within its allowance for {@code lowLagFor},
 * and not within {@code scaleInCooldown} of the last change.</li>
 * <li>A current size outside {@code [minRunners, maxRunners]} is corrected at once.</li>
 * </ul>
 * Cool-downs count from {@link #changed(long)}, which the caller invokes once a change was applied;
 * a change the platform refused therefore does not start a cool-down and is retried next tick.
 *
 * <p>Thread-safety: not thread-safe; one caller (the scaling tick) at a time.
 */
public final class ScalingPolicy {

  /** Direction of a decision. */
  public enum Direction {
    UP, DOWN, HOLD;

    /** Lower-case label for metrics and logs. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Tuning of the policy.
   *
   * @param minRunners        lower bound of the pool
   * @param maxRunners        upper bound of the pool
   * @param defaultCapacity   rows/s one runner carries, until busy runners were measured
   * @param headroom          extra capacity over ingress (0.25 = 25%)
   * @param drainTarget       time within which the excess lag should be drained
   * @param scaleOutCooldown  minimum time from the last change to a scale-out
   * @param scaleInCooldown   minimum time from the last change to a scale-in
   * @param lowLagFor         how long lag must stay low before a scale-in
   * @param lowLagRows        lag (rows) every table may have without counting as behind
   * @param lowLagSeconds     plus this many seconds of ingress (beyond the flush max age)
   * @param scaleInMargin     a scale-in must fit the need with this extra margin (0.2 = 20%)
   * @param capacitySmoothing weight of a new capacity sample in the moving average (0..1]
   * @param measureCapacity   false = always use {@code defaultCapacity} (a fixed, operator-set
   *                          per-runner capacity; also what the process-level tests use)
   */
  public record Settings(int minRunners, int maxRunners, double defaultCapacity, double headroom, Duration drainTarget,
      Duration scaleOutCooldown, Duration scaleInCooldown, Duration lowLagFor, long lowLagRows, double lowLagSeconds,
      double scaleInMargin, double capacitySmoothing, boolean measureCapacity) {

    /** Validates the settings. */
    public Settings {
      if (minRunners < 0) {
        throw new IllegalArgumentException("minRunners must be >= 0, got " + minRunners);
      }
      if (maxRunners < Math.max(1, minRunners)) {
        throw new IllegalArgumentException("maxRunners must be >= max(1, minRunners=" + minRunners + "), got "
            + maxRunners);
      }
      if (!(defaultCapacity > 0)) {
        throw new IllegalArgumentException("defaultCapacity must be > 0 rows/s, got " + defaultCapacity);
      }
      if (headroom < 0 || scaleInMargin < 0) {
        throw new IllegalArgumentException("headroom and scaleInMargin must be >= 0");
      }
      if (!(capacitySmoothing > 0 && capacitySmoothing <= 1)) {
        throw new IllegalArgumentException("capacitySmoothing must be in (0, 1], got " + capacitySmoothing);
      }
      Objects.requireNonNull(drainTarget, "drainTarget");
      Objects.requireNonNull(scaleOutCooldown, "scaleOutCooldown");
      Objects.requireNonNull(scaleInCooldown, "scaleInCooldown");
      Objects.requireNonNull(lowLagFor, "lowLagFor");
      if (drainTarget.isZero() || drainTarget.isNegative()) {
        throw new IllegalArgumentException("drainTarget must be > 0");
      }
    }

    /** Production defaults within the given bounds. */
    public static Settings defaults(int minRunners, int maxRunners) {
      return new Settings(minRunners, maxRunners, 20_000, 0.25, Duration.ofSeconds(60), Duration.ofSeconds(30),
          Duration.ofSeconds(120), Duration.ofSeconds(60), 10_000, 5, 0.2, 0.3, true);
    }
  }

  /**
   * One table's load this tick.
   *
   * @param table          table name
   * @param partitions     partition count
   * @param ingressPerS    rows/s arriving (Kafka end offsets over time)
   * @param lag            Kafka end offsets minus committed offsets, summed over partitions
   * @param flushMaxAgeMs  the table's flush max age (lag that normal buffering explains)
   * @param minRunners     the table's own lower bound (0 = none)
   * @param maxRunners     the table's own upper bound (0 = none)
   */
  public record TableInput(String table, int partitions, double ingressPerS, long lag, long flushMaxAgeMs,
      int minRunners, int maxRunners) {
  }

  /**
   * One attached runner this tick.
   *
   * @param id            runner id
   * @param commitPerS    committed rows/s over all its partitions (from heartbeats)
   * @param ownedLag      lag of the partitions it owns
   * @param ingressPerS   ingress of the partitions it owns
   * @param flushMaxAgeMs largest flush max age of its tables
   */
  public record RunnerInput(String id, double commitPerS, long ownedLag, double ingressPerS, long flushMaxAgeMs) {
  }

  /**
   * Everything the policy sees in one tick.
   *
   * @param nowMs   time of the tick, epoch ms
   * @param current the pool size currently asked of the platform
   * @param tables  per-table load
   * @param runners attached runners
   */
  public record Inputs(long nowMs, int current, List<TableInput> tables, List<RunnerInput> runners) {
    /** Copies the lists. */
    public Inputs {
      tables = List.copyOf(tables);
      runners = List.copyOf(runners);
    }
  }

  /**
   * A decision with the inputs that led to it.
   *
   * @param desired        pool size to ask for
   * @param previous       pool size asked for before
   * @param direction      up, down or hold
   * @param reason         short machine-friendly reason ({@code lag}, {@code ingress}, {@code low-lag},
   *                       {@code min}, {@code max}, {@code steady}, {@code cooldown}, ...)
   * @param target         the unsmoothed target this tick
   * @param need           fractional runners needed (before rounding and clamping)
   * @param capacity       rows/s per runner used
   * @param measured       whether capacity came from busy runners (false = configured default)
   * @param ingressPerS    total ingress
   * @param lag            total lag
   * @param excessLag      total lag beyond normal buffering
   * @param partitions     total partitions
   * @param lagLowForMs    how long every table's lag has been low (0 = not low now)
   * @param busyRunners    runners counted as busy this tick
   */
  public record Decision(int desired, int previous, Direction direction, String reason, int target, double need,
      double capacity, boolean measured, double ingressPerS, long lag, long excessLag, int partitions,
      long lagLowForMs, int busyRunners) {

    /** True when the pool size changes. */
    public boolean isChange() {
      return direction != Direction.HOLD;
    }

    /** The inputs in one line, for logs. */
    public String describe() {
      return String.format(Locale.ROOT,
          "desired=%d previous=%d direction=%s reason=%s target=%d need=%.2f capacity=%.0f rows/s (%s) "
              + "ingress=%.0f rows/s lag=%d excess_lag=%d partitions=%d lag_low_for=%ds busy_runners=%d",
          desired, previous, direction.label(), reason, target, need, capacity, measured ? "measured" : "default",
          ingressPerS, lag, excessLag, partitions, lagLowForMs / 1000, busyRunners);
    }
  }

  private final Settings settings;
  private Double measuredCapacity;
  private long lagLowSince = -1;
  private long lastChangeMs = Long.MIN_VALUE / 2;

  /** A policy with the given settings and no history. */
  public ScalingPolicy(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /** The settings. */
  public Settings settings() {
    return settings;
  }

  /** The capacity the next decision starts from (measured estimate or default). */
  public double capacity() {
    return measuredCapacity != null ? measuredCapacity : settings.defaultCapacity();
  }

  /** Records that a change was applied at {@code nowMs}; cool-downs count from here. */
  public void changed(long nowMs) {
    lastChangeMs = nowMs;
  }

  /** Decides this tick's pool size. Updates the capacity estimate and the low-lag timer. */
  public Decision decide(Inputs in) {
    long now = in.nowMs();
    int busy = updateCapacity(in.runners());
    double cap = capacity();

    double need = 0;
    double excessNeed = 0;
    double ingress = 0;
    long lag = 0;
    long excess = 0;
    int partitions = 0;
    int floor = 0;
    boolean allLow = true;
    for (TableInput t : in.tables()) {
      int parts = Math.max(0, t.partitions());
      partitions += parts;
      double tIngress = Math.max(0, t.ingressPerS());
      long tLag = Math.max(0, t.lag());
      ingress += tIngress;
      lag += tLag;
      long allowance = allowance(tIngress, t.flushMaxAgeMs());
      long tExcess = Math.max(0, tLag - allowance);
      excess += tExcess;
      if (tLag > allowance) {
        allLow = false;
      }
      double fromIngress = tIngress * (1 + settings.headroom()) / cap;
      double fromLag = tExcess / (cap * settings.drainTarget().toMillis() / 1000.0);
      double cap_t = parts;
      if (t.maxRunners() > 0) {
        cap_t = Math.min(cap_t, t.maxRunners());
      }
      double tNeed = Math.min(fromIngress + fromLag, cap_t);
      need += tNeed;
      excessNeed += Math.min(fromLag, cap_t);
      floor = Math.max(floor, Math.min(Math.max(0, t.minRunners()), parts));
    }
    if (allLow) {
      if (lagLowSince < 0) {
        lagLowSince = now;
      }
    } else {
      lagLowSince = -1;
    }
    long lowFor = lagLowSince < 0 ? 0 : Math.max(0, now - lagLowSince);

    int target = clamp(roundUp(need), floor, partitions);
    int current = in.current();
    String why = excessNeed > 0 && excessNeed >= need - excessNeed ? "lag" : "ingress";

    // Outside the configured bounds: correct at once.
    if (current < settings.minRunners()) {
      return decision(settings.minRunners(), current, Direction.UP, "min", target, need, cap, ingress, lag, excess,
          partitions, lowFor, busy);
    }
    if (current > settings.maxRunners()) {
      return decision(settings.maxRunners(), current, Direction.DOWN, "max", target, need, cap, ingress, lag, excess,
          partitions, lowFor, busy);
    }
    if (target > current) {
      long since = now - lastChangeMs;
      if (since < settings.scaleOutCooldown().toMillis()) {
        return decision(current, current, Direction.HOLD, "cooldown-out", target, need, cap, ingress, lag, excess,
            partitions, lowFor, busy);
      }
      String reason = target == settings.maxRunners() && roundUp(need) > target ? why + "-at-max" : why;
      return decision(target, current, Direction.UP, reason, target, need, cap, ingress, lag, excess, partitions,
          lowFor, busy);
    }
    if (target < current) {
      int inTarget = clamp(roundUp(need * (1 + settings.scaleInMargin())), floor, partitions);
      if (inTarget >= current) {
        return decision(current, current, Direction.HOLD, "hysteresis", target, need, cap, ingress, lag, excess,
            partitions, lowFor, busy);
      }
      if (lagLowSince < 0) {
        return decision(current, current, Direction.HOLD, "lag-not-low", target, need, cap, ingress, lag, excess,
            partitions, lowFor, busy);
      }
      if (lowFor < settings.lowLagFor().toMillis()) {
        return decision(current, current, Direction.HOLD, "lag-low-too-short", target, need, cap, ingress, lag,
            excess, partitions, lowFor, busy);
      }
      if (now - lastChangeMs < settings.scaleInCooldown().toMillis()) {
        return decision(current, current, Direction.HOLD, "cooldown-in", target, need, cap, ingress, lag, excess,
            partitions, lowFor, busy);
      }
      String reason = partitions == 0 || ingress == 0 ? "idle" : "low-lag";
      return decision(inTarget, current, Direction.DOWN, reason, target, need, cap, ingress, lag, excess, partitions,
          lowFor, busy);
    }
    return decision(current, current, Direction.HOLD, "steady", target, need, cap, ingress, lag, excess, partitions,
        lowFor, busy);
  }

  private Decision decision(int desired, int previous, Direction dir, String reason, int target, double need,
      double cap, double ingress, long lag, long excess, int partitions, long lowFor, int busy) {
    return new Decision(desired, previous, dir, reason, target, need, cap, measuredCapacity != null, ingress, lag,
        excess, partitions, lowFor, busy);
  }

  /** Lag a table (or a runner) may carry without counting as behind: buffering plus a margin. */
  long allowance(double ingressPerS, long flushMaxAgeMs) {
    double seconds = Math.max(0, flushMaxAgeMs) / 1000.0 + settings.lowLagSeconds();
    return settings.lowLagRows() + (long) Math.ceil(Math.max(0, ingressPerS) * seconds);
  }

  private int updateCapacity(List<RunnerInput> runners) {
    List<Double> samples = new ArrayList<>();
    for (RunnerInput r : runners) {
      if (r.commitPerS() > 0 && r.ownedLag() > allowance(r.ingressPerS(), r.flushMaxAgeMs())) {
        samples.add(r.commitPerS());
      }
    }
    if (samples.isEmpty() || !settings.measureCapacity()) {
      return samples.size();
    }
    double mean = samples.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    double a = settings.capacitySmoothing();
    measuredCapacity = measuredCapacity == null ? mean : measuredCapacity * (1 - a) + mean * a;
    return samples.size();
  }

  private int clamp(int raw, int floor, int partitions) {
    int v = Math.max(raw, floor);
    v = Math.min(v, partitions);
    v = Math.min(v, settings.maxRunners());
    return Math.max(v, settings.minRunners());
  }

  private static int roundUp(double need) {
    return (int) Math.ceil(need - 1e-9);
  }
}
