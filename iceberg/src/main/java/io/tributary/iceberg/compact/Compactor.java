package io.tributary.iceberg.compact;

import io.tributary.catalog.Catalog;
import io.tributary.catalog.Checkpoint;
import io.tributary.catalog.CommitOutcomeUnknownException;
import io.tributary.catalog.CommitRecord;
import io.tributary.catalog.Compaction;
import io.tributary.catalog.ObjectKeys;
import io.tributary.catalog.PartObject;
import io.tributary.catalog.StoredTable;
import io.tributary.catalog.TableDefinition;
import io.tributary.iceberg.Schemas;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.apache.iceberg.Schema;
import org.apache.iceberg.io.FileIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compaction (docs/maintenance.md rule 1): per partition, rewrites runs of contiguous small parts
 * after the last compaction link and the retention checkpoint into ONE object each, and commits ONE
 * compaction link per run with the catalog's conditional write. Readers switch at that write. A lost
 * race deletes the new object; an unknown outcome (or any other failure of the commit call) keeps
 * it for the sweeper. Replaced objects are never deleted here.
 *
 * <p>Plain Java; the caller schedules {@link #pass}. Stateless between passes and thread-safe:
 * concurrent passes over one table (here or in another process) are settled by the conditional write.
 */
public final class Compactor {
  /** Default target object size: 128 MiB. */
  public static final long DEFAULT_TARGET_BYTES = 128L << 20;
  private static final Logger LOG = LoggerFactory.getLogger(Compactor.class);
  private static final int PAGE = 500;
  private static final int ROUNDS_AFTER_LOST_RACE = 3;

  private final Catalog chains;
  private final FileIO io;
  private final Clock clock;
  private final Rewriter rewriter;

  /**
   * @param chains the catalog holding the commit and compaction chains
   * @param io     S3 access for the tables' buckets, e.g. {@link S3FileIOs#fromEnv}
   * @param clock  for timings and the fallback key date
   */
  public Compactor(Catalog chains, FileIO io, Clock clock) {
    this.chains = Objects.requireNonNull(chains, "chains");
    this.io = Objects.requireNonNull(io, "io");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.rewriter = new Rewriter(io);
  }

  /**
   * What one pass did to one table.
   *
   * @param table                table name
   * @param links                compaction links committed
   * @param partsReplaced        data objects replaced by those links
   * @param rows                 rows moved into the new objects
   * @param bytesBefore          bytes of the replaced objects
   * @param bytesAfter           bytes of the new objects
   * @param deletedAfterLostRace new objects deleted because another compactor won the link
   * @param unknown              links whose commit outcome is unknown (object kept for the sweeper)
   * @param failed               runs or partitions given up on (verification or catalog/S3 failure)
   * @param millis               duration of the pass
   */
  public record Result(String table, int links, int partsReplaced, long rows, long bytesBefore, long bytesAfter,
      int deletedAfterLostRace, int unknown, int failed, long millis) {
  }

  /** {@link #pass(StoredTable, long)} with {@link #DEFAULT_TARGET_BYTES}. */
  public Result pass(StoredTable table) {
    return pass(table, DEFAULT_TARGET_BYTES);
  }

  /** One compaction pass over every partition of {@code table}. */
  public Result pass(StoredTable table, long targetBytes) {
    if (targetBytes < 1) {
      throw new IllegalArgumentException("target bytes must be positive, got " + targetBytes);
    }
    long t0 = clock.millis();
    Tally tally = new Tally();
    TableDefinition def = table.definition();
    if (!def.metadata().contains("_offset") || !def.metadata().contains("_partition")) {
      LOG.info("table {}: parts carry no _partition/_offset column, rows cannot be proven; not compacting it",
          table.name());
      return tally.result(table.name(), 0);
    }
    Schema schema = Schemas.of(def);
    for (int p : table.partitions()) {
      try {
        for (int round = 0; round < ROUNDS_AFTER_LOST_RACE; round++) {
          if (!partition(table, schema, p, targetBytes, tally)) {
            break;
          }
          LOG.info("table {} partition {}: lost a compaction race, re-reading the compaction chain", table.name(), p);
        }
      } catch (RuntimeException e) {
        tally.failed++;
        LOG.warn("table {} partition {}: compaction stopped ({}); any object already written stays for the sweeper,"
            + " the next pass starts again from the chain", table.name(), p, e.toString(), e);
      }
    }
    Result r = tally.result(table.name(), clock.millis() - t0);
    if (r.links() > 0 || r.failed() > 0 || r.unknown() > 0 || r.deletedAfterLostRace() > 0) {
      LOG.info("table {}: compaction pass committed {} links replacing {} parts ({} rows, {} -> {} bytes), {} lost"
          + " races, {} unknown, {} failed, {} ms", r.table(), r.links(), r.partsReplaced(), r.rows(), r.bytesBefore(),
          r.bytesAfter(), r.deletedAfterLostRace(), r.unknown(), r.failed(), r.millis());
    }
    return r;
  }

  /**
   * One run a pass would rewrite now (for {@code compact --dry-run}).
   *
   * @param parts data objects it replaces; {@code bytes} their size; {@code rows} their rows
   */
  public record Planned(int partition, long fromSeq, long toSeq, long startOffset, long endOffset, int parts,
      long rows, long bytes) {
  }

  /** The runs {@link #pass(StoredTable, long)} would rewrite now, planned exactly as it plans; writes nothing. */
  public static List<Planned> plan(Catalog chains, StoredTable table, long targetBytes) {
    List<Planned> out = new java.util.ArrayList<>();
    for (int p : chains.partitions(table.name())) {
      List<Compaction> links = chains.compactions(table.name(), p);
      long lastTo = links.isEmpty() ? 0 : links.get(links.size() - 1).toSeq();
      long from = Math.max(lastTo, chains.checkpoint(table.name(), p).map(Checkpoint::seq).orElse(0L)) + 1;
      RunPlanner planner = new RunPlanner(p, targetBytes);
      java.util.function.Consumer<Run> add = run -> out.add(new Planned(p, run.first().seq(), run.last().seq(),
          run.first().startOffset(), run.last().endOffset(), run.dataObjects().size(), run.rows(),
          run.dataObjects().stream().mapToLong(PartObject::bytes).sum()));
      while (true) {
        List<CommitRecord> page = chains.records(table.name(), p, from, Long.MAX_VALUE, PAGE);
        for (CommitRecord r : page) {
          Run run = planner.add(r);
          if (run != null) {
            add.accept(run);
          }
        }
        if (page.size() < PAGE) {
          break;
        }
        from = page.get(page.size() - 1).seq() + 1;
      }
      Run run = planner.close();
      if (run != null) {
        add.accept(run);
      }
    }
    return out;
  }

  /** Compacts one partition; true when a race was lost and the partition should be planned again. */
  private boolean partition(StoredTable table, Schema schema, int p, long targetBytes, Tally tally) {
    String name = table.name();
    List<Compaction> links = chains.compactions(name, p);
    Compaction last = links.isEmpty() ? null : links.get(links.size() - 1);
    long checkpointSeq = chains.checkpoint(name, p).map(Checkpoint::seq).orElse(0L);
    long from = Math.max(last == null ? 0 : last.toSeq(), checkpointSeq) + 1;
    RunPlanner planner = new RunPlanner(p, targetBytes);
    while (true) {
      List<CommitRecord> page = chains.records(name, p, from, Long.MAX_VALUE, PAGE);
      for (CommitRecord r : page) {
        Run run = planner.add(r);
        if (run != null) {
          Step s = compact(table, schema, run, last, tally);
          if (s.link == null) {
            return s.lost;
          }
          last = s.link;
        }
      }
      if (page.size() < PAGE) {
        break;
      }
      from = page.get(page.size() - 1).seq() + 1;
    }
    Run run = planner.close();
    if (run != null) {
      Step s = compact(table, schema, run, last, tally);
      return s.link == null && s.lost;
    }
    return false;
  }

  /** The link committed, or null with whether the race was lost (else: stop the partition). */
  private record Step(Compaction link, boolean lost) {
  }

  private Step compact(StoredTable table, Schema schema, Run run, Compaction prev, Tally tally) {
    TableDefinition def = table.definition();
    String name = table.name();
    int p = run.partition();
    String key = ObjectKeys.data(def.output().prefix(), name,
        run.date(LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC)), p, run.startOffset(), run.endOffset(),
        UUID.randomUUID().toString().replace("-", "").substring(0, 16));
    Rewriter.Written w;
    try {
      w = rewriter.rewrite(def.output().bucket(), schema, run, key);
    } catch (Rewriter.VerificationException e) {
      tally.failed++;
      LOG.error("table {} partition {} seqs {}..{}: rewrite does not match the chain ({}); deleted {}, not committing;"
          + " the parts keep serving, compaction of this partition stops for this pass", name, p, run.fromSeq(),
          run.toSeq(), e.getMessage(), key);
      return new Step(null, false);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("rewriting " + run + " into " + key, e);
    }
    List<PartObject> replaced = run.dataObjects();
    Compaction next = new Compaction(name, p, prev == null ? 1 : prev.seq() + 1, run.fromSeq(), run.toSeq(),
        run.startOffset(), run.endOffset(), w.rows(), PartObject.data(key, w.rows(), w.bytes()),
        replaced.stream().map(PartObject::key).toList(), UUID.randomUUID().toString(), 0);
    boolean committed;
    try {
      committed = chains.commitCompaction(prev, next);
    } catch (CommitOutcomeUnknownException e) {
      tally.unknown++;
      LOG.warn("table {} partition {} compaction {} (seqs {}..{}): commit outcome unknown; keeping {}, the sweeper"
          + " decides; this partition is re-read next pass", name, p, next.seq(), run.fromSeq(), run.toSeq(), key, e);
      return new Step(null, false);
    }
    if (!committed) {
      io.deleteFile(Rewriter.location(def.output().bucket(), key));
      tally.deleted++;
      LOG.info("table {} partition {} compaction {} (seqs {}..{}): another compactor committed that link first;"
          + " deleted own object {}", name, p, next.seq(), run.fromSeq(), run.toSeq(), key);
      return new Step(null, true);
    }
    tally.links++;
    tally.parts += replaced.size();
    tally.rows += w.rows();
    tally.before += run.bytes();
    tally.after += w.bytes();
    LOG.info("table {} partition {} compaction {}: seqs {}..{} offsets [{},{}) {} parts ({} bytes) -> {} ({} rows,"
        + " {} bytes); readers switched, the sweeper deletes the replaced parts later", name, p, next.seq(),
        run.fromSeq(), run.toSeq(), run.startOffset(), run.endOffset(), replaced.size(), run.bytes(), key, w.rows(),
        w.bytes());
    return new Step(next, false);
  }

  private static final class Tally {
    int links;
    int parts;
    long rows;
    long before;
    long after;
    int deleted;
    int unknown;
    int failed;

    Result result(String table, long millis) {
      return new Result(table, links, parts, rows, before, after, deleted, unknown, failed, millis);
    }
  }
}
