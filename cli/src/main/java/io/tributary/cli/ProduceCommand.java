package io.tributary.cli;

import io.tributary.bench.load.AvroClicks;
import io.tributary.bench.load.ClickEncoding;
import io.tributary.bench.load.EventGenerator;
import io.tributary.bench.load.LoadProducer;
import io.tributary.bench.load.ProtoClicks;
import io.tributary.formats.registry.RegistryUnavailableException;
import io.tributary.formats.registry.UnknownSchemaException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tributary produce}: a load generator of realistic click events (JSON, or Avro/Protobuf framed by a schema registry). */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = {"Send realistic click events to a Kafka topic (a load generator).",
            "Events are ~250 bytes with 10 typed fields (see examples/clicks.yaml); the topic is created with --partitions partitions if missing. --bad-ratio injects malformed records "
                + "(invalid JSON, type mismatches, missing event_id) at exactly that ratio.",
            "--format avro|protobuf registers the click schema (examples/clicks.avsc, examples/clicks.proto) under --subject and sends"
                + " records in the schema-registry wire format (see examples/clicks-avro.yaml, clicks-protobuf.yaml); malformed ones are then"
                + " truncated payloads, unknown schema ids and wrong magic bytes."})
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
    @Option(names = "--format", defaultValue = "json", paramLabel = "json|avro|protobuf",
            description = "Record format (default ${DEFAULT-VALUE})")
    String format;
    @Option(names = "--subject", description = "With avro/protobuf: registry subject (default: <topic>-value)")
    String subject;
    @Option(names = "--registry", paramLabel = "URL", description = "With avro/protobuf: schema registry URL (default: TRIBUTARY_SCHEMA_REGISTRY_URL)")
    String registry;

    /** The framed encoding and what to say about it, or null for JSON. */
    record Framed(ClickEncoding encoding, String subject, int schemaId) {
    }

    @Override
    public Integer call() {
        validate();
        String bs = bootstrap != null ? bootstrap : Home.require(Home.env(), "TRIBUTARY_KAFKA_BOOTSTRAP");
        Framed framed = framed();
        LoadProducer lp = new LoadProducer(bs);
        int parts;
        LoadProducer.Stats s;
        try {
            parts = lp.ensureTopic(topic, partitions);
            boolean tty = System.console() != null;
            s = lp.produce(topic, count, rate, new EventGenerator(seed, badRatio, framed == null ? null : framed.encoding()), n -> {
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
        String as = framed == null ? "" : " as " + format + " (subject " + framed.subject() + ", schema id " + framed.schemaId() + ")";
        System.out.printf("produced %,d events (%,d good, %,d malformed) to %s (%d partitions)%s in %.1f s: %,.0f events/s, %.1f MiB/s%n",
                s.sent(), s.sent() - s.bad(), s.bad(), topic, parts, as, s.elapsedNanos() / 1e9, s.eventsPerSecond(), s.mibPerSecond());
        return 0;
    }

    /** For avro/protobuf: registers the click schema under the subject (a no-op when already there). */
    Framed framed() {
        if (format.equals("json")) {
            return null;
        }
        boolean avro = format.equals("avro");
        String url = Registries.url(registry, Home.env(), "--format " + format);
        String subj = subject != null ? subject : topic + "-value";
        int id;
        try {
            id = Registries.client(url).register(subj, avro ? "AVRO" : "PROTOBUF", avro ? AvroClicks.SCHEMA : ProtoClicks.SCHEMA);
        } catch (RegistryUnavailableException | UnknownSchemaException e) {
            throw new CliException("--format " + format + ": cannot register the click schema under subject '" + subj + "' at "
                    + url + ": " + Registries.reason(e), e);
        }
        return new Framed(avro ? new AvroClicks(id) : new ProtoClicks(id), subj, id);
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
        if (!format.equals("json") && !format.equals("avro") && !format.equals("protobuf")) {
            throw new CliException("--format must be json, avro or protobuf, got '" + format + "'");
        }
        if (format.equals("json") && (subject != null || registry != null)) {
            throw new CliException((subject != null ? "--subject" : "--registry") + " is only for --format avro|protobuf");
        }
        if (subject != null && subject.isBlank()) {
            throw new CliException("--subject must not be empty");
        }
    }
}
