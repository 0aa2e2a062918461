package io.tributary.formats.proto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.catalog.TableDefinition;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ProtoColumnsTest {

    private static String describe(List<TableDefinition.Column> cols) {
        return cols.stream()
                .map(c -> c.name() + " " + c.type() + " " + c.path() + (c.nullable() ? "" : " NOT NULL"))
                .collect(Collectors.joining("\n"));
    }

    @Test
    void derivesColumnsOfTheClicksSchema() {
        ProtoFile f = ProtoParser.parse(ProtoParserTest.CLICKS);
        List<TableDefinition.Column> cols = ProtoColumns.derive(f, "acme.events.v1.Click");
        assertThat(describe(cols)).isEqualTo("""
                id string $.id
                user_id long $.user_id
                at timestamp $.at
                device string $.device
                geo_lat double $.geo.lat
                geo_lon double $.geo.lon
                geo_country string $.geo.country
                scores json $.scores
                counters json $.counters
                url string $.url
                page_url string $.page.url
                page_where_lat double $.page.where.lat
                page_where_lon double $.page.where.lon
                page_where_country string $.page.where.country
                page_parent json $.page.parent
                page_meta_title string $.page.meta.title
                retries int $.retries
                referrer string $.referrer
                extra json $.extra
                payload string $.payload
                big long $.big
                path json $.path
                pages_by_id json $.pages_by_id
                ratio double $.ratio
                delta long $.delta
                f32 long $.f32
                sf64 long $.sf64
                flag boolean $.flag""");
        assertThat(ProtoColumns.derive(f, null)).isEqualTo(cols);
    }

    @Test
    void flattensAtMostFourLevelsAndStopsAtRecursion() {
        ProtoFile f = ProtoParser.parse("""
                syntax = "proto2";
                message Root {
                  required string id = 1;
                  required A a = 2;
                  optional Node node = 3;
                  optional google.protobuf.Int64Value count = 4;
                  optional google.protobuf.Duration took = 5;
                  optional google.protobuf.Any any = 6;
                  optional Empty nothing = 7;
                  optional int32 userId = 8;
                  optional int32 _offset = 9;
                }
                message A { required B b = 1; optional int32 x = 2; }
                message B { required C c = 1; }
                message C { required D d = 1; required int32 y = 2; }
                message D { optional int32 z = 1; }
                message Node { optional string v = 1; optional Node next = 2; }
                message Empty {}
                """);
        assertThat(describe(ProtoColumns.derive(f, "Root"))).isEqualTo("""
                id string $.id NOT NULL
                a_b_c_d json $.a.b.c.d NOT NULL
                a_b_c_y int $.a.b.c.y NOT NULL
                a_x int $.a.x
                node_v string $.node.v
                node_next json $.node.next
                count long $.count
                took long $.took
                any json $.any
                nothing json $.nothing
                user_id int $.userId
                _offset_2 int $._offset""");
    }

    @Test
    void unknownMessageIsAnError() {
        ProtoFile f = ProtoParser.parse("syntax = \"proto3\";\nmessage A { int32 x = 1; }\n");
        assertThatThrownBy(() -> ProtoColumns.derive(f, "B"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no message 'B'");
    }

    @Test
    void snakeCase() {
        assertThat(ProtoColumns.snake("userId")).isEqualTo("user_id");
        assertThat(ProtoColumns.snake("HTTPCode")).isEqualTo("http_code");
        assertThat(ProtoColumns.snake("user_id")).isEqualTo("user_id");
        assertThat(ProtoColumns.snake("x2Y")).isEqualTo("x2_y");
    }
}
