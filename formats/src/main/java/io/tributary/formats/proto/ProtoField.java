package io.tributary.formats.proto;

import java.util.Locale;

/**
 * One field of a {@link ProtoMessage}: name, number, label, kind and, for enum, message and map
 * fields, the resolved types. Map fields have kind {@link Kind#MAP}, label {@link Label#REPEATED} and
 * synthetic {@link #mapKey()} / {@link #mapValue()} fields (numbers 1 and 2, as on the wire).
 * Immutable once its file is parsed.
 */
public final class ProtoField {

    /** How the field was declared. */
    public enum Label {
        /** No label (proto3 implicit presence; in a oneof; proto2 without a label is read as optional). */
        SINGULAR,
        /** {@code optional} (proto2, or proto3 explicit presence). */
        OPTIONAL,
        /** proto2 {@code required}. */
        REQUIRED,
        /** {@code repeated}, and every {@code map<K,V>}. */
        REPEATED
    }

    /** The 15 scalar types, enum, message and map, with their wire types. */
    public enum Kind {
        DOUBLE(1), FLOAT(5), INT64(0), UINT64(0), INT32(0), FIXED64(1), FIXED32(5), BOOL(0), STRING(2), BYTES(2),
        UINT32(0), SFIXED32(5), SFIXED64(1), SINT32(0), SINT64(0), ENUM(0), MESSAGE(2), MAP(2);

        private final int wireType;

        Kind(int wireType) {
            this.wireType = wireType;
        }

        /** The wire type of one value: 0 varint, 1 fixed 64-bit, 2 length-delimited, 5 fixed 32-bit. */
        public int wireType() {
            return wireType;
        }

        /** One of the 15 scalar types (not enum, message or map). */
        public boolean isScalar() {
            return this != ENUM && this != MESSAGE && this != MAP;
        }

        /** Repeated fields of this kind may be packed (numeric scalars, bool, enum). */
        public boolean isPackable() {
            return wireType != 2;
        }

        /** The 10 integer scalar types (not bool, not enum). */
        public boolean isInteger() {
            return switch (this) {
                case INT32, INT64, UINT32, UINT64, SINT32, SINT64, FIXED32, FIXED64, SFIXED32, SFIXED64 -> true;
                default -> false;
            };
        }

        /** The .proto keyword of a scalar kind ({@code int64}); {@code enum}, {@code message}, {@code map} otherwise. */
        public String keyword() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The scalar kind for a .proto keyword, or null. */
        public static Kind scalar(String keyword) {
            return switch (keyword) {
                case "double" -> DOUBLE;
                case "float" -> FLOAT;
                case "int64" -> INT64;
                case "uint64" -> UINT64;
                case "int32" -> INT32;
                case "fixed64" -> FIXED64;
                case "fixed32" -> FIXED32;
                case "bool" -> BOOL;
                case "string" -> STRING;
                case "bytes" -> BYTES;
                case "uint32" -> UINT32;
                case "sfixed32" -> SFIXED32;
                case "sfixed64" -> SFIXED64;
                case "sint32" -> SINT32;
                case "sint64" -> SINT64;
                default -> null;
            };
        }
    }

    private final String name;
    private final int number;
    private final Label label;
    final String typeName; // as written (scalar keyword, or a message/enum reference); null for maps
    private final String oneof;
    private final Boolean packed;
    private final String explicitJsonName;
    private final int line;
    ProtoMessage declaringMessage;
    Kind kind;
    ProtoMessage messageType;
    ProtoEnum enumType;
    ProtoField mapKey;
    ProtoField mapValue;
    boolean presence;

    ProtoField(String name, int number, Label label, Kind kind, String typeName, String oneof, Boolean packed,
               String jsonName, int line) {
        this.name = name;
        this.number = number;
        this.label = label;
        this.kind = kind;
        this.typeName = typeName;
        this.oneof = oneof;
        this.packed = packed;
        this.explicitJsonName = jsonName;
        this.line = line;
    }

    public String name() {
        return name;
    }

    public int number() {
        return number;
    }

    public Label label() {
        return label;
    }

    public Kind kind() {
        return kind;
    }

    public boolean isRepeated() {
        return label == Label.REPEATED;
    }

    public boolean isMap() {
        return kind == Kind.MAP;
    }

    /** The message type of a {@link Kind#MESSAGE} field, else null. */
    public ProtoMessage messageType() {
        return messageType;
    }

    /** The enum type of an {@link Kind#ENUM} field, else null. */
    public ProtoEnum enumType() {
        return enumType;
    }

    /** The synthetic key field (number 1) of a map field, else null. */
    public ProtoField mapKey() {
        return mapKey;
    }

    /** The synthetic value field (number 2) of a map field, else null. */
    public ProtoField mapValue() {
        return mapValue;
    }

    /** The oneof this field belongs to, or null. */
    public String oneof() {
        return oneof;
    }

    /** The explicit {@code [packed=...]} option, or null when not given. */
    public Boolean packedOption() {
        return packed;
    }

    /** Whether a repeated packable field is written packed by default (proto3) or by its option. */
    public boolean isPacked() {
        if (label != Label.REPEATED || !kind.isPackable()) {
            return false;
        }
        if (packed != null) {
            return packed;
        }
        return declaringMessage != null && declaringMessage.file().syntax() == ProtoFile.Syntax.PROTO3;
    }

    /** The {@code [json_name=...]} option, else the lowerCamelCase default protoc derives. */
    public String jsonName() {
        return explicitJsonName != null ? explicitJsonName : defaultJsonName(name);
    }

    /**
     * Whether an absent field is distinguishable from its default value: proto2 optional/required,
     * proto3 {@code optional}, message-typed fields and oneof members. proto3 scalar and enum fields
     * without presence read as their default (0, "", false, the first enum value) when absent.
     * Repeated and map fields have no presence (absent is empty).
     */
    public boolean hasPresence() {
        return presence;
    }

    /** The message declaring this field (null for the synthetic key/value fields of a map). */
    public ProtoMessage declaringMessage() {
        return declaringMessage;
    }

    /** The line of the declaration in its .proto text. */
    public int line() {
        return line;
    }

    /** The declared type as .proto spells it: {@code int64}, {@code pkg.Color}, {@code map<string, int32>}. */
    public String typeDescription() {
        return switch (kind) {
            case MAP -> "map<" + mapKey.typeDescription() + ", " + mapValue.typeDescription() + ">";
            case MESSAGE -> messageType.fullName();
            case ENUM -> enumType.fullName();
            default -> kind.keyword();
        };
    }

    /** {@code repeated int64}, {@code optional string}, {@code pkg.User}: the declaration without name and number. */
    public String declaration() {
        String t = typeDescription();
        return switch (label) {
            case REPEATED -> kind == Kind.MAP ? t : "repeated " + t;
            case OPTIONAL -> "optional " + t;
            case REQUIRED -> "required " + t;
            case SINGULAR -> t;
        };
    }

    static String defaultJsonName(String name) {
        StringBuilder sb = new StringBuilder(name.length());
        boolean upper = false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '_') {
                upper = true;
            } else if (upper) {
                sb.append(Character.toUpperCase(c));
                upper = false;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return declaration() + " " + name + " = " + number;
    }
}
