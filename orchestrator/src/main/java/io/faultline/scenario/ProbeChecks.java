package io.faultline.scenario;

import io.faultline.protocol.InvalidFieldException;
import java.util.Arrays;
import java.util.Objects;

/** Shared validation of probe declarations (stop conditions and probe checks). */
final class ProbeChecks {
    private ProbeChecks() {
    }

    static void exactlyOne(Object... probes) {
        if (Arrays.stream(probes).filter(Objects::nonNull).count() != 1) {
            throw new InvalidFieldException("", "needs exactly one probe: http, canary, kafkaLag or prometheus");
        }
    }
}
