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
    /** Latency before a fault is judged over this window just before it, clear of start-up backlog. */
    static final Duration LATENCY_BASELINE = Duration.ofSeconds(3);

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
            FaultRecord.Latency latency = latency(f, windowEnd, h);
            faults.add(new FaultRecord(f.name(), f.commandId(), f.agentId(), f.faultType(), f.invokedAt(),
                    f.appliedAt(), f.healInvokedAt(), f.undoneAt(), failover, latency));
            checks.add(failoverCheck(f, failover, spec.failover()));
            if (latency != null && latency.afterP99Ms() != null) {
                checks.add(latencyCheck(f, latency, spec.latencyRecovery()));
            }
        }
        if (spec.circuit() != null) {
            checks.add(circuitCheck(h, windows, spec.circuit()));
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

    /**
     * Latency before (the {@link #LATENCY_BASELINE} before injection), during and after one fault,
     * from the first observation of each canary.
     */
    static FaultRecord.Latency latency(FaultWindow f, Instant windowEnd, History h) {
        Map<String, Instant> firstSeen = new HashMap<>();
        for (Observation o : h.observations()) {
            firstSeen.merge(o.id(), o.observedAt(), (a, b) -> a.isBefore(b) ? a : b);
        }
        Instant healAt = f.undoneAt() != null ? f.undoneAt() : f.healInvokedAt() != null ? f.healInvokedAt() : windowEnd;
        List<Long> before = new ArrayList<>();
        List<Long> during = new ArrayList<>();
        List<long[]> after = new ArrayList<>();
        h.sent().stream().sorted(Comparator.comparing(SentEvent::sentAt)).forEach(e -> {
            Instant seenAt = firstSeen.get(e.id());
            if (seenAt == null) {
                return;
            }
            long ms = Math.max(0, Duration.between(e.sentAt(), seenAt).toMillis());
            if (e.sentAt().isBefore(f.invokedAt())) {
                if (!e.sentAt().isBefore(f.invokedAt().minus(LATENCY_BASELINE))) {
                    before.add(ms);
                }
            } else if (e.sentAt().isBefore(healAt)) {
                during.add(ms);
            } else if (e.sentAt().isBefore(windowEnd)) {
                after.add(new long[] {Duration.between(healAt, e.sentAt()).toMillis(), ms});
            }
        });
        if (before.size() < 10) {
            return null;
        }
        long baseP99 = percentile(before, 0.99);
        // p95, not p99: a couple of slow canaries in a short baseline must not hide the impact.
        long baseP95 = percentile(before, 0.95);
        long bound = Math.max(2 * baseP95, baseP95 + 100);
        Long recoveredAfter = 0L;
        for (int i = after.size() - 1; i >= 0; i--) {
            if (after.get(i)[1] > bound) {
                recoveredAfter = i + 1 < after.size() ? after.get(i + 1)[0] : null;
                break;
            }
        }
        if (after.isEmpty()) {
            recoveredAfter = null;
        }
        List<Long> afterMs = after.stream().map(a -> a[1]).toList();
        return new FaultRecord.Latency(percentile(before, 0.5), baseP99,
                during.isEmpty() ? null : percentile(during, 0.5), during.isEmpty() ? null : percentile(during, 0.99),
                during.isEmpty() ? null : percentile(during, 1.0), afterMs.isEmpty() ? null : percentile(afterMs, 0.99),
                bound, recoveredAfter);
    }

    static long percentile(List<Long> values, double q) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int index = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static CheckResult latencyCheck(FaultWindow f, FaultRecord.Latency l, Duration max) {
        String name = "latency[" + f.name() + "]";
        Double threshold = max == null ? null : (double) max.toMillis();
        String impact = "canary latency p50/p99 " + l.baselineP50Ms() + "/" + l.baselineP99Ms() + " ms before the fault, "
                + (l.duringP99Ms() == null ? "no canary completed during it"
                        : l.duringP50Ms() + "/" + l.duringP99Ms() + " ms during it (max " + l.duringMaxMs() + " ms)");
        if (l.recoveredAfterMs() == null) {
            return new CheckResult(name, Outcome.FAIL, null, threshold, "ms", impact + "; still above " + l.boundMs()
                    + " ms when the run ended", List.of());
        }
        boolean ok = threshold == null || l.recoveredAfterMs() <= threshold;
        return new CheckResult(name, ok ? Outcome.PASS : Outcome.FAIL, (double) l.recoveredAfterMs(), threshold, "ms",
                impact + "; back under " + l.boundMs() + " ms " + l.recoveredAfterMs() + " ms after heal"
                        + (ok ? "" : ", over the " + max.toMillis() + " ms limit"), List.of());
    }

    /** The named breaker opened during a fault and every breaker that opened was closed again soon after heal. */
    static CheckResult circuitCheck(History h, List<FaultWindow> windows, ChecksSpec.CircuitCheck spec) {
        String name = "circuit[" + spec.name() + "]";
        double threshold = spec.closesWithin().toMillis();
        if (windows.isEmpty()) {
            return new CheckResult(name, Outcome.FAIL, null, threshold, "ms", "no fault was injected", List.of());
        }
        Instant firstFault = windows.get(0).invokedAt();
        FaultWindow last = windows.get(windows.size() - 1);
        Instant healAt = last.undoneAt() != null ? last.undoneAt() : last.healInvokedAt() != null ? last.healInvokedAt()
                : h.sendingStoppedAt();
        Map<String, History.CircuitChange> lastChange = new LinkedHashMap<>();
        Set<String> opened = new java.util.TreeSet<>();
        h.circuits().stream().filter(c -> c.circuit().equals(spec.name()) && !c.at().isBefore(firstFault))
                .sorted(Comparator.comparing(History.CircuitChange::at)).forEach(c -> {
                    if (c.to().equals("open")) {
                        opened.add(c.service());
                    }
                    lastChange.put(c.service(), c);
                });
        if (opened.isEmpty()) {
            return new CheckResult(name, Outcome.FAIL, null, threshold, "ms",
                    "the " + spec.name() + " circuit never opened during the fault", List.of());
        }
        List<String> stillOpen = new ArrayList<>();
        long worst = 0;
        for (String service : opened) {
            History.CircuitChange c = lastChange.get(service);
            if (!c.to().equals("closed")) {
                stillOpen.add(service);
            } else {
                worst = Math.max(worst, Duration.between(healAt, c.at()).toMillis());
            }
        }
        if (!stillOpen.isEmpty()) {
            return new CheckResult(name, Outcome.FAIL, null, threshold, "ms", "opened on " + opened
                    + " and never closed again on " + stillOpen, stillOpen);
        }
        boolean ok = worst <= threshold;
        return new CheckResult(name, ok ? Outcome.PASS : Outcome.FAIL, (double) Math.max(0, worst), threshold, "ms",
                "opened on " + opened + " during the fault, all closed again " + Math.max(0, worst) + " ms after heal"
                        + (ok ? "" : ", over the " + spec.closesWithin().toMillis() + " ms limit"), List.of());
    }
}
