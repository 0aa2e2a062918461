package io.tributary.runner.decode;

import io.tributary.catalog.TableDefinition;
import io.tributary.formats.registry.RegistryClient;
import io.tributary.runner.decode.avro.AvroPayloadDecoder;
import io.tributary.runner.decode.proto.ProtoDecoders;

/**
 * Picks a table's {@link RowDecoder} by its {@code format}: JSON documents; Avro or Protobuf framed
 * by a schema registry (schemas fetched by id, compiled once each); or Avro or Protobuf payloads of
 * the one schema in the definition.
 */
public final class RowDecoders {
    private RowDecoders() {
    }

    /** A new decoder for one poll thread. */
    public static RowDecoder forTable(TableDefinition def, RowSchema rows, long maxRecordBytes) {
        TableDefinition.Format format = def.format();
        if (format == TableDefinition.Format.JSON) {
            return new JsonRowDecoder(rows, maxRecordBytes);
        }
        TableDefinition.WriterSchema ws = def.writerSchema();
        boolean avro = format == TableDefinition.Format.AVRO;
        if (ws.framed()) {
            TableDefinition.Registry r = ws.registry();
            RegistryClient registry = new RegistryClient(r.url(), r.username(), r.password());
            FramedRowDecoder.Compiler compiler = avro
                    ? s -> AvroPayloadDecoder.compile(s.text(), rows, "schema id " + s.id())
                    : s -> protobuf(s.text(), rows, true, null, "schema id " + s.id());
            return new FramedRowDecoder(format.wire(), registry::byId, compiler, maxRecordBytes);
        }
        String label = "schema file " + (ws.file() == null ? "(inline)" : ws.file());
        PayloadDecoder payload = avro ? AvroPayloadDecoder.compile(ws.text(), rows, label)
                : protobuf(ws.text(), rows, false, ws.message(), label);
        return new UnframedRowDecoder(format.wire(), payload, maxRecordBytes);
    }

    private static PayloadDecoder protobuf(String text, RowSchema rows, boolean framed, String message, String label) {
        return ProtoDecoders.compile(text, rows, framed, message, label);
    }
}
