package io.tributary.iceberg.compact;

import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.PartObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a partition's commit records, fed in seq order, into runs: contiguous records whose data
 * objects are each smaller than the target and whose data bytes together stay within it. A record
 * with a data object of the target size or more ends the run and belongs to none. Only runs with at
 * least two data objects are worth rewriting; the others are dropped.
 */
final class RunPlanner {
  private final int partition;
  private final long targetBytes;
  private final List<CommitRecord> current = new ArrayList<>();
  private long bytes;
  private int objects;

  RunPlanner(int partition, long targetBytes) {
    this.partition = partition;
    this.targetBytes = targetBytes;
  }

  /** Adds the next record; returns the run it closed (worth rewriting), or null. */
  Run add(CommitRecord r) {
    List<PartObject> data = Run.data(r);
    long recordBytes = data.stream().mapToLong(PartObject::bytes).sum();
    boolean fits = recordBytes <= targetBytes && data.stream().allMatch(o -> o.bytes() < targetBytes);
    if (!current.isEmpty()) {
      CommitRecord prev = current.get(current.size() - 1);
      boolean contiguous = r.seq() == prev.seq() + 1 && r.startOffset() == prev.endOffset();
      if (!fits || !contiguous || bytes + recordBytes > targetBytes) {
        Run closed = close();
        if (fits) {
          append(r, data.size(), recordBytes);
        }
        return closed;
      }
    } else if (!fits) {
      return null;
    }
    append(r, data.size(), recordBytes);
    return null;
  }

  /** Ends the current run: returns it when worth rewriting, else null. */
  Run close() {
    Run out = objects >= 2 ? new Run(partition, current) : null;
    current.clear();
    bytes = 0;
    objects = 0;
    return out;
  }

  private void append(CommitRecord r, int dataObjects, long recordBytes) {
    current.add(r);
    bytes += recordBytes;
    objects += dataObjects;
  }
}
