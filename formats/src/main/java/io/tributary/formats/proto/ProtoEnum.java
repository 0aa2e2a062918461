package io.tributary.formats.proto;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** An enum type of a {@link ProtoFile}: its values in declaration order. Immutable once parsed. */
public final class ProtoEnum {

    /** One value: name and number. */
    public record Value(String name, int number) {
    }

    private final String name;
    private final String fullName;
    private final ProtoMessage parent;
    private final int line;
    ProtoFile file;
    final List<Value> values = new ArrayList<>();

    ProtoEnum(String name, String fullName, ProtoMessage parent, int line) {
        this.name = name;
        this.fullName = fullName;
        this.parent = parent;
        this.line = line;
    }

    public String name() {
        return name;
    }

    /** Full name without a leading dot. */
    public String fullName() {
        return fullName;
    }

    /** The containing message, or null for a top-level enum. */
    public ProtoMessage parent() {
        return parent;
    }

    public ProtoFile file() {
        return file;
    }

    public List<Value> values() {
        return Collections.unmodifiableList(values);
    }

    /** The first declared value: the default of a field without presence (proto3 requires it to be 0). */
    public Value first() {
        return values.get(0);
    }

    /** The name of the first value numbered {@code number} (aliases share numbers), or null. */
    public String nameOf(int number) {
        for (Value v : values) {
            if (v.number() == number) {
                return v.name();
            }
        }
        return null;
    }

    public int line() {
        return line;
    }

    @Override
    public String toString() {
        return "enum " + fullName;
    }
}
