package io.faultline.agent;

import io.faultline.protocol.Halt;
import io.faultline.protocol.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The halt topic as an agent takes it: anyone who can write the topic may write anything, so each
 * record is read on its own, and the latest valid halt stands. A record that is not a halt, or a
 * halt without a time, changes nothing; a halt dated beyond this agent's clock and
 * {@code skew} counts from when it arrived, so that it can neither refuse every command until
 * some far date nor hide the real halts after it. Used from one thread.
 */
final class HaltLog {
    private static final Logger log = LoggerFactory.getLogger(HaltLog.class);

    private final Duration skew;
    private volatile Instant latest;

    HaltLog(Duration skew) {
        this.skew = skew;
    }

    /** A halt that moved the latest halt forward: when it counts from, and the record as sent. */
    record Taken(Instant effective, Halt halt) {
    }

    /**
     * Reads one record of the halt topic received at {@code received}; returns the halt when it is
     * valid and later than the latest, which it then becomes. Never throws.
     */
    Optional<Taken> offer(byte[] value, Instant received, String where) {
        Halt halt;
        try {
            halt = value == null ? null : Json.decode(value, Halt.class);
        } catch (RuntimeException e) { // Json.JsonCodecException, or anything a hostile record provokes
            log.warn("unreadable halt record {}: {}", where, e.getMessage());
            return Optional.empty();
        }
        if (halt == null || halt.at() == null) {
            log.warn("halt record {} has no time; ignored", where);
            return Optional.empty();
        }
        Instant at = halt.at();
        if (at.isAfter(received.plus(skew))) {
            log.warn("halt {} is dated {}, beyond this agent's clock {} and the {} skew allowed; taken as of now",
                    where, at, received, skew);
            at = received;
        }
        Instant previous = latest;
        if (previous != null && !at.isAfter(previous)) {
            return Optional.empty();
        }
        latest = at;
        return Optional.of(new Taken(at, halt));
    }

    /** The latest valid halt's time, or null if none was read; safe from any thread. */
    Instant latest() {
        return latest;
    }
}
