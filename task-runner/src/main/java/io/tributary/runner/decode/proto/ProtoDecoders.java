package io.tributary.runner.decode.proto;

import io.tributary.formats.proto.ProtoFile;
import io.tributary.formats.proto.ProtoMessage;
import io.tributary.formats.proto.ProtoParser;
import io.tributary.runner.decode.PayloadDecoder;
import io.tributary.runner.decode.RowSchema;
import java.util.ArrayList;
import java.util.List;

/** Builds Protobuf {@link PayloadDecoder}s ({@link ProtoPayloadDecoder}) for a table's columns. */
public final class ProtoDecoders {
    private ProtoDecoders() {
    }

    /**
     * Compiles a writer schema given as .proto source text for the table's columns.
     *
     * @param protoText   the .proto source (as the registry serves it, or the table's schema file)
     * @param rows        the table's columns
     * @param framed      true when payloads start with the Confluent message indexes (schema-registry
     *                    wire format, magic byte and schema id already consumed); false for bare messages
     * @param messageName unframed only: the message type (full, package-relative or simple name); null
     *                    or empty for the file's first message. Ignored when framed.
     * @param label       names the schema in errors, e.g. {@code schema id 7} or {@code schema file clicks.proto}
     * @return a decoder; a refusing one (every record a bad record with the reason) when the text does
     *         not parse or the named message does not exist
     */
    public static PayloadDecoder compile(String protoText, RowSchema rows, boolean framed, String messageName,
                                         String label) {
        ProtoFile file;
        try {
            file = ProtoParser.parse(protoText);
        } catch (IllegalArgumentException e) {
            return PayloadDecoder.refusing(label + " is not a valid .proto schema: " + e.getMessage());
        }
        return compile(file, rows, framed, messageName, label);
    }

    /** As {@link #compile(String, RowSchema, boolean, String, String)} for an already parsed file. */
    public static PayloadDecoder compile(ProtoFile file, RowSchema rows, boolean framed, String messageName,
                                         String label) {
        if (file.firstMessage() == null) {
            return PayloadDecoder.refusing(label + " declares no message");
        }
        ProtoMessage m = null;
        if (!framed) {
            m = messageName == null || messageName.isEmpty() ? file.firstMessage() : file.message(messageName);
            if (m == null) {
                List<String> names = new ArrayList<>();
                for (ProtoMessage x : file.allMessages()) {
                    names.add(x.fullName());
                }
                return PayloadDecoder.refusing(label + " has no message '" + messageName + "' (messages: "
                        + String.join(", ", names) + ")");
            }
        }
        return new ProtoPayloadDecoder(file, rows, framed, m, framed ? label : label + ", message " + m.fullName());
    }
}
