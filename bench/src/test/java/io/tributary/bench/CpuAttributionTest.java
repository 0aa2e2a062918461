package io.tributary.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CpuAttributionTest {

    /** raw 200, decode 200, encode 100 MB/CPU-s (composite 50) and e2e 40. */
    private static Results stagesAt200And100E2e40() {
        Results res = new Results();
        res.put("raw_consume_mb_per_cpu_s", 200.0);
        res.details("ceiling").put("decode_mb_per_cpu_s", 200.0).put("encode_mb_per_cpu_s", 100.0);
        res.put("e2e_mb_per_cpu_s", 40.0);
        return res;
    }

    @Test
    void compositeIsTheHarmonicSumOfTheStagesAndE2eIsARatioOfIt() {
        Results res = stagesAt200And100E2e40();
        CpuAttribution.composite(res);
        assertThat(res.get("composite_limit_mb_per_cpu_s")).isEqualTo(50.0); // 1 / (1/200 + 1/200 + 1/100)
        assertThat(res.get("e2e_ratio_to_composite")).isEqualTo(0.8);
    }

    @Test
    void measuredAgainAfterE2eTheCompositeIsTheMeanCpuPerMbOfBoth() {
        Results res = stagesAt200And100E2e40();
        // the machine ran at half speed after e2e: 25 MB/CPU-s; the mean of 20 and 40 ms/MB is 30 ms/MB
        res.details("composite").putObject("after").put("raw_mb_per_cpu_s", 100.0).put("decode_mb_per_cpu_s", 100.0)
                .put("encode_mb_per_cpu_s", 50.0);
        CpuAttribution.composite(res);
        assertThat(res.get("composite_limit_mb_per_cpu_s")).isCloseTo(1000 / 30.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(res.get("e2e_ratio_to_composite")).isCloseTo(1.2, org.assertj.core.data.Offset.offset(0.001));
        assertThat(res.details("composite").get("composite_before_mb_per_cpu_s").asDouble()).isEqualTo(50.0);
        assertThat(res.details("composite").get("composite_after_mb_per_cpu_s").asDouble()).isEqualTo(25.0);
    }

    @Test
    void aMissingStageLeavesTheCompositeNullWithANote() {
        Results res = new Results();
        res.put("raw_consume_mb_per_cpu_s", 200.0);
        CpuAttribution.composite(res);
        assertThat(res.get("composite_limit_mb_per_cpu_s")).isNull();
        assertThat(res.root.get("notes").toString()).contains("composite limit").contains("decode").contains("encode");
    }

    @Test
    void everyCpuSecondOfTheWindowIsAttributedOtherBeingTheRest() {
        Map<String, Double> start = new HashMap<>();
        Map<String, Double> end = new HashMap<>();
        double[] before = {1, 1, 0, 0, 0, 5, 0.5};
        double[] after = {3, 6, 9, 2, 1, 9, 1.5};
        int i = 0;
        for (String key : CpuAttribution.PARTS.values()) {
            start.put(key, before[i]);
            end.put(key, after[i++]);
        }
        ObjectNode d = new Results().details("e2e");
        // window: 10 -> 40 process CPU-s = 30; parts: 2+5+9+2+1+4+1 = 24; other 6
        assertThat(CpuAttribution.attribute(start, 10, end, 40, 600, d)).isTrue();
        assertThat(d.at("/cpu_attribution/window_cpu_s").asDouble()).isEqualTo(30.0);
        assertThat(d.at("/cpu_attribution/decode/cpu_s").asDouble()).isEqualTo(5.0);
        assertThat(d.at("/cpu_attribution/decode/mb_per_cpu_s").asDouble()).isEqualTo(120.0);
        assertThat(d.at("/cpu_attribution/encode/ms_per_mb").asDouble()).isEqualTo(15.0);
        assertThat(d.at("/cpu_attribution/jit/cpu_s").asDouble()).isEqualTo(4.0);
        assertThat(d.at("/cpu_attribution/other/cpu_s").asDouble()).isEqualTo(6.0);
        assertThat(d.at("/cpu_attribution/other/share").asDouble()).isEqualTo(0.2);
    }

    @Test
    void noPhaseCountersNoAttribution() {
        ObjectNode d = new Results().details("e2e");
        assertThat(CpuAttribution.attribute(Map.of(), 0, Map.of("tributary_records_consumed_total", 1.0), 1, 1, d)).isFalse();
        assertThat(d.has("cpu_attribution")).isFalse();
    }

    @Test
    void prometheusPhaseAndReasonLabelsAreKeptApart() {
        Map<String, Double> m = Sampler.parsePrometheus("""
                tributary_cpu_seconds_total{phase="decode",} 1.5
                tributary_cpu_seconds_total{phase="fetch",} 0.5
                tributary_flush_total{reason="age",table="t",} 3.0
                tributary_flush_total{reason="rows",table="t",} 4.0
                """);
        assertThat(m).containsEntry("tributary_cpu_seconds_total", 2.0).containsEntry("tributary_cpu_seconds_total{phase=decode}", 1.5)
                .containsEntry("tributary_flush_total{reason=age}", 3.0).containsEntry("tributary_flush_total{reason=rows}", 4.0);
    }
}
