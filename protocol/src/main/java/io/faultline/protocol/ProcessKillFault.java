package io.faultline.protocol;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Sends a signal to a local process: KILL or TERM to crash it, STOP to freeze it until healed (CONT).
 *
 * @param restart on heal, start the crashed service again, as Kubernetes would restart a
 *                container; needs an agent that supervises its service ({@code --exec})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProcessKillFault(Signal signal, ProcessSelector process, Boolean restart) implements FaultSpec {
    public static final String TYPE = "process.kill";

    public ProcessKillFault {
        Checks.required("signal", signal);
        process = process == null ? ProcessSelector.SERVICE : process;
        // Absent and false mean the same; only true is written.
        restart = Boolean.TRUE.equals(restart) ? Boolean.TRUE : null;
        if (restart != null && !process.isService()) {
            throw new InvalidFieldException("restart", "only the agent's own supervised service can be restarted; "
                    + "leave out process");
        }
        if (restart != null && signal.reversible()) {
            throw new InvalidFieldException("restart", "a stopped process is resumed on heal, not restarted");
        }
    }

    public ProcessKillFault(Signal signal, ProcessSelector process) {
        this(signal, process, null);
    }

    /** Whether heal restarts the crashed service. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean restarts() {
        return restart != null;
    }

    @Override
    public List<String> requires() {
        return restarts() ? List.of(Capability.SERVICE_RESTART) : List.of();
    }

    @Override
    public boolean healRestores() {
        return signal.reversible() || restarts();
    }

    @Override
    public String type() {
        return TYPE;
    }
}
