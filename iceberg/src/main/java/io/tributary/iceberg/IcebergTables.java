package io.tributary.iceberg;

import io.tributary.catalog.StoredTable;
import io.tributary.catalog.TableDefinition;
import java.util.HashMap;
import java.util.Map;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.mapping.MappingUtil;
import org.apache.iceberg.mapping.NameMappingParser;

/**
 * Creates and keeps in shape the Iceberg table of a Tributary table: location
 * {@code s3://<bucket>/<prefix>/<table>}, unpartitioned (parts are per Kafka partition and offset
 * range; column metrics on every file let engines prune by {@code ts} and {@code _offset}), format
 * v2, and the properties publication relies on:
 * <ul>
 * <li>{@code commit.retry.num-retries = 0}: Iceberg must never re-apply an append on top of a
 * snapshot it did not read — a racing publisher could already have added the same parts. Our
 * publisher retries itself, from the chain heads of the then-current snapshot.</li>
 * <li>{@code schema.name-mapping.default}: parts written before field ids existed resolve by
 * name.</li>
 * <li>bounded metadata: old metadata files deleted after commit, keeping the last 20.</li>
 * </ul>
 */
public final class IcebergTables {
  private IcebergTables() {
  }

  /** The Iceberg identifier of a table: {@code iceberg.namespace}.{@code iceberg.table}. */
  public static TableIdentifier identifier(TableDefinition def, String defaultNamespace) {
    TableDefinition.Iceberg ice = def.iceberg();
    String ns = ice == null || ice.namespace() == null || ice.namespace().isBlank() ? defaultNamespace
        : ice.namespace();
    String name = ice == null || ice.table() == null || ice.table().isBlank() ? def.name() : ice.table();
    return TableIdentifier.of(Namespace.of(ns), name);
  }

  /** The catalog a definition names ({@code iceberg.catalog}); null = the process's default. */
  public static String catalogName(TableDefinition def) {
    return def.iceberg() == null ? null : def.iceberg().catalog();
  }

  /** The table's Iceberg table when it exists (never creates it). */
  public static java.util.Optional<Table> find(Catalog catalog, TableDefinition def, String defaultNamespace) {
    try {
      return java.util.Optional.of(catalog.loadTable(identifier(def, defaultNamespace)));
    } catch (NoSuchTableException e) {
      return java.util.Optional.empty();
    }
  }

  /** {@code s3://<bucket>/<prefix>/<table>}. */
  public static String location(TableDefinition def) {
    String prefix = def.output().prefix();
    String p = prefix == null || prefix.isBlank() ? "" : trimSlashes(prefix) + "/";
    return "s3://" + def.output().bucket() + "/" + p + def.name();
  }

  /** The S3 URI of an object key of the table's bucket. */
  public static String objectUri(TableDefinition def, String key) {
    return "s3://" + def.output().bucket() + "/" + key;
  }

  /**
   * Loads the table, creating it (and its namespace) when absent, then brings its schema and
   * properties in line with the stored definition. Idempotent; safe against a concurrent creator.
   */
  public static Table ensure(Catalog catalog, TableIdentifier id, StoredTable stored) {
    TableDefinition def = stored.definition();
    Schema schema = IcebergSchemas.tableSchema(def);
    Schema partSchema = IcebergSchemas.schema(def);
    Table table;
    try {
      table = catalog.loadTable(id);
    } catch (NoSuchTableException e) {
      createNamespace(catalog, id.namespace());
      try {
        table = catalog.buildTable(id, schema).withPartitionSpec(PartitionSpec.unpartitioned())
            .withLocation(location(def)).withProperties(properties(partSchema))
            .withProperty(TableProperties.FORMAT_VERSION, "2").create();
      } catch (AlreadyExistsException raced) {
        table = catalog.loadTable(id);
      }
    }
    return sync(table, schema, partSchema);
  }

  /** Required properties and the definition's schema (with our field ids) on an existing table. */
  static Table sync(Table table, Schema schema, Schema partSchema) {
    syncSchema(table, schema);
    Map<String, String> want = properties(partSchema);
    Map<String, String> have = table.properties();
    boolean propsDiffer = want.entrySet().stream().anyMatch(e -> !e.getValue().equals(have.get(e.getKey())));
    if (propsDiffer) {
      var update = table.updateProperties();
      want.forEach(update::set);
      update.commit();
    }
    return table;
  }

  private static void syncSchema(Table table, Schema schema) {
    if (!table.schema().sameSchema(schema) && table instanceof HasTableOperations hto) {
      // Our ids are assigned by the catalog definition (FieldIds), not by Iceberg's UpdateSchema, so the
      // schema is set as a whole with its own ids; ids are never reused, so old parts stay readable.
      TableOperations ops = hto.operations();
      TableMetadata base = ops.refresh();
      int lastId = Math.max(base.lastColumnId(), schema.highestFieldId());
      TableMetadata next = TableMetadata.buildFrom(base).setCurrentSchema(schema, lastId).build();
      ops.commit(base, next);
      table.refresh();
    }
  }

  /** Properties; the default name mapping resolves part columns by their Parquet names ({@code partSchema}). */
  static Map<String, String> properties(Schema partSchema) {
    Map<String, String> p = new HashMap<>();
    p.put(TableProperties.COMMIT_NUM_RETRIES, "0");
    p.put(TableProperties.DEFAULT_NAME_MAPPING, NameMappingParser.toJson(MappingUtil.create(partSchema)));
    p.put(TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED, "true");
    p.put(TableProperties.METADATA_PREVIOUS_VERSIONS_MAX, "20");
    p.put("tributary.managed", "true");
    return p;
  }

  private static void createNamespace(Catalog catalog, Namespace ns) {
    if (catalog instanceof SupportsNamespaces sn && !sn.namespaceExists(ns)) {
      try {
        sn.createNamespace(ns);
      } catch (AlreadyExistsException raced) {
        // someone else created it
      }
    }
  }

  private static String trimSlashes(String s) {
    int a = 0;
    int b = s.length();
    while (a < b && s.charAt(a) == '/') {
      a++;
    }
    while (b > a && s.charAt(b - 1) == '/') {
      b--;
    }
    return s.substring(a, b);
  }
}
