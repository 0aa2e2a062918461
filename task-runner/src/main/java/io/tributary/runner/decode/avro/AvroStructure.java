package io.tributary.runner.decode.avro;

/** The readers of Avro structure, shared by the column plan and the skippers: record fields in order, unions, tees. */
final class AvroStructure {
    private AvroStructure() {
    }

    /** Record fields in writer order. */
    static final class Sequence extends AvroPlan.Reader {
        final AvroPlan.Reader[] steps;

        Sequence(AvroPlan.Reader[] steps) {
            this.steps = steps;
        }

        @Override
        void read(AvroCursor c) {
            for (AvroPlan.Reader r : steps) {
                r.read(c);
            }
        }
    }

    static final class Union extends AvroPlan.Reader {
        final AvroPlan.Reader[] branches;

        Union(AvroPlan.Reader[] branches) {
            this.branches = branches;
        }

        @Override
        void read(AvroCursor c) {
            long i = c.readLong();
            if (i < 0 || i >= branches.length) {
                throw c.bad("union branch " + i + " does not exist (the union has " + branches.length + ")");
            }
            branches[(int) i].read(c);
        }
    }

    /** Several readers of the same value (a record descended into and also landed as json; two columns on one path). */
    static final class Tee extends AvroPlan.Reader {
        final AvroPlan.Reader descend;
        final AvroPlan.Reader[] columns;

        Tee(AvroPlan.Reader descend, AvroPlan.Reader[] columns) {
            this.descend = descend;
            this.columns = columns;
        }

        @Override
        void read(AvroCursor c) {
            if (descend == null && columns.length == 1) {
                columns[0].read(c);
                return;
            }
            int start = c.pos;
            int end = -1;
            if (descend != null) {
                descend.read(c);
                end = c.pos;
            }
            for (AvroPlan.Reader r : columns) {
                c.pos = start;
                r.read(c);
                end = c.pos;
            }
            c.pos = end;
        }
    }
}
