package io.tributary.runner.write;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import org.apache.parquet.bytes.BytesInput;

/**
 * The input and output arrays of one part's page compressor, reused from page to page. A compressor's result is
 * consumed before it is asked for the next page: Parquet's page writer copies each compressed data page into its
 * column chunk and copies the dictionary page ({@code BytesInput.copy}), which its own heap compressor relies on too.
 * Fresh arrays per page (the page's bytes, then a {@code compressBound} output) were 2.1 of the 15.4 GB the runner
 * allocated over the bench's 2.2 GB drain, each ~1 MiB page a G1 humongous object. Not thread-safe: one part writer.
 */
final class PageScratch extends OutputStream {
    private byte[] in = new byte[0];
    private int length;
    private byte[] out = new byte[0];

    /** {@code bytes} copied into the reused input array; its length is {@link #inputLength()}. */
    byte[] input(BytesInput bytes) throws IOException {
        int size = Math.toIntExact(bytes.size());
        if (in.length < size) {
            in = new byte[size];
        }
        length = 0;
        bytes.writeAllTo(this);
        if (length != size) {
            throw new IOException("page reported " + size + " bytes but wrote " + length);
        }
        return in;
    }

    int inputLength() {
        return length;
    }

    /** The reused output array, at least {@code bound} bytes (valid until the next page). */
    byte[] output(int bound) {
        if (out.length < bound) {
            out = new byte[bound];
        }
        return out;
    }

    @Override
    public void write(int b) {
        grow(1);
        in[length++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        grow(len);
        System.arraycopy(b, off, in, length, len);
        length += len;
    }

    private void grow(int more) {
        if (length + more > in.length) {
            in = Arrays.copyOf(in, Math.max(length + more, in.length * 2));
        }
    }
}
