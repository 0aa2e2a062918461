package io.tributary.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.catalog.ColumnType;
import io.tributary.catalog.DynamoCatalog;
import io.tributary.catalog.StoredTable;
import io.tributary.catalog.TableDefinition;
import io.tributary.formats.registry.RegistryClient;
import io.tributary.infra.LocalStack;
import io.tributary.infra.LocalStackExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Avro topics framed by a real schema registry (Apicurio, in the local stack), landed by the runner as a
 * child process and read back with DuckDB: exactly once across a SIGKILL; the writer schema changes
 * mid-stream (a field added, a field with a default removed) with no dead letter; a column added to the
 * table picks the new field up; malformed framing, unknown ids and truncated payloads are dead letters
 * naming the cause; the registry stopped mid-stream pauses the partitions at the first record of an id
 * not seen yet and they resume, with nothing lost, when it is back.
 */
@ExtendWith(LocalStackExtension.class)
class FormatsIT {
    private static final int PARTITIONS = 4;

    static final String V1 = """
            {"type":"record","name":"Click","namespace":"it","fields":[
              {"name":"event_id","type":"string"},
              {"name":"user_id","type":"long"},
              {"name":"country","type":["null","string"],"default":null},
              {"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
              {"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":12,"scale":2}}]}""";
    /** v2 adds session (default 0). */
    static final String V2 = V1.replace(
            "\"scale\":2}}]}", "\"scale\":2}},\n  {\"name\":\"session\",\"type\":\"int\",\"default\":0}]}");
    /** v3 removes country (it had a default). */
    static final String V3 = V2.replace("  {\"name\":\"country\",\"type\":[\"null\",\"string\"],\"default\":null},\n", "");
    /** v4 adds referrer (default ""). */
    static final String V4 = V3.replace("\"default\":0}]}", "\"default\":0},\n  {\"name\":\"referrer\",\"type\":\"string\","
            + "\"default\":\"\"}]}");

    @TempDir
    Path tmp;

    @Test
    void avroWithSchemaChangesSigkillBadFramingAndARegistryOutage(LocalStack stack) throws Exception {
        assertThat(V3).doesNotContain("country");
        assertThat(V4).contains("referrer").contains("session");
        String registryUrl = stack.schemaRegistryUrl().toString();
        RegistryClient registry = new RegistryClient(registryUrl);
        String table = ItSupport.unique("avro");
        String topic = table + "-in";
        String subject = topic + "-value";
        ItSupport.createTopic(stack, topic, PARTITIONS);
        DynamoCatalog catalog = ItSupport.catalog(stack, stack.catalogTable());
        createTable(catalog, stack, table, topic, TableDefinition.Format.AVRO, registryUrl, subject);
        FramedRecords sent = new FramedRecords();
        int id1 = registry.register(subject, "AVRO", V1);
        sent.send(stack, topic, PARTITIONS, 0, 4_000, 50, "v1", i -> avro(V1, id1, i));
        landSomeThenSigkill(stack, catalog, table);
        int id2 = registry.register(subject, "AVRO", V2);
        assertThat(id2).isNotEqualTo(id1);
        sent.send(stack, topic, PARTITIONS, 4_000, 7_000, 50, "v2", i -> avro(V2, id2, i));
        try (RunnerProcess b = runner(stack, table, "b")) {
            awaitCommitted(catalog, table, sent, b);
            assertThat(b.terminate(Duration.ofSeconds(60))).isZero();
        }
        // the table adds a column for the field v2 added: a new definition version
        StoredTable stored = catalog.getTable(table).orElseThrow();
        catalog.updateTable(stored.definition().toBuilder()
                .column(new TableDefinition.Column("session", ColumnType.parse("int"), "$.session", true)).build(),
                stored.version());
        int id3 = registry.register(subject, "AVRO", V3);
        sent.send(stack, topic, PARTITIONS, 7_000, 9_000, 50, "v3", i -> avro(V3, id3, i));
        try (RunnerProcess c = runner(stack, table, "c")) {
            awaitCommitted(catalog, table, sent, c);
            // the registry goes away; records of a schema the runner has not seen yet wait for it
            int id4 = registry.register(subject, "AVRO", V4);
            stack.stopSchemaRegistry();
            Map<Integer, Long> before = sent.ends();
            sent.send(stack, topic, PARTITIONS, 9_000, 10_000, 0, "v4", i -> avro(V4, id4, i));
            ItSupport.await(Duration.ofMinutes(2), "every partition paused for the registry (log " + c.log + ")",
                    () -> heldPartitions(c.log) == PARTITIONS);
            assertThat(ItSupport.committed(catalog, table, PARTITIONS)).as("nothing past the v4 records committed")
                    .isEqualTo(before);
            stack.restartSchemaRegistry();
            awaitCommitted(catalog, table, sent, c);
            assertThat(c.terminate(Duration.ofSeconds(60))).isZero();
        }

        LandedRows landed = LandedRows.read(catalog, ItSupport.s3(stack), stack.bucket(), table, PARTITIONS,
                tmp.resolve("parts"), List.of("event_id", "user_id", "country", "amount", "session"));
        landed.assertExactlyOnce(sent);
        sent.sent.forEach((p, offs) -> offs.forEach((off, x) -> {
            if (x.bad()) {
                return;
            }
            Map<String, Object> v = landed.row(p, off).values();
            assertThat(v.get("user_id")).isEqualTo(x.i());
            assertThat(new BigDecimal(v.get("amount").toString())).isEqualByComparingTo(amount(x.i()));
            boolean hasCountry = x.phase().equals("v1") || x.phase().equals("v2");
            assertThat(v.get("country")).as("country of %s", x).isEqualTo(hasCountry ? "c" + (x.i() % 7) : null);
            boolean hasSession = x.phase().equals("v3") || x.phase().equals("v4");
            assertThat(v.get("session")).as("session of %s", x).isEqualTo(hasSession ? (int) (x.i() % 1000) : null);
        }));
        assertThat(catalog.audit(table).problems()).isEmpty();
        assertThat(catalog.audit(table).exact()).isTrue();
    }

