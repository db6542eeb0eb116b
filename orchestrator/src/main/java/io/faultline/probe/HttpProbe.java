package io.faultline.probe;

import io.faultline.scenario.StopCondition;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;

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
        return "GET " + spec.url() + " answers " + spec.status();
    }

    @Override
    public Sample sample() {
        HttpRequest request = HttpRequest.newBuilder(URI.create(spec.url())).timeout(spec.timeout()).GET().build();
        long start = System.nanoTime();
        try {
            HttpResponse<Void> r = client.send(request, HttpResponse.BodyHandlers.discarding());
            long ms = (System.nanoTime() - start) / 1_000_000;
            String seen = "GET " + spec.url() + " answered " + r.statusCode() + " in " + ms + " ms";
            if (r.statusCode() != spec.status()) {
                return Sample.failed(seen + ", expected " + spec.status());
            }
            if (spec.maxLatency() != null && ms > spec.maxLatency().toMillis()) {
                return Sample.failed(seen + ", slower than " + spec.maxLatency().toMillis() + " ms");
            }
            return Sample.ok(seen);
        } catch (HttpTimeoutException e) {
            return Sample.failed("GET " + spec.url() + " did not answer within " + spec.timeout().toMillis() + " ms");
        } catch (IOException e) {
            return Sample.failed("GET " + spec.url() + " failed: " + (e.getMessage() != null ? e.getMessage() : e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Sample.failed("interrupted");
        }
    }
}
