package io.tributary.catalog;

import java.util.Objects;

/**
 * The scheduler leader lease (item {@code lease#scheduler}/{@code leader}). It carries efficiency
 * and fencing of work, not correctness: the commit chain does that.
 *
 * @param owner           holder's id
 * @param address         holder's gRPC address, host:port, so runners and the CLI find the leader
 * @param epoch           incremented by every acquisition; renew and release require it
 * @param expiresAtMillis epoch ms after which anyone may acquire it
 */
public record Lease(String owner, String address, long epoch, long expiresAtMillis) {
  public Lease {
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(address, "address");
  }

  /** True while not expired at {@code nowMillis}. */
  public boolean isLive(long nowMillis) {
    return nowMillis < expiresAtMillis;
  }
}
