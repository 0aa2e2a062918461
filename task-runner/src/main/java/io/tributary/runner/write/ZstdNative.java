package io.tributary.runner.write;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import java.io.IOException;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Page compression with the native zstd library of zstd-jni (on the runner's classpath anyway: kafka-clients
 * uses it for zstd record batches). In the ceiling profile, aircompressor's pure-Java zstd was 60 % of the
 * encode CPU; native zstd at the same level is about twice as fast. Where the native library cannot be
 * loaded (a native image without it, an unsupported platform) {@link #AVAILABLE} is false and the factory
 * uses aircompressor, which writes the same format.
 */
final class ZstdNative {
    /**
     * zstd level of part pages. Level 1, not zstd's default 3: on the bench's click events the parts were
     * 0.2 % larger (most columns reach zstd already dictionary- or RLE-encoded) and encode ran at ~320
     * instead of ~250 MB/CPU-s.
     */
    static final int LEVEL = 1;
    static final boolean AVAILABLE = probe();

    private ZstdNative() {
    }

    private static boolean probe() {
        if (Boolean.getBoolean("tributary.zstd.pure-java")) {
            return false;
        }
        try {
            byte[] in = new byte[64];
            byte[] out = new byte[(int) Zstd.compressBound(in.length)];
            return Zstd.compressByteArray(out, 0, out.length, in, 0, in.length, LEVEL) > 0;
        } catch (Throwable t) { // UnsatisfiedLinkError, NoClassDefFoundError, ...
            return false;
        }
    }

    /**
     * One compression context for the pages of one part (a context holds ~1 MiB of native tables; reused
     * across pages, freed by {@link #release()} when the part is written), and one {@link PageScratch}.
     */
    static final class Compress implements BytesInputCompressor {
        private ZstdCompressCtx ctx;
        private final PageScratch scratch = new PageScratch();

        @Override
        public BytesInput compress(BytesInput bytes) throws IOException {
            if (ctx == null) {
                ctx = new ZstdCompressCtx().setLevel(LEVEL).setChecksum(false);
            }
            byte[] in = scratch.input(bytes);
            int length = scratch.inputLength();
            byte[] out = scratch.output((int) Zstd.compressBound(length));
            int n = ctx.compressByteArray(out, 0, out.length, in, 0, length);
            return BytesInput.from(out, 0, n); // valid until the next page (PageScratch)
        }

        @Override
        public CompressionCodecName getCodecName() {
            return CompressionCodecName.ZSTD;
        }

        @Override
        public void release() {
            if (ctx != null) {
                ctx.close();
                ctx = null;
            }
        }
    }
}
