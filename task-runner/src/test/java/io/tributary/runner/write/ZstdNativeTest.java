package io.tributary.runner.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlift.compress.zstd.ZstdDecompressor;
import java.nio.charset.StandardCharsets;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;

class ZstdNativeTest {

    @Test
    void nativeZstdLoadsHereAndItsPagesDecompressWithAircompressor() throws Exception {
        // the build machines are linux/amd64, where zstd-jni ships its library: the fast path must be the one measured
        assertThat(ZstdNative.AVAILABLE).isTrue();
        StringBuilder sb = new StringBuilder();
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        for (int i = 0; i < 50_000; i++) {
            sb.append("{\"ref\":\"").append(r.nextInt(6)).append("\",\"clicks\":").append(r.nextInt(1000)).append('}');
        }
        byte[] page = sb.toString().getBytes(StandardCharsets.UTF_8);
        var c = new AirCompressorCodecFactory().getCompressor(CompressionCodecName.ZSTD);
        try {
            assertThat(c).isInstanceOf(ZstdNative.Compress.class);
            for (int round = 0; round < 2; round++) { // the context is reused across pages
                byte[] z = c.compress(BytesInput.from(page)).toByteArray();
                assertThat(z.length).isLessThan(page.length / 3);
                byte[] back = new byte[page.length];
                int n = new ZstdDecompressor().decompress(z, 0, z.length, back, 0, back.length);
                assertThat(n).isEqualTo(page.length);
                assertThat(back).isEqualTo(page);
            }
        } finally {
            c.release();
        }
    }

    @Test
    void reusedPageArraysNeverLeakOnePageIntoTheNext() throws Exception {
        // big page, then a smaller one and a page made of pieces (as Parquet concatenates levels and values): each
        // result decompresses to exactly its own page, for both the native and the pure-Java compressor
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        byte[] big = new byte[300_000];
        byte[] small = new byte[1_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) ('a' + r.nextInt(4));
        }
        for (int i = 0; i < small.length; i++) {
            small[i] = (byte) ('w' + r.nextInt(3));
        }
        var factory = new AirCompressorCodecFactory();
        var compressors = java.util.List.of(factory.getCompressor(CompressionCodecName.ZSTD),
                factory.getCompressor(CompressionCodecName.SNAPPY));
        for (var c : compressors) {
            try {
                for (BytesInput[] page : new BytesInput[][] {{BytesInput.from(big)}, {BytesInput.from(small)},
                        {BytesInput.from(new byte[] {1, 2, 3, 4, 5, 6, 7}), BytesInput.from(small)}}) {
                    BytesInput in = page.length == 1 ? page[0] : BytesInput.concat(page);
                    byte[] expected = in.toByteArray();
                    BytesInput z = c.compress(in);
                    byte[] back = factory.getDecompressor(c.getCodecName()).decompress(z, expected.length).toByteArray();
                    assertThat(back).as(c.getCodecName() + " page of " + expected.length).isEqualTo(expected);
                }
            } finally {
                c.release();
            }
        }
    }
}
