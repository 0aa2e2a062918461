package io.tributary.iceberg;

import java.time.Duration;
import org.apache.iceberg.Table;

/**
 * Expires old snapshots of a published table: keeps every snapshot younger than {@code keepFor}
 * and at least the last {@code keepLast}. Only Iceberg metadata (manifests, manifest lists) is
 * deleted: a data file is a committed part, owned by the commit chain (and, later, the sweeper and
 * compaction), so expiry never deletes one — not even one no snapshot references any more.
 */
public final class SnapshotExpiry {
  private SnapshotExpiry() {
  }

  /** Runs one expiry; returns how many snapshots were expired. */
  public static int expire(Table table, int keepLast, Duration keepFor, long nowMillis) {
    table.refresh();
    int before = size(table);
    if (before <= keepLast) {
      return 0;
    }
    table.expireSnapshots().retainLast(Math.max(1, keepLast)).expireOlderThan(nowMillis - keepFor.toMillis())
        .deleteWith(path -> {
          if (isMetadata(path)) {
            table.io().deleteFile(path);
          }
        }).commit();
    table.refresh();
    return before - size(table);
  }

  /**
   * Expires every snapshot older than {@code cutoffMillis} except the current one (metadata only, as
   * above). Retention uses it after removing expired files, so that no retained snapshot still lists
   * a file it is about to delete: retention trades the time-travel window for the data's removal.
   */
  public static int expireBefore(Table table, long cutoffMillis) {
    table.refresh();
    int before = size(table);
    if (before <= 1) {
      return 0;
    }
    table.expireSnapshots().retainLast(1).expireOlderThan(cutoffMillis).deleteWith(path -> {
      if (isMetadata(path)) {
        table.io().deleteFile(path);
      }
    }).commit();
    table.refresh();
    return before - size(table);
  }

  static boolean isMetadata(String path) {
    return path.contains("/metadata/") && !path.endsWith(".parquet");
  }

  private static int size(Table table) {
    int n = 0;
    for (var ignored : table.snapshots()) {
      n++;
    }
    return n;
  }
}
