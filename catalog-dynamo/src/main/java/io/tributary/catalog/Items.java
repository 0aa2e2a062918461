package io.tributary.catalog;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Keys and item encodings of DESIGN.md "Names that other tools rely on". */
final class Items {
  static final String PK = "pk";
  static final String SK = "sk";
  static final String DEF_SK = "def";
  static final String LEASE_PK = "lease#scheduler";
  static final String LEASE_SK = "leader";
  static final String ASSIGN_SK = "current";
  static final String INDEX_PK = "index#tables";
  static final String INDEX_SK = "names";

  private Items() {
  }

  static String defPk(String table) {
    return "table#" + table;
  }

  static String partPk(String table, int partition) {
    return "part#" + table + "#" + partition;
  }

  static String seqSk(long seq) {
    return String.format("%020d", seq);
  }

  static String assignPk(String table) {
    return "assign#" + table;
  }

  static Map<String, AttributeValue> key(String pk, String sk) {
    return Map.of(PK, s(pk), SK, s(sk));
  }

  static AttributeValue s(String v) {
    return AttributeValue.builder().s(v).build();
  }

  static AttributeValue n(long v) {
    return AttributeValue.builder().n(Long.toString(v)).build();
  }

  static long num(Map<String, AttributeValue> item, String name) {
    AttributeValue v = item.get(name);
    if (v == null || v.n() == null) {
      throw new CatalogException("catalog item " + item.get(PK) + "/" + item.get(SK) + " has no number " + name);
    }
    return Long.parseLong(v.n());
  }

  static Long optNum(Map<String, AttributeValue> item, String name) {
    AttributeValue v = item.get(name);
    return v == null || v.n() == null ? null : Long.parseLong(v.n());
  }

  static String str(Map<String, AttributeValue> item, String name) {
    AttributeValue v = item.get(name);
    if (v == null || v.s() == null) {
      throw new CatalogException("catalog item " + item.get(PK) + "/" + item.get(SK) + " has no string " + name);
    }
    return v.s();
  }

  static Map<String, AttributeValue> commitItem(CommitRecord r) {
    Map<String, AttributeValue> m = new HashMap<>();
    m.put(PK, s(partPk(r.table(), r.partition())));
    m.put(SK, s(seqSk(r.seq())));
    m.put("start_offset", n(r.startOffset()));
    m.put("end_offset", n(r.endOffset()));
    m.put("rows", n(r.rows()));
    m.put("dlq_rows", n(r.dlqRows()));
    m.put("bytes", n(r.bytes()));
    if (!r.objects().isEmpty() || !r.isGenesis()) {
      List<AttributeValue> objs = new ArrayList<>();
      for (PartObject o : r.objects()) {
        objs.add(AttributeValue.builder().m(Map.of("key", s(o.key()), "kind", s(o.kind().wire()),
            "rows", n(o.rows()), "bytes", n(o.bytes()))).build());
      }
      m.put("objects", AttributeValue.builder().l(objs).build());
    }
    m.put("commit_id", s(r.commitId()));
    m.put("writer", s(r.writer()));
    m.put("epoch", n(r.epoch()));
    if (r.minTs() != null) {
      m.put("min_ts", n(r.minTs()));
    }
    if (r.maxTs() != null) {
      m.put("max_ts", n(r.maxTs()));
    }
    m.put("committed_at", n(r.committedAt()));
    if (r.lost() != null) {
      m.put("lost", n(r.lost()));
    }
    m.put("schema_version", n(r.schemaVersion()));
    return m;
  }

  static CommitRecord commitRecord(Map<String, AttributeValue> m) {
    String pk = str(m, PK);
    int cut = pk.lastIndexOf('#');
    if (!pk.startsWith("part#") || cut <= 5) {
      throw new CatalogException("not a commit record key: " + pk);
    }
    String table = pk.substring(5, cut);
    int partition = Integer.parseInt(pk.substring(cut + 1));
    List<PartObject> objects = new ArrayList<>();
    AttributeValue objs = m.get("objects");
    if (objs != null && objs.hasL()) {
      for (AttributeValue o : objs.l()) {
        Map<String, AttributeValue> om = o.m();
        objects.add(new PartObject(str(om, "key"), PartObject.Kind.fromWire(str(om, "kind")), num(om, "rows"),
            num(om, "bytes")));
      }
    }
    Long schema = optNum(m, "schema_version");
    return new CommitRecord(table, partition, Long.parseLong(str(m, SK)), num(m, "start_offset"),
        num(m, "end_offset"), num(m, "rows"), num(m, "dlq_rows"), num(m, "bytes"), objects, str(m, "commit_id"),
        str(m, "writer"), num(m, "epoch"), optNum(m, "min_ts"), optNum(m, "max_ts"), num(m, "committed_at"),
        optNum(m, "lost"), schema == null ? 0 : schema);
  }
}
