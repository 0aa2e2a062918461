package io.tributary.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.api.v1.SweepStatus;
import io.tributary.api.v1.TableStatus;
import io.tributary.catalog.Catalog;
import io.tributary.catalog.Checkpoint;
import io.tributary.catalog.LiveParts;
import io.tributary.catalog.StoredTable;
import java.time.Duration;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Shared by the maintenance commands ({@code compact}, {@code sweep}, {@code retention}) and by
 * {@code table describe}/{@code status}: argument parsing, the table lookup, and a table's
 * maintenance state as the CLI shows it (docs/maintenance.md). The JSON field names are a contract:
 * <pre>{"parts","compaction_links","checkpoints":{"partition":seq},"error",
 *  "sweep":{"last_pass_ms","objects_listed","orphans_found","orphans_deleted","bytes_deleted","replaced_deleted",
 *           "skipped_too_young","failures","last_error","grace_s","interval_s"}|null}</pre>
 * {@code parts} counts the live data objects ({@link LiveParts}); {@code checkpoints} lists the
 * partitions with a retention checkpoint; {@code sweep} is what the scheduler leader's sweeper
 * reports ({@code TableStatus.sweep}), null when it reports nothing; {@code error} is null unless the
 * chains could not be read.
 */
final class Maintenance {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]i?b?|b)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?", Pattern.CASE_INSENSITIVE);

    private Maintenance() {
    }

    /** {@code 128MB}, {@code 64MiB}, {@code 1g}, {@code 1048576}: binary units (MB = MiB). */
    static long size(String option, String v) {
        Matcher m = SIZE.matcher(v == null ? "" : v.trim());
        if (!m.matches()) {
            throw new CliException(option + " must be a size like 128MB, 64MiB or 1048576 (bytes), got '" + v + "'");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new CliException(option + " is too large: '" + v + "'");
        }
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        int shift = switch (unit.charAt(0)) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            case 't' -> 40;
            default -> 0;
        };
        if (n < 1) {
            throw new CliException(option + " must be positive, got '" + v + "'");
        }
        if (n > (Long.MAX_VALUE >> shift)) {
            throw new CliException(option + " is too large: '" + v + "'");
        }
        return n << shift;
    }

    /** {@code 1s}, {@code 10m}, {@code 1h}, {@code 2d}, {@code PT1H}, or plain seconds. */
    static Duration duration(String option, String v) {
        String s = v == null ? "" : v.trim();
        try {
            if (s.toUpperCase(Locale.ROOT).startsWith("P")) {
                Duration d = Duration.parse(s.toUpperCase(Locale.ROOT));
                if (!d.isNegative()) {
                    return d;
                }
            }
        } catch (RuntimeException e) {
            // reported below
        }
        Matcher m = DURATION.matcher(s);
        if (!m.matches()) {
            throw new CliException(option + " must be a duration like 1s, 10m, 1h, 2d or PT1H, got '" + v + "'");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofSeconds(n);
        };
    }

    /** The stored table, or the CLI's one-line "no table" error. */
    static StoredTable table(CatalogAccess c, String name) {
        return c.call(cat -> cat.getTable(name))
                .orElseThrow(() -> new CliException("no table '" + name + "' in catalog " + CatalogAccess.tableName(c.env)));
    }

    /** A table's maintenance state from the chains: live parts, compaction links, checkpoints. */
    record State(long parts, long links, SortedMap<Integer, Long> checkpoints, String error) {
        static State of(Catalog cat, String table) {
            try {
                long parts = 0;
                long links = 0;
                SortedMap<Integer, Long> cps = new TreeMap<>();
                for (int p : cat.partitions(table)) {
                    parts += LiveParts.of(cat, table, p).size();
                    links += cat.compactions(table, p).size();
                    cat.checkpoint(table, p).map(Checkpoint::seq).ifPresent(s -> cps.put(p, s));
                }
                return new State(parts, links, cps, null);
            } catch (RuntimeException e) {
                return new State(-1, -1, new TreeMap<>(), "cannot read the chains: " + Errors.firstLine(String.valueOf(
                        e instanceof CliException ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage())));
            }
        }

        String text() {
            if (error != null) {
                return "maintenance: " + error;
            }
            return "maintenance: " + TextTable.num(parts) + " live parts, " + TextTable.num(links) + " compaction links, "
                    + (checkpoints.isEmpty() ? "no retention checkpoint" : "retention checkpoints (partition=seq) " + checkpoints);
        }
    }

    /** {@link State} and the scheduler's sweep report as the {@code "maintenance"} JSON object. */
    static ObjectNode json(State s, TableStatus t) {
        ObjectNode o = JSON.createObjectNode();
        if (s.error() == null) {
            o.put("parts", s.parts());
            o.put("compaction_links", s.links());
        } else {
            o.putNull("parts");
            o.putNull("compaction_links");
        }
        ObjectNode cps = o.putObject("checkpoints");
        s.checkpoints().forEach((p, seq) -> cps.put(Integer.toString(p), seq));
        if (s.error() == null) {
            o.putNull("error");
        } else {
            o.put("error", s.error());
        }
        if (t != null && t.hasSweep()) {
            SweepStatus w = t.getSweep();
            ObjectNode n = o.putObject("sweep");
            n.put("last_pass_ms", w.getLastPassMs());
            n.put("objects_listed", w.getObjectsListed());
            n.put("orphans_found", w.getOrphansFound());
            n.put("orphans_deleted", w.getOrphansDeleted());
            n.put("bytes_deleted", w.getBytesDeleted());
            n.put("replaced_deleted", w.getReplacedDeleted());
            n.put("skipped_too_young", w.getSkippedTooYoung());
            n.put("failures", w.getFailures());
            if (w.getLastError().isEmpty()) {
                n.putNull("last_error");
            } else {
                n.put("last_error", w.getLastError());
            }
            n.put("grace_s", w.getGraceSeconds());
            n.put("interval_s", w.getIntervalSeconds());
        } else {
            o.putNull("sweep");
        }
        return o;
    }

    /** The scheduler's sweep report as one line, or null when it reports none. */
    static String sweepText(TableStatus t, long now) {
        if (t == null || !t.hasSweep()) {
            return null;
        }
        SweepStatus w = t.getSweep();
        StringBuilder sb = new StringBuilder("sweeper: ");
        if (w.getLastPassMs() <= 0) {
            sb.append("no pass yet");
        } else {
            sb.append("last pass ").append(StatusView.ago(w.getLastPassMs(), now)).append(": ")
                    .append(TextTable.num(w.getObjectsListed())).append(" objects listed, ")
                    .append(TextTable.num(w.getOrphansFound())).append(" orphans, ")
                    .append(TextTable.num(w.getSkippedTooYoung())).append(" too young");
        }
        sb.append("; since leader: ").append(TextTable.num(w.getOrphansDeleted())).append(" deleted (")
                .append(mib(w.getBytesDeleted())).append(", ").append(TextTable.num(w.getReplacedDeleted()))
                .append(" replaced by compaction), ").append(w.getFailures()).append(" failed passes; grace ")
                .append(w.getGraceSeconds()).append(" s, every ").append(w.getIntervalSeconds()).append(" s");
        if (!w.getLastError().isEmpty()) {
            sb.append("; last error: ").append(w.getLastError());
        }
        return sb.toString();
    }

    static String mib(long bytes) {
        return String.format("%,.2f MiB", bytes / 1048576.0);
    }
}
