package io.tributary.catalog;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.SortedSet;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The catalog: table definitions, the per-partition commit chains that make landing exactly once,
 * the scheduler's leader lease and the table assignments. DESIGN.md "The commit protocol" and
 * "Names that other tools rely on" define the stored form.
 *
 * <h2>The commit contract</h2>
 * Each (table, partition) has an append-only chain of {@link CommitRecord}s, seq 0 being the
 * genesis. {@link #commit(CommitRecord, CommitRecord)} appends record n+1 if and only if no record
 * n+1 exists, in one atomic conditional write; it is the only way the chain grows after genesis.
 * That single write publishes the part and advances the offset together, so two writers racing
 * for n+1 get exactly one success, and the chain has no gap and no overlap by construction
 * (provided every caller passes a head it read from this catalog). The implementation resolves
 * ambiguous failures itself; the caller always gets a settled {@link CommitOutcome} or a
 * {@link CommitOutcomeUnknownException}, after which it must keep its objects.
 *
 * <h2>Costs</h2>
 * Each method states the DynamoDB requests it costs in {@link DynamoCatalog}; reads are strongly
 * consistent throughout. Methods throw the catalog's own exceptions ({@link CatalogException}
 * subclasses, {@link InvalidDefinitionException}, IllegalArgumentException for malformed calls);
 * {@link DynamoCatalog} may also throw the AWS SDK's exceptions when DynamoDB fails, except from
 * {@code commit}, which settles or throws {@link CommitOutcomeUnknownException}.
 *
 * <p>Implementations are thread-safe.
 */
public interface Catalog {

  // ------------------------------------------------------------------ tables

  /**
   * Creates a table at version 1, ACTIVE, and the genesis record (seq 0, start == end == offset)
   * of each partition in {@code genesisOffsets}; the caller chose the offsets from the table's
   * start policy (the catalog never talks to Kafka). Not atomic as a whole: the definition is
   * written first, then the genesis records; if it fails midway, {@link #addPartitions} with the
   * same offsets completes it.
   *
   * <p>Cost: 2 + P writes (index update, conditional definition put, one conditional put per
   * partition).
   *
   * @throws TableAlreadyExistsException if the name is taken, even by a DROPPED table
   * @throws IllegalArgumentException    if a partition or offset is negative
   */
  StoredTable createTable(TableDefinition definition, Map<Integer, Long> genesisOffsets);

  /**
   * The table with that name, in any state (DROPPED included), or empty.
   *
   * <p>Cost: 1 GetItem.
   */
  Optional<StoredTable> getTable(String name);

  /**
   * Every table, in any state, sorted by name.
   *
   * <p>Cost: 1 GetItem (the name index) + 1 GetItem per table.
   */
  List<StoredTable> listTables();

  /**
   * Replaces the definition if the stored version is still {@code expectedVersion}; the new
   * version is expectedVersion + 1. The state and chains are unchanged. The topic cannot change
   * (the chains hold its offsets).
   *
   * <p>Cost: 1 GetItem + 1 conditional UpdateItem (+1 GetItem on a version conflict).
   *
   * @throws TableNotFoundException     if absent
   * @throws TableStateException        if DROPPED
   * @throws VersionConflictException   if the version moved
   * @throws InvalidDefinitionException ({@code source.topic}) if the topic changed
   */
  StoredTable updateTable(TableDefinition definition, long expectedVersion);

  /**
   * Sets ACTIVE to PAUSED (idempotent): the scheduler stops assigning its partitions.
   *
   * <p>Cost: 1 conditional UpdateItem (+1 GetItem when refused, to say why).
   *
   * @throws TableNotFoundException if absent
   * @throws TableStateException    if DROPPED
   */
  StoredTable pauseTable(String name);

  /**
   * Sets PAUSED to ACTIVE (idempotent).
   *
   * <p>Cost: 1 conditional UpdateItem (+1 GetItem when refused).
   *
   * @throws TableNotFoundException if absent
   * @throws TableStateException    if DROPPED
   */
  StoredTable resumeTable(String name);

  /**
   * Sets the state to DROPPED (idempotent). The definition and every chain are kept for audit;
   * the name is never reused.
   *
   * <p>Cost: 1 conditional UpdateItem (+1 GetItem when refused).
   *
   * @throws TableNotFoundException if absent
   */
  StoredTable dropTable(String name);

  // ------------------------------------------------------------------ chains

