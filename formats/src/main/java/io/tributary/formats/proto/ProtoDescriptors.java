package io.tributary.formats.proto;

import com.google.protobuf.DescriptorProtos;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.OneofDescriptorProto;
import com.google.protobuf.Descriptors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds protobuf-java {@link Descriptors.FileDescriptor}s from our {@link ProtoFile} model, so that
 * Google's own encoder ({@link com.google.protobuf.DynamicMessage}) can write messages of a schema we
 * parsed ({@code tributary produce --format protobuf}, and tests checking our decoder against an
 * independent encoder). Map fields get their synthetic {@code XxxEntry} messages, proto3
 * {@code optional} fields their synthetic oneofs; the well-known types are protobuf-java's own.
 * Thread-safe (stateless).
 */
public final class ProtoDescriptors {
    private ProtoDescriptors() {
    }

    private static Map<String, Descriptors.FileDescriptor> wellKnown() {
        Map<String, Descriptors.FileDescriptor> m = new HashMap<>();
        m.put("google/protobuf/timestamp.proto", com.google.protobuf.Timestamp.getDescriptor().getFile());
        m.put("google/protobuf/duration.proto", com.google.protobuf.Duration.getDescriptor().getFile());
        m.put("google/protobuf/wrappers.proto", com.google.protobuf.StringValue.getDescriptor().getFile());
        m.put("google/protobuf/struct.proto", com.google.protobuf.Struct.getDescriptor().getFile());
        m.put("google/protobuf/any.proto", com.google.protobuf.Any.getDescriptor().getFile());
        m.put("google/protobuf/empty.proto", com.google.protobuf.Empty.getDescriptor().getFile());
        m.put("google/protobuf/field_mask.proto", com.google.protobuf.FieldMask.getDescriptor().getFile());
        return m;
    }

    /**
     * The descriptor of {@code f} (and, built first, of the files it depends on).
     *
     * @throws IllegalArgumentException if protobuf-java rejects the descriptor
     */
    public static Descriptors.FileDescriptor build(ProtoFile f) {
        return build(f, wellKnown());
    }

    /** The descriptor of message {@code m} (its file built with {@link #build}). */
    public static Descriptors.Descriptor descriptor(ProtoMessage m) {
        Descriptors.FileDescriptor fd = build(m.file());
        int[] path = m.indexPath();
        Descriptors.Descriptor d = fd.getMessageTypes().get(path[0]);
        for (int i = 1; i < path.length; i++) {
            d = nestedDeclared(d, path[i]);
        }
        return d;
    }

    /** The i-th declared (non map entry) nested message of {@code d}. */
    private static Descriptors.Descriptor nestedDeclared(Descriptors.Descriptor d, int i) {
        int k = 0;
        for (Descriptors.Descriptor n : d.getNestedTypes()) {
            if (n.getOptions().getMapEntry()) {
                continue;
            }
            if (k++ == i) {
                return n;
            }
        }
        throw new IllegalArgumentException("no nested message " + i + " in " + d.getFullName());
    }

    private static Descriptors.FileDescriptor build(ProtoFile f, Map<String, Descriptors.FileDescriptor> built) {
        Descriptors.FileDescriptor done = built.get(f.name());
        if (done != null) {
            return done;
        }
        List<Descriptors.FileDescriptor> deps = new ArrayList<>();
        FileDescriptorProto.Builder fp = FileDescriptorProto.newBuilder().setName(f.name());
        if (!f.packageName().isEmpty()) {
            fp.setPackage(f.packageName());
        }
        fp.setSyntax(f.syntax().text());
        for (ProtoFile d : f.dependencies()) {
            deps.add(build(d, built));
            fp.addDependency(d.name());
        }
        for (ProtoMessage m : f.messages()) {
            fp.addMessageType(message(m));
        }
        for (ProtoEnum e : f.enums()) {
            fp.addEnumType(enumType(e));
        }
        try {
            Descriptors.FileDescriptor fd = Descriptors.FileDescriptor.buildFrom(fp.build(),
                    deps.toArray(new Descriptors.FileDescriptor[0]));
            built.put(f.name(), fd);
            return fd;
        } catch (Descriptors.DescriptorValidationException e) {
            throw new IllegalArgumentException("protobuf-java rejects " + f.name() + ": " + e.getMessage(), e);
        }
    }

