package io.tributary.catalog.admin;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Topic metadata and offsets from Kafka through Admin clients, one per bootstrap string (tables may
 * read from different clusters). Used for genesis offsets, new-partition detection and lag; never
 * reads records. Shared by the scheduler and the CLI (which declares tables without a scheduler).
 *
 * <p>Thread-safety: thread-safe; Admin clients are shared and closed by {@link #close()}.
 */
public final class KafkaTopics implements AutoCloseable {

  /** The topic does not exist on that cluster. */
  public static final class TopicMissingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TopicMissingException(String topic, String bootstrap) {
      super("topic '" + topic + "' does not exist on " + bootstrap);
    }
  }

  private final Map<String, Admin> admins = new ConcurrentHashMap<>();
  private final long timeoutMs;
  private final String clientId;

  /** @param timeoutMs the deadline of every Admin call */
  public KafkaTopics(long timeoutMs) {
    this(timeoutMs, "tributary-scheduler");
  }

  /** @param clientId the Kafka client id of its Admin clients (in broker logs and quotas) */
  public KafkaTopics(long timeoutMs, String clientId) {
    this.timeoutMs = timeoutMs;
    this.clientId = clientId;
  }

  private Admin admin(String bootstrap) {
    return admins.computeIfAbsent(bootstrap, b -> {
      Properties p = new Properties();
      p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, b);
      p.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
      p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeoutMs);
      p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMs);
      return Admin.create(p);
    });
  }

  /** The topic's partitions, ascending. */
  public List<Integer> partitions(String bootstrap, String topic) {
    try {
      TopicDescription d = admin(bootstrap).describeTopics(List.of(topic)).allTopicNames()
          .get(timeoutMs, TimeUnit.MILLISECONDS).get(topic);
      List<Integer> out = new ArrayList<>();
      d.partitions().forEach(p -> out.add(p.partition()));
      out.sort(null);
      return out;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        throw new TopicMissingException(topic, bootstrap);
      }
      throw new IllegalStateException("kafka: cannot describe topic '" + topic + "' on " + bootstrap + ": "
          + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("kafka: describing topic '" + topic + "' on " + bootstrap + " timed out");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }

  /** Log start offsets of the partitions. */
  public SortedMap<Integer, Long> earliest(String bootstrap, String topic, Collection<Integer> partitions) {
    return offsets(bootstrap, topic, partitions, OffsetSpec.earliest());
  }

  /** Log end offsets (next offset to be written) of the partitions. */
  public SortedMap<Integer, Long> latest(String bootstrap, String topic, Collection<Integer> partitions) {
    return offsets(bootstrap, topic, partitions, OffsetSpec.latest());
  }

  private SortedMap<Integer, Long> offsets(String bootstrap, String topic, Collection<Integer> partitions,
      OffsetSpec spec) {
    SortedMap<Integer, Long> out = new TreeMap<>();
    if (partitions.isEmpty()) {
      return out;
    }
    Map<TopicPartition, OffsetSpec> req = new HashMap<>();
    for (Integer p : partitions) {
      req.put(new TopicPartition(topic, p), spec);
    }
    try {
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> res = admin(bootstrap).listOffsets(req).all()
          .get(timeoutMs, TimeUnit.MILLISECONDS);
      res.forEach((tp, info) -> out.put(tp.partition(), info.offset()));
      return out;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        throw new TopicMissingException(topic, bootstrap);
      }
      throw new IllegalStateException("kafka: cannot list offsets of '" + topic + "' on " + bootstrap + ": "
          + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("kafka: listing offsets of '" + topic + "' on " + bootstrap + " timed out");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }

  @Override
  public void close() {
    admins.values().forEach(a -> a.close(java.time.Duration.ofSeconds(2)));
    admins.clear();
  }
}
