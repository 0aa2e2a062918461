package io.tributary.bench.load;

import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import io.tributary.formats.proto.ProtoDescriptors;
import io.tributary.formats.proto.ProtoParser;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Arrays;

/**
 * Click events as Protobuf ({@code clicks.proto}, also in {@code examples/}), written by protobuf-java's
 * own {@link DynamicMessage} so that our decoder is checked against the reference encoder; framed with
 * the message indexes {@code [0]} (the single byte 0: the file's first message, {@code Click}). A
 * truncated payload is cut inside its last field, never at a field boundary (which would still parse).
 */
public final class ProtoClicks implements ClickEncoding {
    /** The schema text ({@code examples/clicks.proto}). */
    public static final String SCHEMA = AvroClicks.resource("clicks.proto");

    /** Message indexes of {@code Click} in the wire format: {@code [0]}, written as one zero byte. */
    private static final byte[] MESSAGE_INDEXES = {0};

    private final Descriptors.Descriptor click = ProtoDescriptors.build(ProtoParser.parse(SCHEMA))
            .findMessageTypeByName("Click");
    private final Descriptors.Descriptor user = click.findFieldByName("user").getMessageType();
    private final Descriptors.Descriptor attrs = click.findFieldByName("attrs").getMessageType();
    private final Descriptors.Descriptor timestamp = click.findFieldByName("ts").getMessageType();
    private final int schemaId;

    /** @param schemaId the id the registry gave {@link #SCHEMA} */
    public ProtoClicks(int schemaId) {
        this.schemaId = schemaId;
    }

    @Override
    public byte[] encode(EventGenerator.Click c, EventGenerator.Kind kind) {
        DynamicMessage u = DynamicMessage.newBuilder(user)
                .setField(user.findFieldByName("id"), c.userId())
                .setField(user.findFieldByName("country"), c.country()).build();
        DynamicMessage a = DynamicMessage.newBuilder(attrs)
                .setField(attrs.findFieldByName("ref"), c.ref())
                .setField(attrs.findFieldByName("ab"), c.ab())
                .setField(attrs.findFieldByName("clicks"), c.clicks()).build();
        DynamicMessage ts = DynamicMessage.newBuilder(timestamp)
                .setField(timestamp.findFieldByName("seconds"), Math.floorDiv(c.tsMillis(), 1000L))
                .setField(timestamp.findFieldByName("nanos"), (int) Math.floorMod(c.tsMillis(), 1000L) * 1_000_000).build();
        DynamicMessage m = DynamicMessage.newBuilder(click)
                .setField(click.findFieldByName("event_id"), c.eventId() == null ? "" : c.eventId())
                .setField(click.findFieldByName("user"), u)
                .setField(click.findFieldByName("ts"), ts)
                .setField(click.findFieldByName("amount"), BigDecimal.valueOf(c.amountCents(), 2).toPlainString())
                .setField(click.findFieldByName("session"), c.session())
                .setField(click.findFieldByName("price"), c.price())
                .setField(click.findFieldByName("is_mobile"), c.isMobile())
                .setField(click.findFieldByName("day"), LocalDate.ofEpochDay(c.epochDay()).toString())
                .setField(click.findFieldByName("attrs"), a)
                .setField(click.findFieldByName("url"), c.url()).build();
        byte[] payload = m.toByteArray();
        if (kind == EventGenerator.Kind.INVALID_JSON) {
            // A message cut at a field boundary is a valid shorter message (proto3 has no end marker): cut inside
            // the last field instead (url, length-delimited, serialized last), so the payload is truncated for sure.
            payload = Arrays.copyOf(payload, payload.length - Math.max(1, c.url().length() / 2));
            return ClickEncoding.frame(schemaId, MESSAGE_INDEXES, payload, EventGenerator.Kind.GOOD);
        }
        return ClickEncoding.frame(schemaId, MESSAGE_INDEXES, payload, kind);
    }
}
