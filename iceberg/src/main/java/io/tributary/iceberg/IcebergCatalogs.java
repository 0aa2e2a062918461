package io.tributary.iceberg;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.catalog.Catalog;

/**
 * The Iceberg catalogs this process may publish to, opened lazily from the environment
 * (DESIGN.md "Iceberg publication"). Iceberg's own {@link Catalog} implementations are used as they
 * are; this class only turns our environment keys into their properties:
 *
 * <ul>
 * <li>{@code local} — Iceberg's {@code JdbcCatalog} on the SQLite file named by
 * {@code TRIBUTARY_ICEBERG_JDBC_URI} ({@code tributary local up} writes it, under
 * {@code .tributary/}). Chosen for the local stack because it needs no cloud account, runs on a
 * real SQL engine, commits with one compare-and-swap row update, and is what the bench's Iceberg
 * peer already uses.</li>
 * <li>{@code glue} — {@code GlueCatalog} (what Athena reads); {@code TRIBUTARY_ICEBERG_GLUE_CATALOG_ID}
 * optional.</li>
 * <li>{@code rest} — {@code RESTCatalog} (S3 Tables, Polaris, Nessie, Lakekeeper, Unity):
 * {@code TRIBUTARY_ICEBERG_REST_URI}, optional {@code _WAREHOUSE}, {@code _CREDENTIAL},
 * {@code _TOKEN}, {@code _SCOPE}.</li>
 * </ul>
 * {@code TRIBUTARY_ICEBERG_CATALOG} names the default (what a table with no {@code iceberg.catalog}
 * uses); {@code none} turns publication off. Without it, {@code local} is the default when a JDBC URI
 * is set, else publication is off. FileIO is always {@code S3FileIO}; against a local S3-API server
 * ({@code TRIBUTARY_S3_ENDPOINT}) with path-style access and the static credentials of the environment.
 *
 * <p>Thread-safe; catalogs are opened once and shared.
 */
public final class IcebergCatalogs implements AutoCloseable {
  public static final String ENV_CATALOG = "TRIBUTARY_ICEBERG_CATALOG";
  public static final String ENV_JDBC_URI = "TRIBUTARY_ICEBERG_JDBC_URI";
  public static final String ENV_NAMESPACE = "TRIBUTARY_ICEBERG_NAMESPACE";
  public static final String LOCAL = "local";
  public static final String GLUE = "glue";
  public static final String REST = "rest";
  public static final String NONE = "none";

  private final Map<String, String> env;
  private final Map<String, Catalog> open = new ConcurrentHashMap<>();

