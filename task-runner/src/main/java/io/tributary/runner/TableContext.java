package io.tributary.runner;

import io.tributary.runner.decode.RowSchema;
import io.tributary.runner.write.PartSchema;

import io.tributary.catalog.StoredTable;
import io.tributary.catalog.TableDefinition;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;

/**
 * A table definition version resolved for the data path: row schema, Parquet schema, where parts
 * go and how bad records are handled. Immutable.
 */
public record TableContext(String table, long schemaVersion, TableDefinition definition, RowSchema rowSchema,
        MessageType partSchema, String bucket, String prefix, CompressionCodecName codec, String bootstrap) {

    public static TableContext of(StoredTable stored, RunnerConfig config) {
        TableDefinition d = stored.definition();
        RowSchema rs = RowSchema.of(d);
        String bucket = d.output().bucket() == null || d.output().bucket().isBlank() ? config.defaultBucket()
                : d.output().bucket();
        String bootstrap = d.source().bootstrap() == null || d.source().bootstrap().isBlank() ? config.defaultBootstrap()
                : d.source().bootstrap();
        CompressionCodecName codec = switch (d.output().compression()) {
            case ZSTD -> CompressionCodecName.ZSTD;
            case SNAPPY -> CompressionCodecName.SNAPPY;
        };
        return new TableContext(d.name(), stored.version(), d, rs, PartSchema.of(d.name(), rs), bucket,
                d.output().prefix(), codec, bootstrap);
    }

    public TableDefinition.ErrorPolicy errorPolicy() {
        return definition.errors().policy();
    }

    public String errorsTopic() {
        String t = definition.errors().topic();
        return t == null || t.isBlank() ? null : t;
    }

    public TableDefinition.Flush flush() {
        return definition.flush();
    }
}
