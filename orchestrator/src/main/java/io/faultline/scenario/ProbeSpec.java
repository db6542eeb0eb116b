package io.faultline.scenario;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import io.faultline.protocol.Checks;
import io.faultline.protocol.InvalidFieldException;
import java.time.Duration;
import java.util.Locale;

/**
 * A steady-state probe judged as a check ({@code probe[NAME]}): sampled every {@code interval}
 * in the phase its {@code mode} names, and failing when more than {@code failures} samples failed.
 *
 * @param mode {@code before}: once, before the first fault (a failure stops the run at
 *             preflight); {@code during}: while a fault is applied; {@code after}: from the
 *             last heal to the end of the drain, where it must hold at the end; {@code
 *             continuous}: the whole run
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProbeSpec(String name, StopCondition.HttpProbeSpec http, StopCondition.CanaryProbeSpec canary,
                        StopCondition.KafkaLagProbeSpec kafkaLag, StopCondition.PrometheusProbeSpec prometheus,
                        Mode mode, Duration interval, Integer failures) {
    /** When a probe is sampled. */
    public enum Mode {
        BEFORE, DURING, AFTER, CONTINUOUS;

        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public ProbeSpec {
        Checks.id("name", name);
        ProbeChecks.exactlyOne(http, canary, kafkaLag, prometheus);
        mode = mode == null ? Mode.CONTINUOUS : mode;
        interval = interval == null ? Duration.ofSeconds(1) : Checks.positive("interval", interval);
        failures = failures == null ? 0 : failures;
        if (failures < 0) {
            throw new InvalidFieldException("failures", "must not be negative");
        }
    }
}
