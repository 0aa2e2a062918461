package io.tributary.scheduler.scaling;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The scaling tick: turns the leader's view ({@link ClusterLoad}) into policy inputs (ingress rates
 * from end offsets over time, lag, busy runners), asks {@link ScalingPolicy} for the pool size and
 * applies it through the {@link Scaler}; exports the metrics and the status GetStatus shows.
 *
 * <h2>How the scheduler uses it</h2>
 * Construct it with a supplier that returns the current {@link ClusterLoad} while this process leads
 * and {@link Optional#empty()} while it stands by; then either call {@link #tick()} from the leader
 * loop, or {@link #start()} its own daemon thread ({@code scheduler-scaling}, every
 * {@code tickInterval}). Scaler calls may block for seconds (cloud APIs): run it off any thread that
 * serves runners. {@link #status()} / {@link #statusProto()} fill {@code ClusterStatus.scaling}.
 *
 * <h2>Failures</h2>
 * A scaler that cannot observe or apply (bad cluster, no credentials, unreachable API) never throws
 * out of {@link #tick()}: the error goes to {@code scaling.reason}, the log and
 * {@code tributary_scaling_errors_total}, no cool-down starts, and the next tick retries. Ingestion
 * does not depend on any of this.
 *
 * <h2>Metrics</h2>
 * {@code tributary_scaling_desired_runners}, {@code tributary_scaling_actual_runners} (gauges),
 * {@code tributary_scaling_decisions_total{direction,reason}} (pool size changes),
 * {@code tributary_scaling_errors_total{scaler}}.
 *
 * <p>Thread-safety: {@link #tick()} is synchronized; {@link #status()} may be called from any thread.
 */
public final class ScalingCoordinator implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(ScalingCoordinator.class);
  private static final long ERROR_LOG_EVERY_MS = 60_000;

  /**
   * What GetStatus shows.
   *
   * @param desired runner count asked for (-1 before the first tick)
   * @param actual  runner count the platform reports running (attached runners if it cannot say)
   * @param reason  why, or the scaler's error
   * @param scaler  scaler name
   */
  public record Status(int desired, int actual, String reason, String scaler) {
  }

  private final ScalingPolicy policy;
  private final Scaler scaler;
  private final Supplier<Optional<ClusterLoad>> load;
  private final Clock clock;
  private final Duration tickInterval;
  private final IngressRates rates;
  private final MeterRegistry registry;
  private final AtomicInteger desiredGauge = new AtomicInteger(0);
  private final AtomicInteger actualGauge = new AtomicInteger(0);
  private final Counter errors;
  private final Map<String, Counter> decisions = new HashMap<>();

  private volatile Status status;
  private int current = -1;
  private String lastHold = "";
  private String lastError = "";
  private long lastErrorLogMs;
  private long ticks;
  private Thread thread;
  private volatile boolean closed;

  /**
   * @param policy       the policy (holds cool-down and capacity state)
   * @param scaler       the platform
   * @param load         the leader's view, empty while standing by
   * @param registry     where metrics go
   * @param clock        time source
   * @param tickInterval period of {@link #start()}'s thread
   * @param rateWindow   window of ingress rate measurement
   */
  public ScalingCoordinator(ScalingPolicy policy, Scaler scaler, Supplier<Optional<ClusterLoad>> load,
      MeterRegistry registry, Clock clock, Duration tickInterval, Duration rateWindow) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.scaler = Objects.requireNonNull(scaler, "scaler");
    this.load = Objects.requireNonNull(load, "load");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.tickInterval = Objects.requireNonNull(tickInterval, "tickInterval");
    this.rates = new IngressRates(rateWindow.toMillis());
    Gauge.builder("tributary.scaling.desired.runners", desiredGauge, AtomicInteger::get)
        .description("runner count the scaler asked for").register(registry);
    Gauge.builder("tributary.scaling.actual.runners", actualGauge, AtomicInteger::get)
        .description("runner count the platform reports running").register(registry);
    this.errors = Counter.builder("tributary.scaling.errors").tag("scaler", scaler.name())
        .description("scaler calls that failed (observe or apply)").register(registry);
    this.status = new Status(-1, -1, "not started", scaler.name());
  }

  /**
   * Builds policy, scaler and coordinator from a configuration.
   *
   * @param config   the configuration
   * @param childEnv environment additions for local runner children
   * @param drainer  the scheduler's drain hook (graceful local scale-in)
   * @param load     the leader's view, empty while standing by
   * @param registry where metrics go
   */
  public static ScalingCoordinator create(ScalingConfig config, Map<String, String> childEnv, RunnerDrainer drainer,
      Supplier<Optional<ClusterLoad>> load, MeterRegistry registry) {
    return new ScalingCoordinator(new ScalingPolicy(config.policy()), Scalers.create(config, childEnv, drainer),
        load, registry, Clock.systemUTC(), config.tick(), config.rateWindow());
  }

  /** The scaler in use. */
  public Scaler scaler() {
    return scaler;
  }

  /** The last status. */
  public Status status() {
    return status;
  }

  /** The last status as the API's {@code ScalingStatus}. */
  public io.tributary.api.v1.ScalingStatus statusProto() {
    Status s = status;
    return io.tributary.api.v1.ScalingStatus.newBuilder().setDesired(s.desired()).setActual(s.actual())
        .setReason(s.reason()).build();
  }

  /** Starts the daemon thread that calls {@link #tick()} every tick interval. */
  public synchronized void start() {
    if (thread != null) {
      return;
    }
    thread = new Thread(this::loop, "scheduler-scaling");
    thread.setDaemon(true);
    thread.start();
    LOG.infof("scaling: tick every %d ms with scaler %s", tickInterval.toMillis(), scaler.name());
  }

  private void loop() {
    while (!closed) {
      long started = System.nanoTime();
      try {
        tick();
      } catch (RuntimeException e) {
        LOG.errorf(e, "scaling: tick failed unexpectedly (%s); next tick in %d ms", e, tickInterval.toMillis());
      }
      long sleep = tickInterval.toMillis() - (System.nanoTime() - started) / 1_000_000;
      try {
        Thread.sleep(Math.max(50, sleep));
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** One tick: observe, decide, apply, export. Never throws for platform failures. */
  public synchronized void tick() {
    long now = clock.millis();
    ticks++;
    Optional<ClusterLoad> view;
    try {
      view = load.get();
    } catch (RuntimeException e) {
      status = new Status(status.desired(), status.actual(), "cannot read the cluster state: " + e.getMessage(),
          scaler.name());
      LOG.warnf("scaling: cannot read the cluster state (%s); skipping this tick", e.toString());
      return;
    }
    if (view.isEmpty()) {
      current = -1; // re-read the platform when leading again
      status = new Status(status.desired(), status.actual(), "standby: the leader scales", scaler.name());
      return;
    }
    ClusterLoad cl = view.get();

    Scaler.Observed obs = null;
    String error = null;
    try {
      obs = scaler.observe();
    } catch (RuntimeException e) {
      error = errorText(e);
    }
    int attached = cl.runners().size();
    if (current < 0) {
      current = obs != null && obs.desired() >= 0 ? obs.desired() : (scaler.applies() ? 0 : attached);
    }

    ScalingPolicy.Inputs inputs = inputs(now, cl);
    ScalingPolicy.Decision d = policy.decide(inputs);

    boolean applied = false;
    if (error == null) {
      boolean platformDiffers = scaler.applies() && obs != null && obs.desired() != d.desired();
      if (d.isChange() || platformDiffers) {
        try {
          scaler.scaleTo(d.desired());
          applied = true;
          if (platformDiffers && !d.isChange()) {
            LOG.infof("scaling: the platform ran %d, not the %d asked for; asked for %d again (%s)", obs.desired(),
                current, d.desired(), scaler.name());
          }
          obs = safeObserve(obs);
        } catch (RuntimeException e) {
          error = errorText(e);
        }
      }
    }
    if (d.isChange() && applied) {
      policy.changed(now);
      current = d.desired();
      decisions.computeIfAbsent(d.direction().label() + "|" + d.reason(),
          k -> Counter.builder("tributary.scaling.decisions").tag("direction", d.direction().label())
              .tag("reason", d.reason()).description("runner pool size changes").register(registry)).increment();
      LOG.infof("scaling: %s -> %d runners (%s); next: %s", d.direction() == ScalingPolicy.Direction.UP ? "scale out"
          : "scale in", d.desired(), d.describe(), d.direction() == ScalingPolicy.Direction.UP
          ? "new runners attach and get partitions" : "surplus runners flush, commit and exit (SIGTERM)");
      lastHold = "";
    } else if (!d.isChange()) {
      String key = d.reason() + "/" + d.target();
      if (!key.equals(lastHold)) {
        LOG.infof("scaling: hold at %d runners (%s)", current, d.describe());
        lastHold = key;
      } else if (LOG.isDebugEnabled()) {
        LOG.debugf("scaling: hold at %d runners (%s)", current, d.describe());
      }
    }

    int actual = obs != null && obs.actual() >= 0 ? obs.actual() : attached;
    int desired = d.desired();
    desiredGauge.set(desired);
    actualGauge.set(actual);
    String reason;
    if (error != null) {
      errors.increment();
      reason = "scaler " + scaler.name() + " error: " + error;
      if (!error.equals(lastError) || now - lastErrorLogMs >= ERROR_LOG_EVERY_MS) {
        LOG.errorf("scaling: %s; wanted %d runners (%s); ingestion continues, retrying every tick", reason, desired,
            d.describe());
        lastErrorLogMs = now;
      }
      lastError = error;
    } else {
      if (!lastError.isEmpty()) {
        LOG.infof("scaling: scaler %s works again", scaler.name());
      }
      lastError = "";
      reason = summary(d);
    }
    status = new Status(desired, actual, reason, scaler.name());
  }

  private Scaler.Observed safeObserve(Scaler.Observed before) {
    try {
      return scaler.observe();
    } catch (RuntimeException e) {
      return before;
    }
  }

  private static String summary(ScalingPolicy.Decision d) {
    String s = String.format(Locale.ROOT, "%s: need %.2f runners (ingress %.0f rows/s, lag %d, capacity %.0f rows/s %s)",
        d.reason(), d.need(), d.ingressPerS(), d.lag(), d.capacity(), d.measured() ? "measured" : "default");
    return d.isChange() ? d.direction().label() + " " + d.previous() + "->" + d.desired() + " " + s : s;
  }

  private static String errorText(RuntimeException e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.toString() : m;
  }

  /** Builds the policy inputs: per-table ingress and lag, per-runner owned lag and ingress. */
  ScalingPolicy.Inputs inputs(long now, ClusterLoad cl) {
    List<ScalingPolicy.TableInput> tables = new ArrayList<>();
    Map<String, long[]> ownedLag = new HashMap<>();
    Map<String, double[]> ownedIngress = new HashMap<>();
    Map<String, Long> ownedAge = new HashMap<>();
    Set<String> seen = new HashSet<>();
    for (ClusterLoad.TableLoad t : cl.tables()) {
      double ingress = 0;
      long lag = 0;
      for (ClusterLoad.PartitionLoad p : t.partitions()) {
        seen.add(t.table() + "#" + p.partition());
        long at = t.endOffsetsAtMs() > 0 ? t.endOffsetsAtMs() : now;
        double r = Math.max(0, rates.record(t.table(), p.partition(), at, p.endOffset()));
        long l = p.endOffset() < 0 ? 0 : Math.max(0, p.endOffset() - p.committedOffset());
        ingress += r;
        lag += l;
        if (p.owner() != null && !p.owner().isEmpty()) {
          ownedLag.computeIfAbsent(p.owner(), k -> new long[1])[0] += l;
          ownedIngress.computeIfAbsent(p.owner(), k -> new double[1])[0] += r;
          ownedAge.merge(p.owner(), t.flushMaxAgeMs(), Math::max);
        }
      }
      tables.add(new ScalingPolicy.TableInput(t.table(), t.partitions().size(), ingress, lag, t.flushMaxAgeMs(),
          t.minRunners(), t.maxRunners()));
    }
    rates.retain(seen);
    List<ScalingPolicy.RunnerInput> runners = new ArrayList<>();
    for (ClusterLoad.RunnerLoad r : cl.runners()) {
      long[] l = ownedLag.get(r.id());
      double[] i = ownedIngress.get(r.id());
      runners.add(new ScalingPolicy.RunnerInput(r.id(), r.commitPerS(), l == null ? 0 : l[0], i == null ? 0 : i[0],
          ownedAge.getOrDefault(r.id(), 0L)));
    }
    return new ScalingPolicy.Inputs(now, Math.max(0, current), tables, runners);
  }

  /** Ticks run so far (for tests). */
  public synchronized long ticks() {
    return ticks;
  }

  /** Stops the tick thread and closes the scaler (the local scaler stops its children, draining). */
  @Override
  public void close() {
    closed = true;
    Thread t;
    synchronized (this) {
      t = thread;
    }
    if (t != null) {
      t.interrupt();
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    scaler.close();
  }
}
