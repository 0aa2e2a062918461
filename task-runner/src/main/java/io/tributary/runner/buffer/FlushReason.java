package io.tributary.runner.buffer;

import java.util.Locale;

/** Why a partition buffer was cut into a part; the {@code reason} label of {@code tributary_flush_total}. */
public enum FlushReason {
    ROWS, BYTES, AGE, MEMORY, REVOKE, SHUTDOWN;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
