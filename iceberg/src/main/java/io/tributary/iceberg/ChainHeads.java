package io.tributary.iceberg;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/**
 * The publication state: per Kafka partition, the last chain seq whose data parts are in the
 * table. It lives only in the summary property {@value #PROPERTY} of the snapshots the publisher
 * commits (DESIGN.md "Iceberg publication"); the heads of a table are those of the newest snapshot
 * in the current snapshot's ancestry that carries the property (a snapshot someone else committed,
 * say a user's {@code expire} or a compaction, may not).
 *
 * @param snapshotId      the snapshot the heads were read from, or -1 when none carries them
 * @param heads           partition -> last published seq (absent = nothing published, genesis only)
 * @param compactionHeads partition -> last compaction link applied (absent = none), from
 *                        {@value #COMPACTION_PROPERTY} (docs/maintenance.md)
 */
public record ChainHeads(long snapshotId, SortedMap<Integer, Long> heads, SortedMap<Integer, Long> compactionHeads) {
  public static final String PROPERTY = "tributary.chain-heads";
  public static final String COMPACTION_PROPERTY = "tributary.compaction-heads";
  public static final String TABLE_VERSION = "tributary.table-version";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  public ChainHeads {
    heads = Collections.unmodifiableSortedMap(new TreeMap<>(heads));
    compactionHeads = Collections.unmodifiableSortedMap(new TreeMap<>(compactionHeads));
  }

  /** Heads without compactions. */
  public ChainHeads(long snapshotId, SortedMap<Integer, Long> heads) {
    this(snapshotId, heads, new TreeMap<>());
  }

  /** No snapshot published yet: everything after each genesis is to be published. */
  public static ChainHeads none() {
    return new ChainHeads(-1, new TreeMap<>());
  }

  /** Last compaction link applied for a partition; 0 when none. */
  public long compactionHead(int partition) {
    return compactionHeads.getOrDefault(partition, 0L);
  }

  /** {@link #compactionHeads} as the JSON of {@value #COMPACTION_PROPERTY}. */
  public String compactionJson() {
    return json(compactionHeads);
  }

  /** The heads of the table's current state (the table as last refreshed). */
  public static ChainHeads of(Table table) {
    Snapshot s = table.currentSnapshot();
    while (s != null) {
      String json = s.summary().get(PROPERTY);
      if (json != null) {
        String cjson = s.summary().get(COMPACTION_PROPERTY);
        return new ChainHeads(s.snapshotId(), parse(json), cjson == null ? new TreeMap<>() : parse(cjson));
      }
      Long parent = s.parentId();
      s = parent == null ? null : table.snapshot(parent);
    }
    return none();
  }

  /** Last published seq of a partition; 0 (the genesis, which has no objects) when none. */
  public long head(int partition) {
    return heads.getOrDefault(partition, 0L);
  }

  public String toJson() {
    return json(heads);
  }

  private static String json(SortedMap<Integer, Long> m) {
    ObjectNode n = MAPPER.createObjectNode();
    m.forEach((p, seq) -> n.put(Integer.toString(p), seq));
    return n.toString();
  }

  static SortedMap<Integer, Long> parse(String json) {
    try {
      JsonNode n = MAPPER.readTree(json);
      SortedMap<Integer, Long> out = new TreeMap<>();
      Iterator<Map.Entry<String, JsonNode>> it = n.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        out.put(Integer.parseInt(e.getKey()), e.getValue().asLong());
      }
      return out;
    } catch (JsonProcessingException | NumberFormatException e) {
      throw new IllegalStateException(PROPERTY + " is not a JSON object of partition -> seq: " + json, e);
    }
  }
}
