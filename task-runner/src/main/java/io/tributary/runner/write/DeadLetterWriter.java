package io.tributary.runner.write;

import io.tributary.runner.buffer.DeadLetter;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * Writes dead letters as gzip JSON Lines (DESIGN.md "Dead letters"): one object a line with
 * {@code partition}, {@code offset}, {@code timestamp} (epoch ms), {@code key_b64}, {@code value_b64}
 * and {@code error}. Stateless and thread-safe.
 */
public final class DeadLetterWriter {
    private static final JsonFactory JSON = JsonFactory.builder().build();

    /** Writes all lines and finishes the gzip stream; does not close {@code out}. */
    public void write(List<DeadLetter> letters, OutputStream out) throws IOException {
        GZIPOutputStream gz = new GZIPOutputStream(out, 64 * 1024);
        Base64.Encoder b64 = Base64.getEncoder();
        for (DeadLetter d : letters) {
            try (JsonGenerator g = JSON.createGenerator(new NonClosing(gz))) {
                g.writeStartObject();
                g.writeNumberField("partition", d.partition());
                g.writeNumberField("offset", d.offset());
                g.writeNumberField("timestamp", d.timestamp());
                if (d.key() == null) {
                    g.writeNullField("key_b64");
                } else {
                    g.writeStringField("key_b64", b64.encodeToString(d.key()));
                }
                if (d.value() == null) {
                    g.writeNullField("value_b64");
                } else {
                    g.writeStringField("value_b64", b64.encodeToString(d.value()));
                }
                g.writeStringField("error", d.error());
                g.writeEndObject();
            }
            gz.write('\n');
        }
        gz.finish();
        gz.flush();
    }

    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
