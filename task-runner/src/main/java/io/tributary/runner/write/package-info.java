/**
 * Write: a sealed buffer becomes objects in S3 — the Parquet part
 * ({@link io.tributary.runner.write.ParquetPartWriter}, schema from {@code PartSchema}) and the
 * gzip JSON Lines dead-letter file — uploaded under the DESIGN.md key layout by
 * {@link io.tributary.runner.write.S3PartWriter}; plus the optional dead-letter topic mirror. Runs on
 * the flush executor threads; thread-safe. Nothing here commits: a written object is published only
 * by the commit that references it.
 */
package io.tributary.runner.write;