  public IcebergCatalogs(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  /** From {@link System#getenv()}. */
  public static IcebergCatalogs fromEnvironment() {
    return new IcebergCatalogs(System.getenv());
  }

  /** The default catalog's name, or empty when publication is off here. */
  public Optional<String> defaultCatalog() {
    String c = env.get(ENV_CATALOG);
    if (c != null && !c.isBlank()) {
      c = c.trim().toLowerCase(Locale.ROOT);
      return c.equals(NONE) ? Optional.empty() : Optional.of(c);
    }
    return has(ENV_JDBC_URI) ? Optional.of(LOCAL) : Optional.empty();
  }

  /** Whether this process can publish at all. */
  public boolean enabled() {
    return defaultCatalog().isPresent();
  }

  /**
   * The catalog a table names ({@code null} or blank = the default).
   *
   * @throws IllegalStateException naming the missing environment key when it cannot be opened
   */
  public Catalog catalog(String name) {
    String n = name == null || name.isBlank() ? defaultCatalog().orElseThrow(() -> new IllegalStateException(
        "no Iceberg catalog configured: set " + ENV_CATALOG + " (local, glue or rest)")) : name.toLowerCase(Locale.ROOT);
    return open.computeIfAbsent(n, this::openCatalog);
  }

  /** The resolved name of {@code name} (the default when blank). */
  public String resolve(String name) {
    return name == null || name.isBlank() ? defaultCatalog().orElse(NONE) : name.toLowerCase(Locale.ROOT);
  }

  private Catalog openCatalog(String name) {
    Map<String, String> props = new HashMap<>(fileIoProperties());
    String impl;
    switch (name) {
      case LOCAL -> {
        impl = "org.apache.iceberg.jdbc.JdbcCatalog";
        props.put(CatalogProperties.URI, required(ENV_JDBC_URI));
        props.put("jdbc.schema-version", "V1");
        // Table locations are always explicit (s3://<bucket>/<prefix>/<table>); the warehouse is
        // only a required setting of JdbcCatalog.
        props.put(CatalogProperties.WAREHOUSE_LOCATION, "s3://" + env.getOrDefault("TRIBUTARY_BUCKET", "tributary")
            + "/iceberg-warehouse");
      }
      case GLUE -> {
        impl = "org.apache.iceberg.aws.glue.GlueCatalog";
        props.put(CatalogProperties.WAREHOUSE_LOCATION, "s3://" + env.getOrDefault("TRIBUTARY_BUCKET", "tributary")
            + "/iceberg-warehouse");
        putIf(props, "glue.id", "TRIBUTARY_ICEBERG_GLUE_CATALOG_ID");
      }
      case REST -> {
        impl = "org.apache.iceberg.rest.RESTCatalog";
        props.put(CatalogProperties.URI, required("TRIBUTARY_ICEBERG_REST_URI"));
        putIf(props, CatalogProperties.WAREHOUSE_LOCATION, "TRIBUTARY_ICEBERG_REST_WAREHOUSE");
        putIf(props, "credential", "TRIBUTARY_ICEBERG_REST_CREDENTIAL");
        putIf(props, "token", "TRIBUTARY_ICEBERG_REST_TOKEN");
        putIf(props, "scope", "TRIBUTARY_ICEBERG_REST_SCOPE");
      }
      default -> throw new IllegalStateException("unknown Iceberg catalog '" + name + "' (local, glue or rest)");
    }
    return CatalogUtil.loadCatalog(impl, "tributary_" + name, props, null);
  }

  /** S3FileIO properties: the local S3-API server and its static credentials when one is named. */
  public Map<String, String> fileIoProperties() {
    return fileIoProperties(env);
  }

  /** As {@link #fileIoProperties()} for any environment map (the compactor's own FileIO uses it). */
  public static Map<String, String> fileIoProperties(Map<String, String> env) {
    Map<String, String> p = new HashMap<>();
    p.put(CatalogProperties.FILE_IO_IMPL, "org.apache.iceberg.aws.s3.S3FileIO");
    putIf(env, p, "client.region", "AWS_REGION");
    String endpoint = env.get("TRIBUTARY_S3_ENDPOINT");
    if (endpoint != null && !endpoint.isBlank()) {
      p.put("s3.endpoint", endpoint);
      p.put("s3.path-style-access", "true");
      putIf(env, p, "s3.access-key-id", "AWS_ACCESS_KEY_ID");
      putIf(env, p, "s3.secret-access-key", "AWS_SECRET_ACCESS_KEY");
    }
    return p;
  }

  /** {@code TRIBUTARY_ICEBERG_KEEP_SNAPSHOTS}, default 60: snapshot expiry keeps at least this many. */
  public int keepSnapshots() {
    String v = env.get("TRIBUTARY_ICEBERG_KEEP_SNAPSHOTS");
    try {
      return v == null || v.isBlank() ? 60 : Math.max(1, Integer.parseInt(v.trim()));
    } catch (NumberFormatException e) {
      throw new IllegalStateException("TRIBUTARY_ICEBERG_KEEP_SNAPSHOTS must be a whole number, got '" + v + "'");
    }
  }

  /** {@code TRIBUTARY_ICEBERG_KEEP_FOR} (ISO-8601 like PT30M, or seconds), default 10 minutes. */
  public java.time.Duration keepSnapshotsFor() {
    String v = env.get("TRIBUTARY_ICEBERG_KEEP_FOR");
    if (v == null || v.isBlank()) {
      return java.time.Duration.ofMinutes(10);
    }
    try {
      return v.trim().startsWith("P") ? java.time.Duration.parse(v.trim())
          : java.time.Duration.ofSeconds(Long.parseLong(v.trim()));
    } catch (RuntimeException e) {
      throw new IllegalStateException("TRIBUTARY_ICEBERG_KEEP_FOR must be seconds or ISO-8601 (PT30M), got '" + v + "'");
    }
  }

  /** The default namespace ({@code TRIBUTARY_ICEBERG_NAMESPACE}, else {@code tributary}). */
  public String defaultNamespace() {
    String ns = env.get(ENV_NAMESPACE);
    return ns == null || ns.isBlank() ? "tributary" : ns.trim();
  }

  private String required(String key) {
    String v = env.get(key);
    if (v == null || v.isBlank()) {
      throw new IllegalStateException("Iceberg catalog needs " + key + " in the environment");
    }
    return v;
  }

  private boolean has(String key) {
    String v = env.get(key);
    return v != null && !v.isBlank();
  }

  private void putIf(Map<String, String> p, String prop, String key) {
    putIf(env, p, prop, key);
  }

  private static void putIf(Map<String, String> env, Map<String, String> p, String prop, String key) {
    String v = env.get(key);
    if (v != null && !v.isBlank()) {
      p.put(prop, v);
    }
  }

  @Override
  public void close() {
    for (Catalog c : open.values()) {
      if (c instanceof AutoCloseable a) {
        try {
          a.close();
        } catch (Exception e) {
          // closing is best effort
        }
      }
    }
    open.clear();
  }
}
