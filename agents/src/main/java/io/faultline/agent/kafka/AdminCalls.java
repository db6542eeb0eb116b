package io.faultline.agent.kafka;

import io.faultline.agent.driver.FaultException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * One Kafka fault's Admin calls against one deadline: each call waits at most what is left of it,
 * and an interrupt (the agent's driver deadline) ends the wait at once. Errors come back as
 * {@link FaultException}s in words, naming what was asked: no type names.
 */
final class AdminCalls {
    /** Within the agent's driver deadline, with room to report. */
    static final Duration BUDGET = Duration.ofSeconds(12);
    private static final long POLL_MS = 100;

    private final long deadline;

    private AdminCalls(long deadline) {
        this.deadline = deadline;
    }

    static AdminCalls within(Duration budget) {
        return new AdminCalls(System.nanoTime() + budget.toNanos());
    }

    private long leftMs() {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }

    /** The value of {@code future}, waiting at most what is left; {@code what} names the call in errors. */
    <T> T get(KafkaFuture<T> future, String what) throws FaultException {
        return get(future, what, null);
    }

    /**
     * As {@link #get(KafkaFuture, String)}; {@code acl} names the ACL the call needs (e.g.
     * {@code AlterConfigs on TOPIC orders}), said when the principal is refused.
     */
    <T> T get(KafkaFuture<T> future, String what, String acl) throws FaultException {
        try {
            return future.get(leftMs(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FaultException(what + ": interrupted (the agent's deadline for this fault passed)");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthorizationException) {
                throw new NotAuthorized(what + ": " + (acl == null ? reason(e.getCause())
                        : "not authorized: this principal needs the ACL " + acl + " (" + message(e.getCause())
                                + "); see the ACLs the Admin role needs in docs/faults.md"));
            }
            throw new FaultException(what + ": " + reason(e.getCause()));
        } catch (Exception e) {
            // The wait's own timeout, or a cancelled call.
            throw new FaultException(what + ": Kafka did not answer within " + BUDGET.toSeconds() + " s");
        }
    }

    /** Polls {@code done} every 100 ms until it holds; throws {@code what} when the deadline passes first. */
    void await(BooleanSupplier done, String what) throws FaultException {
        while (!done.getAsBoolean()) {
            if (leftMs() == 0) {
                throw new FaultException(what + ": not seen within " + BUDGET.toSeconds() + " s");
            }
            try {
                Thread.sleep(Math.min(POLL_MS, leftMs()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FaultException(what + ": interrupted (the agent's deadline for this fault passed)");
            }
        }
    }

    /** A Kafka error as an operator reads it. */
    static String reason(Throwable t) {
        if (t instanceof UnknownTopicOrPartitionException) {
            return "no such topic or partition";
        }
        if (t instanceof GroupIdNotFoundException) {
            return "no such consumer group";
        }
        if (t instanceof AuthorizationException) {
            return "not authorized (" + message(t) + "); see the ACLs the Admin role needs in docs/faults.md";
        }
        if (t instanceof AuthenticationException) {
            return "authentication failed (" + message(t) + ")";
        }
        if (t instanceof TimeoutException) {
            return "Kafka did not answer in time (" + message(t) + ")";
        }
        if (t instanceof ApiException) {
            return message(t);
        }
        return t == null ? "failed" : message(t);
    }

    private static String message(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? "no reason given" : m.strip();
    }

    /** The principal was refused: what it asked was not done. */
    static final class NotAuthorized extends FaultException {
        private static final long serialVersionUID = 1L;

        NotAuthorized(String message) {
            super(message);
        }
    }
}
