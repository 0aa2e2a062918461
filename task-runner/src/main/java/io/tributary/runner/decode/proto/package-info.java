/**
 * The Protobuf decoder: {@link io.tributary.runner.decode.proto.ProtoDecoders#compile} turns a writer
 * schema (.proto text, parsed by {@code io.tributary.formats.proto.ProtoParser}) into a
 * {@link io.tributary.runner.decode.PayloadDecoder} that walks the Protobuf wire format once per
 * record straight into the column vectors: one compiled plan per message type (framed payloads pick it
 * by their Confluent message indexes), fields dispatched by number, values kept in per-row slots and
 * written at the end of the record; repeated fields, maps and messages rendered as JSON text for
 * {@code json} columns.
 */
package io.tributary.runner.decode.proto;
