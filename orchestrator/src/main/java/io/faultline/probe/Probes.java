package io.faultline.probe;

import io.faultline.scenario.StopCondition;
import io.faultline.workload.CanaryWorkload;
import java.time.Clock;
import org.apache.kafka.clients.admin.Admin;

/** Builds the probe a scenario declares (exactly one of its kinds is set). */
public final class Probes {
    private Probes() {
    }

    public static Probe of(StopCondition.HttpProbeSpec http, StopCondition.CanaryProbeSpec canary,
                           StopCondition.KafkaLagProbeSpec kafkaLag, StopCondition.PrometheusProbeSpec prometheus,
                           CanaryWorkload workload, Admin admin, Clock clock) {
        if (http != null) {
            return new HttpProbe(http);
        }
        if (canary != null) {
            return new CanaryGapProbe(workload::lastCompletion, canary.maxGap(), clock);
        }
        if (kafkaLag != null) {
            return new KafkaLagProbe(admin, kafkaLag);
        }
        return new PrometheusProbe(prometheus);
    }
}
