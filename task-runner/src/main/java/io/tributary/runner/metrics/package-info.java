/**
 * Metrics: what the data path reports ({@link io.tributary.runner.metrics.RunnerMetrics}, a small
 * interface so the core runs without Quarkus) and its Micrometer mapping to the Prometheus names.
 * Thread-safe; called from the poll and flush threads.
 */
package io.tributary.runner.metrics;
