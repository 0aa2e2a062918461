package io.tributary.bench.load;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends {@link EventGenerator} events to a Kafka topic (creating it with P partitions if missing),
 * optionally paced to a rate. Plain Java over kafka-clients; used by {@code produce}, the demo and
 * the benchmark.
 */
public final class LoadProducer {

  /** What was sent. */
  public record Stats(long sent, long bad, long bytes, long elapsedNanos, int partitions) {
    public double eventsPerSecond() {
      return elapsedNanos == 0 ? 0 : sent * 1e9 / elapsedNanos;
    }

    public double mibPerSecond() {
      return elapsedNanos == 0 ? 0 : bytes / 1048576.0 * 1e9 / elapsedNanos;
    }
  }

  private final String bootstrap;

  public LoadProducer(String bootstrap) {
    this.bootstrap = bootstrap;
  }

  /**
   * Creates the topic with {@code partitions} partitions unless it exists.
   *
   * @return the topic's partition count
   */
  public int ensureTopic(String topic, int partitions) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
    try (Admin admin = Admin.create(p)) {
      Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      if (!names.contains(topic)) {
        try {
          admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
      // a topic just created may be unknown to the broker's metadata, or without leaders, for a moment; an
      // idempotent producer that meets NOT_LEADER on a fresh topic was seen to stall, so wait until every
      // partition has a leader before anything is sent
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (true) {
        try {
          var d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
          if (d.partitions().stream().allMatch(x -> x.leader() != null && !x.leader().isEmpty())) {
            return d.partitions().size();
          }
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
              || System.nanoTime() > deadline) {
            throw e;
          }
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("a partition of " + topic + " has no leader after 60 s");
        }
        Thread.sleep(100);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    } catch (Exception e) {
      Throwable c = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      throw new IllegalStateException("cannot create or describe topic " + topic + " at " + bootstrap + ": "
          + c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage()), c);
    }
  }

  /**
   * Sends {@code count} events (paced to {@code rate} per second when positive), waits until every
   * one is acknowledged, and returns the totals. {@code progress} is called about 4 times a second
   * with the number acknowledged so far.
   */
  public Stats produce(String topic, long count, double rate, EventGenerator gen, Consumer<Long> progress) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 10);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "tributary-produce");
    AtomicLong acked = new AtomicLong();
    AtomicReference<Exception> failure = new AtomicReference<>();
    long bytes = 0;
    long bad = 0;
    long start = System.nanoTime();
    long lastProgress = start;
    int partitions;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      partitions = producer.partitionsFor(topic).size();
      for (long i = 0; i < count; i++) {
        if (failure.get() != null) {
          break;
        }
        if (rate > 0) {
          long due = start + (long) (i * 1e9 / rate);
          long wait = due - System.nanoTime();
          if (wait > 1_000_000) {
            sleepNanos(wait);
          }
        }
        EventGenerator.Event e = gen.next();
        bytes += e.value().length;
        if (e.kind().bad()) {
          bad++;
        }
        producer.send(new ProducerRecord<>(topic, null, e.timestamp(), e.key(), e.value()), (md, ex) -> {
          if (ex != null) {
            failure.compareAndSet(null, ex);
          } else {
            acked.incrementAndGet();
          }
        });
        long now = System.nanoTime();
        if (now - lastProgress > 250_000_000L) {
          lastProgress = now;
          progress.accept(acked.get());
        }
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("sending to " + topic + " failed after " + acked.get() + " events: "
          + failure.get().getMessage(), failure.get());
    }
    progress.accept(acked.get());
    return new Stats(acked.get(), bad, bytes, System.nanoTime() - start, partitions);
  }

  private static void sleepNanos(long n) {
    try {
      TimeUnit.NANOSECONDS.sleep(n);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }

  /** The log end offset of each partition of the topic. */
  public Map<Integer, Long> endOffsetsByPartition(String topic) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(p)) {
      var desc = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
      Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> req = new java.util.HashMap<>();
      desc.partitions().forEach(tp -> req.put(new org.apache.kafka.common.TopicPartition(topic, tp.partition()),
          org.apache.kafka.clients.admin.OffsetSpec.latest()));
      Map<Integer, Long> out = new java.util.TreeMap<>();
      admin.listOffsets(req).all().get(30, TimeUnit.SECONDS).forEach((tp, v) -> out.put(tp.partition(), v.offset()));
      return out;
    } catch (Exception e) {
      throw new IllegalStateException("cannot read end offsets of " + topic + ": " + e.getMessage(), e);
    }
  }

  /** Sum of the topic's log end offsets (for fresh topics: records sent). */
  public long endOffsets(String topic) {
    return endOffsetsByPartition(topic).values().stream().mapToLong(Long::longValue).sum();
  }

}
