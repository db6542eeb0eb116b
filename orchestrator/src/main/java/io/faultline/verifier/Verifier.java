package io.faultline.verifier;

import io.faultline.protocol.CanaryStats;
import io.faultline.protocol.CheckResult;
import io.faultline.protocol.CheckResult.Outcome;
import io.faultline.protocol.FaultRecord;
import io.faultline.scenario.ChecksSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Judges a run's history: failover per fault (as a bound, see DESIGN.md), LOST, DUPLICATE and
 * UNEXPECTED canaries. Pure: no clock, no I/O, so tests feed it exact histories.
 */
public final class Verifier {
    /** How many offending event ids a check lists. */
    static final int OFFENDERS = 10;

    private Verifier() {
    }

    /** The judged parts of a verdict. */
    public record Result(List<CheckResult> checks, List<FaultRecord> faults, CanaryStats canary) {
    }

    public static Result verify(History h, ChecksSpec spec) {
        List<CheckResult> checks = new ArrayList<>();
        List<FaultRecord> faults = new ArrayList<>();
        List<Instant> completions = h.observations().stream().map(Observation::observedAt).sorted().toList();
        Duration threshold = outageThreshold(h, completions);
        List<FaultWindow> windows = h.faults().stream().sorted(Comparator.comparing(FaultWindow::invokedAt)).toList();
        for (int i = 0; i < windows.size(); i++) {
            FaultWindow f = windows.get(i);
            Instant windowEnd = i + 1 < windows.size() ? windows.get(i + 1).invokedAt() : h.sendingStoppedAt();
            FaultRecord.Failover failover = failover(f, windowEnd, h, completions, threshold);
            faults.add(new FaultRecord(f.name(), f.commandId(), f.agentId(), f.faultType(), f.invokedAt(),
                    f.appliedAt(), f.healInvokedAt(), f.undoneAt(), failover));
            checks.add(failoverCheck(f, failover, spec.failover()));
        }

        Map<String, SentEvent> sent = new LinkedHashMap<>();
        h.sent().stream().sorted(Comparator.comparingLong(SentEvent::seq)).forEach(e -> sent.put(e.id(), e));
        Map<String, List<Observation>> seen = new HashMap<>();
        for (Observation o : h.observations()) {
            seen.computeIfAbsent(o.id(), k -> new ArrayList<>()).add(o);
        }

        List<String> lost = sent.values().stream()
                .filter(e -> e.acknowledged() && !seen.containsKey(e.id())).map(SentEvent::id).toList();
        checks.add(countCheck("lost", lost, spec.lost(),
                lost.size() + " acknowledged canaries never observed by the end of the drain window"));

        List<String> duplicated = new ArrayList<>();
        int redelivered = 0;
        for (SentEvent e : sent.values()) {
            List<Observation> obs = seen.get(e.id());
            if (obs != null && obs.size() > 1) {
                duplicated.add(e.id());
                Set<String> sources = new HashSet<>();
                obs.forEach(o -> sources.add(o.partition() + "/" + o.inputOffset()));
                if (sources.size() < obs.size()) {
                    redelivered++;
                }
            }
        }
        checks.add(countCheck("duplicated", duplicated, spec.duplicated(), duplicated.size()
                + " canaries observed more than once (" + redelivered + " re-processed from the same input offset, "
                + (duplicated.size() - redelivered) + " written twice)"));

        List<String> unexpected = seen.keySet().stream().filter(id -> !sent.containsKey(id)).sorted().toList();
        checks.add(countCheck("unexpected", unexpected, 0, unexpected.size() + " observed canaries that were never sent"));

        long acked = sent.values().stream().filter(SentEvent::acknowledged).count();
        long observed = sent.keySet().stream().filter(seen::containsKey).count();
        double rate = h.canaryInterval().isZero() ? 0 : 1e9 / h.canaryInterval().toNanos();
        CanaryStats stats = new CanaryStats(sent.size(), acked, observed, lost.size(), duplicated.size(),
                unexpected.size(), rate);
        return new Result(checks, faults, stats);
    }

