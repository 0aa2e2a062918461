package io.tributary.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Downloads committed objects from S3 into a temporary directory (deleted on close). */
final class PartFiles implements AutoCloseable, DeepAudit.Fetcher {
    final Path dir;
    private final S3Client s3;
    private final String bucket;
    private final AtomicInteger seq = new AtomicInteger();

    PartFiles(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
        try {
            this.dir = Files.createTempDirectory("tributary-parts");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Downloads one object; a missing object or S3 error is a {@link MissingObject}. */
    @Override
    public Path get(String key) {
        String name = key.substring(key.lastIndexOf('/') + 1);
        Path target = dir.resolve(seq.incrementAndGet() + "-" + name);
        try {
            s3.getObject(r -> r.bucket(bucket).key(key), target);
            return target;
        } catch (NoSuchKeyException e) {
            throw new MissingObject("s3://" + bucket + "/" + key + " is missing");
        } catch (S3Exception e) {
            throw new MissingObject("s3://" + bucket + "/" + key + ": " + e.statusCode() + " "
                    + CatalogAccess.firstLine(e.getMessage()));
        } catch (SdkClientException e) {
            throw Errors.aws("S3 (s3://" + bucket + "/" + key + ")", Errors.endpoint(Home.env(), "TRIBUTARY_S3_ENDPOINT"), e);
        }
    }

    /** Downloads all keys with a few threads, in order. */
    List<Path> getAll(List<String> keys) {
        if (keys.isEmpty()) {
            return List.of();
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(4, keys.size()));
        try {
            List<Future<Path>> fs = new ArrayList<>();
            for (String k : keys) {
                fs.add(pool.submit(() -> get(k)));
            }
            List<Path> out = new ArrayList<>();
            for (Future<Path> f : fs) {
                try {
                    out.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException re) {
                        throw re;
                    }
                    throw new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CliException("interrupted");
                }
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    @Override
    public void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // temp file; close() retries
        }
    }

    @Override
    public void close() {
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }

    /** A committed object could not be read. */
    static final class MissingObject extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MissingObject(String m) {
            super(m);
        }
    }
}
