package io.faultline.engine;

import java.time.Duration;
import java.util.List;

/**
 * What a dry run found: the run's timeline with each agent's answer to its check command, and
 * every reason the scenario could not run now. No {@code problems} means every step would be
 * carried out. The command line renders it; the engine only gathers it.
 *
 * @param timeline the canary, the stop conditions and the steps, in order
 * @param drainAt  when the last step ends and the drain begins, from the start of the run
 * @param problems why the scenario could not run now; empty when it could
 */
public record Plan(List<Entry> timeline, Duration drainAt, List<String> problems) {
    public Plan {
        timeline = List.copyOf(timeline);
        problems = List.copyOf(problems);
    }

    public boolean runnable() {
        return problems.isEmpty();
    }

    /**
     * One line of the timeline.
     *
     * @param at      when it happens, from the start of the run; null for what holds throughout
     * @param what    what happens
     * @param answers what each targeted agent said when asked to check the command
     */
    public record Entry(Duration at, String what, List<Answer> answers) {
        public Entry {
            answers = List.copyOf(answers);
        }
    }

    /** One agent's answer to a check command. */
    public record Answer(String agentId, Kind kind, String detail) {
        public enum Kind {
            /** It would apply the fault; the detail says what it would do. */
            READY,
            /** Its keys, policy or driver would refuse the fault; the detail says why. */
            REFUSED,
            /** It does not announce a capability the fault needs; the detail lists them. */
            LACKS,
            /** It did not answer within the command timeout. */
            NO_ANSWER
        }
    }
}
