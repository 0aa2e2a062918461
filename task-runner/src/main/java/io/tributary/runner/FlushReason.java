package io.tributary.runner;

import java.util.Locale;

/** Why a partition buffer was cut into a part; the {@code reason} label of {@code tributary_flush_total}. */
enum FlushReason {
    ROWS, BYTES, AGE, MEMORY, REVOKE, SHUTDOWN;

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
