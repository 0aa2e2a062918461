package io.tributary.catalog.admin;

import io.tributary.catalog.Catalog;
import io.tributary.catalog.InvalidDefinitionException;
import io.tributary.catalog.StoredTable;
import io.tributary.catalog.TableAlreadyExistsException;
import io.tributary.catalog.TableDefinition;
import io.tributary.catalog.TableNotFoundException;
import io.tributary.catalog.TableState;
import io.tributary.catalog.TableStateException;
import io.tributary.catalog.VersionConflictException;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A table's lifecycle in the catalog — create (with genesis offsets resolved from Kafka by the
 * table's start policy), update, pause, resume, drop, list, get — as one plain class, so that the
 * scheduler's {@code SchedulerService} and the CLI without a reachable scheduler apply exactly the
 * same validation, the same genesis records and the same conditional writes.
 *
 * <p>Every write is a conditional write of the {@link Catalog}, so two callers racing (the CLI and
 * a scheduler, two CI jobs) can never both create a table or lose a state change; the scheduler
 * leader picks a change up within one table refresh (it re-reads the table list every 2 s), or at
 * once when the change went through it.
 *
 * <p>Refusals are the catalog's exceptions: {@link InvalidDefinitionException} (field + detail),
 * {@link TableAlreadyExistsException}, {@link TableNotFoundException}, {@link TableStateException},
 * {@link VersionConflictException}, and {@link SourceUnavailableException} when Kafka cannot be
 * asked. Thread-safety: stateless apart from its collaborators.
 */
public final class TableLifecycle {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

    private final Catalog catalog;
    private final KafkaTopics kafka;

    /** Kafka could not be asked for the topic's partitions or offsets (not a definition error). */
    public static final class SourceUnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SourceUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A table just created, with the genesis offset of each partition. */
    public record Created(StoredTable table, SortedMap<Integer, Long> genesis) {
    }

    public TableLifecycle(Catalog catalog, KafkaTopics kafka) {
        this.catalog = catalog;
        this.kafka = kafka;
    }

    /**
     * A definition whose Iceberg namespace is left open gets the creating process's default
     * ({@code TRIBUTARY_ICEBERG_NAMESPACE}, else {@code tributary}) stored in it, so every process
     * names the table the same way from then on.
     */
    static TableDefinition withResolvedNamespace(TableDefinition def, String envNamespace) {
        if (def.iceberg() == null || def.iceberg().namespace() != null) {
            return def;
        }
        String ns = envNamespace == null || envNamespace.isBlank() ? TableDefinition.Iceberg.DEFAULT_NAMESPACE
                : envNamespace.trim();
        return def.toBuilder().iceberg(def.iceberg().withNamespace(ns)).build();
    }

    /**
     * Resolves the genesis offsets of every partition of the table's topic (earliest, latest or an
     * explicit offset) and creates the table with its genesis records in one catalog call.
     */
    public Created create(TableDefinition def) {
        def = withResolvedNamespace(def, System.getenv("TRIBUTARY_ICEBERG_NAMESPACE"));
        String bootstrap = def.source().bootstrap();
        String topic = def.source().topic();
        SortedMap<Integer, Long> genesis;
        try {
            List<Integer> partitions = kafka.partitions(bootstrap, topic);
            if (def.source().startsLatest()) {
                genesis = kafka.latest(bootstrap, topic, partitions);
            } else if (def.source().startsEarliest()) {
                genesis = kafka.earliest(bootstrap, topic, partitions);
            } else {
                long offset = def.source().startOffset().orElseThrow(
                        () -> new InvalidDefinitionException("source.start", "must be earliest, latest or a non-negative offset"));
                SortedMap<Integer, Long> ends = kafka.latest(bootstrap, topic, partitions);
                genesis = new TreeMap<>();
                for (Integer p : partitions) {
                    if (offset > ends.get(p)) {
                        throw new InvalidDefinitionException("source.start", "offset " + offset + " is beyond the end ("
                                + ends.get(p) + ") of partition " + p + " of topic '" + topic + "'");
                    }
                    genesis.put(p, offset);
                }
            }
        } catch (KafkaTopics.TopicMissingException e) {
            throw new InvalidDefinitionException("source.topic", e.getMessage());
        } catch (IllegalStateException e) {
            throw new SourceUnavailableException("source.bootstrap: " + e.getMessage(), e);
        }
        return new Created(catalog.createTable(def, genesis), genesis);
    }

    /** Stores a new definition version ({@code expectedVersion} = the current one). */
    public StoredTable update(TableDefinition def, long expectedVersion) {
        if (expectedVersion < 1) {
            throw new InvalidDefinitionException("expected_version", "must be the current version (>= 1), got "
                    + expectedVersion);
        }
        return catalog.updateTable(def, expectedVersion);
    }

    public StoredTable pause(String name) {
        return catalog.pauseTable(checkName(name));
    }

    public StoredTable resume(String name) {
        return catalog.resumeTable(checkName(name));
    }

    /** Stops the table for good; its parts and chains stay (names are never reused). */
    public StoredTable drop(String name) {
        return catalog.dropTable(checkName(name));
    }

    /** The table, or {@link TableNotFoundException}. */
    public StoredTable get(String name) {
        return catalog.getTable(checkName(name)).orElseThrow(() -> new TableNotFoundException(name));
    }

    public List<StoredTable> list(boolean includeDropped) {
        List<StoredTable> out = new ArrayList<>();
        for (StoredTable st : catalog.listTables()) {
            if (includeDropped || st.state() != TableState.DROPPED) {
                out.add(st);
            }
        }
        return out;
    }

    /** Refuses a missing or malformed table name (it would escape the S3 prefix or the catalog key). */
    public static String checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new InvalidDefinitionException("name", "is required");
        }
        if (!NAME.matcher(name).matches()) {
            throw new InvalidDefinitionException("name", "must match [a-z][a-z0-9_]{0,62}, got '" + name + "'");
        }
        return name;
    }
}
