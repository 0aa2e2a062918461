package io.tributary.runner.write;

import io.tributary.runner.metrics.CpuPhase;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * One S3 object written as a stream with bounded memory: bytes collect in a buffer of
 * {@code partSize}; an object that fits is sent with one PutObject at {@link #close()}, a larger one
 * becomes a multipart upload whose parts are sent as the buffer fills. {@link #abort()} cancels a
 * started multipart upload. Used by one flush thread.
 */
final class S3ObjectUpload extends PositionOutputStream {
    private final S3Client s3;
    private final String bucket;
    private final String key;
    private final String contentType;
    /**
     * The buffer starts at this size and doubles up to the part size, so a small part (a wide runner's parts
     * are tens of KB) does not hold a whole multipart part's buffer (16 MiB per flush in flight) on the heap.
     */
    static final int INITIAL_BUFFER_BYTES = 256 << 10;
    /**
     * The buffer of this thread's last finished upload, taken by its next one: a flush thread writes one object at a
     * time, so at most one buffer (at most the part size) waits per flush thread. Without it, every ~10 MB part grew a
     * fresh buffer by doubling, ~0.4 GB of G1 humongous arrays (allocated, zeroed and copied) over the bench's drain.
     */
    private static final ThreadLocal<byte[]> SPARE = new ThreadLocal<>();

    private final int partSize;
    private byte[] buf;
    private int used;
    private long pos;
    private String uploadId;
    private final List<CompletedPart> parts = new ArrayList<>();
    private boolean closed;
    /** Thread CPU spent in the S3 requests so far (the rest of a part's write is encoding). */
    private long cpuNanos;

    S3ObjectUpload(S3Client s3, String bucket, String key, String contentType, int partSize) {
        if (partSize < 5 << 20) {
            throw new IllegalArgumentException("S3 multipart parts must be at least 5 MiB");
        }
        this.s3 = s3;
        this.bucket = bucket;
        this.key = key;
        this.contentType = contentType;
        this.partSize = partSize;
        byte[] spare = SPARE.get();
        if (spare != null && spare.length <= partSize) {
            SPARE.remove();
            this.buf = spare;
        } else {
            this.buf = new byte[Math.min(partSize, INITIAL_BUFFER_BYTES)];
        }
    }

    /** The upload is over (its synchronous requests have returned): the next upload of this thread may take the buffer. */
    private void recycle() {
        if (buf != null) {
            SPARE.set(buf);
            buf = null;
        }
    }

    String key() {
        return key;
    }

    @Override
    public long getPos() {
        return pos;
    }

    @Override
    public void write(int b) throws IOException {
        if (used == buf.length) {
            makeRoom();
        }
        buf[used++] = (byte) b;
        pos++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (used == buf.length) {
                makeRoom();
            }
            int n = Math.min(len, buf.length - used);
            System.arraycopy(b, off, buf, used, n);
            used += n;
            off += n;
            len -= n;
            pos += n;
        }
    }

    /** The buffer is full: grow it while under the part size, else send it as a part. */
    private void makeRoom() {
        if (buf.length < partSize) {
            buf = java.util.Arrays.copyOf(buf, (int) Math.min(partSize, 2L * buf.length));
        } else {
            sendPart();
        }
    }

    /** Bytes the buffer holds allocated (for tests). */
    int bufferCapacity() {
        return buf == null ? 0 : buf.length;
    }

    /** Runs S3 requests, adding their thread CPU to {@link #cpuNanos()}. */
    private void timed(Runnable requests) {
        long cpu = CpuPhase.threadCpuNanos();
        try {
            requests.run();
        } finally {
            cpuNanos += CpuPhase.threadCpuNanos() - cpu;
        }
    }

    private void sendPart() {
        timed(this::sendPartNow);
    }

    private void sendPartNow() {
        if (uploadId == null) {
            uploadId = s3.createMultipartUpload(CreateMultipartUploadRequest.builder().bucket(bucket).key(key)
                    .contentType(contentType).build()).uploadId();
        }
        int number = parts.size() + 1;
        String etag = s3.uploadPart(UploadPartRequest.builder().bucket(bucket).key(key).uploadId(uploadId)
                .partNumber(number).contentLength((long) used).build(), body()).eTag();
        parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
        used = 0;
    }

    /**
     * The buffered bytes as a request body without a copy ({@code RequestBody.fromBytes} copies the array): the
     * request is synchronous, so the buffer is not written again before it returns, and a retry reads it anew.
     */
    private RequestBody body() {
        byte[] b = buf;
        int n = used;
        return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(b, 0, n), n, contentType);
    }

    /** Sends what is left and completes the object. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            timed(() -> {
                if (uploadId == null) {
                    s3.putObject(PutObjectRequest.builder().bucket(bucket).key(key).contentType(contentType)
                            .contentLength((long) used).build(), body());
                    return;
                }
                if (used > 0) {
                    sendPartNow();
                }
                s3.completeMultipartUpload(CompleteMultipartUploadRequest.builder().bucket(bucket).key(key)
                        .uploadId(uploadId).multipartUpload(CompletedMultipartUpload.builder().parts(parts).build())
                        .build());
            });
        } finally {
            recycle();
        }
    }

    /** Thread CPU spent in this upload's S3 requests (the calling thread's; one flush thread uses an upload). */
    long cpuNanos() {
        return cpuNanos;
    }

    /** Gives up: a started multipart upload is aborted; nothing was written for a small object. */
    void abort() {
        closed = true;
        recycle();
        if (uploadId != null) {
            try {
                s3.abortMultipartUpload(AbortMultipartUploadRequest.builder().bucket(bucket).key(key).uploadId(uploadId)
                        .build());
            } catch (RuntimeException e) {
                // best effort: an unfinished upload is invisible and expires by bucket lifecycle
            }
        }
    }

    /** This upload as a Parquet {@link OutputFile} (one stream, created once). */
    OutputFile asOutputFile() {
        S3ObjectUpload self = this;
        return new OutputFile() {
            @Override
            public PositionOutputStream create(long blockSizeHint) {
                return self;
            }

            @Override
            public PositionOutputStream createOrOverwrite(long blockSizeHint) {
                return self;
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
                return "s3://" + bucket + "/" + key;
            }
        };
    }

    /** A plain stream view that does not close the upload (for wrapping in GZIP). */
    OutputStream unclosable() {
        S3ObjectUpload self = this;
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                self.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                self.write(b, off, len);
            }
        };
    }
}
