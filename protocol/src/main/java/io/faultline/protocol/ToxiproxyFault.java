package io.faultline.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.util.List;

/**
 * Adds a toxic to a proxy of a Toxiproxy server (or takes the proxy down), through its HTTP API.
 *
 * @param api     the server's API address, e.g. {@code http://toxiproxy:8474}
 * @param proxy   the proxy's name on that server
 * @param latency for {@code latency}: added delay; for {@code timeout}: how long before the
 *                connection is closed (zero: never)
 * @param jitter  for {@code latency}
 * @param rate    for {@code bandwidth}: KB/s, as Toxiproxy counts
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ToxiproxyFault(String api, String proxy, Toxic toxic, Stream stream, Duration latency,
                             Duration jitter, Long rate) implements FaultSpec {
    public static final String TYPE = "toxiproxy.toxic";

    /** What the proxy does. */
    public enum Toxic {
        @JsonProperty("latency") LATENCY,
        @JsonProperty("bandwidth") BANDWIDTH,
        @JsonProperty("timeout") TIMEOUT,
        @JsonProperty("reset_peer") RESET_PEER,
        @JsonProperty("down") DOWN
    }

    /** Which way the toxic acts: towards the client (downstream) or towards the server. */
    public enum Stream {
        @JsonProperty("downstream") DOWNSTREAM,
        @JsonProperty("upstream") UPSTREAM
    }

    public ToxiproxyFault {
        Checks.required("api", api);
        if (!api.matches("https?://[A-Za-z0-9.\\-]+:\\d{1,5}/?")) {
            throw new InvalidFieldException("api", "'" + api + "' is not http://host:port");
        }
        Checks.id("proxy", proxy);
        Checks.required("toxic", toxic);
        stream = stream == null ? Stream.DOWNSTREAM : stream;
        if (toxic == Toxic.LATENCY) {
            Checks.positive("latency", latency);
            jitter = jitter == null ? Duration.ZERO : Checks.notNegative("jitter", jitter);
        }
        if (toxic == Toxic.TIMEOUT) {
            latency = latency == null ? Duration.ZERO : Checks.notNegative("latency", latency);
        }
        if (toxic == Toxic.BANDWIDTH && (rate == null || rate <= 0)) {
            throw new InvalidFieldException("rate", "a bandwidth toxic needs a positive rate in KB/s");
        }
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> requires() {
        return List.of();
    }
}
