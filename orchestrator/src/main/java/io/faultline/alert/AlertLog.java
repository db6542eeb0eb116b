package io.faultline.alert;

import java.time.Instant;
import java.util.ArrayList;
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

    public synchronized void add(List<AlertNotice> more) {
        notices.addAll(more);
    }

    /** The state changes, in the order the notices were received, whatever their source. */
    public synchronized List<Change> changes() {
        List<AlertNotice> ordered = new ArrayList<>(notices);
        ordered.sort(java.util.Comparator.comparing(AlertNotice::receivedAt));
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
