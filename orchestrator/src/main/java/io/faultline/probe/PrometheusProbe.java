package io.faultline.probe;

import com.fasterxml.jackson.databind.JsonNode;
import io.faultline.protocol.Json;
import io.faultline.scenario.StopCondition;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A Prometheus instant query whose every value must lie within min..max. No data fails the sample. */
public final class PrometheusProbe implements Probe {
    private final StopCondition.PrometheusProbeSpec spec;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public PrometheusProbe(StopCondition.PrometheusProbeSpec spec) {
        this.spec = spec;
    }

    @Override
    public String describe() {
        return spec.query() + " within " + range();
    }

    private String range() {
        return (spec.min() == null ? "-inf" : spec.min()) + ".." + (spec.max() == null ? "+inf" : spec.max());
    }

    @Override
    public Sample sample() {
        URI uri = URI.create(spec.url().replaceAll("/+$", "") + "/api/v1/query?query="
                + URLEncoder.encode(spec.query(), StandardCharsets.UTF_8));
        try {
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(3)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            JsonNode root = Json.mapper().readTree(r.body());
            if (r.statusCode() != 200 || !"success".equals(root.path("status").asText())) {
                return Sample.failed("query " + spec.query() + " failed: " + root.path("error").asText("HTTP " + r.statusCode()));
            }
            JsonNode result = root.path("data").path("result");
            if (!result.isArray() || result.isEmpty()) {
                return Sample.failed("query " + spec.query() + " returned no data");
            }
            for (JsonNode series : result) {
                double v = Double.parseDouble(series.path("value").path(1).asText("NaN"));
                boolean ok = !Double.isNaN(v) && (spec.min() == null || v >= spec.min()) && (spec.max() == null || v <= spec.max());
                if (!ok) {
                    return Sample.failed(spec.query() + " = " + v + " " + series.path("metric") + ", outside " + range());
                }
            }
            return Sample.ok(spec.query() + " = " + result.get(0).path("value").path(1).asText());
        } catch (IOException | NumberFormatException e) {
            return Sample.failed("query " + spec.query() + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Sample.failed("interrupted");
        }
    }
}
