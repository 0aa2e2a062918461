package io.tributary.runner.decode.proto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Timestamp;
import io.tributary.formats.proto.ProtoColumns;
import io.tributary.formats.proto.ProtoDescriptors;
import io.tributary.formats.proto.ProtoFile;
import io.tributary.formats.proto.ProtoParser;
import io.tributary.runner.buffer.PartitionBuffer;
import io.tributary.runner.decode.PayloadDecoder;
import io.tributary.runner.decode.RowSchema;
import io.tributary.catalog.TableDefinition;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Single-thread decode speed on a ~250-byte click message (columns derived by ProtoColumns), in MB of
 * payload per CPU-second, next to protobuf-java's own DynamicMessage parsing of the same bytes. Run
 * with {@code -Dtest=ProtoDecodeBenchTest -Dproto.bench=true}.
 */
@EnabledIfSystemProperty(named = "proto.bench", matches = "true")
class ProtoDecodeBenchTest {
    static final String CLICK = """
            syntax = "proto3";
            package bench.v1;
            import "google/protobuf/timestamp.proto";
            message Click {
              enum Device { DEVICE_UNKNOWN = 0; PHONE = 1; DESKTOP = 2; TABLET = 3; }
              message Geo { string country = 1; string city = 2; double lat = 3; double lon = 4; }
              string event_id = 1;
              int64 user_id = 2;
              string session_id = 3;
              google.protobuf.Timestamp ts = 4;
              string url = 5;
              string referrer = 6;
              Device device = 7;
              Geo geo = 8;
              int32 duration_ms = 9;
              double price = 10;
              bool converted = 11;
              repeated string tags = 12;
              string user_agent = 13;
            }
            """;

    @Test
    void decodeSpeed() throws Exception {
        ProtoFile file = ProtoParser.parse(CLICK);
        Descriptors.Descriptor click = ProtoDescriptors.build(file).findMessageTypeByName("Click");
        Descriptors.Descriptor geo = click.findNestedTypeByName("Geo");
        List<byte[]> payloads = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < 1024; i++) {
            DynamicMessage m = DynamicMessage.newBuilder(click)
                    .setField(click.findFieldByName("event_id"), "3f1c2a9e-6b1d-4c55-9a0e-" + String.format("%012d", i))
                    .setField(click.findFieldByName("user_id"), 1_000_000L + i * 7919L)
                    .setField(click.findFieldByName("session_id"), "s-" + (i % 97) + "-a8f3b2c1")
                    .setField(click.findFieldByName("ts"), Timestamp.newBuilder().setSeconds(1_700_000_000L + i)
                            .setNanos(i * 1000).build())
                    .setField(click.findFieldByName("url"), "https://shop.example.com/products/" + (i % 500)
                            + "?utm_source=news")
                    .setField(click.findFieldByName("referrer"), "https://www.example.org/")
                    .setField(click.findFieldByName("device"), click.findEnumTypeByName("Device").findValueByNumber(i % 4))
                    .setField(click.findFieldByName("geo"), DynamicMessage.newBuilder(geo)
                            .setField(geo.findFieldByName("country"), "NL")
                            .setField(geo.findFieldByName("city"), "Amsterdam")
                            .setField(geo.findFieldByName("lat"), 52.37 + i * 1e-4)
                            .setField(geo.findFieldByName("lon"), 4.89).build())
                    .setField(click.findFieldByName("duration_ms"), i % 3000)
                    .setField(click.findFieldByName("price"), 19.99)
                    .setField(click.findFieldByName("converted"), i % 10 == 0)
                    .addRepeatedField(click.findFieldByName("tags"), "promo")
                    .addRepeatedField(click.findFieldByName("tags"), "t" + (i % 7))
                    .setField(click.findFieldByName("user_agent"), "Mozilla/5.0 (X11; Linux x86_64)")
                    .build();
            byte[] b = m.toByteArray();
            payloads.add(b);
            bytes += b.length;
        }
        List<RowSchema.Field> fields = new ArrayList<>();
        for (TableDefinition.Column c : ProtoColumns.derive(file, "Click")) {
            fields.add(new RowSchema.Field(c.name(), c.type(), io.tributary.runner.decode.JsonPath.parse(c.path()),
                    c.nullable()));
        }
        RowSchema rows = new RowSchema(fields, false);
        PayloadDecoder d = ProtoDecoders.compile(file, rows, false, "Click", "bench");
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        System.out.printf("proto bench: %d columns, average message %d bytes%n", fields.size(), bytes / payloads.size());
        for (int round = 0; round < 10; round++) {
            long cpu0 = mx.getCurrentThreadCpuTime();
            long total = 0;
            PartitionBuffer buf = new PartitionBuffer("t", 0, rows, 0, 0, 8192);
            for (int rep = 0; rep < 400; rep++) {
                if (buf.rows() > 60_000) {
                    buf = new PartitionBuffer("t", 0, rows, 0, 0, 8192);
                }
                for (byte[] p : payloads) {
                    String err = d.decode(p, 0, buf);
                    if (err != null) {
                        throw new AssertionError(err);
                    }
                    buf.endRow(buf.rows(), 0, null, p.length);
                    total += p.length;
                }
            }
            double secs = (mx.getCurrentThreadCpuTime() - cpu0) / 1e9;
            long cpu1 = mx.getCurrentThreadCpuTime();
            long parsed = 0;
            for (int rep = 0; rep < 100; rep++) {
                for (byte[] p : payloads) {
                    parsed += DynamicMessage.parseFrom(click, p).getAllFields().size();
                }
            }
            double secs2 = (mx.getCurrentThreadCpuTime() - cpu1) / 1e9;
            System.out.printf("round %d: ours %.1f MB/cpu-s (%.2f M msgs/s); DynamicMessage.parseFrom %.1f MB/cpu-s%n",
                    round, total / secs / 1e6, total / (double) (bytes / payloads.size()) / secs / 1e6,
                    bytes * 100 / secs2 / 1e6);
            assertThat(parsed).isPositive();
        }
    }
}
