package io.tributary.runner;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.Optional;

/** Runner settings from configuration (environment), mapped by Quarkus; see application.properties. */
@ConfigMapping(prefix = "tributary")
public interface RunnerSettings {

    @WithName("kafka-bootstrap")
    Optional<String> kafkaBootstrap();

    Optional<String> bucket();

    @WithName("catalog-table")
    @WithDefault("tributary-catalog")
    String catalogTable();

    Runner runner();

    /** {@code tributary.runner.*}. */
    interface Runner {
        Optional<String> id();

        /** Global buffered-bytes budget, e.g. 256MiB; default a third of the heap. */
        @WithName("memory-budget")
        Optional<String> memoryBudget();

        @WithName("max-record-bytes")
        @WithDefault("8MiB")
        String maxRecordBytes();

        @WithName("flush-threads")
        Optional<Integer> flushThreads();

        /** Capacity hint sent to the scheduler in Hello: at most this many partitions; 0 = no limit. */
        @WithName("max-partitions")
        @WithDefault("0")
        int maxPartitions();

        @WithName("shutdown-grace")
        @WithDefault("30s")
        Duration shutdownGrace();
    }
}
