package io.tributary.runner.bench;

import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

/** A Parquet {@link OutputFile} that counts bytes and keeps none: the ceiling excludes storage. */
final class DiscardOutputFile implements OutputFile {
    long bytes;

    @Override
    public PositionOutputStream create(long blockSizeHint) {
        return new PositionOutputStream() {
            private long pos;

            @Override
            public long getPos() {
                return pos;
            }

            @Override
            public void write(int b) {
                pos++;
                bytes++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                pos += len;
                bytes += len;
            }
        };
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) {
        return create(blockSizeHint);
    }

    @Override
    public boolean supportsBlockSize() {
        return false;
    }

    @Override
    public long defaultBlockSize() {
        return 0;
    }

    @Override
    public String getPath() {
        return "discard";
    }
}
