package io.tributary.scheduler;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.tributary.catalog.Catalog;
import io.tributary.catalog.StoredTable;
import io.tributary.catalog.TableState;
import io.tributary.catalog.admin.KafkaTopics;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * While leading, re-reads the tables from the catalog every {@code tablesRefresh} (or at once
 * after {@link #wake()}) and, every {@code metadataPoll}, each table's topic: new Kafka partitions
 * get their genesis written, and end offsets and committed offsets feed the lag gauges
 * ({@code tributary.lag.records}) and the coordinator. Slow Kafka calls therefore never delay the
 * coordinator's heartbeat acks.
 *
 * <p>Thread-safety: runs its own thread, {@code scheduler-metadata}; it never touches the
 * coordinator's state, it hands what it read to the {@link Listener}, which posts it to the
 * coordinator thread. {@link #wake()} and {@link #close()} may be called from any thread.
 */
final class TableMetadataPoller implements AutoCloseable {

  /** Receives the polls on the metadata thread (the implementation hands them to the coordinator thread). */
  interface Listener {
    /** The catalog's tables, just read. */
    void tablesRead(List<StoredTable> tables);

    /** One table's Kafka end offsets and committed offsets, read at {@code atMs}. */
    void offsetsRead(String table, SortedMap<Integer, Long> ends, Map<Integer, Long> committed, long atMs);
  }

  private static final Logger LOG = Logger.getLogger(TableMetadataPoller.class);

  private final Catalog catalog;
  private final KafkaTopics kafka;
  private final SchedulerSettings settings;
  private final Clock clock;
  private final MeterRegistry meters;
  private final BooleanSupplier leading;
  private final Listener listener;
  private final Thread thread;
  private final Object wake = new Object();
  private final Map<String, AtomicLong> lagGauges = new ConcurrentHashMap<>();
  private final Map<String, Gauge> lagMeters = new ConcurrentHashMap<>();
  private volatile boolean closed;

  TableMetadataPoller(Catalog catalog, KafkaTopics kafka, SchedulerSettings settings, Clock clock,
      MeterRegistry meters, BooleanSupplier leading, Listener listener) {
    this.catalog = catalog;
    this.kafka = kafka;
    this.settings = settings;
    this.clock = clock;
    this.meters = meters;
    this.leading = leading;
    this.listener = listener;
    this.thread = new Thread(this::loop, "scheduler-metadata");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Re-reads the tables now (after an API change or an election). */
  void wake() {
    synchronized (wake) {
      wake.notifyAll();
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
  }

  private void loop() {
    long nextMeta = 0;
    while (!closed) {
      try {
        if (leading.getAsBoolean()) {
          List<StoredTable> list = catalog.listTables();
          listener.tablesRead(list);
          long now = clock.millis();
          if (now >= nextMeta) {
            nextMeta = now + settings.metadataPoll().toMillis();
            pollTopics(list);
            Set<String> live = new HashSet<>();
            list.stream().filter(st -> st.state() != TableState.DROPPED).forEach(st -> live.add(st.name()));
            removeLagGauges(live);
          }
        } else if (!lagGauges.isEmpty()) {
          removeLagGauges(Set.of()); // a standby reports no lag (the leader does)
        }
      } catch (RuntimeException e) {
        LOG.warnf("metadata: polling failed (%s); retrying", e.toString());
      }
      synchronized (wake) {
        try {
          wake.wait(settings.tablesRefresh().toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void pollTopics(List<StoredTable> list) {
    for (StoredTable st : list) {
      if (st.state() == TableState.DROPPED) {
        continue;
      }
      String table = st.name();
      String bootstrap = st.definition().source().bootstrap();
      String topic = st.definition().source().topic();
      try {
        List<Integer> parts = kafka.partitions(bootstrap, topic);
        List<Integer> added = new ArrayList<>();
        for (Integer p : parts) {
          if (!st.partitions().contains(p)) {
            added.add(p);
          }
        }
        if (!added.isEmpty()) {
          // partitions created after the table start at their log start: they are new
          SortedMap<Integer, Long> offs = kafka.earliest(bootstrap, topic, added);
          var wrote = catalog.addPartitions(table, offs);
          LOG.infof("table %s: topic %s has new partitions %s; genesis written at %s for %s; assigning them next round",
              table, topic, added, offs, wrote);
          wake();
        }
        long endsAt = clock.millis();
        SortedMap<Integer, Long> ends = kafka.latest(bootstrap, topic, st.partitions());
        Map<Integer, Long> committed = new TreeMap<>();
        for (Integer p : st.partitions()) {
          catalog.head(table, p).ifPresent(h -> committed.put(p, h.endOffset()));
        }
        for (Integer p : st.partitions()) {
          Long end = ends.get(p);
          Long c = committed.get(p);
          if (end != null && c != null) {
            lagGauge(table, p).set(Math.max(0, end - c));
          }
        }
        listener.offsetsRead(table, ends, committed, endsAt);
      } catch (RuntimeException e) {
        LOG.warnf("table %s: topic metadata of %s not available (%s); retrying in %d ms", table, topic,
            e.getMessage(), settings.metadataPoll().toMillis());
      }
    }
  }

  private AtomicLong lagGauge(String table, int partition) {
    return lagGauges.computeIfAbsent(table + "#" + partition, k -> {
      AtomicLong v = new AtomicLong();
      lagMeters.put(k, Gauge.builder("tributary.lag.records", v, AtomicLong::get).tags(Tags.of("table", table,
          "partition", Integer.toString(partition))).description("Kafka end offset minus committed offset")
          .register(meters));
      return v;
    });
  }

  /** Removes the lag series of tables that were dropped or deleted (no stale lag on dashboards). */
  private void removeLagGauges(Set<String> liveTables) {
    for (String key : List.copyOf(lagGauges.keySet())) {
      if (!liveTables.contains(key.substring(0, key.lastIndexOf('#')))) {
        lagGauges.remove(key);
        Gauge g = lagMeters.remove(key);
        if (g != null) {
          meters.remove(g);
        }
      }
    }
  }
}
