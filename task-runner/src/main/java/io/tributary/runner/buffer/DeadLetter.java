package io.tributary.runner.buffer;

/** A record that could not become a row, with the reason (naming the column or JSON position). */
public record DeadLetter(int partition, long offset, long timestamp, byte[] key, byte[] value, String error) {

    public long bytes() {
        return 64L + (key == null ? 0 : key.length) + (value == null ? 0 : value.length) + error.length();
    }
}