    static final String P1 = """
            syntax = "proto3";
            package it;
            import "google/protobuf/timestamp.proto";
            // a click, as the test producer writes it
            message Click {
              string event_id = 1;
              int64 user_id = 2;
              optional string country = 3;
              google.protobuf.Timestamp ts = 4;
              string amount = 5;
            }
            """;
    /** p2 adds session. */
    static final String P2 = P1.replace("  string amount = 5;\n", "  string amount = 5;\n  int32 session = 6;\n");
    /** p3 removes country. */
    static final String P3 = P2.replace("  optional string country = 3;\n", "  reserved 3;\n");

    @Test
    void protobufWithSchemaChangesSigkillAndBadFraming(LocalStack stack) throws Exception {
        assertThat(P2).contains("session = 6");
        assertThat(P3).doesNotContain("country");
        String registryUrl = stack.schemaRegistryUrl().toString();
        RegistryClient registry = new RegistryClient(registryUrl);
        String table = ItSupport.unique("proto");
        String topic = table + "-in";
        String subject = topic + "-value";
        ItSupport.createTopic(stack, topic, PARTITIONS);
        DynamoCatalog catalog = ItSupport.catalog(stack, stack.catalogTable());
        createTable(catalog, stack, table, topic, TableDefinition.Format.PROTOBUF, registryUrl, subject);
        FramedRecords sent = new FramedRecords();
        int id1 = registry.register(subject, "PROTOBUF", P1);
        sent.send(stack, topic, PARTITIONS, 0, 4_000, 50, "v1", i -> proto(P1, id1, i));
        landSomeThenSigkill(stack, catalog, table);
        int id2 = registry.register(subject, "PROTOBUF", P2);
        sent.send(stack, topic, PARTITIONS, 4_000, 7_000, 50, "v2", i -> proto(P2, id2, i));
        try (RunnerProcess b = runner(stack, table, "b")) {
            awaitCommitted(catalog, table, sent, b);
            assertThat(b.terminate(Duration.ofSeconds(60))).isZero();
        }
        StoredTable stored = catalog.getTable(table).orElseThrow();
        catalog.updateTable(stored.definition().toBuilder()
                .column(new TableDefinition.Column("session", ColumnType.parse("int"), "$.session", true)).build(),
                stored.version());
        // Apicurio's BACKWARD rule refuses a removed Protobuf field (Confluent's accepts it): this subject takes any change
        compatibility(registryUrl, subject, "NONE");
        int id3 = registry.register(subject, "PROTOBUF", P3);
        sent.send(stack, topic, PARTITIONS, 7_000, 9_000, 50, "v3", i -> proto(P3, id3, i));
        try (RunnerProcess c = runner(stack, table, "c")) {
            awaitCommitted(catalog, table, sent, c);
            assertThat(c.terminate(Duration.ofSeconds(60))).isZero();
        }

        LandedRows landed = LandedRows.read(catalog, ItSupport.s3(stack), stack.bucket(), table, PARTITIONS,
                tmp.resolve("proto-parts"), List.of("event_id", "user_id", "country", "amount", "session", "epoch_ms(ts) AS ts_ms"));
        landed.assertExactlyOnce(sent);
        sent.sent.forEach((p, offs) -> offs.forEach((off, x) -> {
            if (x.bad()) {
                return;
            }
            Map<String, Object> v = landed.row(p, off).values();
            assertThat(v.get("user_id")).isEqualTo(x.i());
            assertThat(((Number) v.get("epoch_ms(ts) AS ts_ms")).longValue()).isEqualTo(1_780_000_000_000L + x.i());
            assertThat(new BigDecimal(v.get("amount").toString())).isEqualByComparingTo(amount(x.i()));
            boolean hasCountry = !x.phase().equals("v3");
            assertThat(v.get("country")).as("country of %s", x).isEqualTo(hasCountry ? "c" + (x.i() % 7) : null);
            assertThat(v.get("session")).as("session of %s", x)
                    .isEqualTo(x.phase().equals("v3") ? (int) (x.i() % 1000) : null);
        }));
        assertThat(catalog.audit(table).exact()).isTrue();
    }

