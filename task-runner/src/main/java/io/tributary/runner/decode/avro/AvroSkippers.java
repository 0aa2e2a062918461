package io.tributary.runner.decode.avro;

import java.util.IdentityHashMap;
import java.util.Map;
import org.apache.avro.Schema;

/** Readers that only move past values of a writer schema, compiled once per schema (one instance per plan). */
final class AvroSkippers {
    private final Map<Schema, AvroPlan.Reader> skippers = new IdentityHashMap<>();

    /** A reader that only moves past a value of {@code s} (compiled once per schema; recursion-safe). */
    AvroPlan.Reader skipper(Schema s) {
        AvroPlan.Reader r = skippers.get(s);
        if (r != null) {
            return r;
        }
        switch (s.getType()) {
            case NULL -> r = NOTHING;
            case BOOLEAN -> r = fixedSkip(1);
            case INT, LONG, ENUM -> r = VARINT;
            case FLOAT -> r = fixedSkip(4);
            case DOUBLE -> r = fixedSkip(8);
            case FIXED -> r = fixedSkip(s.getFixedSize());
            case STRING, BYTES -> r = BYTES;
            case RECORD -> {
                AvroPlan.Reader[] steps = new AvroPlan.Reader[s.getFields().size()];
                AvroStructure.Sequence seq = new AvroStructure.Sequence(steps);
                skippers.put(s, seq); // before the fields: a recursive record refers to itself
                for (int i = 0; i < steps.length; i++) {
                    steps[i] = skipper(s.getFields().get(i).schema());
                }
                return seq;
            }
            case ARRAY -> r = new Items(skipper(s.getElementType()), false);
            case MAP -> r = new Items(skipper(s.getValueType()), true);
            case UNION -> {
                AvroPlan.Reader[] branches = new AvroPlan.Reader[s.getTypes().size()];
                AvroStructure.Union u = new AvroStructure.Union(branches);
                skippers.put(s, u);
                for (int i = 0; i < branches.length; i++) {
                    branches[i] = skipper(s.getTypes().get(i));
                }
                return u;
            }
            default -> throw new IllegalStateException("avro type " + s.getType());
        }
        skippers.put(s, r);
        return r;
    }

    private static final AvroPlan.Reader NOTHING = new AvroPlan.Reader() {
        @Override
        void read(AvroCursor c) {
        }
    };

    private static final AvroPlan.Reader VARINT = new AvroPlan.Reader() {
        @Override
        void read(AvroCursor c) {
            c.readLong();
        }
    };

    private static final AvroPlan.Reader BYTES = new AvroPlan.Reader() {
        @Override
        void read(AvroCursor c) {
            c.skipBytes();
        }
    };

    private static AvroPlan.Reader fixedSkip(int n) {
        return new AvroPlan.Reader() {
            @Override
            void read(AvroCursor c) {
                c.skip(n);
            }
        };
    }

    /** Array items or map entries (a string key, then the value), block by block. */
    private static final class Items extends AvroPlan.Reader {
        final AvroPlan.Reader item;
        final boolean map;

        Items(AvroPlan.Reader item, boolean map) {
            this.item = item;
            this.map = map;
        }

        @Override
        void read(AvroCursor c) {
            for (long n = c.blockCount(); n != 0; n = c.blockCount()) {
                for (long i = 0; i < n; i++) {
                    if (map) {
                        c.skipBytes();
                    }
                    item.read(c);
                }
            }
        }
    }
}
