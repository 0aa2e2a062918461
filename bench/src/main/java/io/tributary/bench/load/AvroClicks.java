package io.tributary.bench.load;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Click events as Avro ({@code examples/clicks.avsc}, packaged into the bench jar), written by Apache Avro's own
 * {@link GenericDatumWriter} so that our decoder is checked against the reference encoder.
 */
public final class AvroClicks implements ClickEncoding {
    /** The schema text ({@code examples/clicks.avsc}). */
    public static final String SCHEMA = resource("clicks.avsc");

    private final Schema schema = new Schema.Parser().parse(SCHEMA);
    private final Schema userSchema = schema.getField("user").schema();
    private final Schema attrsSchema = schema.getField("attrs").schema();
    private final GenericDatumWriter<GenericRecord> writer = new GenericDatumWriter<>(schema);
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    private final int schemaId;
    private BinaryEncoder encoder;

    /** @param schemaId the id the registry gave {@link #SCHEMA} */
    public AvroClicks(int schemaId) {
        this.schemaId = schemaId;
    }

    @Override
    public byte[] encode(EventGenerator.Click c, EventGenerator.Kind kind) {
        GenericRecord user = new GenericData.Record(userSchema);
        user.put("id", c.userId());
        user.put("country", c.country());
        GenericRecord attrs = new GenericData.Record(attrsSchema);
        attrs.put("ref", c.ref());
        attrs.put("ab", c.ab());
        attrs.put("clicks", c.clicks());
        GenericRecord r = new GenericData.Record(schema);
        r.put("event_id", c.eventId() == null ? "" : c.eventId());
        r.put("user", user);
        r.put("ts", c.tsMillis());
        r.put("amount", ByteBuffer.wrap(BigInteger.valueOf(c.amountCents()).toByteArray()));
        r.put("session", c.session());
        r.put("price", c.price());
        r.put("is_mobile", c.isMobile());
        r.put("day", (int) c.epochDay());
        r.put("attrs", attrs);
        r.put("url", c.url());
        out.reset();
        encoder = EncoderFactory.get().binaryEncoder(out, encoder);
        try {
            writer.write(r, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ClickEncoding.frame(schemaId, new byte[0], out.toByteArray(), kind);
    }

    static String resource(String name) {
        try (InputStream in = AvroClicks.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the bench jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
