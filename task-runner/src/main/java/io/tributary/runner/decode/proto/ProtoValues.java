package io.tributary.runner.decode.proto;

import io.tributary.formats.proto.ProtoField;

/** Raw wire values (a varint, or the bits of a fixed32/fixed64) to Java values, by field kind. Stateless. */
final class ProtoValues {
    private ProtoValues() {
    }

    /**
     * The integer value of an integer, bool or enum field from its raw wire value: int32/enum
     * sign-extended from 32 bits, sint zig-zag decoded, uint32/fixed32 unsigned, uint64/fixed64 as the
     * same 64 bits (values above 2^63-1 read negative), bool 0/1.
     */
    static long integer(ProtoField.Kind k, long raw) {
        return switch (k) {
            case INT32, ENUM, SFIXED32 -> (int) raw;
            case UINT32, FIXED32 -> raw & 0xFFFF_FFFFL;
            case SINT32 -> (int) (raw >>> 1) ^ -((int) raw & 1);
            case SINT64 -> (raw >>> 1) ^ -(raw & 1);
            case BOOL -> raw != 0 ? 1 : 0;
            default -> raw; // INT64, UINT64, FIXED64, SFIXED64
        };
    }

    /** The value of a float or double field from its raw bits; of an integer field, converted (unsigned 64-bit kinds exactly). */
    static double floating(ProtoField.Kind k, long raw) {
        return switch (k) {
            case FLOAT -> Float.intBitsToFloat((int) raw);
            case DOUBLE -> Double.longBitsToDouble(raw);
            case UINT64, FIXED64 -> raw >= 0 ? (double) raw : ((double) (raw >>> 1)) * 2.0 + (raw & 1);
            default -> integer(k, raw);
        };
    }

    /** Whether the 64-bit kind is unsigned (its JSON text is the unsigned value). */
    static boolean unsigned64(ProtoField.Kind k) {
        return k == ProtoField.Kind.UINT64 || k == ProtoField.Kind.FIXED64;
    }
}
