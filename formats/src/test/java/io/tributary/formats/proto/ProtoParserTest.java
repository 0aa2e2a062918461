package io.tributary.formats.proto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ProtoParserTest {

    static final String CLICKS = """
            // Clicks on the web site.
            syntax = "proto3";

            package acme.events.v1;

            import "google/protobuf/timestamp.proto";
            import public "google/protobuf/wrappers.proto";
            import "google/protobuf/struct.proto";
            import weak "acme/options.proto"; // not supplied: only its custom options are used

            option java_package = "com.acme.events.v1";
            option java_multiple_files = true;
            option (acme.file_meta) = { owner: "web" tags: [ "a", "b" ] nested { x: 1 } };

            /* A click on a page.
               Block comments span lines. */
            message Click {
              option (acme.msg_meta).retention = "30d";
              reserved 7, 9 to 11;
              reserved "legacy", "old";
              extensions 1000 to max;

              enum Device {
                option allow_alias = true;
                DEVICE_UNSPECIFIED = 0;
                DEVICE_PHONE = 1 [(acme.enum_meta) = "p"];
                DEVICE_MOBILE = 1;
                DEVICE_DESKTOP = 0x2;
                DEVICE_NEGATIVE = -3;
              }

              message Geo {
                double lat = 1;
                double lon = 2 [json_name = "lng", deprecated = true];
                Country country = 3;
              }

              string id = 1;
              int64 user_id = 2 [(acme.pii) = true, (acme.field_meta) = { doc: "who" }];
              google.protobuf.Timestamp at = 3;
              Device device = 4;
              Geo geo = 5;
              repeated int32 scores = 6 [packed = false];
              map<string, int64> counters = 8;
              oneof target {
                option (acme.oneof_meta) = 1;
                string url = 12;
                Page page = 13;
              }
              optional int32 retries = 14;
              google.protobuf.StringValue referrer = 15;
              .google.protobuf.Struct extra = 16;
              bytes payload = 17;
              uint64 big = 18;
              repeated Geo path = 19;
              map<int32, Page> pages_by_id = 20;
              float ratio = 21;
              sint64 delta = 22;
              fixed32 f32 = 23;
              sfixed64 sf64 = 24;
              bool flag = 25;
            }

            enum Country {
              COUNTRY_UNKNOWN = 0;
              NL = 1;
              US = 2;
            }

            message Page {
              string url = 1;
              Click.Geo where = 2;
              Page parent = 3; // recursive
              message Meta { string title = 1; }
              Meta meta = 4;
            }

            service ClickService {
              rpc Send (Click) returns (Page) {
                option deprecated = true;
              }
              rpc Stream (stream Click) returns (stream Page);
            }

            extend google.protobuf.FieldOptions {
              bool pii = 50000;
            }
            """;

    @Test
    void parsesARealisticSchema() {
        ProtoFile f = ProtoParser.parse(CLICKS);
        assertThat(f.syntax()).isEqualTo(ProtoFile.Syntax.PROTO3);
        assertThat(f.packageName()).isEqualTo("acme.events.v1");
        assertThat(f.imports()).containsExactly("google/protobuf/timestamp.proto", "google/protobuf/wrappers.proto",
                "google/protobuf/struct.proto", "acme/options.proto");
        assertThat(f.dependencies()).extracting(ProtoFile::name).containsExactly("google/protobuf/timestamp.proto",
                "google/protobuf/wrappers.proto", "google/protobuf/struct.proto");
        assertThat(f.messages()).extracting(ProtoMessage::fullName).containsExactly("acme.events.v1.Click",
                "acme.events.v1.Page");
        assertThat(f.enums()).extracting(ProtoEnum::fullName).containsExactly("acme.events.v1.Country");

        ProtoMessage click = f.message("Click");
        assertThat(click.fields()).extracting(ProtoField::name).containsExactly("id", "user_id", "at", "device", "geo",
                "scores", "counters", "url", "page", "retries", "referrer", "extra", "payload", "big", "path",
                "pages_by_id", "ratio", "delta", "f32", "sf64", "flag");
        assertThat(click.oneofs()).containsExactly("target");

        ProtoField id = click.field("id");
        assertThat(id.kind()).isEqualTo(ProtoField.Kind.STRING);
        assertThat(id.label()).isEqualTo(ProtoField.Label.SINGULAR);
        assertThat(id.hasPresence()).isFalse();
        assertThat(id.number()).isEqualTo(1);

        ProtoField at = click.field("at");
        assertThat(at.kind()).isEqualTo(ProtoField.Kind.MESSAGE);
        assertThat(at.messageType().fullName()).isEqualTo("google.protobuf.Timestamp");
        assertThat(at.messageType().isWellKnown()).isTrue();
        assertThat(at.hasPresence()).isTrue();

        ProtoField device = click.field("device");
        assertThat(device.kind()).isEqualTo(ProtoField.Kind.ENUM);
        assertThat(device.enumType().fullName()).isEqualTo("acme.events.v1.Click.Device");
        assertThat(device.enumType().values()).extracting(ProtoEnum.Value::number).containsExactly(0, 1, 1, 2, -3);
        assertThat(device.enumType().nameOf(1)).isEqualTo("DEVICE_PHONE");
        assertThat(device.enumType().first().name()).isEqualTo("DEVICE_UNSPECIFIED");
        assertThat(device.hasPresence()).isFalse();

        ProtoField geo = click.field("geo");
        assertThat(geo.messageType().fullName()).isEqualTo("acme.events.v1.Click.Geo");
        ProtoField country = geo.messageType().field("country");
        assertThat(country.enumType().fullName()).isEqualTo("acme.events.v1.Country");
        assertThat(geo.messageType().field("lon").jsonName()).isEqualTo("lng");
        assertThat(click.field("user_id").jsonName()).isEqualTo("userId");

        ProtoField scores = click.field("scores");
        assertThat(scores.isRepeated()).isTrue();
        assertThat(scores.packedOption()).isFalse();
        assertThat(scores.isPacked()).isFalse();
        assertThat(scores.hasPresence()).isFalse();
        assertThat(click.field("path").isRepeated()).isTrue();

        ProtoField counters = click.field("counters");
        assertThat(counters.kind()).isEqualTo(ProtoField.Kind.MAP);
        assertThat(counters.isRepeated()).isTrue();
        assertThat(counters.mapKey().kind()).isEqualTo(ProtoField.Kind.STRING);
        assertThat(counters.mapValue().kind()).isEqualTo(ProtoField.Kind.INT64);
        assertThat(counters.typeDescription()).isEqualTo("map<string, int64>");
        ProtoField pages = click.field("pages_by_id");
        assertThat(pages.mapKey().kind()).isEqualTo(ProtoField.Kind.INT32);
        assertThat(pages.mapValue().messageType().fullName()).isEqualTo("acme.events.v1.Page");

        ProtoField url = click.field("url");
        assertThat(url.oneof()).isEqualTo("target");
        assertThat(url.hasPresence()).isTrue();
        assertThat(click.field("page").oneof()).isEqualTo("target");

        ProtoField retries = click.field("retries");
        assertThat(retries.label()).isEqualTo(ProtoField.Label.OPTIONAL);
        assertThat(retries.hasPresence()).isTrue();

        assertThat(click.field("referrer").messageType().fullName()).isEqualTo("google.protobuf.StringValue");
        assertThat(click.field("extra").messageType().fullName()).isEqualTo("google.protobuf.Struct");
        assertThat(click.field("big").kind()).isEqualTo(ProtoField.Kind.UINT64);
        assertThat(click.field("delta").kind()).isEqualTo(ProtoField.Kind.SINT64);
        assertThat(click.field("f32").kind()).isEqualTo(ProtoField.Kind.FIXED32);
        assertThat(click.field("sf64").kind()).isEqualTo(ProtoField.Kind.SFIXED64);
        assertThat(click.fieldByNumber(25).name()).isEqualTo("flag");

        ProtoMessage page = f.message("acme.events.v1.Page");
        assertThat(page.field("where").messageType()).isSameAs(geo.messageType());
        assertThat(page.field("parent").messageType()).isSameAs(page);
        assertThat(page.field("meta").messageType().fullName()).isEqualTo("acme.events.v1.Page.Meta");
    }

    @Test
    void looksUpMessagesByNameAndIndexPath() {
        ProtoFile f = ProtoParser.parse(CLICKS);
        ProtoMessage click = f.message("Click");
        assertThat(f.message(".acme.events.v1.Click")).isSameAs(click);
        assertThat(f.messageByFullName("acme.events.v1.Click")).isSameAs(click);
        assertThat(f.message("Click.Geo").fullName()).isEqualTo("acme.events.v1.Click.Geo");
        assertThat(f.messageBySimpleName("Geo").fullName()).isEqualTo("acme.events.v1.Click.Geo");
        assertThat(f.message("Meta").fullName()).isEqualTo("acme.events.v1.Page.Meta");
        assertThat(f.message("Nope")).isNull();
        assertThat(f.firstMessage()).isSameAs(click);

        assertThat(f.messageAt(new int[0])).isSameAs(click);
        assertThat(f.messageAt(new int[] {0})).isSameAs(click);
        assertThat(f.messageAt(new int[] {0, 0}).name()).isEqualTo("Geo");
        assertThat(f.messageAt(new int[] {1}).name()).isEqualTo("Page");
        assertThat(f.messageAt(new int[] {1, 0}).name()).isEqualTo("Meta"); // enums and map entries do not count
        assertThat(f.messageAt(new int[] {2})).isNull();
        assertThat(f.messageAt(new int[] {0, 1})).isNull();
        assertThat(f.message("Meta").indexPath()).containsExactly(1, 0);
    }

    @Test
    void resolvesNamesByProtobufScoping() {
        ProtoFile f = ProtoParser.parse("""
                syntax = "proto3";
                package a.b;
                message Foo { int32 top = 1; }
                message Outer {
                  message Foo { int32 inner = 1; }
                  Foo f1 = 1;         // innermost scope first: a.b.Outer.Foo
                  .a.b.Foo f2 = 2;    // fully qualified
                  b.Foo f3 = 3;       // 'b' resolves to package a.b, then a.b.Foo
                  Outer.Foo f4 = 4;
                  a.b.Foo f5 = 5;
                  google.protobuf.Duration d = 6; // well-known type without an import
                }
                """);
        ProtoMessage outer = f.message("Outer");
        assertThat(outer.field("f1").messageType().fullName()).isEqualTo("a.b.Outer.Foo");
        assertThat(outer.field("f2").messageType().fullName()).isEqualTo("a.b.Foo");
        assertThat(outer.field("f3").messageType().fullName()).isEqualTo("a.b.Foo");
        assertThat(outer.field("f4").messageType().fullName()).isEqualTo("a.b.Outer.Foo");
        assertThat(outer.field("f5").messageType().fullName()).isEqualTo("a.b.Foo");
        assertThat(outer.field("d").messageType().fullName()).isEqualTo("google.protobuf.Duration");
        assertThat(f.dependencies()).extracting(ProtoFile::name).containsExactly("google/protobuf/duration.proto");
    }

    @Test
    void parsesProto2() {
        ProtoFile f = ProtoParser.parse("""
                syntax = "proto2";
                package legacy;
                message Order {
                  required string id = 1;
                  optional int64 amount = 2 [default = -5];
                  optional string note = 3 [default = "n/a\\n"];
                  repeated int32 lines = 4 [packed = true];
                  repeated int32 loose = 5;
                  optional Status status = 6 [default = OPEN];
                  enum Status { OPEN = 1; CLOSED = 2; }
                  optional double ratio = 7 [default = inf];
                  optional float neg = 8 [default = -1.5e3];
                }
                """);
        assertThat(f.syntax()).isEqualTo(ProtoFile.Syntax.PROTO2);
        ProtoMessage o = f.message("Order");
        assertThat(o.field("id").label()).isEqualTo(ProtoField.Label.REQUIRED);
        assertThat(o.field("id").hasPresence()).isTrue();
        assertThat(o.field("amount").label()).isEqualTo(ProtoField.Label.OPTIONAL);
        assertThat(o.field("amount").hasPresence()).isTrue();
        assertThat(o.field("lines").isPacked()).isTrue();
        assertThat(o.field("loose").isPacked()).isFalse();
        assertThat(o.field("status").enumType().first().name()).isEqualTo("OPEN");
        assertThat(o.field("status").hasPresence()).isTrue();
    }

    @Test
    void resolvesSuppliedImports() {
        String common = """
                syntax = "proto3";
                package acme.common;
                import "google/protobuf/timestamp.proto";
                message Money { string currency = 1; int64 units = 2; }
                message Audit { google.protobuf.Timestamp at = 1; }
                """;
        ProtoFile f = ProtoParser.parse("""
                syntax = "proto3";
                package acme.orders;
                import "acme/common.proto";
                message Order { acme.common.Money total = 1; common.Audit audit = 2; }
                """, Map.of("acme/common.proto", common));
        ProtoMessage order = f.message("Order");
        assertThat(order.field("total").messageType().fullName()).isEqualTo("acme.common.Money");
        assertThat(order.field("audit").messageType().fullName()).isEqualTo("acme.common.Audit");
        assertThat(f.dependencies()).extracting(ProtoFile::name).containsExactly("acme/common.proto");
    }

    @Test
    void errorsNameTheLine() {
        assertError("syntax = \"proto3\";\nmessage A {\n  Unknown u = 1;\n}\n", "line 3: unknown type 'Unknown'");
        assertError("syntax = \"proto3\";\nmessage A {\n  int32 a = 1\n}\n", "line 4: expected ';', got '}'");
        assertError("syntax = \"proto3\";\nmessage A {\n  int32 a = 1;\n  int32 b = 1;\n}\n",
                "line 4: field number 1 of 'b' is already used by 'a'");
        assertError("syntax = \"proto3\";\n/* open\n\nmessage A {}\n", "line 2: unterminated /* comment");
        assertError("syntax = \"proto4\";\n", "line 1: unknown syntax \"proto4\"");
        assertError("syntax = \"proto3\";\nmessage A {\n  required int32 a = 1;\n}\n",
                "line 3: required fields are not allowed in proto3");
        assertError("syntax = \"proto2\";\nmessage A {\n  optional group G = 1 { optional int32 x = 2; }\n}\n",
                "line 3: groups are not supported");
        assertError("syntax = \"proto3\";\nmessage A {\n  map<double, string> m = 1;\n}\n",
                "line 3: map key type must be an integer type, bool or string");
        assertError("syntax = \"proto3\";\nmessage A {\n  int32 a = 0;\n}\n", "line 3: field number 0 is out of range");
        assertError("syntax = \"proto3\";\nmessage A {\n  int32 a = 1;\n", "line 2: message A is not closed");
        assertError("syntax = \"proto3\";\nmessage A {}\nmessage A {}\n", "line 3: 'A' is already defined");
        assertError("syntax = \"proto3\";\nimport \"other.proto\";\nmessage A {\n  other.B b = 1;\n}\n",
                "line 4: unknown type 'other.B'");
        assertError("syntax = \"proto3\";\nmessage A {\n  repeated string s = 1 [packed = true];\n}\n",
                "line 3: [packed] applies only to repeated fields of numeric, bool or enum type");
        assertError("syntax = \"proto3\";\nmessage A {\n  string s = \"x\";\n}\n", "line 3: expected a field number");
        assertError("syntax = \"proto3\";\nenum E {}\n", "line 2: enum E has no values");
        assertError("edition = \"2023\";\n", "line 1: editions are not supported");
    }

    private static void assertError(String text, String prefix) {
        assertThatThrownBy(() -> ProtoParser.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(prefix);
    }
}
