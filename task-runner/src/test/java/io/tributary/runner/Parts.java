package io.tributary.runner;

import io.tributary.runner.write.AirCompressorCodecFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.parquet.schema.MessageType;

/** Test helper: reads Parquet bytes back with parquet-java's own reader (no Hadoop). */
public final class Parts {
    private Parts() {
    }

    public record Read(MessageType schema, List<Group> rows, Map<String, String> metadata,
            org.apache.parquet.hadoop.metadata.ParquetMetadata footer) {

        /** Encoding stats of one column, merged over the row groups: [dictionary pages, non-dictionary pages]. */
        public boolean[] dictionaryUse(String column) {
            boolean dict = false;
            boolean plain = false;
            for (var block : footer.getBlocks()) {
                for (var c : block.getColumns()) {
                    if (c.getPath().toDotString().equals(column)) {
                        dict |= c.getEncodingStats().hasDictionaryPages();
                        plain |= c.getEncodingStats().hasNonDictionaryEncodedPages();
                    }
                }
            }
            return new boolean[] {dict, plain};
        }
    }

    public static Read read(byte[] bytes) throws IOException {
        InputFile in = new InputFile() {
            @Override
            public long getLength() {
                return bytes.length;
            }

            @Override
            public SeekableInputStream newStream() {
                ByteArrayInputStream bin = new ByteArrayInputStream(bytes);
                return new DelegatingSeekableInputStream(bin) {
                    private long pos;

                    @Override
                    public long getPos() {
                        return bytes.length - bin.available();
                    }

                    @Override
                    public void seek(long newPos) {
                        bin.reset();
                        bin.skip(newPos);
                    }
                };
            }
        };
        ParquetReadOptions opts = org.apache.parquet.NoHadoopReadOptions.of(new AirCompressorCodecFactory());
        List<Group> rows = new ArrayList<>();
        try (ParquetFileReader r = ParquetFileReader.open(in, opts)) {
            MessageType schema = r.getFooter().getFileMetaData().getSchema();
            MessageColumnIO io = new ColumnIOFactory().getColumnIO(schema);
            PageReadStore pages;
            while ((pages = r.readNextRowGroup()) != null) {
                RecordReader<Group> rr = io.getRecordReader(pages, new GroupRecordConverter(schema));
                for (long i = 0; i < pages.getRowCount(); i++) {
                    rows.add(rr.read());
                }
            }
            return new Read(schema, rows, r.getFooter().getFileMetaData().getKeyValueMetaData(), r.getFooter());
        }
    }
}
