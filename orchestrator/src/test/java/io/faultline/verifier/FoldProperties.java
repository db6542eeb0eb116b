package io.faultline.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.protocol.FaultRecord;
import io.faultline.protocol.Json;
import io.faultline.scenario.ChecksSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * Folding changes no verdict: generated runs (one to three partitions, faults that stop some
 * partitions and leave a backlog to catch up, slow canaries, lost, duplicated, unexpected and
 * unacknowledged ones, canaries still pending at the end) are judged whole and folded, and the
 * results are the same to the last figure; so is a folded history read back from its JSON.
 */
class FoldProperties {
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
    private static final Duration INTERVAL = Duration.ofMillis(10);

    @Property(tries = 150)
    void aFoldedRunIsJudgedAsTheWholeOne(@ForAll @IntRange(min = 1, max = 3) int partitions,
                                         @ForAll @IntRange(min = 0, max = 3) int faults,
                                         @ForAll @IntRange(min = 30, max = 60) int seconds,
                                         @ForAll long seed) throws Exception {
        History h = run(partitions, faults, seconds, new Random(seed));
        History folded = Fold.fold(h, Duration.ofSeconds(1));

        Verifier.Result whole = Verifier.verify(h, ChecksSpec.DEFAULTS);
        assertThat(Verifier.verify(folded, ChecksSpec.DEFAULTS)).isEqualTo(whole);
        History read = Json.mapper().readValue(Json.mapper().writeValueAsBytes(folded), History.class);
        assertThat(Verifier.verify(read, ChecksSpec.DEFAULTS)).isEqualTo(whole);
        assertThat(folded.sentCount()).isEqualTo(h.sentCount());

        Statistics.label("folded").collect(!folded.folded().isEmpty());
        Statistics.label("outage").collect(whole.faults().stream().map(FaultRecord::failover)
                .anyMatch(f -> f != null && f.outage()));
        Statistics.label("catch-up measured").collect(whole.faults().stream().map(FaultRecord::failover)
                .anyMatch(f -> f != null && f.catchUpMs() != null && f.catchUpMs() > 0));
        Statistics.label("latency recovered later").collect(whole.faults().stream().map(FaultRecord::latency)
                .anyMatch(l -> l != null && l.recoveredAfterMs() != null && l.recoveredAfterMs() > 0));
        Statistics.label("folded after an outage").collect(!folded.folded().isEmpty() && whole.faults().stream()
                .anyMatch(f -> f.failover() != null && f.failover().outage() && f.failover().recoveredAt() != null
                        && folded.folded().get(folded.folded().size() - 1).seenFrom().isAfter(f.failover().recoveredAt())));
        Statistics.label("folded").coverage(c -> c.check(true).percentage(p -> p >= 60));
        Statistics.label("folded after an outage").coverage(c -> c.check(true).percentage(p -> p >= 12));
        Statistics.label("outage").coverage(c -> c.check(true).percentage(p -> p >= 30));
    }

    @Property(tries = 30)
    void aQuietRunFoldsAlmostWhole(@ForAll @IntRange(min = 1, max = 3) int partitions, @ForAll long seed) {
        History h = run(partitions, 0, 45, new Random(seed), 0);
        History folded = Fold.fold(h, Duration.ofSeconds(1));
        assertThat(Verifier.verify(folded, ChecksSpec.DEFAULTS)).isEqualTo(Verifier.verify(h, ChecksSpec.DEFAULTS));
        // Only the first 10 s (where the steady state is looked for) and the last spans (results
        // still coming when sending stopped) stay whole.
        assertThat(folded.sent().size()).isLessThan(h.sent().size() * 3 / 10);
    }

    /**
     * The same run recorded as the workload records it, event by event in time order, into a
     * {@link CanaryLog} folded every second of the run up to five seconds back, with the faults as
     * known at that moment: judged the same as the whole run.
     */
    @Property(tries = 100)
    void aRunFoldedWhileItGoesIsJudgedAsTheWholeOne(@ForAll @IntRange(min = 1, max = 3) int partitions,
                                                    @ForAll @IntRange(min = 0, max = 3) int faults,
                                                    @ForAll long seed) {
        History h = run(partitions, faults, 45, new Random(seed));
        CanaryLog log = new CanaryLog("r:", 2 * partitions);
        record Event(Instant at, int kind, int index) {
        }
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < h.sent().size(); i++) {
            SentEvent e = h.sent().get(i);
            events.add(new Event(e.sentAt(), 0, i));
            if (e.acknowledged()) {
                events.add(new Event(e.ackedAt(), 1, i));
            }
        }
        for (int i = 0; i < h.observations().size(); i++) {
            events.add(new Event(h.observations().get(i).observedAt(), 2, i));
        }
        events.sort(Comparator.comparing(Event::at).thenComparingInt(Event::kind).thenComparingInt(Event::index));
        Instant nextFold = T0.plusSeconds(1);
        long foldedCount = 0;
        for (Event ev : events) {
            while (!ev.at().isBefore(nextFold)) {
                foldedCount += log.fold(known(h.faults(), nextFold), nextFold.minusSeconds(5),
                        Duration.ofSeconds(1), h.canaryInterval());
                nextFold = nextFold.plusSeconds(1);
            }
            switch (ev.kind()) {
                case 0 -> log.sent(h.sent().get(ev.index()).seq(), ev.at());
                case 1 -> {
                    SentEvent e = h.sent().get(ev.index());
                    log.acknowledged(e.seq(), e.ackedAt(), e.partition(), e.offset());
                }
                default -> {
                    Observation o = h.observations().get(ev.index());
                    log.observed(o.id(), o.observedAt(), o.partition(), o.offset(), o.processedBy(), o.inputOffset());
                }
            }
        }
        History recorded = new History("r", log.sent(), log.observations(), h.faults(), INTERVAL, h.sendingStoppedAt(),
                h.observedUntil(), List.of(), h.committed(), List.of(), List.of(), null, log.folded());