    private static DescriptorProto message(ProtoMessage m) {
        DescriptorProto.Builder b = DescriptorProto.newBuilder().setName(m.name());
        for (String oneof : m.oneofs()) {
            b.addOneofDecl(OneofDescriptorProto.newBuilder().setName(oneof));
        }
        int synthetic = m.oneofs().size();
        boolean proto3 = m.file().syntax() == ProtoFile.Syntax.PROTO3;
        List<DescriptorProto> entries = new ArrayList<>();
        for (ProtoField f : m.fields()) {
            FieldDescriptorProto.Builder fb = FieldDescriptorProto.newBuilder().setName(f.name()).setNumber(f.number());
            if (f.isMap()) {
                String entryName = mapEntryName(f.name());
                DescriptorProto.Builder entry = DescriptorProto.newBuilder().setName(entryName)
                        .setOptions(DescriptorProtos.MessageOptions.newBuilder().setMapEntry(true));
                entry.addField(scalarOrRef(f.mapKey(), FieldDescriptorProto.newBuilder().setName("key").setNumber(1))
                        .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL));
                entry.addField(scalarOrRef(f.mapValue(), FieldDescriptorProto.newBuilder().setName("value").setNumber(2))
                        .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL));
                entries.add(entry.build());
                fb.setLabel(FieldDescriptorProto.Label.LABEL_REPEATED)
                        .setType(FieldDescriptorProto.Type.TYPE_MESSAGE)
                        .setTypeName("." + m.fullName() + "." + entryName);
            } else {
                scalarOrRef(f, fb);
                fb.setLabel(switch (f.label()) {
                    case REPEATED -> FieldDescriptorProto.Label.LABEL_REPEATED;
                    case REQUIRED -> FieldDescriptorProto.Label.LABEL_REQUIRED;
                    default -> FieldDescriptorProto.Label.LABEL_OPTIONAL;
                });
                if (f.oneof() != null) {
                    fb.setOneofIndex(m.oneofs().indexOf(f.oneof()));
                } else if (proto3 && f.label() == ProtoField.Label.OPTIONAL) {
                    fb.setProto3Optional(true);
                    fb.setOneofIndex(synthetic++);
                    b.addOneofDecl(OneofDescriptorProto.newBuilder().setName(syntheticOneofName(m, f)));
                }
                if (f.packedOption() != null) {
                    fb.setOptions(DescriptorProtos.FieldOptions.newBuilder().setPacked(f.packedOption()));
                }
            }
            b.addField(fb);
        }
        for (ProtoMessage n : m.messages()) {
            b.addNestedType(message(n));
        }
        b.addAllNestedType(entries);
        for (ProtoEnum e : m.enums()) {
            b.addEnumType(enumType(e));
        }
        return b.build();
    }

    private static FieldDescriptorProto.Builder scalarOrRef(ProtoField f, FieldDescriptorProto.Builder fb) {
        switch (f.kind()) {
            case MESSAGE -> fb.setType(FieldDescriptorProto.Type.TYPE_MESSAGE).setTypeName("." + f.messageType().fullName());
            case ENUM -> fb.setType(FieldDescriptorProto.Type.TYPE_ENUM).setTypeName("." + f.enumType().fullName());
            default -> fb.setType(FieldDescriptorProto.Type.valueOf("TYPE_" + f.kind().name()));
        }
        return fb;
    }

    private static EnumDescriptorProto enumType(ProtoEnum e) {
        EnumDescriptorProto.Builder b = EnumDescriptorProto.newBuilder().setName(e.name());
        boolean aliases = false;
        List<Integer> seen = new ArrayList<>();
        for (ProtoEnum.Value v : e.values()) {
            b.addValue(EnumValueDescriptorProto.newBuilder().setName(v.name()).setNumber(v.number()));
            if (seen.contains(v.number())) {
                aliases = true;
            }
            seen.add(v.number());
        }
        if (aliases) {
            b.setOptions(DescriptorProtos.EnumOptions.newBuilder().setAllowAlias(true));
        }
        return b.build();
    }

    /** protoc's map entry name: {@code foo_bar} -> {@code FooBarEntry}. */
    static String mapEntryName(String field) {
        StringBuilder sb = new StringBuilder();
        boolean upper = true;
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '_') {
                upper = true;
            } else if (upper) {
                sb.append(Character.toUpperCase(c));
                upper = false;
            } else {
                sb.append(c);
            }
        }
        return sb.append("Entry").toString();
    }

    /** protoc's synthetic oneof name for a proto3 optional field: {@code _name}, prefixed with X until unique. */
    private static String syntheticOneofName(ProtoMessage m, ProtoField f) {
        String name = "_" + f.name();
        while (m.oneofs().contains(name) || m.field(name) != null) {
            name = "X" + name;
        }
        return name;
    }
}
