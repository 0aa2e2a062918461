package io.tributary.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * What {@link Catalog#audit(String)} found walking a table's chains: whether landing was exact
 * (no problem of ours), per-partition totals, and losses at the source (retention) reported
 * apart, since they are not gaps of ours. {@link #toJson()} is the {@code tributary audit --json}
 * contract.
 *
 * @param table      table name
 * @param partitions per-partition summaries, by partition
 * @param problems   human-readable problems, each naming partition and seq; empty when exact
 * @param losses     human-readable losses at the source (retention-gap records)
 */
public record AuditReport(String table, List<PartitionSummary> partitions, List<String> problems, List<String> losses) {

  public AuditReport {
    partitions = List.copyOf(partitions);
    problems = List.copyOf(problems);
    losses = List.copyOf(losses);
  }

  /**
   * One partition's chain.
   *
   * @param partition Kafka partition
   * @param records   commit records after genesis
   * @param rows      rows landed
   * @param dlqRows   dead letters landed
   * @param start     genesis offset
   * @param end       head's end offset (next offset to land)
   * @param lost      offsets lost at the source
   */
  public record PartitionSummary(int partition, long records, long rows, long dlqRows, long start, long end,
      long lost) {
  }

  /** True when no problem was found: every chain is contiguous and consistent. */
  public boolean exact() {
    return problems.isEmpty();
  }

  /** Total rows landed. */
  public long rows() {
    return partitions.stream().mapToLong(PartitionSummary::rows).sum();
  }

  /** Total dead letters landed. */
  public long dlqRows() {
    return partitions.stream().mapToLong(PartitionSummary::dlqRows).sum();
  }

  /** Total offsets lost at the source. */
  public long lost() {
    return partitions.stream().mapToLong(PartitionSummary::lost).sum();
  }

  /** Total commit records after genesis. */
  public long records() {
    return partitions.stream().mapToLong(PartitionSummary::records).sum();
  }

  /**
   * {@code {"table","exact","partitions":[{partition,records,rows,dlq_rows,start,end,lost}],
   * "records","rows","dlq_rows","lost","problems":[...],"losses":[...]}}.
   */
  public String toJson() {
    ObjectMapper m = new ObjectMapper();
    ObjectNode o = m.createObjectNode();
    o.put("table", table);
    o.put("exact", exact());
    ArrayNode ps = o.putArray("partitions");
    for (PartitionSummary p : partitions) {
      ObjectNode n = ps.addObject();
      n.put("partition", p.partition());
      n.put("records", p.records());
      n.put("rows", p.rows());
      n.put("dlq_rows", p.dlqRows());
      n.put("start", p.start());
      n.put("end", p.end());
      n.put("lost", p.lost());
    }
    o.put("records", records());
    o.put("rows", rows());
    o.put("dlq_rows", dlqRows());
    o.put("lost", lost());
    problems.forEach(o.putArray("problems")::add);
    losses.forEach(o.putArray("losses")::add);
    try {
      return m.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
