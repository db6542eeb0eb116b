package io.faultline.scenario;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.faultline.protocol.Checks;
import io.faultline.protocol.InvalidFieldException;
import java.time.Duration;

/**
 * A probe that must hold for the whole run. Checked once before any fault (a failing one stops
 * the run with ERROR) and then every {@code interval}; after {@code failures} failed samples in a
 * row the orchestrator heals everything and the verdict is ABORTED with the reason.
 *
 * @param http   an HTTP endpoint that must answer with {@code status} within {@code timeout}
 * @param canary canary traffic must keep completing: no gap longer than {@code maxGap}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StopCondition(String name, HttpProbeSpec http, CanaryProbeSpec canary, Duration interval,
                            Integer failures) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
    public static final int DEFAULT_FAILURES = 2;

    public StopCondition {
        Checks.id("name", name);
        if ((http == null) == (canary == null)) {
            throw new InvalidFieldException("", "a stop condition needs exactly one probe: http or canary");
        }
        interval = interval == null ? DEFAULT_INTERVAL : Checks.positive("interval", interval);
        failures = failures == null ? DEFAULT_FAILURES : failures;
        if (failures < 1) {
            throw new InvalidFieldException("failures", "must be at least 1");
        }
    }

    /**
     * @param status     the status the endpoint must answer (default 200)
     * @param timeout    how long one request may take (default 2s)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record HttpProbeSpec(String url, Integer status, Duration timeout) {
        public HttpProbeSpec {
            Checks.required("url", url);
            if (!url.startsWith("http://") && !url.startsWith("https://")) {
                throw new InvalidFieldException("url", "'" + url + "' is not an http:// or https:// URL");
            }
            try {
                java.net.URI.create(url);
            } catch (IllegalArgumentException e) {
                throw new InvalidFieldException("url", "'" + url + "' is not a valid URL");
            }
            status = status == null ? 200 : status;
            if (status < 100 || status > 599) {
                throw new InvalidFieldException("status", status + " is not an HTTP status");
            }
            timeout = timeout == null ? Duration.ofSeconds(2) : Checks.positive("timeout", timeout);
        }
    }

    /** @param maxGap the longest tolerated time without a completed canary */
    public record CanaryProbeSpec(Duration maxGap) {
        public CanaryProbeSpec {
            Checks.positive("maxGap", maxGap);
        }
    }
}
