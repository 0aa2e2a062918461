package io.tributary.formats.proto;

import io.tributary.catalog.ColumnType;
import io.tributary.catalog.TableDefinition;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Derives a table's columns from a Protobuf message ({@code table create --from-registry}): one
 * column per field, singular nested messages flattened into {@code parent_child} columns with paths
 * {@code $.parent.child} (proto field names), at most {@value #MAX_DEPTH} levels deep.
 *
 * <p>Types: int32/sint32/sfixed32 -> int; int64/sint64/sfixed64/uint32/fixed32 -> long;
 * uint64/fixed64 -> long (values above 2^63-1 wrap to negative, as Java reads them); float/double ->
 * double; bool -> boolean; string -> string; bytes -> string (base64); enum -> string (the value's
 * name); google.protobuf.Timestamp -> timestamp; google.protobuf.Duration -> long (milliseconds);
 * the wrappers -> their scalar; repeated fields, maps, Struct/Value/ListValue, Any, messages deeper
 * than the limit, messages without fields and self-recursive messages -> json. Every column is
 * nullable except proto2 {@code required} fields (and the columns of a required path).
 */
public final class ProtoColumns {
    /** Path depth at which a nested message becomes one json column instead of being flattened. */
    public static final int MAX_DEPTH = 4;

    private ProtoColumns() {
    }

    /**
     * The columns of {@code messageName} (full, package-relative or simple name; null or empty for the
     * file's first message).
     *
     * @throws IllegalArgumentException if the message does not exist
     */
    public static List<TableDefinition.Column> derive(ProtoFile f, String messageName) {
        ProtoMessage m = messageName == null || messageName.isEmpty() ? f.firstMessage() : f.message(messageName);
        if (m == null) {
            throw new IllegalArgumentException(messageName == null || messageName.isEmpty()
                    ? "the .proto file declares no message"
                    : "no message '" + messageName + "' in the .proto file (messages: " + names(f) + ")");
        }
        return derive(m);
    }

    /** The columns of message {@code m}. */
    public static List<TableDefinition.Column> derive(ProtoMessage m) {
        List<TableDefinition.Column> out = new ArrayList<>();
        Set<String> taken = new HashSet<>();
        for (String meta : TableDefinition.METADATA_COLUMNS) {
            taken.add(meta);
        }
        List<ProtoMessage> stack = new ArrayList<>();
        stack.add(m);
        walk(m, "", "$", 1, true, stack, out, taken);
        return out;
    }

    private static void walk(ProtoMessage m, String prefix, String path, int depth, boolean required,
                             List<ProtoMessage> stack, List<TableDefinition.Column> out, Set<String> taken) {
        for (ProtoField f : m.fields()) {
            String name = prefix.isEmpty() ? snake(f.name()) : prefix + "_" + snake(f.name());
            String p = path + "." + f.name();
            boolean req = required && f.label() == ProtoField.Label.REQUIRED;
            ProtoMessage nested = f.kind() == ProtoField.Kind.MESSAGE && !f.isRepeated() ? f.messageType() : null;
            if (nested != null && !nested.isWellKnown() && depth < MAX_DEPTH && !stack.contains(nested)
                    && !nested.fields().isEmpty()) {
                stack.add(nested);
                walk(nested, name, p, depth + 1, req, stack, out, taken);
                stack.remove(stack.size() - 1);
                continue;
            }
            out.add(new TableDefinition.Column(unique(name, taken), columnType(f), p, !req));
        }
    }

    /**
     * The column type a field maps to on its own (a singular message that is not a well-known
     * scalar-like type maps to json).
     */
    public static ColumnType columnType(ProtoField f) {
        if (f.isRepeated()) {
            return ColumnType.of(ColumnType.Kind.JSON);
        }
        return switch (f.kind()) {
            case INT32, SINT32, SFIXED32 -> ColumnType.of(ColumnType.Kind.INT);
            case INT64, SINT64, SFIXED64, UINT32, FIXED32, UINT64, FIXED64 -> ColumnType.of(ColumnType.Kind.LONG);
            case FLOAT, DOUBLE -> ColumnType.of(ColumnType.Kind.DOUBLE);
            case BOOL -> ColumnType.of(ColumnType.Kind.BOOLEAN);
            case STRING, BYTES, ENUM -> ColumnType.of(ColumnType.Kind.STRING);
            case MAP -> ColumnType.of(ColumnType.Kind.JSON);
            case MESSAGE -> messageColumnType(f.messageType());
        };
    }

    private static ColumnType messageColumnType(ProtoMessage m) {
        if (WellKnownTypes.isTimestamp(m)) {
            return ColumnType.of(ColumnType.Kind.TIMESTAMP);
        }
        if (WellKnownTypes.isDuration(m)) {
            return ColumnType.of(ColumnType.Kind.LONG);
        }
        if (WellKnownTypes.isWrapper(m)) {
            ProtoField value = m.fieldByNumber(1);
            return columnType(value);
        }
        return ColumnType.of(ColumnType.Kind.JSON);
    }

    /** {@code userId} -> {@code user_id}; {@code HTTPCode} -> {@code http_code}; already snake stays. */
    static String snake(String name) {
        StringBuilder sb = new StringBuilder(name.length() + 4);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c)) {
                boolean prevLower = i > 0 && (Character.isLowerCase(name.charAt(i - 1)) || Character.isDigit(name.charAt(i - 1)));
                boolean nextLower = i + 1 < name.length() && Character.isLowerCase(name.charAt(i + 1));
                boolean prevUpper = i > 0 && Character.isUpperCase(name.charAt(i - 1));
                if (sb.length() > 0 && sb.charAt(sb.length() - 1) != '_' && (prevLower || (prevUpper && nextLower))) {
                    sb.append('_');
                }
                sb.append(Character.toLowerCase(c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static String unique(String name, Set<String> taken) {
        String n = name.length() > 120 ? name.substring(0, 120) : name;
        String candidate = n;
        for (int i = 2; !taken.add(candidate.toLowerCase(Locale.ROOT)); i++) {
            candidate = n + "_" + i;
        }
        return candidate;
    }

    private static String names(ProtoFile f) {
        List<String> names = new ArrayList<>();
        for (ProtoMessage m : f.allMessages()) {
            names.add(m.fullName());
        }
        return String.join(", ", names);
    }
}
