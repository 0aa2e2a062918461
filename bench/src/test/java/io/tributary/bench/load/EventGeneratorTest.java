package io.tributary.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventGeneratorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void goodEventsParseWithTheTypedFieldsOfClicksYaml() throws Exception {
        EventGenerator g = new EventGenerator(7, 0);
        long total = 0;
        for (int i = 0; i < 2000; i++) {
            EventGenerator.Event e = g.next(1_780_000_000_123L);
            assertThat(e.kind()).isEqualTo(EventGenerator.Kind.GOOD);
            JsonNode n = JSON.readTree(e.value());
            assertThat(n.get("event_id").isTextual()).isTrue();
            assertThat(n.at("/user/id").isIntegralNumber()).isTrue();
            assertThat(new String(e.key(), StandardCharsets.UTF_8)).isEqualTo(n.at("/user/id").asText());
            assertThat(n.at("/user/country").asText()).matches("[A-Z]{2}");
            assertThat(Instant.parse(n.get("ts").asText()).toEpochMilli()).isEqualTo(1_780_000_000_123L);
            BigDecimal amount = n.get("amount").decimalValue();
            assertThat(amount.scale()).isLessThanOrEqualTo(2);
            assertThat(amount.precision()).isLessThanOrEqualTo(12);
            assertThat(n.get("session").isInt()).isTrue();
            assertThat(n.get("price").isNumber()).isTrue();
            assertThat(n.get("is_mobile").isBoolean()).isTrue();
            assertThat(LocalDate.parse(n.get("day").asText())).isEqualTo(LocalDate.parse("2026-05-28"));
            assertThat(n.get("attrs").isObject()).isTrue();
            assertThat(n.get("url").asText()).startsWith("https://");
            assertThat(n.size()).isEqualTo(10);
            total += e.value().length;
        }
        assertThat(total / 2000.0).as("average event size").isBetween(200.0, 320.0);
    }

    @Test
    void badRatioIsHonouredExactlyAndEveryKindIsReallyBad() throws Exception {
        EventGenerator g = new EventGenerator(1, 0.01);
        Map<EventGenerator.Kind, Integer> kinds = new EnumMap<>(EventGenerator.Kind.class);
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            EventGenerator.Event e = g.next();
            kinds.merge(e.kind(), 1, Integer::sum);
            switch (e.kind()) {
                case INVALID_JSON -> assertThatThrownBy(() -> JSON.readTree(e.value())).as(new String(e.value()))
                        .isInstanceOf(Exception.class);
                case TYPE_MISMATCH -> assertThat(JSON.readTree(e.value()).get("session").isTextual()).isTrue();
                case MISSING_EVENT_ID -> assertThat(JSON.readTree(e.value()).has("event_id")).isFalse();
                case GOOD -> {
                    if (i % 97 == 0) {
                        assertThat(JSON.readTree(e.value()).get("event_id").isTextual()).isTrue();
                    }
                }
            }
        }
        int bad = n - kinds.getOrDefault(EventGenerator.Kind.GOOD, 0);
        assertThat(bad).isEqualTo(1000).isEqualTo((int) EventGenerator.badCount(n, 0.01)).isEqualTo((int) g.badGenerated());
        assertThat(kinds.get(EventGenerator.Kind.INVALID_JSON)).isBetween(333, 334);
        assertThat(kinds.get(EventGenerator.Kind.TYPE_MISMATCH)).isBetween(333, 334);
        assertThat(kinds.get(EventGenerator.Kind.MISSING_EVENT_ID)).isBetween(333, 334);
    }

    @Test
    void smallRatiosAndEdgeRatios() {
        assertThat(EventGenerator.badCount(1_000_000, 0.0001)).isEqualTo(100);
        assertThat(EventGenerator.badCount(10, 0)).isZero();
        EventGenerator all = new EventGenerator(3, 1.0);
        for (int i = 0; i < 30; i++) {
            assertThat(all.next().kind().bad()).isTrue();
        }
        assertThatThrownBy(() -> new EventGenerator(1, 1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EventGenerator(1, -0.1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sameSeedSameEvents() {
        EventGenerator a = new EventGenerator(9, 0.1);
        EventGenerator b = new EventGenerator(9, 0.1);
        for (int i = 0; i < 100; i++) {
            assertThat(a.next(1000L).value()).isEqualTo(b.next(1000L).value());
        }
    }
}