    /**
     * A gap between completions longer than this counts as an outage: four canary intervals, or
     * three times the 99th percentile of the gaps seen before the first fault, whichever is larger.
     */
    static Duration outageThreshold(History h, List<Instant> completions) {
        Instant firstFault = h.faults().stream().map(FaultWindow::invokedAt).min(Comparator.naturalOrder())
                .orElse(h.sendingStoppedAt());
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < completions.size() && completions.get(i).isBefore(firstFault); i++) {
            gaps.add(Duration.between(completions.get(i - 1), completions.get(i)).toMillis());
        }
        long floor = h.canaryInterval().multipliedBy(4).toMillis();
        if (gaps.isEmpty()) {
            return Duration.ofMillis(floor);
        }
        gaps.sort(null);
        long p99 = gaps.get(Math.min(gaps.size() - 1, (int) Math.ceil(gaps.size() * 0.99) - 1));
        return Duration.ofMillis(Math.max(floor, 3 * p99));
    }

    private static FaultRecord.Failover failover(FaultWindow f, Instant windowEnd, History h,
                                                 List<Instant> completions, Duration threshold) {
        long resolution = h.canaryInterval().toMillis();
        // The longest gap between consecutive completions that overlaps [invokedAt, windowEnd].
        Instant bestStart = null;
        Instant bestEnd = null;
        long bestGap = -1;
        Instant previous = null;
        for (Instant c : completions) {
            if (previous != null && c.isAfter(f.invokedAt()) && previous.isBefore(windowEnd)) {
                long gap = Duration.between(previous, c).toMillis();
                if (gap > bestGap) {
                    bestGap = gap;
                    bestStart = previous;
                    bestEnd = c;
                }
            }
            previous = c;
        }
        // A gap still open when observation ended: no recovery.
        if (previous != null && previous.isBefore(windowEnd)) {
            long open = Duration.between(previous, h.observedUntil()).toMillis();
            if (open > threshold.toMillis() && open > bestGap) {
                return new FaultRecord.Failover(true, false, previous, null, null, null, resolution, open);
            }
        }
        if (previous == null) {
            long open = Duration.between(f.invokedAt(), h.observedUntil()).toMillis();
            return new FaultRecord.Failover(true, false, null, null, null, null, resolution, open);
        }
        if (bestGap <= threshold.toMillis()) {
            return new FaultRecord.Failover(false, true, null, null, 0L, 0L, resolution, Math.max(bestGap, 0));
        }
        Instant ack = f.appliedAt() != null ? f.appliedAt() : f.invokedAt();
        long lower = Math.max(0, Duration.between(ack, bestEnd).toMillis());
        long upper = Math.max(0, Duration.between(f.invokedAt(), bestEnd).toMillis());
        return new FaultRecord.Failover(true, true, bestStart, bestEnd, lower, upper, resolution, bestGap);
    }

    private static CheckResult failoverCheck(FaultWindow f, FaultRecord.Failover fo, Duration max) {
        String name = "failover[" + f.name() + "]";
        Double threshold = max == null ? null : (double) max.toMillis();
        if (!fo.recovered()) {
            return new CheckResult(name, Outcome.FAIL, null, threshold, "ms",
                    "no canary completed after the outage that began " + (fo.outageStart() == null ? "at injection"
                            : "at " + fo.outageStart()) + ": not recovered within " + fo.availabilityGapMs() + " ms",
                    List.of());
        }
        String measured = fo.outage()
                ? "recovered " + fo.lowerMs() + "-" + fo.upperMs() + " ms after the fault (resolution "
                        + fo.resolutionMs() + " ms), longest gap without completions " + fo.availabilityGapMs() + " ms"
                : "no outage: longest gap without completions " + fo.availabilityGapMs() + " ms";
        boolean ok = threshold == null || fo.upperMs() <= threshold;
        return new CheckResult(name, ok ? Outcome.PASS : Outcome.FAIL, (double) fo.upperMs(), threshold, "ms",
                measured + (threshold == null ? " (no threshold set)" : ok ? "" : ", over the " + max.toMillis() + " ms limit"),
                List.of());
    }

    private static CheckResult countCheck(String name, List<String> offenders, long max, String summary) {
        return new CheckResult(name, offenders.size() <= max ? Outcome.PASS : Outcome.FAIL, (double) offenders.size(),
                (double) max, "events", summary, offenders.subList(0, Math.min(OFFENDERS, offenders.size())));
    }
}
