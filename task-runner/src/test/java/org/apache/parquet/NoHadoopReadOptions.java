package org.apache.parquet;

import java.util.Map;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.format.converter.ParquetMetadataConverter;

/**
 * Test helper: read options without Hadoop. {@code ParquetReadOptions.builder()} always builds
 * Hadoop's default codec factory first, so tests call the package-private constructor instead.
 */
public final class NoHadoopReadOptions {
    private NoHadoopReadOptions() {
    }

    public static ParquetReadOptions of(CompressionCodecFactory codecs) {
        return new ParquetReadOptions(false, false, false, false, false, false, false, false, false, FilterCompat.NOOP,
                ParquetMetadataConverter.NO_FILTER, codecs, new HeapByteBufferAllocator(), 8 << 20, Map.of(), null, null,
                new PlainParquetConfiguration());
    }
}
