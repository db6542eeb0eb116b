package io.faultline.verifier;

import io.faultline.protocol.CheckResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Histories with known timing for the verifier's tests: a steady canary, faults, partitions. */
abstract class VerifierFixture {
    static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    static final Duration INTERVAL = Duration.ofMillis(20);
    static final Duration LATENCY = Duration.ofMillis(200);

    /** A steady history: one canary every 20 ms for {@code count} events, each observed 200 ms after it was sent. */
    static final class Builder {
        final List<SentEvent> sent = new ArrayList<>();
        final List<Observation> observed = new ArrayList<>();
        final List<FaultWindow> faults = new ArrayList<>();
        /** The system under test committed every input offset unless a test says otherwise. */
        final Map<Integer, Long> committed = new HashMap<>();
        final List<History.AlertChange> alerts = new ArrayList<>();
        final List<History.ProbeSample> probes = new ArrayList<>();
        Instant stopped;

        Builder(int count, Set<Long> dropped) {
            for (long seq = 0; seq < count; seq++) {
                Instant at = T0.plus(INTERVAL.multipliedBy(seq));
                sent.add(new SentEvent(seq, "r:" + seq, "k" + (seq % 4), at, at.plusMillis(2), 0, seq));
                if (!dropped.contains(seq)) {
                    observed.add(new Observation("r:" + seq, at.plus(LATENCY), 0, seq, "listener-1", seq));
                }
            }
            stopped = T0.plus(INTERVAL.multipliedBy(count));
            committed.put(0, (long) count);
        }

        Builder fault(Instant invoked, Instant applied) {
            faults.add(new FaultWindow("kill-primary", "cmd-1", "agent-1", "process.kill", invoked, applied,
                    invoked.plusSeconds(15), invoked.plusSeconds(15)));
            return this;
        }

        History history() {
            return new History("r", sent, observed, faults, INTERVAL, stopped, stopped.plusSeconds(5), List.of(), committed,
                    alerts, probes);
        }
    }

    static CheckResult check(Verifier.Result r, String name) {
        return r.checks().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    /** Canaries spread round-robin over {@code partitions} input partitions; those of {@code stalled} wait until {@code until}. */
    static History spread(int partitions, Set<Integer> stalled, Instant from, Instant until) {
        Builder b = new Builder(0, Set.of());
        for (long seq = 0; seq < 750; seq++) {
            Instant at = T0.plus(INTERVAL.multipliedBy(seq));
            int p = (int) (seq % partitions);
            b.sent.add(new SentEvent(seq, "r:" + seq, "k" + p, at, at.plusMillis(2), p, seq / partitions));
            Instant seen = at.plus(LATENCY);
            if (stalled.contains(p) && !at.isBefore(from) && at.isBefore(until)) {
                seen = until.plus(LATENCY).plusMillis(seq % 10);
            }
            b.observed.add(new Observation("r:" + seq, seen, p, seq / partitions, "listener-1", seq / partitions));
        }
        b.stopped = T0.plus(INTERVAL.multipliedBy(750));
        for (int p = 0; p < partitions; p++) {
            b.committed.put(p, 750L / partitions + 1);
        }
        b.observed.sort(Comparator.comparing(Observation::observedAt));
        return b.fault(T0.plusMillis(4000), T0.plusMillis(4010)).history();
    }

    /** Canaries sent while the fault holds take {@code slowMs}; those sent after {@code recoverAt} are fast again. */
    static History slowedHistory(long slowMs, Instant invoked, Instant healed, Instant recoverAt) {
        Builder b = new Builder(1500, Set.of());
        b.observed.clear();
        for (SentEvent e : b.sent) {
            boolean slow = !e.sentAt().isBefore(invoked) && e.sentAt().isBefore(recoverAt);
            b.observed.add(new Observation(e.id(), e.sentAt().plusMillis(slow ? slowMs : LATENCY.toMillis()), 0, e.seq(),
                    "listener-1", e.seq()));
        }
        b.faults.add(new FaultWindow("pause-redis", "cmd-1", "agent-1", "redis.pause", invoked, invoked.plusMillis(5),
                healed, healed.plusMillis(5)));
        return b.history();
    }
}