  /**
   * Writes a genesis record for each partition that has none (existing chains are never touched,
   * whatever offset is passed for them) and records the partitions on the table. Idempotent.
   *
   * <p>Cost: 1 GetItem + P conditional PutItems + 1 UpdateItem.
   *
   * @return the partitions whose genesis this call wrote
   * @throws TableNotFoundException if absent
   * @throws TableStateException    if DROPPED
   */
  SortedSet<Integer> addPartitions(String table, Map<Integer, Long> genesisOffsets);

  /**
   * The partitions of the table that have a chain.
   *
   * <p>Cost: 1 GetItem.
   *
   * @throws TableNotFoundException if absent
   */
  SortedSet<Integer> partitions(String table);

  /**
   * The chain's last record, read strongly consistently, or empty if the partition has no chain.
   *
   * <p>Cost: 1 Query (descending, limit 1).
   */
  Optional<CommitRecord> head(String table, int partition);

  /**
   * Appends {@code next} as record {@code expectedHead.seq() + 1}, in ONE conditional write that
   * succeeds only if that seq is empty. Nothing happens after that write that could fail the
   * commit.
   *
   * <p>Checked before any request (IllegalArgumentException, nothing written): same table and
   * partition, {@code next.seq == expectedHead.seq + 1}, {@code next.startOffset ==
   * expectedHead.endOffset}, {@code endOffset >= startOffset}, non-negative counts, {@code rows ==}
   * sum of data object rows, {@code dlqRows ==} sum of dlq object rows, {@code rows + dlqRows <=
   * endOffset - startOffset}, object keys distinct, non-blank commit id and writer, a retention-gap
   * record ({@code lost} set) has no rows and no objects and {@code lost == endOffset - startOffset},
   * {@code minTs <= maxTs}. A {@code committedAt} of 0 is stamped with the catalog's clock.
   *
   * <p>Outcomes:
   * <ul>
   * <li>{@link CommitOutcome.Committed}: the record is in the chain (also when a retry finds its
   * own commit id already there).</li>
   * <li>{@link CommitOutcome.Conflict}: another record holds that seq; it carries the current head
   * (strongly consistent read) so the caller sees the winner's epoch and endOffset.</li>
   * <li>{@link CommitOutcome.NotCommitted}: the write certainly did not happen (throttled, or the
   * record was found absent when read back after a lost response). Retry the same commit.</li>
   * </ul>
   * When the response is lost (timeout, I/O error, 5xx), the implementation reads record n+1 back,
   * retrying the read with backoff until a deadline: its commit id tells ours (COMMITTED) from
   * another's (CONFLICT); absent means NOT_COMMITTED. This is the only place that retries.
   *
   * <p>Cost: 1 conditional PutItem; on conflict +1 Query (+1 GetItem if the chain has moved past
   * that seq); on a lost response 1..k GetItems until one answers (+1 Query on a conflict).
   *
   * @throws CommitOutcomeUnknownException if the read-back could not settle it before the deadline:
   *                                       never delete the objects of that commit
   * @throws CatalogException              if DynamoDB refused the request as invalid (nothing
   *                                       written; a bug, not worth retrying)
   */
  CommitOutcome commit(CommitRecord expectedHead, CommitRecord next);

  /**
   * Up to {@code pageSize} records with {@code fromSeq <= seq < toSeqExclusive}, in seq order.
   * A page shorter than {@code pageSize} means no more records in the range; to page, call again
   * with {@code fromSeq = last.seq() + 1}.
   *
   * <p>Cost: 1 Query per page (more only if a page exceeds DynamoDB's 1 MB response limit).
   *
   * @throws IllegalArgumentException if pageSize < 1 or fromSeq < 0
   */
  List<CommitRecord> records(String table, int partition, long fromSeq, long toSeqExclusive, int pageSize);

