package io.faultline.verifier;

/**
 * The names checks go by in verdicts, reports and tests. A check about one thing (a fault, an
 * alert, a probe, a breaker) is named {@code check[thing]}.
 */
public final class CheckNames {
    public static final String FAILOVER = "failover";
    /** The disruption after a fault was undone (a restarted member rejoining), with {@code checks.rejoin}. */
    public static final String REJOIN = "rejoin";
    public static final String LATENCY = "latency";
    public static final String CIRCUIT = "circuit";
    public static final String ALERT = "alert";
    public static final String PROBE = "probe";
    /** The family of the five delivery checks below. */
    public static final String DELIVERY = "delivery";
    public static final String LOST = "lost";
    public static final String UNSEEN = "unseen";
    public static final String DUPLICATED = "duplicated";
    public static final String UNEXPECTED = "unexpected";
    public static final String REORDERED = "reordered";
    /** Whether the agent events the run believed were signed by keys it trusts. */
    public static final String AUTHENTIC = "authentic";
    /** An action step: {@code action[NAME]}. */
    public static final String ACTION = "action";
    /** A rollback: {@code rollback[NAME]}. */
    public static final String ROLLBACK = "rollback";

    private CheckNames() {
    }

    /** {@code failover[kill-primary]}: the check {@code check} about {@code subject}. */
    public static String perFault(String check, String subject) {
        return check + "[" + subject + "]";
    }
}
