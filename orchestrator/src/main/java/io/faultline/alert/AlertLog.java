package io.faultline.alert;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every alert notice of a run from every source, reduced to state changes: a notice that repeats
 * the alert's last known state (Alertmanager re-sends, or a second source reports the same) is
 * not a change.
 */
public final class AlertLog {
    /** One alert (by identity) changed state at {@code at}. */
    public record Change(String alertname, String identity, boolean firing, Instant at) {
    }

    private final List<AlertNotice> notices = new ArrayList<>();
    private final List<Payload> payloads = new ArrayList<>();
    private long payloadChars;

    /** A webhook body as Alertmanager sent it, kept as evidence of the run. */
    public record Payload(Instant receivedAt, String source, String body) {
    }

    /** The most of webhook bodies kept for one run, in characters: enough for hours of notifications. */
    static final long MAX_PAYLOAD_CHARS = 16L * 1024 * 1024;

    /** Keeps one webhook body as received (the oldest are kept once the bound is reached). */
    public synchronized void payload(Instant receivedAt, String source, String body) {
        if (payloadChars + body.length() <= MAX_PAYLOAD_CHARS) {
            payloads.add(new Payload(receivedAt, source, body));
            payloadChars += body.length();
        }
    }

    public synchronized List<Payload> payloads() {
        return List.copyOf(payloads);
    }

    /** Every notice from every source, in the order received. */
    public synchronized List<AlertNotice> notices() {
        List<AlertNotice> ordered = new ArrayList<>(notices);
        ordered.sort(Comparator.comparing(AlertNotice::receivedAt));
        return ordered;
    }

    public synchronized void add(List<AlertNotice> more) {
        notices.addAll(more);
    }

    /** The state changes, in the order the notices were received, whatever their source. */
    public synchronized List<Change> changes() {
        List<AlertNotice> ordered = new ArrayList<>(notices);
        ordered.sort(Comparator.comparing(AlertNotice::receivedAt));
        Map<String, Boolean> state = new HashMap<>();
        List<Change> changes = new ArrayList<>();
        for (AlertNotice n : ordered) {
            Boolean last = state.put(n.identity(), n.firing());
            if (last == null ? n.firing() : last != n.firing()) {
                changes.add(new Change(n.alertname(), n.identity(), n.firing(), n.receivedAt()));
            }
        }
        return changes;
    }
}
