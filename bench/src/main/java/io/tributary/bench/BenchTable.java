package io.tributary.bench;

/**
 * The bench's table: every field of {@link io.tributary.bench.load.EventGenerator}'s click events
 * (the CLI's {@code produce} generator, ~250-byte JSON) as typed columns, as a YAML definition
 * (what {@code tributary table create -f} takes) and as the peer's Iceberg schema.
 */
final class BenchTable {
    /** name, type, JSON path, nullable. */
    static final String[][] COLUMNS = {
            {"event_id", "string", "$.event_id", "false"},
            {"user_id", "long", "$.user.id", "true"},
            {"country", "string", "$.user.country", "true"},
            {"ts", "timestamp", "$.ts", "true"},
            {"amount", "decimal(12,2)", "$.amount", "true"},
            {"session", "int", "$.session", "true"},
            {"price", "double", "$.price", "true"},
            {"is_mobile", "boolean", "$.is_mobile", "true"},
            {"day", "date", "$.day", "true"},
            {"attrs", "json", "$.attrs", "true"},
            {"url", "string", "$.url", "true"},
    };

    private BenchTable() {
    }

    /**
     * @param maxAge flush max_age, e.g. {@code 5s} for throughput, {@code 1s} for freshness
     */
    static String yaml(String name, String bootstrap, String topic, String bucket, String maxAge) {
        return yaml(name, bootstrap, topic, bucket, maxAge, null);
    }

    /**
     * @param icebergCommitInterval non-null: an {@code iceberg} section with this {@code commit_interval}
     *                              (e.g. {@code 2s}); null: no section (the definition's defaults)
     */
    static String yaml(String name, String bootstrap, String topic, String bucket, String maxAge, String icebergCommitInterval) {
        return yaml(name, bootstrap, topic, bucket, maxAge, icebergCommitInterval, "format: json\n");
    }

    /**
     * The same columns over the Avro click events ({@code clicks.avsc} nests {@code user} and {@code attrs}
     * like the JSON, so the paths are the same): framed records of {@code registryUrl}, or, when it is
     * null, unframed records of the schema given inline.
     */
    static String avroYaml(String name, String bootstrap, String topic, String bucket, String maxAge, String registryUrl,
            String subject) {
        String format = registryUrl != null
                ? "format: avro\nregistry: { url: \"" + registryUrl + "\", subject: \"" + subject + "\" }\n"
                : "format: avro\nschema:\n  text: |\n" + io.tributary.bench.load.AvroClicks.SCHEMA.indent(4);
        return yaml(name, bootstrap, topic, bucket, maxAge, null, format);
    }

    private static String yaml(String name, String bootstrap, String topic, String bucket, String maxAge,
            String icebergCommitInterval, String format) {
        StringBuilder y = new StringBuilder();
        y.append("name: ").append(name).append('\n');
        y.append("source:\n  bootstrap: \"").append(bootstrap).append("\"\n  topic: ").append(topic).append("\n  start: earliest\n");
        y.append(format).append("columns:\n");
        for (String[] c : COLUMNS) {
            y.append("  - { name: ").append(c[0]).append(", type: \"").append(c[1]).append("\", path: \"").append(c[2])
                    .append("\", nullable: ").append(c[3]).append(" }\n");
        }
        y.append("metadata: [ _partition, _offset, _timestamp ]\n");
        y.append("output:\n  bucket: ").append(bucket).append("\n  prefix: tables\n  compression: zstd\n");
        y.append("flush: { max_rows: 500000, max_bytes: 64MiB, max_age: ").append(maxAge).append(" }\n");
        y.append("errors: { policy: dlq }\n");
        y.append("scaling: { min_runners: 1, max_runners: 8 }\n");
        if (icebergCommitInterval != null) {
            y.append("iceberg: { commit_interval: ").append(icebergCommitInterval).append(" }\n");
        }
        return y.toString();
    }

    /**
     * The same events as an Iceberg schema (JSON form of {@code org.apache.iceberg.Schema}) for the
     * peer: the nested {@code user} object stays a struct (the Iceberg sink maps fields by name),
     * {@code attrs} is a string column the sink fills with the object's JSON.
     */
    static String icebergSchemaJson() {
        return """
                {"type":"struct","schema-id":0,"fields":[
                 {"id":1,"name":"event_id","required":false,"type":"string"},
                 {"id":2,"name":"user","required":false,"type":{"type":"struct","fields":[
                   {"id":12,"name":"id","required":false,"type":"long"},
                   {"id":13,"name":"country","required":false,"type":"string"}]}},
                 {"id":3,"name":"ts","required":false,"type":"timestamptz"},
                 {"id":4,"name":"amount","required":false,"type":"decimal(12, 2)"},
                 {"id":5,"name":"session","required":false,"type":"int"},
                 {"id":6,"name":"price","required":false,"type":"double"},
                 {"id":7,"name":"is_mobile","required":false,"type":"boolean"},
                 {"id":8,"name":"day","required":false,"type":"date"},
                 {"id":9,"name":"attrs","required":false,"type":"string"},
                 {"id":10,"name":"url","required":false,"type":"string"}]}
                """;
    }
}
