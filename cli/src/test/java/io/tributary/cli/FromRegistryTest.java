package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.tributary.bench.load.AvroClicks;
import io.tributary.bench.load.ProtoClicks;
import io.tributary.catalog.ColumnType;
import io.tributary.catalog.TableDefinition;
import io.tributary.catalog.TableDefinitions;
import io.tributary.formats.registry.RegistrySchema;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code table create --from-registry}: the YAML derived from an Avro or Protobuf subject (columns,
 * names, quoting), proven by parsing it back; the command against a fake registry; option errors.
 */
class FromRegistryTest {
    static final Map<String, String> ENV = Map.of("TRIBUTARY_KAFKA_BOOTSTRAP", "127.0.0.1:9092", "TRIBUTARY_BUCKET", "bkt",
            "TRIBUTARY_SCHEMA_REGISTRY_URL", "http://127.0.0.1:1/apis/ccompat/v7");

    static final String ORDER_AVSC = """
            {"type": "record", "name": "Order", "namespace": "shop", "fields": [
              {"name": "orderId", "type": "string"},
              {"name": "customer", "type": {"type": "record", "name": "Customer", "fields": [
                {"name": "id", "type": "long"},
                {"name": "email", "type": ["null", "string"], "default": null}]}},
              {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}},
              {"name": "total", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
              {"name": "placed", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "note", "type": ["null", "string"], "default": null},
              {"name": "items", "type": {"type": "array", "items": "string"}},
              {"name": "choice", "type": ["int", "string"]}
            ]}""";

    static final String ORDER_PROTO = """
            syntax = "proto3";
            package shop;
            import "google/protobuf/timestamp.proto";
            message Order {
              string order_id = 1;
              Customer customer = 2;
              google.protobuf.Timestamp placed = 3;
              repeated string items = 4;
              map<string, string> tags = 5;
            }
            message Customer { int64 id = 1; string email = 2; }
            message Refund { string order_id = 1; double amount = 2; }
            """;

    @TempDir
    Path dir;
    private HttpServer server;
    private final Map<String, String> subjects = new HashMap<>();
    private final PrintStream realOut = System.out;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @BeforeEach
    void fakeRegistry() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            String subject = path.replaceFirst("^/subjects/", "").replaceFirst("/versions/latest$", "");
            String body = subjects.get(subject);
            byte[] b = (body == null ? "{\"error_code\":40401,\"message\":\"Subject not found\"}" : body)
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(body == null ? 404 : 200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        System.setOut(realOut);
        server.stop(0);
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/apis/ccompat/v7";
    }