        Verifier.Result got = Verifier.verify(recorded, ChecksSpec.DEFAULTS);
        Verifier.Result want = Verifier.verify(h, ChecksSpec.DEFAULTS);
        // The index reads the log's columns directly; the same canaries as records judge the same.
        History asRecords = new History("r", new ArrayList<>(log.sent()), new ArrayList<>(log.observations()),
                h.faults(), INTERVAL, h.sendingStoppedAt(), h.observedUntil(), List.of(), h.committed(), List.of(),
                List.of(), null, log.folded());
        assertThat(Verifier.verify(asRecords, ChecksSpec.DEFAULTS)).isEqualTo(got);
        // One difference, by design: a second result that came after its canary was folded is a
        // duplicate whose cause is unknown (the first result's input offset is not kept).
        List<String> late = want.anomalies().duplicated().stream()
                .filter(id -> recorded.folded().stream().anyMatch(f -> f.holds(CanaryLog.seqOf("r:", id)))).toList();
        assertThat(got.faults()).isEqualTo(want.faults());
        assertThat(got.canary()).isEqualTo(want.canary());
        DeliveryAnalysis.Anomalies a = got.anomalies();
        DeliveryAnalysis.Anomalies b = want.anomalies();
        assertThat(List.of(a.lost(), a.unseen(), a.duplicated(), a.unexpected(), a.reordered()))
                .isEqualTo(List.of(b.lost(), b.unseen(), b.duplicated(), b.unexpected(), b.reordered()));
        assertThat(a.redelivered()).isEqualTo(b.redelivered().stream().filter(id -> !late.contains(id)).toList());
        assertThat(a.unexplained()).isEqualTo(b.duplicated().stream()
                .filter(id -> late.contains(id) || b.unexplained().contains(id)).toList());
        for (int i = 0; i < want.checks().size(); i++) {
            var x = got.checks().get(i);
            var y = want.checks().get(i);
            if (!late.isEmpty() && y.name().equals(CheckNames.DUPLICATED)) {
                assertThat(List.of(x.outcome(), x.measured(), x.offenders())).isEqualTo(List.of(y.outcome(), y.measured(),
                        y.offenders()));
            } else {
                assertThat(x).isEqualTo(y);
            }
        }
        assertThat(recorded.sentCount()).isEqualTo(h.sentCount());
        assertThat(log.kept() + foldedCount).isEqualTo(h.sent().size());
        Statistics.label("folded while running").collect(foldedCount > 0);
        DeliveryAnalysis.Anomalies anomalies = Verifier.verify(h, ChecksSpec.DEFAULTS).anomalies();
        Statistics.label("a result after its canary was folded").collect(recorded.observations().stream()
                .anyMatch(o -> recorded.folded().stream().anyMatch(f -> f.holds(CanaryLog.seqOf("r:", o.id())))));
        Statistics.label("reordered").collect(!anomalies.reordered().isEmpty());
        Statistics.label("a result after its canary was folded").coverage(c -> c.check(true).percentage(p -> p >= 5));
        Statistics.label("folded while running").coverage(c -> c.check(true).percentage(p -> p >= 60));
    }

    /** The faults as the orchestrator knew them at {@code now}. */
    private static List<FaultWindow> known(List<FaultWindow> faults, Instant now) {
        List<FaultWindow> out = new ArrayList<>();
        for (FaultWindow w : faults) {
            if (w.invokedAt().isAfter(now)) {
                continue;
            }
            out.add(new FaultWindow(w.name(), w.commandId(), w.agentId(), w.faultType(), w.invokedAt(),
                    upTo(w.appliedAt(), now), upTo(w.healInvokedAt(), now), upTo(w.undoneAt(), now)));
        }
        return out;
    }

    private static Instant upTo(Instant at, Instant now) {
        return at == null || at.isAfter(now) ? null : at;
    }

    static History run(int partitions, int faults, int seconds, Random random) {
        return run(partitions, faults, seconds, random, 1);
    }

    /**
     * A generated run: a canary every 10 ms on {@code 2 * partitions} keys, 5-30 ms latency with
     * one in a hundred 100-400 ms slow, each partition's results in order; each fault stops a random non-empty set of partitions
     * from its application until a little after its undo (or for good, when never healed),
     * and what was sent meanwhile comes out in a burst, one every 2 ms per partition.
     *
     * @param anomalies 1 for anomalies at the usual rate, 0 for none
     */
    static History run(int partitions, int faults, int seconds, Random random, int anomalies) {
        int n = seconds * 100;
        int keys = 2 * partitions;
        List<FaultWindow> windows = new ArrayList<>();
        List<long[]> stops = new ArrayList<>();
        long slot = (long) seconds * 1000 / (faults + 1);
        for (int f = 0; f < faults; f++) {
            long invoked = slot * (f + 1) - slot / 4 + random.nextInt((int) (slot / 4));
            long held = 1000 + random.nextInt(4000);
            boolean healed = f < faults - 1 || random.nextInt(4) != 0;
            Instant inv = T0.plusMillis(invoked);
            windows.add(new FaultWindow("fault-" + f, "cmd-" + f, "agent-1", "kill", inv, inv.plusMillis(40),
                    healed ? inv.plusMillis(held) : null, healed ? inv.plusMillis(held + 30) : null));
            int mask = 1 + random.nextInt((1 << partitions) - 1);
            long until = healed ? invoked + held + 30 + random.nextInt(2000) : Long.MAX_VALUE;
            stops.add(new long[] {invoked + 40, until, mask});
        }
        List<SentEvent> sent = new ArrayList<>();
        long[] nextOffset = new long[partitions];
        long[] free = new long[partitions];
        record Out(String id, long at, int partition, Long inputOffset) {
        }
        List<Out> out = new ArrayList<>();
        Map<Integer, Long> committed = new HashMap<>();
        for (int seq = 0; seq < n; seq++) {
            long sentAt = seq * 10L + random.nextInt(3);
            String key = "k" + (seq % keys);
            int partition = (seq % keys) % partitions;
            int roll = random.nextInt(2000);
            boolean acked = anomalies == 0 || roll != 0;
            long offset = nextOffset[partition]++;
            sent.add(new SentEvent(seq, "r:" + seq, key, T0.plusMillis(sentAt), acked ? T0.plusMillis(sentAt + 2) : null,
                    acked ? partition : null, acked ? offset : null));
            if (!acked || (anomalies > 0 && roll < 3)) {
                continue;
            }
            long latency = 5 + random.nextInt(26) + (random.nextInt(100) == 0 ? 100 + random.nextInt(300) : 0);
            long at = sentAt + latency;
            for (long[] stop : stops) {
                if ((stop[2] & (1L << partition)) != 0 && at >= stop[0] && sentAt < stop[1]) {
                    at = stop[1] == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(at, stop[1]);
                }
            }
            if (at == Long.MAX_VALUE) {
                continue;
            }
            if (anomalies > 0 && roll >= 6 && roll < 8) {
                // Held up elsewhere: comes out 6-10 s late, after canaries of its key sent later.
                out.add(new Out("r:" + seq, at + 6000 + random.nextInt(4000), partition, offset));
                continue;
            }
            // A partition's results come out in order; a backlog, one every 2 ms.
            at = Math.max(at, free[partition] + (at < free[partition] + 2 ? 2 : 0));
            free[partition] = at;
            out.add(new Out("r:" + seq, at, partition, offset));
            if (anomalies > 0 && roll >= 3 && roll < 6) {
                // A second result, soon or long after (after the first was folded, in a run folded as it goes).
                out.add(new Out("r:" + seq, at + 500 + random.nextInt(random.nextBoolean() ? 3000 : 12000), partition,
                        random.nextBoolean() ? offset : offset + 1_000_000));
            }
        }
        if (anomalies > 0 && random.nextBoolean()) {
            out.add(new Out("stranger:1", random.nextInt(seconds * 1000), 0, null));
        }
        for (int p = 0; p < partitions; p++) {
            committed.put(p, (long) random.nextInt((int) Math.max(1, nextOffset[p])));
        }
        long stopped = n * 10L;
        long until = stopped + 5000;
        out.removeIf(o -> o.at() > until);
        out.sort(Comparator.comparingLong(Out::at));
        long[] outOffset = new long[partitions];
        List<Observation> observations = new ArrayList<>();
        for (Out o : out) {
            observations.add(new Observation(o.id(), T0.plusMillis(o.at()), o.partition(), outOffset[o.partition()]++,
                    "listener-1", o.inputOffset()));
        }
        return new History("r", sent, observations, windows, INTERVAL, T0.plusMillis(stopped), T0.plusMillis(until),
                List.of(), committed, List.of(), List.of());
    }
}
