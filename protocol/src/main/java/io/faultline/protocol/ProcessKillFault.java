package io.faultline.protocol;

/** Sends a signal to a local process: KILL or TERM to crash it, STOP to freeze it until healed (CONT). */
public record ProcessKillFault(Signal signal, ProcessSelector process) implements FaultSpec {
    public static final String TYPE = "process.kill";

    public ProcessKillFault {
        Checks.required("signal", signal);
        process = process == null ? ProcessSelector.SERVICE : process;
    }

    @Override
    public String type() {
        return TYPE;
    }
}