  /**
   * The whole chain of a partition from genesis, lazily paged (1000 records a page).
   *
   * <p>Cost: 1 Query per 1000 records.
   */
  default Stream<CommitRecord> chain(String table, int partition) {
    Iterator<CommitRecord> it = new Iterator<>() {
      private static final int PAGE = 1000;
      private List<CommitRecord> page = List.of();
      private int index;
      private long nextSeq;
      private boolean exhausted;

      @Override
      public boolean hasNext() {
        if (index < page.size()) {
          return true;
        }
        if (exhausted) {
          return false;
        }
        page = records(table, partition, nextSeq, Long.MAX_VALUE, PAGE);
        index = 0;
        exhausted = page.size() < PAGE;
        if (!page.isEmpty()) {
          nextSeq = page.get(page.size() - 1).seq() + 1;
        }
        return !page.isEmpty();
      }

      @Override
      public CommitRecord next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return page.get(index++);
      }
    };
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL),
        false);
  }

  /**
   * Walks every chain of the table and reports gaps, overlaps, seq holes, duplicate object keys,
   * row-count mismatches, keys outside the layout, and losses at the source. Works on DROPPED
   * tables.
   *
   * <p>Cost: 1 GetItem + 1 Query per 1000 records.
   *
   * @throws TableNotFoundException if absent
   */
  default AuditReport audit(String table) {
    return ChainAuditor.audit(this, table);
  }

  // ------------------------------------------------------------------ maintenance

  /**
   * The partition's compaction chain in seq order (empty when nothing was compacted). See
   * {@link Compaction} and {@link LiveParts}.
   *
   * <p>Cost: 1 Query (paged past 1 MB).
   */
  List<Compaction> compactions(String table, int partition);

  /**
   * Appends {@code next} as compaction link {@code prev.seq + 1} (1 when {@code prev} is null) in ONE
   * conditional write that succeeds only if that seq is free — two compactors racing get exactly one
   * success, and links never overlap ({@code next.fromSeq > prev.toSeq}, checked before writing).
   * Whether the replaced records exist and hold those rows is the compactor's to check and the
   * audit's to prove.
   *
   * <p>Returns true when committed (also when a lost response is found to be ours), false when
   * another link holds the seq (delete your object). Cost: 1 conditional PutItem (+ GetItems to settle).
   *
   * @throws CommitOutcomeUnknownException if a lost response could not be settled: keep the object
   */
  boolean commitCompaction(Compaction prev, Compaction next);

  /**
   * The partition's retention checkpoint, or empty if nothing was ever folded.
   *
   * <p>Cost: 1 GetItem.
   */
  Optional<Checkpoint> checkpoint(String table, int partition);

  /**
   * Replaces the checkpoint if the stored one is still {@code expected} (by seq; null = none stored).
   * The new checkpoint must fold further ({@code next.seq > expected.seq}) and stay below the chain
   * head. Records up to {@code next.seq} may then be deleted with {@link #deleteFolded}.
   *
   * <p>Cost: 1 conditional PutItem.
   *
   * @return false if another checkpoint was written meanwhile
   */
  boolean putCheckpoint(Checkpoint expected, Checkpoint next);

  /**
   * Deletes commit records with seq {@code <= upToSeq}; refused unless the stored checkpoint covers
   * them (so a chain walk from the checkpoint stays provable) and the head is above them.
   *
   * <p>Cost: 1 GetItem + 1 Query + 1 DeleteItem per record.
   *
   * @return records deleted
   */
  int deleteFolded(String table, int partition, long upToSeq);

  // ------------------------------------------------------------------ leader lease

  /**
   * Takes the scheduler lease if nobody holds a live one (absent, expired or released), with
   * epoch = previous epoch + 1, expiring {@code ttl} from now (catalog clock).
   *
   * <p>Cost: 1 GetItem (+1 conditional PutItem when it is free).
   *
   * @return the lease if acquired, empty if someone else holds it (or won the race)
   */
  Optional<Lease> acquireLease(String owner, String address, Duration ttl);

  /**
   * Extends the lease to now + ttl, only if {@code held}'s owner and epoch still hold it (an
   * expired lease nobody took can still be renewed).
   *
   * <p>Cost: 1 conditional UpdateItem.
   *
   * @return the renewed lease, or empty if it was lost (stop acting as leader)
   */
  Optional<Lease> renewLease(Lease held, Duration ttl);

  /**
   * Gives the lease up (expires it now, keeping the epoch so the next holder's is higher), only if
   * {@code held} still holds it.
   *
   * <p>Cost: 1 conditional UpdateItem.
   *
   * @return true if released, false if it was not held any more
   */
  boolean releaseLease(Lease held);

  /**
   * The lease item as stored, live or expired ({@link Lease#isLive(long)}), or empty if never
   * taken. Runners and the CLI find the leader's address here.
   *
   * <p>Cost: 1 GetItem.
   */
  Optional<Lease> currentLease();

  // ------------------------------------------------------------------ assignments

  /**
   * The table's current assignment, or empty if none was written.
   *
   * <p>Cost: 1 GetItem.
   */
  Optional<Assignment> assignment(String table);

  /**
   * Writes the assignment if the stored version is {@code expectedVersion} (0 = none stored yet);
   * the new version is expectedVersion + 1.
   *
   * <p>Cost: 1 conditional PutItem (+1 GetItem on conflict).
   *
   * @throws VersionConflictException if the version moved
   */
  Assignment putAssignment(String table, long expectedVersion, Map<Integer, String> owners,
      Map<Integer, Long> epochs);
}
