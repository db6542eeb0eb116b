package io.faultline.scenario;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.faultline.protocol.Checks;
import io.faultline.protocol.InvalidFieldException;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A probe that must hold for the whole run. Checked once before any fault (a failing one stops
 * the run with ERROR) and then every {@code interval}; after {@code failures} failed samples in a
 * row the orchestrator heals everything and the verdict is ABORTED with the reason.
 *
 * @param http       an HTTP endpoint that must answer with {@code status} within {@code timeout}
 * @param canary     canary traffic must keep completing: no gap longer than {@code maxGap}
 * @param kafkaLag   a consumer group's lag on a topic must stay at most {@code max} records
 * @param prometheus a Prometheus query's value must stay within {@code min}..{@code max}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StopCondition(String name, HttpProbeSpec http, CanaryProbeSpec canary, KafkaLagProbeSpec kafkaLag,
                            PrometheusProbeSpec prometheus, Duration interval, Integer failures) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
    public static final int DEFAULT_FAILURES = 2;

    public StopCondition {
        Checks.id("name", name);
        ProbeChecks.exactlyOne(http, canary, kafkaLag, prometheus);
        interval = interval == null ? DEFAULT_INTERVAL : Checks.positive("interval", interval);
        failures = failures == null ? DEFAULT_FAILURES : failures;
        if (failures < 1) {
            throw new InvalidFieldException("failures", "must be at least 1");
        }
    }

    /**
     * @param status     the status the endpoint must answer (default 200)
     * @param timeout    how long one request may take (default 2s)
     * @param maxLatency slower answers fail the sample; null for no limit beyond the timeout
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    /**
     * An HTTP request that must be answered as expected: {@code status}, and when given, a header
     * holding a value ({@code expectHeaders}: name to a fragment of its value) and a fragment of the
     * body ({@code bodyContains}, looked for in the first 64 KiB). {@code method}, {@code headers}
     * and {@code body} shape the request: a CORS preflight, a call without a token, a health check.
     */
    public record HttpProbeSpec(String url, Integer status, Duration timeout, Duration maxLatency, String method,
                                Map<String, String> headers, String body,
                                Map<String, String> expectHeaders, String bodyContains) {
        /** The most of a response body a probe reads, and of a request body it sends. */
        public static final int MAX_BODY = 64 * 1024;
        /** Headers Java's HTTP client will not let a request set. */
        static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect",
                "host", "upgrade");
        static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE",
                "OPTIONS");

        public HttpProbeSpec {
            Checks.required("url", url);
            if (!url.startsWith("http://") && !url.startsWith("https://")) {
                throw new InvalidFieldException("url", "'" + url + "' is not an http:// or https:// URL");
            }
            try {
                URI.create(url);
            } catch (IllegalArgumentException e) {
                throw new InvalidFieldException("url", "'" + url + "' is not a valid URL");
            }
            status = status == null ? 200 : status;
            if (status < 100 || status > 599) {
                throw new InvalidFieldException("status", status + " is not an HTTP status");
            }
            timeout = timeout == null ? Duration.ofSeconds(2) : Checks.positive("timeout", timeout);
            if (maxLatency != null) {
                Checks.positive("maxLatency", maxLatency);
            }
            method = method == null ? "GET" : method.toUpperCase(Locale.ROOT);
            if (!METHODS.contains(method)) {
                throw new InvalidFieldException("method", "'" + method + "' is not one of "
                        + String.join(", ", new TreeSet<>(METHODS)));
            }
            headers = headers == null ? Map.of() : Map.copyOf(headers);
            for (var h : headers.entrySet()) {
                if (!h.getKey().matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                    throw new InvalidFieldException("headers." + h.getKey(), "is not a valid header name");
                }
                if (RESTRICTED.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                    throw new InvalidFieldException("headers." + h.getKey(), "cannot be sent: the HTTP client sets it "
                            + "itself (" + String.join(", ", new TreeSet<>(RESTRICTED)) + ")");
                }
                if (h.getValue() == null || h.getValue().indexOf('\r') >= 0 || h.getValue().indexOf('\n') >= 0) {
                    throw new InvalidFieldException("headers." + h.getKey(), "must be one line of text");
                }
            }
            if (body != null && body.length() > MAX_BODY) {
                throw new InvalidFieldException("body", "is " + body.length() + " characters; at most " + MAX_BODY);
            }
            expectHeaders = expectHeaders == null ? Map.of() : Map.copyOf(expectHeaders);
        }

        public HttpProbeSpec(String url, Integer status, Duration timeout, Duration maxLatency) {
            this(url, status, timeout, maxLatency, null, null, null, null, null);
        }
    }

    /** The consumer group's total lag on {@code topic} (end offsets minus committed) is at most {@code max}. */
    public record KafkaLagProbeSpec(String group, String topic, Long max) {
        public KafkaLagProbeSpec {
            Checks.required("group", group);
            Checks.required("topic", topic);
            Checks.required("max", max);
            if (max < 0) {
                throw new InvalidFieldException("max", "must not be negative");
            }
        }
    }

    /**
     * The instant query's value (the first series; several: each) lies within {@code min}..{@code max}.
     *
     * @param url Prometheus's base URL
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PrometheusProbeSpec(String url, String query, Double min, Double max) {
        public PrometheusProbeSpec {
            Checks.required("url", url);
            if (!url.startsWith("http://") && !url.startsWith("https://")) {
                throw new InvalidFieldException("url", "'" + url + "' is not an http:// or https:// URL");
            }
            Checks.required("query", query);
            if (min == null && max == null) {
                throw new InvalidFieldException("", "a prometheus probe needs min, max or both");
            }
        }
    }

    /** @param maxGap the longest tolerated time without a completed canary */
    public record CanaryProbeSpec(Duration maxGap) {
        public CanaryProbeSpec {
            Checks.positive("maxGap", maxGap);
        }
    }
}
