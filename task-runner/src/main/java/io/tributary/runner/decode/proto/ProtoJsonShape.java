package io.tributary.runner.decode.proto;

import io.tributary.formats.proto.ProtoField;
import io.tributary.formats.proto.ProtoMessage;
import io.tributary.formats.proto.WellKnownTypes;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The JSON view of one message type for {@link ProtoJson}: its fields by number, their pre-rendered
 * {@code "name":} keys, and which well-known type (if any) it is. Exists so rendering a message does no
 * name lookups or key encoding per value; built once per type and cached by {@link ProtoJson}.
 */
final class ProtoJsonShape {
    static final int GENERIC = 0;
    static final int TIMESTAMP = 1;
    static final int DURATION = 2;
    static final int WRAPPER = 3;
    static final int STRUCT = 4;
    static final int VALUE = 5;
    static final int LIST_VALUE = 6;

    final ProtoMessage type;
    final ProtoField[] fields;
    final byte[][] keys;
    final int[] indexByNumber; // number -> field index + 1 (0: unknown), for small numbers
    final int wkt;

    ProtoJsonShape(ProtoMessage type) {
        this.type = type;
        List<ProtoField> fs = type.fields();
        this.fields = fs.toArray(new ProtoField[0]);
        this.keys = new byte[fields.length][];
        int max = 0;
        for (int i = 0; i < fields.length; i++) {
            keys[i] = ("\"" + fields[i].name() + "\":").getBytes(StandardCharsets.UTF_8);
            max = Math.max(max, fields[i].number());
        }
        this.indexByNumber = new int[Math.min(max, 4096) + 1];
        for (int i = 0; i < fields.length; i++) {
            if (fields[i].number() < indexByNumber.length) {
                indexByNumber[fields[i].number()] = i + 1;
            }
        }
        String n = type.fullName();
        if (WellKnownTypes.TIMESTAMP.equals(n)) {
            wkt = TIMESTAMP;
        } else if (WellKnownTypes.DURATION.equals(n)) {
            wkt = DURATION;
        } else if (WellKnownTypes.WRAPPERS.contains(n)) {
            wkt = WRAPPER;
        } else if (WellKnownTypes.STRUCT.equals(n)) {
            wkt = STRUCT;
        } else if (WellKnownTypes.VALUE.equals(n)) {
            wkt = VALUE;
        } else if (WellKnownTypes.LIST_VALUE.equals(n)) {
            wkt = LIST_VALUE;
        } else {
            wkt = GENERIC;
        }
    }

    /** Index of the field numbered {@code number}, or -1. */
    int index(int number) {
        if (number < indexByNumber.length) {
            return indexByNumber[number] - 1;
        }
        for (int i = 0; i < fields.length; i++) {
            if (fields[i].number() == number) {
                return i;
            }
        }
        return -1;
    }
}
