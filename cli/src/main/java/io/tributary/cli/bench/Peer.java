package io.tributary.cli.bench;

/** Bench item 7 (filled in below). */
final class Peer {
    private final Bench bench;

    Peer(Bench bench) {
        this.bench = bench;
    }

    void run() {
        throw new BenchException("not implemented yet");
    }
}