    private void subject(String name, int id, int version, String type, String text) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("subject", name);
        o.put("version", version);
        o.put("id", id);
        o.put("schemaType", type);
        o.put("schema", text);
        subjects.put("/apis/ccompat/v7/subjects/" + name, o.toString());
    }

    private static DerivedTable.Request request(String subject) {
        return new DerivedTable.Request(subject, null, null, null, "http://reg:8081", null);
    }

    @Test
    void avroColumnsNestedUnionEnumDecimalArray() {
        RegistrySchema s = new RegistrySchema(7, "AVRO", ORDER_AVSC, "orders-value", 3);
        String yaml = DerivedTable.yaml(s, request("orders-value"));
        TableDefinition d = TableDefinitions.fromYaml(yaml, ENV, dir);
        assertThat(d.name()).isEqualTo("orders");
        assertThat(d.source().topic()).isEqualTo("orders");
        assertThat(d.source().start()).isEqualTo("earliest");
        assertThat(d.format()).isEqualTo(TableDefinition.Format.AVRO);
        assertThat(d.writerSchema().registry().url()).isEqualTo(ENV.get("TRIBUTARY_SCHEMA_REGISTRY_URL"));
        assertThat(d.writerSchema().registry().subject()).isEqualTo("orders-value");
        assertThat(d.columns()).extracting(TableDefinition.Column::name).containsExactly("order_id", "customer_id",
                "customer_email", "status", "total", "placed", "note", "items", "choice");
        assertThat(d.column("order_id").nullable()).isFalse();
        assertThat(d.column("customer_id").path()).isEqualTo("$.customer.id");
        assertThat(d.column("customer_email").nullable()).isTrue();
        assertThat(d.column("status").type()).isEqualTo(ColumnType.of(ColumnType.Kind.STRING));
        assertThat(d.column("total").type()).isEqualTo(ColumnType.decimal(10, 2));
        assertThat(d.column("placed").type()).isEqualTo(ColumnType.of(ColumnType.Kind.TIMESTAMP));
        assertThat(d.column("note").nullable()).isTrue();
        assertThat(d.column("items").type()).isEqualTo(ColumnType.of(ColumnType.Kind.JSON));
        assertThat(d.column("choice").type()).isEqualTo(ColumnType.of(ColumnType.Kind.JSON));
        assertThat(d.metadata()).containsExactly("_partition", "_offset", "_timestamp");
        assertThat(d.output().bucket()).isEqualTo("bkt");
        assertThat(d.output().prefix()).isEqualTo("tables");
        assertThat(d.errors().policy()).isEqualTo(TableDefinition.ErrorPolicy.DLQ);
        assertThat(yaml).startsWith("# Derived by `tributary table create --from-registry orders-value` from subject"
                + " orders-value version 3 (schema id 7, AVRO)")
                .contains("  url: ${TRIBUTARY_SCHEMA_REGISTRY_URL}\n")
                .contains("  - { name: total,          type: \"decimal(10,2)\", path: $.total, nullable: false }\n")
                .contains("  - { name: order_id,       type: string,          path: $.orderId, nullable: false }\n");
    }

    @Test
    void theClickSchemaDerivesTheExampleColumns() {
        String yaml = DerivedTable.yaml(new RegistrySchema(1, "AVRO", AvroClicks.SCHEMA, "t-value", 1), request("t-value"));
        TableDefinition d = TableDefinitions.fromYaml(yaml, ENV, dir);
        assertThat(d.name()).isEqualTo("t");
        assertThat(d.columns()).extracting(TableDefinition.Column::name).containsExactly("event_id", "user_id", "user_country",
                "ts", "amount", "session", "price", "is_mobile", "day", "attrs_ref", "attrs_ab", "attrs_clicks", "url");
        assertThat(d.column("amount").type()).isEqualTo(ColumnType.decimal(12, 2));
        assertThat(d.column("day").type()).isEqualTo(ColumnType.of(ColumnType.Kind.DATE));
    }

    @Test
    void protobufColumnsOfTheFirstOrANamedMessage() {
        RegistrySchema s = new RegistrySchema(9, "PROTOBUF", ORDER_PROTO, "orders-value", 1);
        String yaml = DerivedTable.yaml(s, request("orders-value"));
        TableDefinition d = TableDefinitions.fromYaml(yaml, ENV, dir);
        assertThat(d.format()).isEqualTo(TableDefinition.Format.PROTOBUF);
        assertThat(yaml).contains("(schema id 9, PROTOBUF, message shop.Order)");
        assertThat(d.columns()).extracting(TableDefinition.Column::name).containsExactly("order_id", "customer_id",
                "customer_email", "placed", "items", "tags");
        assertThat(d.column("placed").type()).isEqualTo(ColumnType.of(ColumnType.Kind.TIMESTAMP));
        assertThat(d.column("tags").type()).isEqualTo(ColumnType.of(ColumnType.Kind.JSON));

        String refund = DerivedTable.yaml(s, new DerivedTable.Request("orders-value", "refunds", "refunds", null, "u", "Refund"));
        TableDefinition r = TableDefinitions.fromYaml(refund, ENV, dir);
        assertThat(r.name()).isEqualTo("refunds");
        assertThat(r.columns()).extracting(TableDefinition.Column::name).containsExactly("order_id", "amount");
        assertThatThrownBy(() -> DerivedTable.yaml(s, new DerivedTable.Request("orders-value", null, null, null, "u", "Nope")))
                .hasMessageContaining("no message 'Nope'");
    }

    @Test
    void theProtoClickSchemaDerivesTimestampAndStrings() {
        String yaml = DerivedTable.yaml(new RegistrySchema(2, "PROTOBUF", ProtoClicks.SCHEMA, "clicks_proto-value", 1),
                request("clicks_proto-value"));
        TableDefinition d = TableDefinitions.fromYaml(yaml, ENV, dir);
        assertThat(d.name()).isEqualTo("clicks_proto");
        assertThat(d.column("user_id").type()).isEqualTo(ColumnType.of(ColumnType.Kind.LONG));
        assertThat(d.column("ts").type()).isEqualTo(ColumnType.of(ColumnType.Kind.TIMESTAMP));
        assertThat(d.column("amount").type()).isEqualTo(ColumnType.of(ColumnType.Kind.STRING));
        assertThat(yaml).contains("message tributary.examples.Click");
    }

    @Test
    void namesAreSanitizedAndOddValuesQuoted() {
        assertThat(DerivedTable.sanitize("Clicks-Avro")).isEqualTo("clicks_avro");
        assertThat(DerivedTable.sanitize("com.acme.Order")).isEqualTo("com_acme_order");
        assertThat(DerivedTable.sanitize("2024.events")).isEqualTo("t_2024_events");
        assertThat(DerivedTable.sanitize("--x--")).isEqualTo("x");
        assertThat(DerivedTable.sanitize("x".repeat(80))).hasSize(63).matches("[a-z][a-z0-9_]{0,62}");
        assertThat(DerivedTable.sanitize("")).matches("[a-z][a-z0-9_]{0,62}");
        assertThat(DerivedTable.base("clicks-value")).isEqualTo("clicks");
        assertThat(DerivedTable.base("com.acme.Order")).isEqualTo("com.acme.Order");
        assertThat(DerivedTable.scalar("clicks-value")).isEqualTo("clicks-value");
        assertThat(DerivedTable.scalar("yes")).isEqualTo("\"yes\"");
        assertThat(DerivedTable.scalar("http://h:1/x")).isEqualTo("\"http://h:1/x\"");

        RegistrySchema s = new RegistrySchema(1, "AVRO", ORDER_AVSC, "Shop.Orders-v2-value", 1);
        String yaml = DerivedTable.yaml(s, new DerivedTable.Request("Shop.Orders-v2-value", null, null,
                "http://reg.example:8081/apis/ccompat/v7", "http://reg.example:8081/apis/ccompat/v7", null));
        TableDefinition d = TableDefinitions.fromYaml(yaml, ENV, dir);
        assertThat(d.name()).isEqualTo("shop_orders_v2");
        assertThat(d.source().topic()).isEqualTo("Shop.Orders-v2");
        assertThat(d.writerSchema().registry().url()).isEqualTo("http://reg.example:8081/apis/ccompat/v7");
        assertThat(d.writerSchema().registry().subject()).isEqualTo("Shop.Orders-v2-value");
    }

    @Test
    void jsonSchemasAreRefused() {
        assertThatThrownBy(() -> DerivedTable.yaml(new RegistrySchema(1, "JSON", "{}", "x-value", 1), request("x-value")))
                .hasMessageContaining("JSON schema");
    }

    @Test
    void dryRunPrintsValidYamlFromTheRegistry() throws Exception {
        subject("clicks_avro-value", 4, 2, "AVRO", AvroClicks.SCHEMA);
        ArgumentErrorsTest.Run r = ArgumentErrorsTest.run("table", "create", "--from-registry", "clicks_avro-value",
                "--registry", url(), "--dry-run");
        assertThat(r.code()).as(r.err()).isZero();
        String yaml = out.toString(StandardCharsets.UTF_8);
        assertThat(yaml).contains("version 2 (schema id 4, AVRO)").contains("url: \"" + url() + "\"")
                .contains("name: user_id").contains("subject: clicks_avro-value");
        assertThat(TableDefinitions.fromYaml(yaml, ENV, dir).name()).isEqualTo("clicks_avro");

        Path file = dir.resolve("derived.yaml");
        r = ArgumentErrorsTest.run("table", "create", "--from-registry", "clicks_avro-value", "--registry", url(),
                "--name", "mine", "--topic", "other", "--dry-run", "-o", file.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("wrote the definition derived from subject clicks_avro-value"
                + " version 2 (schema id 4) to " + file);
        TableDefinition d = TableCommand.readDefinition(file, ENV);
        assertThat(d.name()).isEqualTo("mine");
        assertThat(d.source().topic()).isEqualTo("other");

        ArgumentErrorsTest.Run again = ArgumentErrorsTest.run("table", "create", "--from-registry", "clicks_avro-value",
                "--registry", url(), "--dry-run", "-o", file.toString());
        ArgumentErrorsTest.oneLine(again, "--output " + file + " exists");
    }

    @Test
    void registryErrorsAreOneLine() {
        ArgumentErrorsTest.oneLine(ArgumentErrorsTest.run("table", "create", "--from-registry", "missing-value", "--registry",
                url(), "--dry-run"), "has no subject 'missing-value'", url());
        ArgumentErrorsTest.oneLine(ArgumentErrorsTest.run("table", "create", "--from-registry", "x-value", "--registry",
                "http://127.0.0.1:1/apis/ccompat/v7", "--dry-run"), "cannot read subject 'x-value' from schema registry"
                + " http://127.0.0.1:1/apis/ccompat/v7");
        subject("p-value", 5, 1, "PROTOBUF", ORDER_PROTO);
        ArgumentErrorsTest.oneLine(ArgumentErrorsTest.run("table", "create", "--from-registry", "p-value", "--registry", url(),
                "--message", "Nope", "--dry-run"), "cannot derive columns from subject 'p-value'", "no message 'Nope'");
        subject("a-value", 6, 1, "AVRO", ORDER_AVSC);
        ArgumentErrorsTest.oneLine(ArgumentErrorsTest.run("table", "create", "--from-registry", "a-value", "--registry", url(),
                "--message", "Order", "--dry-run"), "--message is only for Protobuf subjects");
    }

    @Test
    void optionErrors() {
        ArgumentErrorsTest.Run none = ArgumentErrorsTest.run("table", "create");
        ArgumentErrorsTest.oneLine(none, "give --file FILE.yaml or --from-registry SUBJECT");
        assertThat(none.code()).isEqualTo(2);
        ArgumentErrorsTest.oneLine(ArgumentErrorsTest.run("table", "create", "-f", "x.yaml", "--from-registry", "s"),
                "--file and --from-registry are mutually exclusive");
        ArgumentErrorsTest.oneLine(ArgumentErrorsTest.run("table", "create", "-f", "x.yaml", "--name", "n"),
                "--name is only for --from-registry");
        ArgumentErrorsTest.oneLine(ArgumentErrorsTest.run("table", "create", "--from-registry", "s-value", "--name", "Bad-Name"),
                "--name must match [a-z][a-z0-9_]{0,62}, got 'Bad-Name'");
        ArgumentErrorsTest.oneLine(ArgumentErrorsTest.run("table", "create", "--from-registry", "s-value", "--topic", "bad topic"),
                "--topic is not a Kafka topic name");
        ArgumentErrorsTest.oneLine(ArgumentErrorsTest.run("table", "create", "--from-registry", "a b"),
                "the subject without -value is not a Kafka topic name", "give --topic");
        ArgumentErrorsTest.oneLine(ArgumentErrorsTest.run("produce", "--topic", "t", "--count", "1", "--format", "xml"),
                "--format must be json, avro or protobuf, got 'xml'");
        ArgumentErrorsTest.oneLine(ArgumentErrorsTest.run("produce", "--topic", "t", "--count", "1", "--subject", "s"),
                "--subject is only for --format avro|protobuf");
    }

    @Test
    void createWithAnUnreachableRegistryWarnsButDoesNotFail() throws Exception {
        TableDefinition d = TableDefinitions.fromYaml(DerivedTable.yaml(new RegistrySchema(1, "AVRO", AvroClicks.SCHEMA,
                "t-value", 1), request("t-value")), ENV, dir);
        assertThat(Registries.subjectWarning(d)).hasValueSatisfying(w -> assertThat(w).startsWith("warning: cannot check"
                + " subject 't-value' at schema registry http://127.0.0.1:1/apis/ccompat/v7").doesNotContain("\n"));

        Map<String, String> env = new HashMap<>(ENV);
        env.put("TRIBUTARY_SCHEMA_REGISTRY_URL", url());
        TableDefinition here = TableDefinitions.fromYaml(DerivedTable.yaml(new RegistrySchema(1, "AVRO", AvroClicks.SCHEMA,
                "t-value", 1), request("t-value")), env, dir);
        assertThat(Registries.subjectWarning(here)).hasValueSatisfying(w -> assertThat(w).contains("no subject 't-value'"));
        subject("t-value", 1, 1, "AVRO", AvroClicks.SCHEMA);
        assertThat(Registries.subjectWarning(here)).isEmpty();
        subject("t-value", 1, 1, "PROTOBUF", ProtoClicks.SCHEMA);
        assertThat(Registries.subjectWarning(here)).hasValueSatisfying(w -> assertThat(w).contains("holds a PROTOBUF schema"));
    }

    @Test
    void describeShowsTheFormat() throws Exception {
        Path repo = Path.of(System.getProperty("tributary.repo.root", ".."));
        assertThat(TableCommand.formatLine(TableCommand.readDefinition(repo.resolve("examples/clicks.yaml"), ENV)))
                .isEqualTo("format: json");
        assertThat(TableCommand.formatLine(TableCommand.readDefinition(repo.resolve("examples/clicks-avro.yaml"), ENV)))
                .isEqualTo("format: avro, registry http://127.0.0.1:1/apis/ccompat/v7 subject clicks_avro-value");
        Files.copy(repo.resolve("examples/clicks.proto"), dir.resolve("clicks.proto"));
        String yaml = Files.readString(repo.resolve("examples/clicks-protobuf.yaml"))
                .replaceAll("(?s)registry:\n  url: [^\n]*\n  subject: [^\n]*\n", "schema: { file: clicks.proto, message: Click }\n");
        Path file = Files.writeString(dir.resolve("p.yaml"), yaml);
        TableDefinition d = TableCommand.readDefinition(file, ENV);
        assertThat(d.writerSchema().text()).contains("message Click");
        assertThat(TableCommand.formatLine(d)).isEqualTo("format: protobuf, schema file clicks.proto (message Click)");
    }
}
