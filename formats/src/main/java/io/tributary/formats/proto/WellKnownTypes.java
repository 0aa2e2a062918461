package io.tributary.formats.proto;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The well-known types every schema may use without their files: Timestamp, Duration, the wrappers,
 * Struct/Value/ListValue, Any, Empty, FieldMask. Their .proto sources (fields and numbers exactly as
 * Google's) are parsed once by our own parser.
 */
public final class WellKnownTypes {
    public static final String PACKAGE = "google.protobuf";

    public static final String TIMESTAMP = "google.protobuf.Timestamp";
    public static final String DURATION = "google.protobuf.Duration";
    public static final String STRUCT = "google.protobuf.Struct";
    public static final String VALUE = "google.protobuf.Value";
    public static final String LIST_VALUE = "google.protobuf.ListValue";
    public static final String ANY = "google.protobuf.Any";
    public static final String EMPTY = "google.protobuf.Empty";

    /** Full names of the wrapper messages (each has one field {@code value = 1}). */
    public static final List<String> WRAPPERS = List.of("google.protobuf.DoubleValue", "google.protobuf.FloatValue",
            "google.protobuf.Int64Value", "google.protobuf.UInt64Value", "google.protobuf.Int32Value",
            "google.protobuf.UInt32Value", "google.protobuf.BoolValue", "google.protobuf.StringValue",
            "google.protobuf.BytesValue");

    private static final String HEADER = "syntax = \"proto3\";\npackage google.protobuf;\n";

    private static final Map<String, String> SOURCES = new LinkedHashMap<>();

    static {
        SOURCES.put("google/protobuf/timestamp.proto", HEADER
                + "message Timestamp { int64 seconds = 1; int32 nanos = 2; }\n");
        SOURCES.put("google/protobuf/duration.proto", HEADER
                + "message Duration { int64 seconds = 1; int32 nanos = 2; }\n");
        SOURCES.put("google/protobuf/wrappers.proto", HEADER
                + "message DoubleValue { double value = 1; }\n"
                + "message FloatValue { float value = 1; }\n"
                + "message Int64Value { int64 value = 1; }\n"
                + "message UInt64Value { uint64 value = 1; }\n"
                + "message Int32Value { int32 value = 1; }\n"
                + "message UInt32Value { uint32 value = 1; }\n"
                + "message BoolValue { bool value = 1; }\n"
                + "message StringValue { string value = 1; }\n"
                + "message BytesValue { bytes value = 1; }\n");
        SOURCES.put("google/protobuf/struct.proto", HEADER
                + "message Struct { map<string, Value> fields = 1; }\n"
                + "message Value {\n"
                + "  oneof kind {\n"
                + "    NullValue null_value = 1;\n"
                + "    double number_value = 2;\n"
                + "    string string_value = 3;\n"
                + "    bool bool_value = 4;\n"
                + "    Struct struct_value = 5;\n"
                + "    ListValue list_value = 6;\n"
                + "  }\n"
                + "}\n"
                + "enum NullValue { NULL_VALUE = 0; }\n"
                + "message ListValue { repeated Value values = 1; }\n");
        SOURCES.put("google/protobuf/any.proto", HEADER
                + "message Any { string type_url = 1; bytes value = 2; }\n");
        SOURCES.put("google/protobuf/empty.proto", HEADER + "message Empty {}\n");
        SOURCES.put("google/protobuf/field_mask.proto", HEADER
                + "message FieldMask { repeated string paths = 1; }\n");
    }

    private static volatile Map<String, ProtoFile> files;

    private WellKnownTypes() {
    }

    /** The well-known files by import path ({@code google/protobuf/timestamp.proto}), parsed. */
    public static Map<String, ProtoFile> files() {
        Map<String, ProtoFile> f = files;
        if (f == null) {
            synchronized (WellKnownTypes.class) {
                f = files;
                if (f == null) {
                    Map<String, ProtoFile> parsed = new LinkedHashMap<>();
                    for (Map.Entry<String, String> e : SOURCES.entrySet()) {
                        parsed.put(e.getKey(), ProtoParser.parseWellKnown(e.getKey(), e.getValue()));
                    }
                    files = f = Map.copyOf(parsed);
                }
            }
        }
        return f;
    }

    /** Whether {@code importPath} names one of the built-in well-known files. */
    public static boolean isWellKnownFile(String importPath) {
        return SOURCES.containsKey(importPath);
    }

    /** Whether {@code m} is one of the wrapper messages ({@code google.protobuf.Int64Value}, ...). */
    public static boolean isWrapper(ProtoMessage m) {
        return m != null && WRAPPERS.contains(m.fullName());
    }

    /** Whether {@code m} is {@code google.protobuf.Timestamp}. */
    public static boolean isTimestamp(ProtoMessage m) {
        return m != null && TIMESTAMP.equals(m.fullName());
    }

    /** Whether {@code m} is {@code google.protobuf.Duration}. */
    public static boolean isDuration(ProtoMessage m) {
        return m != null && DURATION.equals(m.fullName());
    }

    /** Struct, Value or ListValue: JSON-shaped values. */
    public static boolean isStructLike(ProtoMessage m) {
        return m != null && (STRUCT.equals(m.fullName()) || VALUE.equals(m.fullName()) || LIST_VALUE.equals(m.fullName()));
    }
}
