package io.faultline.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An agent's periodic sign of life: who it is, what it can do and which faults it holds.
 *
 * @param capabilities what the agent found it can do at start, e.g. {@code process.kill}
 * @param activeFaults command ids of the faults applied and not yet undone
 * @param rejections   commands refused since the agent started, by {@link Rejection} wire name
 * @param problems     what keeps the agent from doing all it should, e.g. an undo journal it cannot
 *                     write (then it applies no fault); empty when all is well
 * @param service      the service the agent sits beside ({@code --exec} or {@code --service-pid-file});
 *                     null when it has none
 */
public record AgentHeartbeat(String runId, String agentId, Instant at, Map<String, String> labels,
                             String host, long pid, Instant startedAt, List<String> capabilities,
                             List<String> activeFaults, Map<String, Long> rejections, List<String> problems,
                             Service service)
        implements TelemetryEvent {
    public static final String TYPE = "agent.heartbeat";

    public AgentHeartbeat {
        Checks.id("agentId", agentId);
        Checks.required("at", at);
        labels = Checks.copy(labels);
        capabilities = Checks.copy(capabilities);
        activeFaults = Checks.copy(activeFaults);
        rejections = Checks.copy(rejections);
        problems = Checks.copy(problems);
    }

    public AgentHeartbeat(String runId, String agentId, Instant at, Map<String, String> labels, String host, long pid,
                          Instant startedAt, List<String> capabilities, List<String> activeFaults,
                          Map<String, Long> rejections, List<String> problems) {
        this(runId, agentId, at, labels, host, pid, startedAt, capabilities, activeFaults, rejections, problems, null);
    }

    /** Whether the service runs, and its pid when it does. */
    @com.fasterxml.jackson.annotation.JsonInclude(JsonInclude.Include.NON_NULL)
    public record Service(boolean running, Long pid) {
    }
}
