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
                                         @ForAll @IntRange(min = 15, max = 40) int seconds,
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
        Statistics.label("folded after an outage").coverage(c -> c.check(true).percentage(p -> p >= 20));
        Statistics.label("outage").coverage(c -> c.check(true).percentage(p -> p >= 30));
    }

    @Property(tries = 30)
    void aQuietRunFoldsAlmostWhole(@ForAll @IntRange(min = 1, max = 3) int partitions, @ForAll long seed) {
        History h = run(partitions, 0, 30, new Random(seed), 0);
        History folded = Fold.fold(h, Duration.ofSeconds(1));
        assertThat(Verifier.verify(folded, ChecksSpec.DEFAULTS)).isEqualTo(Verifier.verify(h, ChecksSpec.DEFAULTS));
        // Only the last spans (results still coming when sending stopped) stay whole.
        assertThat(folded.sent().size()).isLessThan(h.sent().size() / 10);
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
            int roll = random.nextInt(1000);
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
            // A partition's results come out in order; a backlog, one every 2 ms.
            at = Math.max(at, free[partition] + (at < free[partition] + 2 ? 2 : 0));
            free[partition] = at;
            out.add(new Out("r:" + seq, at, partition, offset));
            if (anomalies > 0 && roll >= 3 && roll < 6) {
                out.add(new Out("r:" + seq, at + 500 + random.nextInt(3000), partition,
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
