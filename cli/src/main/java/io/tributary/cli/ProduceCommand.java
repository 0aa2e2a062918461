package io.tributary.cli;

import io.tributary.bench.load.EventGenerator;
import io.tributary.bench.load.LoadProducer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tributary produce}: a load generator of realistic JSON click events. */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = {"Send realistic JSON click events to a Kafka topic (a load generator).",
            "Events are ~250 bytes with 10 typed fields (see examples/clicks.yaml); the topic is created with --partitions partitions if missing. --bad-ratio injects malformed records "
                + "(invalid JSON, type mismatches, missing event_id) at exactly that ratio."})
public class ProduceCommand implements Callable<Integer> {
    @Option(names = "--topic", required = true, description = "Kafka topic")
    String topic;
    @Option(names = "--count", required = true, description = "Number of events")
    long count;
    @Option(names = "--rate", defaultValue = "0", paramLabel = "EVENTS/S", description = "Events per second (default: as fast as possible)")
    double rate;
    @Option(names = "--bad-ratio", defaultValue = "0", paramLabel = "X", description = "Fraction of malformed records, 0..1 (default ${DEFAULT-VALUE})")
    double badRatio;
    @Option(names = "--partitions", defaultValue = "4", paramLabel = "P", description = "Partitions when the topic is created (default ${DEFAULT-VALUE})")
    int partitions;
    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "Kafka bootstrap servers (default: TRIBUTARY_KAFKA_BOOTSTRAP)")
    String bootstrap;

    @Override
    public Integer call() {
        validate();
        String bs = bootstrap != null ? bootstrap : Home.require(Home.env(), "TRIBUTARY_KAFKA_BOOTSTRAP");
        LoadProducer lp = new LoadProducer(bs);
        int parts;
        LoadProducer.Stats s;
        try {
            parts = lp.ensureTopic(topic, partitions);
            boolean tty = System.console() != null;
            s = lp.produce(topic, count, rate, new EventGenerator(seed, badRatio), n -> {
                if (tty) {
                    System.err.printf("\rproduced %,d of %,d", n, count);
                }
            });
            if (tty) {
                System.err.print("\r\033[K");
            }
        } catch (IllegalStateException e) {
            throw new CliException(e.getMessage());
        }
        System.out.printf("produced %,d events (%,d good, %,d malformed) to %s (%d partitions) in %.1f s: %,.0f events/s, %.1f MiB/s%n",
                s.sent(), s.sent() - s.bad(), s.bad(), topic, parts, s.elapsedNanos() / 1e9, s.eventsPerSecond(), s.mibPerSecond());
        return 0;
    }

    void validate() {
        if (count < 0) {
            throw new CliException("--count must be >= 0, got " + count);
        }
        if (!(badRatio >= 0 && badRatio <= 1)) {
            throw new CliException("--bad-ratio must be between 0 and 1, got " + badRatio);
        }
        if (rate < 0) {
            throw new CliException("--rate must be >= 0, got " + rate);
        }
        if (partitions < 1) {
            throw new CliException("--partitions must be >= 1, got " + partitions);
        }
        if (topic.isBlank() || !topic.matches("[a-zA-Z0-9._-]{1,249}")) {
            throw new CliException("--topic: not a valid Kafka topic name: '" + topic + "'");
        }
    }
}
