package io.tributary.runner.write;

import io.airlift.compress.Compressor;
import io.airlift.compress.Decompressor;
import io.airlift.compress.snappy.SnappyCompressor;
import io.airlift.compress.snappy.SnappyDecompressor;
import io.airlift.compress.zstd.ZstdCompressor;
import io.airlift.compress.zstd.ZstdDecompressor;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Parquet page compression without Hadoop: ZSTD with the native zstd of zstd-jni where it loads
 * ({@link ZstdNative}), else aircompressor (pure Java, native-image friendly); SNAPPY with aircompressor;
 * UNCOMPRESSED. Decompression (tests, readers) is always aircompressor. Compressors are not shared between threads: each reuses its
 * input and output arrays from page to page ({@link PageScratch}), and is used by one part writer at a time.
 */
public final class AirCompressorCodecFactory implements CompressionCodecFactory {

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
        return switch (codec) {
            case UNCOMPRESSED -> new Pass();
            case ZSTD -> ZstdNative.AVAILABLE ? new ZstdNative.Compress() : new Compress(new ZstdCompressor(), codec);
            case SNAPPY -> new Compress(new SnappyCompressor(), codec);
            default -> throw new IllegalArgumentException("unsupported compression " + codec);
        };
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
        return switch (codec) {
            case UNCOMPRESSED -> new Unpass();
            case ZSTD -> new Decompress(new ZstdDecompressor());
            case SNAPPY -> new Decompress(new SnappyDecompressor());
            default -> throw new IllegalArgumentException("unsupported compression " + codec);
        };
    }

    @Override
    public void release() {
    }

    private static final class Compress implements BytesInputCompressor {
        private final Compressor compressor;
        private final CompressionCodecName name;
        private final PageScratch scratch = new PageScratch();

        Compress(Compressor compressor, CompressionCodecName name) {
            this.compressor = compressor;
            this.name = name;
        }

        @Override
        public BytesInput compress(BytesInput bytes) throws IOException {
            byte[] in = scratch.input(bytes);
            int length = scratch.inputLength();
            byte[] out = scratch.output(compressor.maxCompressedLength(length));
            int n = compressor.compress(in, 0, length, out, 0, out.length);
            return BytesInput.from(out, 0, n); // valid until the next page (PageScratch)
        }

        @Override
        public CompressionCodecName getCodecName() {
            return name;
        }

        @Override
        public void release() {
        }
    }

    private static final class Pass implements BytesInputCompressor {
        @Override
        public BytesInput compress(BytesInput bytes) {
            return bytes;
        }

        @Override
        public CompressionCodecName getCodecName() {
            return CompressionCodecName.UNCOMPRESSED;
        }

        @Override
        public void release() {
        }
    }

    private static final class Decompress implements BytesInputDecompressor {
        private final Decompressor decompressor;

        Decompress(Decompressor decompressor) {
            this.decompressor = decompressor;
        }

        @Override
        public BytesInput decompress(BytesInput bytes, int uncompressedSize) throws IOException {
            byte[] in = bytes.toByteArray();
            byte[] out = new byte[uncompressedSize];
            int n = decompressor.decompress(in, 0, in.length, out, 0, out.length);
            if (n != uncompressedSize) {
                throw new IOException("decompressed " + n + " bytes, expected " + uncompressedSize);
            }
            return BytesInput.from(out);
        }

        @Override
        public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int uncompressedSize)
                throws IOException {
            byte[] in = new byte[compressedSize];
            input.duplicate().get(in);
            byte[] out = new byte[uncompressedSize];
            int n = decompressor.decompress(in, 0, compressedSize, out, 0, uncompressedSize);
            output.put(out, 0, n);
        }

        @Override
        public void release() {
        }
    }

    private static final class Unpass implements BytesInputDecompressor {
        @Override
        public BytesInput decompress(BytesInput bytes, int uncompressedSize) {
            return bytes;
        }

        @Override
        public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int uncompressedSize) {
            ByteBuffer in = input.duplicate();
            in.limit(in.position() + compressedSize);
            output.put(in);
        }

        @Override
        public void release() {
        }
    }
}
