package io.tributary.cli.bench;

/** Bench item 5 (filled in below). */
final class Failover {
    private final Bench bench;

    Failover(Bench bench) {
        this.bench = bench;
    }

    void run() {
        throw new BenchException("not implemented yet");
    }
}
