/**
 * Avro and Protobuf writer schemas for the rest of Tributary: parsing them (Apache Avro's parser; a
 * .proto parser of our own in {@code proto}), deriving a table's columns from one, and a client of a
 * Confluent-compatible schema registry. No Kafka, no Quarkus.
 */
package io.tributary.formats;
