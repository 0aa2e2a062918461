package io.tributary.iceberg.compact;

import java.util.HashMap;
import java.util.Map;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.aws.s3.S3FileIO;

/**
 * Iceberg's {@link S3FileIO} from the environment, with the same properties as the Iceberg
 * catalogs' FileIO ({@code IcebergCatalogs}): {@code AWS_REGION}; when {@code TRIBUTARY_S3_ENDPOINT}
 * names a local S3-API server, path-style access and the static {@code AWS_*} credentials.
 */
public final class S3FileIOs {
  private S3FileIOs() {
  }

  /** A new, initialized S3FileIO; close it when done. */
  public static S3FileIO fromEnv(Map<String, String> env) {
    S3FileIO io = new S3FileIO();
    io.initialize(properties(env));
    return io;
  }

  static Map<String, String> properties(Map<String, String> env) {
    Map<String, String> p = new HashMap<>();
    p.put(CatalogProperties.FILE_IO_IMPL, "org.apache.iceberg.aws.s3.S3FileIO");
    putIf(p, env, "client.region", "AWS_REGION");
    String endpoint = env.get("TRIBUTARY_S3_ENDPOINT");
    if (endpoint != null && !endpoint.isBlank()) {
      p.put("s3.endpoint", endpoint);
      p.put("s3.path-style-access", "true");
      putIf(p, env, "s3.access-key-id", "AWS_ACCESS_KEY_ID");
      putIf(p, env, "s3.secret-access-key", "AWS_SECRET_ACCESS_KEY");
    }
    return p;
  }

  private static void putIf(Map<String, String> p, Map<String, String> env, String prop, String key) {
    String v = env.get(key);
    if (v != null && !v.isBlank()) {
      p.put(prop, v);
    }
  }
}
