package io.tributary.scheduler;

import java.time.Duration;

/**
 * Timings and identity of one scheduler process. Built by the Quarkus adapter from configuration
 * ({@code tributary.scheduler.*}), or directly in tests.
 *
 * @param id               this process's id (lease owner)
 * @param address          advertised gRPC address, host:port, written into the lease
 * @param leaseTtl         lease length (default 5 s)
 * @param renewInterval    lease renew period, also the standby poll period (default 1 s)
 * @param deadTimeout      no heartbeat for this long = the runner is dead (default 3 s)
 * @param revokeTimeout    a revoke not confirmed by then completes anyway (default 10 s)
 * @param tick             coordinator round period (default 250 ms)
 * @param tablesRefresh    how often the table list is re-read from the catalog (default 2 s)
 * @param metadataPoll     how often topic metadata and lag are polled (default 3 s)
 * @param takeoverGrace    after election, how long runners of the stored assignment have to
 *                         re-attach before their partitions move (default 8 s)
 */
record SchedulerSettings(String id, String address, Duration leaseTtl, Duration renewInterval, Duration deadTimeout,
    Duration revokeTimeout, Duration tick, Duration tablesRefresh, Duration metadataPoll, Duration takeoverGrace) {

  /** The documented defaults for {@code id} at {@code address}. */
  static SchedulerSettings defaults(String id, String address) {
    return new SchedulerSettings(id, address, Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(3),
        Duration.ofSeconds(10), Duration.ofMillis(250), Duration.ofSeconds(2), Duration.ofSeconds(3),
        Duration.ofSeconds(8));
  }
}