    /** Sets a subject's compatibility level (Confluent API {@code PUT /config/<subject>}). */
    static void compatibility(String registryUrl, String subject, String level) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(registryUrl + "/config/" + subject))
                        .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                        .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"compatibility\":\"" + level + "\"}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("PUT /config/%s: %s", subject, r.body()).isEqualTo(200);
    }

    /** Record i written with {@code protoText} by protobuf-java's DynamicMessage, framed with {@code id} and indexes [0]. */
    static byte[] proto(String protoText, int id, long i) {
        com.google.protobuf.Descriptors.Descriptor d = io.tributary.formats.proto.ProtoDescriptors.build(
                io.tributary.formats.proto.ProtoParser.parse(protoText)).findMessageTypeByName("Click");
        long ms = 1_780_000_000_000L + i;
        com.google.protobuf.DynamicMessage.Builder b = com.google.protobuf.DynamicMessage.newBuilder(d)
                .setField(d.findFieldByName("event_id"), "e" + i)
                .setField(d.findFieldByName("user_id"), i)
                .setField(d.findFieldByName("ts"), com.google.protobuf.Timestamp.newBuilder().setSeconds(ms / 1000)
                        .setNanos((int) (ms % 1000) * 1_000_000).build())
                .setField(d.findFieldByName("amount"), amount(i).toPlainString());
        if (d.findFieldByName("country") != null) {
            b.setField(d.findFieldByName("country"), "c" + (i % 7));
        }
        if (d.findFieldByName("session") != null) {
            b.setField(d.findFieldByName("session"), (int) (i % 1000));
        }
        return FramedRecords.frame(id, FramedRecords.FIRST_MESSAGE, b.build().toByteArray());
    }

    /** The test table: event_id, user_id, country, ts, amount; records framed by {@code registryUrl}. */
    static void createTable(DynamoCatalog catalog, LocalStack stack, String table, String topic, TableDefinition.Format format,
            String registryUrl, String subject) {
        catalog.createTable(TableDefinition.builder(table).source(stack.kafkaBootstrap(), topic).format(format)
                .writerSchema(TableDefinition.WriterSchema.of(TableDefinition.Registry.of(registryUrl, subject)))
                .column(new TableDefinition.Column("event_id", ColumnType.parse("string"), "$.event_id", false))
                .column(new TableDefinition.Column("user_id", ColumnType.parse("long"), "$.user_id", false))
                .column(new TableDefinition.Column("country", ColumnType.parse("string"), "$.country", true))
                .column(new TableDefinition.Column("ts", ColumnType.parse("timestamp"), "$.ts", true))
                .column(new TableDefinition.Column("amount", ColumnType.parse("decimal(12,2)"), "$.amount", true))
                .output(new TableDefinition.Output(stack.bucket(), "tables", null))
                .flush(new TableDefinition.Flush(2_000, 64L << 20, 300)).build(), Map.of(0, 0L, 1, 0L, 2, 0L, 3, 0L));
    }

    /** Runner "a" lands part of what was sent and is SIGKILLed. */
    static void landSomeThenSigkill(LocalStack stack, DynamoCatalog catalog, String table) throws Exception {
        try (RunnerProcess a = runner(stack, table, "a")) {
            ItSupport.await(Duration.ofMinutes(3), "runner a committed some records",
                    () -> committed(catalog, table) >= 1_000 || !a.alive());
            assertThat(a.alive()).as("runner a alive (log %s)", a.log).isTrue();
            a.kill();
        }
    }

    static RunnerProcess runner(LocalStack stack, String table, String name) throws IOException {
        return RunnerProcess.start(stack, stack.catalogTable(), table + "-" + name, Map.of(), "--table", table,
                "--partitions", "0-" + (PARTITIONS - 1), "--id", table + "-" + name);
    }

    static void awaitCommitted(DynamoCatalog catalog, String table, FramedRecords sent, RunnerProcess r)
            throws InterruptedException {
        Map<Integer, Long> ends = sent.ends();
        ItSupport.await(Duration.ofMinutes(3), "committed up to " + ends + " (log " + r.log + ")",
                () -> ItSupport.committed(catalog, table, PARTITIONS).equals(ends) || !r.alive());
        assertThat(r.alive()).as("runner alive (log %s)", r.log).isTrue();
    }

    static long committed(DynamoCatalog catalog, String table) {
        return ItSupport.committed(catalog, table, PARTITIONS).values().stream().mapToLong(Long::longValue).sum();
    }

    /** How many partitions the runner logged as paused for the schema registry. */
    static long heldPartitions(Path log) {
        java.util.regex.Pattern p = java.util.regex.Pattern.compile("partition (\\d+): offset \\d+ cannot be decoded yet");
        try {
            return Files.readAllLines(log).stream().map(p::matcher).filter(java.util.regex.Matcher::find)
                    .map(m -> m.group(1)).distinct().count();
        } catch (IOException e) {
            return 0;
        }
    }

    static BigDecimal amount(long i) {
        return BigDecimal.valueOf(i % 100_000, 2);
    }

    /** Record i written with {@code schemaText} by Apache Avro's writer, framed with {@code id}. */
    static byte[] avro(String schemaText, int id, long i) {
        Schema s = new Schema.Parser().parse(schemaText);
        GenericRecord r = new GenericData.Record(s);
        r.put("event_id", "e" + i);
        r.put("user_id", i);
        if (s.getField("country") != null) {
            r.put("country", "c" + (i % 7));
        }
        r.put("ts", 1_780_000_000_000L + i);
        r.put("amount", ByteBuffer.wrap(amount(i).unscaledValue().toByteArray()));
        if (s.getField("session") != null) {
            r.put("session", (int) (i % 1000));
        }
        if (s.getField("referrer") != null) {
            r.put("referrer", "ref-" + i);
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(s).write(r, enc);
            enc.flush();
            return FramedRecords.frame(id, new byte[0], out.toByteArray());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
