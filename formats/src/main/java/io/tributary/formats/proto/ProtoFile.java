package io.tributary.formats.proto;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A parsed .proto file ({@link ProtoParser#parse}): syntax, package, imports, top-level messages and
 * enums with every field's type resolved. The files whose types it uses (well-known types, imports
 * that were supplied) are its {@link #dependencies()}. Immutable.
 *
 * <p>Message lookup by full name, by simple name and by the message-index path of the Confluent
 * wire format ({@link #messageAt}).
 */
public final class ProtoFile {

    public enum Syntax {
        PROTO2, PROTO3;

        /** {@code proto2} / {@code proto3}, as the syntax statement spells it. */
        public String text() {
            return this == PROTO2 ? "proto2" : "proto3";
        }
    }

    private final String name;
    private final Syntax syntax;
    private final String packageName;
    final List<String> imports = new ArrayList<>();
    final List<ProtoFile> dependencies = new ArrayList<>();
    final List<ProtoMessage> messages = new ArrayList<>();
    final List<ProtoEnum> enums = new ArrayList<>();

    ProtoFile(String name, Syntax syntax, String packageName) {
        this.name = name;
        this.syntax = syntax;
        this.packageName = packageName;
    }

    /** The file's name (its import path, e.g. {@code google/protobuf/timestamp.proto}). */
    public String name() {
        return name;
    }

    public Syntax syntax() {
        return syntax;
    }

    /** The package, {@code ""} when none is declared. */
    public String packageName() {
        return packageName;
    }

    /** The import paths as written, in order. */
    public List<String> imports() {
        return Collections.unmodifiableList(imports);
    }

    /** The parsed files this one imports or whose types it uses (well-known types and supplied imports). */
    public List<ProtoFile> dependencies() {
        return Collections.unmodifiableList(dependencies);
    }

    /** Top-level messages in declaration order. */
    public List<ProtoMessage> messages() {
        return Collections.unmodifiableList(messages);
    }

    /** Top-level enums in declaration order. */
    public List<ProtoEnum> enums() {
        return Collections.unmodifiableList(enums);
    }

    /** Every message of this file, depth first in declaration order (a parent before its nested messages). */
    public List<ProtoMessage> allMessages() {
        List<ProtoMessage> all = new ArrayList<>();
        collect(messages, all);
        return all;
    }

    private static void collect(List<ProtoMessage> ms, List<ProtoMessage> out) {
        for (ProtoMessage m : ms) {
            out.add(m);
            collect(m.messages, out);
        }
    }

    /** The first top-level message (what message indexes {@code [0]} and an unnamed table use), or null. */
    public ProtoMessage firstMessage() {
        return messages.isEmpty() ? null : messages.get(0);
    }

    /**
     * A message by full name ({@code pkg.Outer.Inner}, a leading dot allowed), by name relative to the
     * package ({@code Outer.Inner}) or by simple name ({@code Inner}, the first in declaration order);
     * null when none matches.
     */
    public ProtoMessage message(String messageName) {
        if (messageName == null || messageName.isEmpty()) {
            return null;
        }
        String n = messageName.startsWith(".") ? messageName.substring(1) : messageName;
        ProtoMessage m = messageByFullName(n);
        if (m == null && !packageName.isEmpty()) {
            m = messageByFullName(packageName + "." + n);
        }
        if (m == null && n.indexOf('.') < 0) {
            m = messageBySimpleName(n);
        }
        return m;
    }

    /** The message of this file with this full name (no leading dot), or null. */
    public ProtoMessage messageByFullName(String fullName) {
        for (ProtoMessage m : allMessages()) {
            if (m.fullName().equals(fullName)) {
                return m;
            }
        }
        return null;
    }

    /** The first message of this file (depth first, declaration order) with this simple name, or null. */
    public ProtoMessage messageBySimpleName(String simpleName) {
        for (ProtoMessage m : allMessages()) {
            if (m.name().equals(simpleName)) {
                return m;
            }
        }
        return null;
    }

    /**
     * The message at a message-index path, numbered as Confluent's serializer numbers them: the first
     * index picks a top-level message (declaration order, enums not counted), each further index a
     * nested message of the previous one (map entries are not messages). An empty path means
     * {@code [0]}. Null when the path leaves the file.
     */
    public ProtoMessage messageAt(int[] indexes) {
        if (indexes == null || indexes.length == 0) {
            return firstMessage();
        }
        List<ProtoMessage> level = messages;
        ProtoMessage m = null;
        for (int i : indexes) {
            if (i < 0 || i >= level.size()) {
                return null;
            }
            m = level.get(i);
            level = m.messages;
        }
        return m;
    }

    /** The enum of this file (top-level or nested) with this full name, or null. */
    public ProtoEnum enumByFullName(String fullName) {
        for (ProtoEnum e : enums) {
            if (e.fullName().equals(fullName)) {
                return e;
            }
        }
        for (ProtoMessage m : allMessages()) {
            for (ProtoEnum e : m.enums) {
                if (e.fullName().equals(fullName)) {
                    return e;
                }
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return name + " (" + syntax.text() + (packageName.isEmpty() ? "" : ", package " + packageName) + ")";
    }
}
