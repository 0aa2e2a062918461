package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import io.tributary.bench.load.AvroClicks;
import io.tributary.bench.load.EventGenerator;
import io.tributary.bench.load.ProtoClicks;
import io.tributary.catalog.ColumnType;
import io.tributary.catalog.TableDefinition;
import io.tributary.formats.proto.ProtoDescriptors;
import io.tributary.formats.proto.ProtoParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The shipped examples: {@code examples/clicks.avsc} and {@code clicks.proto} are the very schemas
 * {@code produce} registers, the Avro and Protobuf table files are valid with the click columns, and
 * {@link ProtoClicks} writes framed messages Google's parser reads back.
 */
class ExampleSchemasTest {
    static final Map<String, String> ENV = FromRegistryTest.ENV;

    static Path repo() {
        return Path.of(System.getProperty("tributary.repo.root", ".."));
    }

    @Test
    void theExampleSchemasAreTheProducedOnes() throws Exception {
        assertThat(Files.readString(repo().resolve("examples/clicks.avsc"))).isEqualTo(AvroClicks.SCHEMA);
        assertThat(Files.readString(repo().resolve("examples/clicks.proto"))).isEqualTo(ProtoClicks.SCHEMA);
    }

    @Test
    void theAvroAndProtobufExamplesAreValid() {
        for (String f : new String[] {"clicks-avro.yaml", "clicks-protobuf.yaml"}) {
            TableDefinition d = TableCommand.readDefinition(repo().resolve("examples").resolve(f), ENV);
            TableDefinition json = TableCommand.readDefinition(repo().resolve("examples/clicks.yaml"), ENV);
            assertThat(d.columns()).as(f).isEqualTo(json.columns());
            assertThat(d.writerSchema().framed()).isTrue();
            assertThat(d.column("amount").type()).isEqualTo(ColumnType.decimal(12, 2));
            assertThat(d.column("day").type()).isEqualTo(ColumnType.of(ColumnType.Kind.DATE));
            assertThat(d.column("attrs").type()).isEqualTo(ColumnType.of(ColumnType.Kind.JSON));
        }
        TableDefinition avro = TableCommand.readDefinition(repo().resolve("examples/clicks-avro.yaml"), ENV);
        assertThat(avro.format()).isEqualTo(TableDefinition.Format.AVRO);
        assertThat(avro.source().topic()).isEqualTo("clicks_avro");
        assertThat(avro.writerSchema().registry().subject()).isEqualTo("clicks_avro-value");
        TableDefinition proto = TableCommand.readDefinition(repo().resolve("examples/clicks-protobuf.yaml"), ENV);
        assertThat(proto.format()).isEqualTo(TableDefinition.Format.PROTOBUF);
        assertThat(proto.source().topic()).isEqualTo("clicks_proto");
        assertThat(proto.writerSchema().registry().subject()).isEqualTo("clicks_proto-value");
    }

    @Test
    void protoClicksAreFramedMessagesGoogleReadsBack() throws Exception {
        Descriptors.Descriptor click = ProtoDescriptors.build(ProtoParser.parse(ProtoClicks.SCHEMA)).findMessageTypeByName("Click");
        EventGenerator gen = new EventGenerator(7, 0.5, new ProtoClicks(42));
        int truncated = 0;
        int good = 0;
        int bad = 0;
        for (int i = 0; i < 600; i++) {
            EventGenerator.Event e = gen.next(1_767_268_800_123L); // 2026-01-01T12:00:00.123Z
            byte[] v = e.value();
            if (e.kind() == EventGenerator.Kind.INVALID_JSON) { // truncated: never a shorter valid message
                truncated++;
                assertThat(Arrays.copyOfRange(v, 0, 6)).containsExactly(0, 0, 0, 0, 42, 0);
                assertThatThrownBy(() -> DynamicMessage.parseFrom(click, Arrays.copyOfRange(v, 6, v.length)))
                        .isInstanceOf(InvalidProtocolBufferException.class);
            }
            if (e.kind().bad()) {
                bad++;
                continue;
            }
            good++;
            assertThat(Arrays.copyOfRange(v, 0, 6)).containsExactly(0, 0, 0, 0, 42, 0);
            DynamicMessage m = DynamicMessage.parseFrom(click, Arrays.copyOfRange(v, 6, v.length));
            assertThat((String) m.getField(click.findFieldByName("event_id"))).startsWith("e");
            assertThat((String) m.getField(click.findFieldByName("amount"))).matches("\\d+\\.\\d{2}");
            assertThat(m.getField(click.findFieldByName("day"))).isEqualTo(LocalDate.of(2026, 1, 1).toString());
            Timestamp ts = Timestamp.parseFrom(((DynamicMessage) m.getField(click.findFieldByName("ts"))).toByteArray());
            assertThat(ts.getSeconds()).isEqualTo(1_767_268_800L);
            assertThat(ts.getNanos()).isEqualTo(123_000_000);
            DynamicMessage user = (DynamicMessage) m.getField(click.findFieldByName("user"));
            assertThat((Long) user.getField(user.getDescriptorForType().findFieldByName("id"))).isPositive();
        }
        assertThat(good).isEqualTo(300);
        assertThat(bad).isEqualTo(300);
        assertThat(truncated).isEqualTo(100);
    }
}
