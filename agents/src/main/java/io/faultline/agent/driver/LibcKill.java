package io.faultline.agent.driver;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kill(2) called from the agent's own process through JNA: JDK 17 cannot send STOP or CONT, and
 * this is a system call where a resident shell is a round trip over two pipes through a process
 * that must first be scheduled (0.85 ms at the median on a busy 2-core host). {@link #bound()} is
 * false where libc cannot be bound (JNA cannot unpack its native part, say, to a read-only
 * temporary directory) or the machine numbers signals otherwise; then the shell sends them.
 */
final class LibcKill {
    private static final Logger log = LoggerFactory.getLogger(LibcKill.class);
    /** Linux's numbers on the architectures that share the generic ones. */
    private static final Map<String, Integer> NUMBERS = Map.of("KILL", 9, "TERM", 15, "CONT", 18, "STOP", 19);
    private static final Set<String> ARCHITECTURES = Set.of("amd64", "x86_64", "aarch64");
    private static final boolean BOUND = bind();

    private LibcKill() {
    }

    private static native int kill(int pid, int signal) throws LastErrorException;

    private static boolean bind() {
        if (!System.getProperty("os.name", "").equals("Linux")
                || !ARCHITECTURES.contains(System.getProperty("os.arch", ""))) {
            return false;
        }
        try {
            Native.register(LibcKill.class, "c");
            return true;
        } catch (LinkageError | RuntimeException e) {
            log.info("cannot call kill(2) through JNA ({}); signals go through a shell", e.getMessage());
            return false;
        }
    }

    /** Whether signals can be sent here. */
    static boolean bound() {
        return BOUND;
    }

    /** Whether {@code signal} (STOP, CONT, ...) can be sent here, to {@code pid}. */
    static boolean sends(String signal, long pid) {
        return BOUND && NUMBERS.containsKey(signal) && pid > 1 && pid <= Integer.MAX_VALUE;
    }

    /** Sends it, as {@code kill -s SIGNAL PID} would, with the builtin's messages. */
    static CommandRunner.Result send(String signal, long pid) {
        try {
            kill((int) pid, NUMBERS.get(signal));
            return new CommandRunner.Result(0, "");
        } catch (LastErrorException e) {
            String why = switch (e.getErrorCode()) {
                case 1 -> "Operation not permitted";
                case 3 -> "No such process";
                default -> "error " + e.getErrorCode();
            };
            return new CommandRunner.Result(1, "kill: " + why);
        }
    }
}
