package io.faultline.probe;

import io.faultline.scenario.StopCondition;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;

/** An HTTP endpoint must answer with the expected status within the timeout. */
public final class HttpProbe implements Probe {
    private final StopCondition.HttpProbeSpec spec;
    private final HttpClient client;

    public HttpProbe(StopCondition.HttpProbeSpec spec) {
        this.spec = spec;
        this.client = HttpClient.newBuilder().connectTimeout(spec.timeout()).build();
    }

    @Override
    public String describe() {
        return spec.method() + " " + spec.url() + " answers " + spec.status();
    }

    @Override
    public Sample sample() {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(spec.url())).timeout(spec.timeout())
                .method(spec.method(), spec.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(spec.body()));
        try {
            spec.headers().forEach(b::header);
        } catch (IllegalArgumentException e) {
            return Sample.failed(spec.method() + " " + spec.url() + " cannot be sent: " + e.getMessage());
        }
        String call = spec.method() + " " + spec.url();
        long start = System.nanoTime();
        try {
            HttpResponse<InputStream> r = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            String body;
            try (InputStream in = r.body()) {
                body = new String(in.readNBytes(StopCondition.HttpProbeSpec.MAX_BODY), StandardCharsets.UTF_8);
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            String seen = call + " answered " + r.statusCode() + " in " + ms + " ms";
            if (r.statusCode() != spec.status()) {
                return Sample.failed(seen + ", expected " + spec.status());
            }
            for (var h : spec.expectHeaders().entrySet()) {
                String value = r.headers().firstValue(h.getKey()).orElse(null);
                if (value == null || !value.contains(h.getValue())) {
                    return Sample.failed(seen + ", header " + h.getKey() + (value == null ? " missing"
                            : " is '" + cut(value) + "'") + ", expected it to hold '" + h.getValue() + "'");
                }
            }
            if (spec.bodyContains() != null && !body.contains(spec.bodyContains())) {
                return Sample.failed(seen + ", body does not hold '" + spec.bodyContains() + "' (it begins '"
                        + cut(body) + "')");
            }
            if (spec.maxLatency() != null && ms > spec.maxLatency().toMillis()) {
                return Sample.failed(seen + ", slower than " + spec.maxLatency().toMillis() + " ms");
            }
            return Sample.ok(seen);
        } catch (HttpTimeoutException e) {
            return Sample.failed(call + " did not answer within " + spec.timeout().toMillis() + " ms");
        } catch (IOException e) {
            return Sample.failed(call + " failed: " + (e.getMessage() != null ? e.getMessage() : e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Sample.failed("interrupted");
        }
    }

    private static String cut(String s) {
        String one = s.replaceAll("\\s+", " ");
        return one.length() <= 80 ? one : one.substring(0, 80) + "...";
    }
}
