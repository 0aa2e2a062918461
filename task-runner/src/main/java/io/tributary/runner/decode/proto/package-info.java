/**
 * The Protobuf decoder: {@link io.tributary.runner.decode.proto.ProtoDecoders#compile} turns a writer
 * schema (.proto text, parsed by {@code io.tributary.formats.proto.ProtoParser}) into a
 * {@link io.tributary.runner.decode.PayloadDecoder} that walks the Protobuf wire format once per
 * record straight into the column vectors: one compiled plan per message type (framed payloads pick it
 * by their Confluent message indexes), fields dispatched by number, values kept in per-row slots and
 * written at the end of the record; repeated fields, maps and messages rendered as JSON text for
 * {@code json} columns.
 *
 * <p>By role: compile time {@code ProtoPlanner} (building {@code ProtoNode}, {@code ProtoTarget},
 * {@code ProtoColumn}); per record {@code ProtoPayloadDecoder} (message indexes, plan choice),
 * {@code ProtoPlan} (wire walk into slots), {@code ProtoColumnWriter} (slots into columns),
 * {@code ProtoCursor} (bounded wire reads), {@code ProtoValues} (raw values by field kind); JSON text
 * {@code ProtoJson} (messages, repeated fields, maps, Struct/Value/ListValue, wrappers) over
 * {@code ProtoJsonShape}, {@code ProtoJsonScalars} (leaf values) and {@code ProtoTimestamps}
 * (Timestamp, Duration).
 */
package io.tributary.runner.decode.proto;
