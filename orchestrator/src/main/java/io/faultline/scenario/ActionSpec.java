package io.faultline.scenario;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.faultline.protocol.Checks;
import io.faultline.protocol.Durations;
import io.faultline.protocol.InvalidFieldException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Something the orchestrator does on its own host, as a step or a rollback: exactly one of
 * {@code run} (a command as an argument list, never a shell string) or {@code http} (a request),
 * within {@code timeout}. Its exit code or status, and the tail of its output, are kept as
 * evidence; a failure is a failed check of the verdict.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ActionSpec(List<String> run, Http http, Duration timeout) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration MAX_TIMEOUT = Duration.ofMinutes(30);
    static final int MAX_ARGS = 256;
    static final int MAX_ARG_CHARS = 8192;

    public ActionSpec {
        if ((run == null) == (http == null)) {
            throw new InvalidFieldException("", "an action needs exactly one of run (a command as a list of "
                    + "arguments) or http (a request)");
        }
        if (run != null) {
            if (run.isEmpty()) {
                throw new InvalidFieldException("run", "must name the program to run, then its arguments, e.g. "
                        + "[kubectl, rollout, undo, deploy/orders]");
            }
            if (run.size() > MAX_ARGS) {
                throw new InvalidFieldException("run", "at most " + MAX_ARGS + " arguments, got " + run.size());
            }
            for (int i = 0; i < run.size(); i++) {
                String a = run.get(i);
                if (a == null || a.length() > MAX_ARG_CHARS || a.indexOf('\0') >= 0) {
                    throw new InvalidFieldException("run[" + i + "]", a == null ? "is empty"
                            : "must be text of at most " + MAX_ARG_CHARS + " characters, without NUL");
                }
            }
            run = List.copyOf(run);
        }
        timeout = timeout == null ? DEFAULT_TIMEOUT : Checks.positive("timeout", timeout);
        if (timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new InvalidFieldException("timeout", "must be at most " + Durations.format(MAX_TIMEOUT) + ", got "
                    + Durations.format(timeout));
        }
    }

    /** In words, for plans and progress lines. */
    public String describe() {
        if (run != null) {
            return "run " + String.join(" ", run.size() > 4 ? run.subList(0, 4) : run) + (run.size() > 4 ? " ..." : "");
        }
        return "http " + http.method() + " " + http.url();
    }

    /**
     * An HTTP request: {@code method} (GET unless told), {@code headers}, {@code body}, and the
     * status that counts as success ({@code expectStatus}; any 2xx unless told).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Http(String url, String method, Map<String, String> headers, String body, Integer expectStatus) {
        static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD");
        static final int MAX_BODY_CHARS = 1 << 20;

        public Http {
            Checks.required("url", url);
            try {
                URI u = new URI(url);
                if (u.getHost() == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
                    throw new InvalidFieldException("url", "'" + url + "' is not an http:// or https:// URL with a host");
                }
            } catch (URISyntaxException e) {
                throw new InvalidFieldException("url", "'" + url + "' is not a URL: " + e.getReason());
            }
            method = method == null ? "GET" : method.toUpperCase(Locale.ROOT);
            if (!METHODS.contains(method)) {
                throw new InvalidFieldException("method", "'" + method + "' is not one of " + String.join(", ",
                        METHODS.stream().sorted().toList()));
            }
            headers = headers == null ? Map.of() : Map.copyOf(headers);
            if (body != null && body.length() > MAX_BODY_CHARS) {
                throw new InvalidFieldException("body", "at most " + MAX_BODY_CHARS + " characters");
            }
            if (expectStatus != null && (expectStatus < 100 || expectStatus > 599)) {
                throw new InvalidFieldException("expectStatus", "must be an HTTP status, 100 to 599, got "
                        + expectStatus);
            }
        }

        /** Whether {@code status} is what the request expects. */
        public boolean expected(int status) {
            return expectStatus == null ? status >= 200 && status < 300 : status == expectStatus;
        }
    }
}
