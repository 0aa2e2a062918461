package io.tributary.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.bench.load.AvroClicks;
import io.tributary.bench.load.EventGenerator;
import io.tributary.bench.load.LoadProducer;
import io.tributary.formats.registry.RegistryClient;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The Avro variant of the ceiling and end-to-end stages: the same click events (same seed, same field
 * values) as Avro, written by Apache Avro's own writer. The ceiling decodes unframed payloads of the
 * inline schema; end to end, records are framed for the local stack's schema registry (Apicurio) and
 * the runner fetches the schema by id. Reported per MB of Avro input AND per row, beside JSON: an Avro
 * event is about half the bytes of its JSON twin, so MB/CPU-s alone would flatter neither.
 */
final class AvroStage {
    private final Bench bench;
    private final Results res;

    AvroStage(Bench bench) {
        this.bench = bench;
        this.res = bench.results();
    }

    void run() {
        ceiling();
        endToEnd();
    }

    private void ceiling() {
        Path events = bench.work().resolve("events-avro.bin");
        Path table = bench.work().resolve("ceiling-avro.yaml");
        long bytes = 0;
        long events0 = bench.sizes().ceilingEvents();
        try {
            Files.createDirectories(bench.work());
            EventGenerator gen = new EventGenerator(Bench.seed(), 0, new AvroClicks(0));
            try (DataOutputStream o = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(events), 1 << 20))) {
                for (long i = 0; i < events0; i++) {
                    byte[] framed = gen.next().value();
                    byte[] payload = Arrays.copyOfRange(framed, 5, framed.length); // the ceiling table is unframed
                    bytes += payload.length;
                    o.writeInt(payload.length);
                    o.write(payload);
                }
            }
            Files.writeString(table, BenchTable.avroYaml("bench_ceiling_avro", "127.0.0.1:9092", "bench", "bucket", "5s",
                    null, null));
        } catch (IOException e) {
            throw new BenchException("cannot write the Avro event sample: " + e.getMessage());
        }
        JsonNode r = bench.runCeiling(table, events, "ceiling-avro");
        ObjectNode d = res.details("avro_ceiling");
        Bench.copy(r, d);
        d.put("sample_events", events0).put("sample_bytes", bytes);
        res.put("avro_ceiling_mb_per_cpu_s", r.path("ceiling_mb_per_cpu_s").asDouble());
        res.put("avro_decode_mb_per_cpu_s", r.path("decode_mb_per_cpu_s").asDouble());
        res.put("avro_ceiling_rows_per_cpu_s", r.path("rows_per_cpu_s").asDouble());
        JsonNode json = res.details("ceiling").get("rows_per_cpu_s");
        if (json != null && json.asDouble() > 0) {
            res.put("avro_vs_json_ceiling_rows_ratio", r.path("rows_per_cpu_s").asDouble() / json.asDouble());
        }
    }

    private void endToEnd() {
        String url = bench.stack().schemaRegistryUrl().toString();
        String topic = "bench_avro";
        String subject = topic + "-value";
        int id = new RegistryClient(url).register(subject, "AVRO", AvroClicks.SCHEMA);
        LoadProducer lp = new LoadProducer(bench.env().get("TRIBUTARY_KAFKA_BOOTSTRAP"));
        lp.ensureTopic(topic, bench.sizes().partitions());
        long count = bench.e2eRecords() > 0 ? bench.e2eRecords()
                : (long) (bench.sizes().e2eBytes() / 250.0); // the JSON twin of an event is ~250 bytes
        System.err.printf("bench: loading %,d Avro events into %s (schema id %d)%n", count, topic, id);
        LoadProducer.Stats s = lp.produce(topic, count, 0, new EventGenerator(Bench.seed(), 0, new AvroClicks(id)), n -> {
        });
        ObjectNode d = res.details("avro_e2e");
        d.put("topic", topic).put("records", s.sent()).put("bytes", s.bytes()).put("schema_id", id)
                .put("avg_event_bytes", Results.round(s.bytes() / (double) s.sent()));
        String table = "bench_avro";
        bench.createTable(BenchTable.avroYaml(table, bench.env().get("TRIBUTARY_KAFKA_BOOTSTRAP"), topic,
                bench.env().get("TRIBUTARY_BUCKET"), "5s", url, subject));
        try (Bench.RunningRunner r = bench.startRunner("bench-runner-avro", table, List.of())) {
            long ready = r.awaitReady(Duration.ofSeconds(90));
            long done = bench.awaitCommitted(table, s.sent(), r.proc(),
                    Duration.ofSeconds(Math.max(bench.sizes().stageTimeoutSeconds(), s.bytes() / 1_000_000)));
            long firstConsumed = r.sampler().firstTimeAbove("tributary_records_consumed_total", 0);
            if (firstConsumed > 0 && firstConsumed < done) {
                ready = firstConsumed;
            }
            double cpu = r.sampler().cpuAt(done) - r.sampler().cpuAt(ready);
            Bench.threadCpu(r.proc(), d);
            double mb = s.bytes() / 1e6;
            res.put("avro_e2e_mb_per_cpu_s", mb / cpu);
            res.put("avro_e2e_rows_per_cpu_s", s.sent() / cpu);
            d.put("runner_cpu_s_after_start", Results.round(cpu)).put("wall_s_after_start", Results.round((done - ready) / 1000.0))
                    .put("runner_peak_rss_mb", Results.round(r.proc().peakRssMb()));
            Double jsonMb = res.get("e2e_mb_per_cpu_s");
            if (jsonMb != null && bench.avgEventBytes() > 0) {
                double jsonRows = jsonMb * 1e6 / bench.avgEventBytes();
                res.put("json_e2e_rows_per_cpu_s", jsonRows);
                res.put("avro_vs_json_e2e_rows_ratio", s.sent() / cpu / jsonRows);
            }
        }
        long rows = Chains.all(bench.catalog(), table, bench.sizes().partitions()).stream()
                .mapToLong(io.tributary.catalog.CommitRecord::rows).sum();
        if (rows != s.sent()) {
            res.note("avro e2e: " + rows + " rows committed for " + s.sent() + " records produced");
        }
    }
}
