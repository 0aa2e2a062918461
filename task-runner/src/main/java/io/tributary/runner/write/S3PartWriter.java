package io.tributary.runner.write;

import io.tributary.runner.buffer.PartitionBuffer;
import io.tributary.runner.buffer.DeadLetter;
import io.tributary.runner.TableContext;

import io.tributary.runner.metrics.CpuPhase;
import io.tributary.runner.metrics.RunnerMetrics;
import io.tributary.catalog.ObjectKeys;
import io.tributary.catalog.PartObject;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.parquet.compression.CompressionCodecFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;

/**
 * Writes the objects of one sealed buffer to S3 before its commit: the Parquet part (if it has
 * rows) and the dead-letter file (if it has dead letters), under the DESIGN.md key layout with a
 * random suffix so keys are never reused. Deletes them again only when the commit certainly did
 * not publish them. Reports its thread CPU as {@link CpuPhase#UPLOAD} (the S3 requests) and
 * {@link CpuPhase#ENCODE} (the rest: Parquet, compression, dead-letter gzip). Thread-safe; used by the
 * flush threads.
 */
public final class S3PartWriter {
    private final S3Client s3;
    private final CompressionCodecFactory codecs;
    private final DeadLetterWriter deadLetters = new DeadLetterWriter();
    private final int uploadPartBytes;
    private final long rowGroupBytes;
    private final RunnerMetrics metrics;

    public S3PartWriter(S3Client s3, CompressionCodecFactory codecs, int uploadPartBytes, long rowGroupBytes) {
        this(s3, codecs, uploadPartBytes, rowGroupBytes, RunnerMetrics.NOOP);
    }

    public S3PartWriter(S3Client s3, CompressionCodecFactory codecs, int uploadPartBytes, long rowGroupBytes,
            RunnerMetrics metrics) {
        this.metrics = metrics;
        this.s3 = s3;
        this.codecs = codecs;
        this.uploadPartBytes = uploadPartBytes;
        this.rowGroupBytes = rowGroupBytes;
    }

    /** The objects written for one buffer. */
    public record Written(List<PartObject> objects, long bytes) {
        public List<String> keys() {
            return objects.stream().map(PartObject::key).toList();
        }
    }

    /** A fresh random key suffix. */
    public static String randomSuffix() {
        UUID u = UUID.randomUUID();
        return Long.toHexString(u.getMostSignificantBits()) + Long.toHexString(u.getLeastSignificantBits());
    }

    /** UTC date of an epoch-millis timestamp. */
    public static LocalDate utcDate(long epochMillis) {
        return LocalDate.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC);
    }

    /**
     * Uploads the data part and the dead-letter file of {@code buf}, whose offset range is
     * {@code [buf.startOffset(), endOffset)}. On failure nothing it wrote is left behind (best effort).
     */
    public Written write(TableContext t, PartitionBuffer buf, boolean writeDeadLetters) throws IOException {
        List<PartObject> objects = new ArrayList<>(2);
        long total = 0;
        long cpu = CpuPhase.threadCpuNanos();
        long uploadCpu = 0;
        try {
            if (buf.rows() > 0) {
                String key = ObjectKeys.data(t.prefix(), t.table(), utcDate(buf.maxTimestamp()), buf.partition(),
                        buf.startOffset(), buf.endOffset(), randomSuffix());
                S3ObjectUpload up = new S3ObjectUpload(s3, t.bucket(), key, "application/vnd.apache.parquet",
                        uploadPartBytes);
                try {
                    Map<String, String> meta = new LinkedHashMap<>();
                    meta.put("tributary.table", t.table());
                    meta.put("tributary.partition", Integer.toString(buf.partition()));
                    meta.put("tributary.start_offset", Long.toString(buf.startOffset()));
                    meta.put("tributary.end_offset", Long.toString(buf.endOffset()));
                    meta.put("tributary.schema_version", Long.toString(t.schemaVersion()));
                    ParquetPartWriter.Written w = new ParquetPartWriter(codecs, t.codec(), rowGroupBytes)
                            .write(buf, t.partSchema(), up.asOutputFile(), meta);
                    up.close();
                    objects.add(PartObject.data(key, w.rows(), up.getPos()));
                    total += up.getPos();
                } catch (IOException | RuntimeException e) {
                    up.abort();
                    throw e;
                } finally {
                    uploadCpu += up.cpuNanos();
                }
            }
            if (writeDeadLetters && !buf.deadLetters().isEmpty()) {
                long newest = Long.MIN_VALUE;
                for (DeadLetter d : buf.deadLetters()) {
                    newest = Math.max(newest, d.timestamp());
                }
                String key = ObjectKeys.dlq(t.prefix(), t.table(), utcDate(Math.max(newest, 0)), buf.partition(),
                        buf.startOffset(), buf.endOffset(), randomSuffix());
                S3ObjectUpload up = new S3ObjectUpload(s3, t.bucket(), key, "application/gzip", uploadPartBytes);
                try {
                    deadLetters.write(buf.deadLetters(), up.unclosable());
                    up.close();
                    objects.add(PartObject.dlq(key, buf.deadLetters().size(), up.getPos()));
                    total += up.getPos();
                } catch (IOException | RuntimeException e) {
                    up.abort();
                    throw e;
                } finally {
                    uploadCpu += up.cpuNanos();
                }
            }
            return new Written(List.copyOf(objects), total);
        } catch (IOException | RuntimeException e) {
            delete(t.bucket(), objects.stream().map(PartObject::key).toList());
            throw e;
        } finally {
            metrics.cpu(CpuPhase.UPLOAD, uploadCpu);
            metrics.cpu(CpuPhase.ENCODE, CpuPhase.threadCpuNanos() - cpu - uploadCpu);
        }
    }

    /** Deletes objects that no commit references (best effort; the orphan sweeper catches the rest). */
    public void delete(String bucket, List<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        for (String key : keys) {
            try {
                s3.deleteObject(DeleteObjectRequest.builder().bucket(bucket).key(key).build());
            } catch (RuntimeException e) {
                org.jboss.logging.Logger.getLogger(S3PartWriter.class)
                        .warnf("could not delete unreferenced object %s: %s (left to the orphan sweeper)", key, e.toString());
            }
        }
    }
}
