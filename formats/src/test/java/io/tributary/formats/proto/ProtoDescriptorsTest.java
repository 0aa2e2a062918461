package io.tributary.formats.proto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Struct;
import com.google.protobuf.StringValue;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import com.google.protobuf.DescriptorProtos;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProtoDescriptorsTest {

    @Test
    void buildsDescriptorsThatRoundTripADynamicMessage() throws Exception {
        ProtoFile f = ProtoParser.parse(ProtoParserTest.CLICKS);
        Descriptors.FileDescriptor fd = ProtoDescriptors.build(f);
        assertThat(fd.getPackage()).isEqualTo("acme.events.v1");
        assertThat(fd.getDependencies()).extracting(Descriptors.FileDescriptor::getName)
                .containsExactly("google/protobuf/timestamp.proto", "google/protobuf/wrappers.proto",
                        "google/protobuf/struct.proto");

        Descriptors.Descriptor click = fd.findMessageTypeByName("Click");
        assertThat(ProtoDescriptors.descriptor(f.message("Click")).getFullName()).isEqualTo(click.getFullName()); // built anew
        assertThat(ProtoDescriptors.descriptor(f.message("Page.Meta")).getFullName()).isEqualTo("acme.events.v1.Page.Meta");
        assertThat(ProtoDescriptors.descriptor(f.message("Click.Geo")).getFullName()).isEqualTo("acme.events.v1.Click.Geo");
        Descriptors.FieldDescriptor counters = click.findFieldByName("counters");
        assertThat(counters.isMapField()).isTrue();
        assertThat(counters.getMessageType().getName()).isEqualTo("CountersEntry");
        assertThat(click.findFieldByName("retries").hasPresence()).isTrue();
        assertThat(click.findFieldByName("id").hasPresence()).isFalse();
        assertThat(click.findFieldByName("url").getContainingOneof().getName()).isEqualTo("target");
        assertThat(click.findFieldByName("scores").isPacked()).isFalse();
        assertThat(click.findFieldByName("path").isRepeated()).isTrue();

        Descriptors.Descriptor geo = click.findNestedTypeByName("Geo");
        Descriptors.Descriptor page = fd.findMessageTypeByName("Page");
        Descriptors.EnumDescriptor device = click.findEnumTypeByName("Device");
        Descriptors.EnumDescriptor country = fd.findEnumTypeByName("Country");
        DynamicMessage geoMsg = DynamicMessage.newBuilder(geo)
                .setField(geo.findFieldByName("lat"), 52.37)
                .setField(geo.findFieldByName("lon"), 4.89)
                .setField(geo.findFieldByName("country"), country.findValueByName("NL"))
                .build();
        Descriptors.Descriptor entry = counters.getMessageType();
        DynamicMessage msg = DynamicMessage.newBuilder(click)
                .setField(click.findFieldByName("id"), "c-1")
                .setField(click.findFieldByName("user_id"), 42L)
                .setField(click.findFieldByName("at"), Timestamp.newBuilder().setSeconds(1_700_000_000L).setNanos(5).build())
                .setField(click.findFieldByName("device"), device.findValueByName("DEVICE_DESKTOP"))
                .setField(click.findFieldByName("geo"), geoMsg)
                .addRepeatedField(click.findFieldByName("scores"), 3)
                .addRepeatedField(click.findFieldByName("scores"), -4)
                .addRepeatedField(counters, DynamicMessage.newBuilder(entry)
                        .setField(entry.findFieldByName("key"), "views")
                        .setField(entry.findFieldByName("value"), 7L).build())
                .setField(click.findFieldByName("page"), DynamicMessage.newBuilder(page)
                        .setField(page.findFieldByName("url"), "/home").build())
                .setField(click.findFieldByName("retries"), 0)
                .setField(click.findFieldByName("referrer"), StringValue.of("google"))
                .setField(click.findFieldByName("extra"), Struct.newBuilder()
                        .putFields("k", Value.newBuilder().setStringValue("v").build()).build())
                .setField(click.findFieldByName("payload"), ByteString.copyFromUtf8("raw"))
                .setField(click.findFieldByName("big"), -1L)
                .addRepeatedField(click.findFieldByName("path"), geoMsg)
                .build();
        byte[] bytes = msg.toByteArray();
        DynamicMessage back = DynamicMessage.parseFrom(click, bytes);
        assertThat(back).isEqualTo(msg);
        assertThat(back.getUnknownFields().asMap()).isEmpty();
        assertThat(back.hasField(click.findFieldByName("retries"))).isTrue(); // proto3 optional keeps presence
        assertThat(back.getField(click.findFieldByName("page")).toString()).contains("/home");
    }

    @Test
    void buildsSuppliedImportsAndProto2() throws Exception {
        ProtoFile f = ProtoParser.parse("""
                syntax = "proto2";
                package acme.orders;
                import "acme/common.proto";
                message Order {
                  required string id = 1;
                  optional acme.common.Money total = 2;
                  repeated int32 lines = 3 [packed = true];
                  map<string, acme.common.Money> by_currency = 4;
                }
                """, Map.of("acme/common.proto", """
                syntax = "proto3";
                package acme.common;
                message Money { string currency = 1; int64 units = 2; }
                """));
        Descriptors.FileDescriptor fd = ProtoDescriptors.build(f);
        Descriptors.Descriptor order = fd.findMessageTypeByName("Order");
        assertThat(order.findFieldByName("id").isRequired()).isTrue();
        assertThat(order.findFieldByName("lines").isPacked()).isTrue();
        Descriptors.Descriptor money = order.findFieldByName("total").getMessageType();
        assertThat(money.getFile().getName()).isEqualTo("acme/common.proto");
        DynamicMessage m = DynamicMessage.newBuilder(order)
                .setField(order.findFieldByName("id"), "o-1")
                .setField(order.findFieldByName("total"), DynamicMessage.newBuilder(money)
                        .setField(money.findFieldByName("currency"), "EUR")
                        .setField(money.findFieldByName("units"), 12L).build())
                .addRepeatedField(order.findFieldByName("lines"), 1)
                .build();
        assertThat(DynamicMessage.parseFrom(order, m.toByteArray())).isEqualTo(m);
    }

    @Test
    void builtInWellKnownTypesMatchProtobufJava() {
        Map<String, Descriptors.FileDescriptor> google = Map.of(
                "google/protobuf/timestamp.proto", Timestamp.getDescriptor().getFile(),
                "google/protobuf/duration.proto", com.google.protobuf.Duration.getDescriptor().getFile(),
                "google/protobuf/wrappers.proto", StringValue.getDescriptor().getFile(),
                "google/protobuf/struct.proto", Struct.getDescriptor().getFile(),
                "google/protobuf/any.proto", com.google.protobuf.Any.getDescriptor().getFile(),
                "google/protobuf/empty.proto", com.google.protobuf.Empty.getDescriptor().getFile(),
                "google/protobuf/field_mask.proto", com.google.protobuf.FieldMask.getDescriptor().getFile());
        assertThat(WellKnownTypes.files().keySet()).containsExactlyInAnyOrderElementsOf(google.keySet());
        for (Map.Entry<String, ProtoFile> e : WellKnownTypes.files().entrySet()) {
            Descriptors.FileDescriptor theirs = google.get(e.getKey());
            ProtoFile ours = e.getValue();
            assertThat(ours.packageName()).isEqualTo(theirs.getPackage());
            assertThat(ours.messages()).extracting(ProtoMessage::name)
                    .containsExactlyElementsOf(theirs.getMessageTypes().stream().map(Descriptors.Descriptor::getName).toList());
            for (ProtoMessage m : ours.messages()) {
                Descriptors.Descriptor d = theirs.findMessageTypeByName(m.name());
                assertThat(m.fields()).hasSameSizeAs(d.getFields());
                for (ProtoField f : m.fields()) {
                    Descriptors.FieldDescriptor fd = d.findFieldByNumber(f.number());
                    assertThat(fd.getName()).as(m.fullName() + "." + f.name()).isEqualTo(f.name());
                    assertThat(fd.isRepeated()).isEqualTo(f.isRepeated());
                    assertThat(fd.isMapField()).isEqualTo(f.isMap());
                    if (!f.isMap()) {
                        assertThat(fd.toProto().getType()).as(m.fullName() + "." + f.name()).isEqualTo(
                                f.kind() == ProtoField.Kind.MESSAGE ? DescriptorProtos.FieldDescriptorProto.Type.TYPE_MESSAGE
                                        : f.kind() == ProtoField.Kind.ENUM ? DescriptorProtos.FieldDescriptorProto.Type.TYPE_ENUM
                                        : DescriptorProtos.FieldDescriptorProto.Type.valueOf("TYPE_" + f.kind().name()));
                    }
                }
            }
        }
    }
}
