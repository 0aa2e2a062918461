/**
 * Attach: the runner's side of the scheduler protocol — one bidirectional {@code RunnerService.Attach}
 * stream to the leader (found through the catalog lease), Hello, a heartbeat every second,
 * assignments and the revoke handshake, re-attaching after a lost stream. Runs on its own thread;
 * hands assignments to the runner through {@code AssignmentSource.Listener}.
 */
package io.tributary.runner.attach;
