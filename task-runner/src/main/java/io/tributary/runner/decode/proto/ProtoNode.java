package io.tributary.runner.decode.proto;

import io.tributary.formats.proto.ProtoMessage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A message on some column path of a {@link ProtoPlan}: its {@link ProtoTarget}s, looked up by field
 * number while walking the wire format. Exists so the per-field dispatch is an array index (dense
 * numbers) or a binary search (sparse ones), decided once at compile time. Built by
 * {@link ProtoPlanner}; read-only once {@link #seal() sealed}.
 */
final class ProtoNode {
    private static final int DENSE_LIMIT = 4096;

    final ProtoMessage type;
    final int id;
    final List<ProtoTarget> targets = new ArrayList<>();
    ProtoTarget[] dense = new ProtoTarget[0];
    int[] sparseNumbers;
    ProtoTarget[] sparseTargets;

    ProtoNode(ProtoMessage type, int id) {
        this.type = type;
        this.id = id;
    }

    ProtoTarget target(int number) {
        if (number < dense.length) {
            return dense[number];
        }
        if (sparseNumbers == null) {
            return null;
        }
        int i = Arrays.binarySearch(sparseNumbers, number);
        return i >= 0 ? sparseTargets[i] : null;
    }

    void seal() {
        int max = 0;
        for (ProtoTarget t : targets) {
            max = Math.max(max, t.field.number());
        }
        if (max < DENSE_LIMIT) {
            dense = new ProtoTarget[max + 1];
            for (ProtoTarget t : targets) {
                dense[t.field.number()] = t;
            }
        } else {
            List<ProtoTarget> sorted = new ArrayList<>(targets);
            sorted.sort((a, b) -> Integer.compare(a.field.number(), b.field.number()));
            sparseNumbers = new int[sorted.size()];
            sparseTargets = sorted.toArray(new ProtoTarget[0]);
            for (int i = 0; i < sparseNumbers.length; i++) {
                sparseNumbers[i] = sparseTargets[i].field.number();
            }
        }
    }
}
