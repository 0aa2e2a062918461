package io.tributary.bench;

/** How big each stage is: the full run (for a quiet machine) or {@code --quick} (a CI smoke, < 3 min). */
record Sizes(String mode, long ceilingEvents, int ceilingPasses, double ceilingWarmupCpuS, long e2eBytes, int partitions,
        int freshnessSeconds, int freshnessWarmupSeconds, int failoverKills, long peerBytes, int stageTimeoutSeconds) {

    static Sizes full() {
        // freshness: 60 s warm-up (a fresh runner JVM runs interpreted/C1 code for its first ~40 s and
        // builds a backlog at half of the measured capacity), then 60 s measured
        return new Sizes("full", 400_000, 5, 10, 2_200_000_000L, 4, 120, 60, 5, 2_200_000_000L, 900);
    }

    static Sizes quick() {
        return new Sizes("quick", 60_000, 3, 2, 60_000_000L, 4, 10, 2, 2, 60_000_000L, 240);
    }
}
