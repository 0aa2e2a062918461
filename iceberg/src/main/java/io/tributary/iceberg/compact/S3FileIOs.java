package io.tributary.iceberg.compact;

import io.tributary.iceberg.IcebergCatalogs;
import java.util.Map;
import org.apache.iceberg.aws.s3.S3FileIO;

/**
 * Iceberg's {@link S3FileIO} from the environment, with exactly the Iceberg catalogs' FileIO
 * properties ({@link IcebergCatalogs#fileIoProperties(Map)}).
 */
public final class S3FileIOs {
  private S3FileIOs() {
  }

  /** A new, initialized S3FileIO; close it when done. */
  public static S3FileIO fromEnv(Map<String, String> env) {
    S3FileIO io = new S3FileIO();
    io.initialize(IcebergCatalogs.fileIoProperties(env));
    return io;
  }
}
