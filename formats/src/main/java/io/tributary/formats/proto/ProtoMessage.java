package io.tributary.formats.proto;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A message type of a {@link ProtoFile}: its fields in declaration order (oneof members included, in
 * place), nested messages and enums in declaration order, and oneof names. Immutable once its file is
 * parsed.
 */
public final class ProtoMessage {
    private final String name;
    private final String fullName;
    private final ProtoMessage parent;
    private final int line;
    ProtoFile file;
    final List<ProtoField> fields = new ArrayList<>();
    final List<ProtoMessage> messages = new ArrayList<>();
    final List<ProtoEnum> enums = new ArrayList<>();
    final List<String> oneofs = new ArrayList<>();
    int index; // among the messages of its parent (or the file's top-level messages)

    ProtoMessage(String name, String fullName, ProtoMessage parent, int line) {
        this.name = name;
        this.fullName = fullName;
        this.parent = parent;
        this.line = line;
    }

    /** Simple name ({@code Inner}). */
    public String name() {
        return name;
    }

    /** Full name without a leading dot ({@code pkg.Outer.Inner}). */
    public String fullName() {
        return fullName;
    }

    /** The containing message, or null for a top-level message. */
    public ProtoMessage parent() {
        return parent;
    }

    public ProtoFile file() {
        return file;
    }

    public List<ProtoField> fields() {
        return Collections.unmodifiableList(fields);
    }

    /** Nested message types in declaration order (map entries are not messages here). */
    public List<ProtoMessage> messages() {
        return Collections.unmodifiableList(messages);
    }

    public List<ProtoEnum> enums() {
        return Collections.unmodifiableList(enums);
    }

    /** Names of the declared oneofs, in declaration order. */
    public List<String> oneofs() {
        return Collections.unmodifiableList(oneofs);
    }

    /** The field named {@code name}, or null. */
    public ProtoField field(String fieldName) {
        for (ProtoField f : fields) {
            if (f.name().equals(fieldName)) {
                return f;
            }
        }
        return null;
    }

    /** The field numbered {@code number}, or null. */
    public ProtoField fieldByNumber(int number) {
        for (ProtoField f : fields) {
            if (f.number() == number) {
                return f;
            }
        }
        return null;
    }

    /** Position among the sibling messages (top-level messages of the file, or the parent's nested messages). */
    public int index() {
        return index;
    }

    /** The message-index path of this type as the Confluent serializer writes it ({@code [0]}, {@code [1, 0]}). */
    public int[] indexPath() {
        int depth = 0;
        for (ProtoMessage m = this; m != null; m = m.parent) {
            depth++;
        }
        int[] path = new int[depth];
        for (ProtoMessage m = this; m != null; m = m.parent) {
            path[--depth] = m.index;
        }
        return path;
    }

    /** Declared in {@code google.protobuf} (Timestamp, wrappers, Struct, ...). */
    public boolean isWellKnown() {
        return fullName.startsWith(WellKnownTypes.PACKAGE + ".");
    }

    /** The line of the declaration in its .proto text. */
    public int line() {
        return line;
    }

    @Override
    public String toString() {
        return "message " + fullName;
    }
}
