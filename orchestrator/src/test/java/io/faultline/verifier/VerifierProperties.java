package io.faultline.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongFunction;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * Generated histories with known injected anomalies (drops the system committed past, late or
 * unconsumed events, duplicates from redelivery and from second writes, reorderings, events never
 * sent, unacknowledged events): the verifier reports exactly the injected set, no more, no less.
 */
class VerifierProperties {
    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    private static final Duration INTERVAL = Duration.ofMillis(20);

    @Property(tries = 1000)
    void reportsExactlyTheInjectedAnomalies(@ForAll @IntRange(min = 20, max = 400) int count,
                                            @ForAll @IntRange(min = 1, max = 8) int keys,
                                            @ForAll long seed) {
        check(count, keys, seed, VerifierProperties::id, false);
    }

    /**
     * The same with ids that are not the run's prefix and sequence number, and the sent list out of
     * order: the verifier's index then looks canaries up through a map instead of their numbers.
     */
    @Property(tries = 300)
    void reportsExactlyTheInjectedAnomaliesWhateverTheIdsLookLike(@ForAll @IntRange(min = 20, max = 400) int count,
                                                                 @ForAll @IntRange(min = 1, max = 8) int keys,
                                                                 @ForAll long seed) {
        check(count, keys, seed, seq -> "order-" + Long.toHexString(seq * 7919 + 13) + "-x", true);
    }

    private static void check(int count, int keys, long seed, LongFunction<String> id,
                              boolean shuffleSent) {
        Random random = new Random(seed);
        long committed = random.nextInt(count + 1);
        List<SentEvent> sent = new ArrayList<>();
        List<Observation> observed = new ArrayList<>();
        Set<Long> lost = new TreeSet<>();
        Set<Long> unseen = new TreeSet<>();
        Set<Long> duplicated = new TreeSet<>();
        Set<Long> redelivered = new TreeSet<>();
        Set<Long> moved = new TreeSet<>();
        Set<String> unexpected = new TreeSet<>();
        long offset = 0;
        for (long seq = 0; seq < count; seq++) {
            Instant at = T0.plus(INTERVAL.multipliedBy(seq));
            int roll = random.nextInt(100);
            boolean acked = roll != 0;
            sent.add(new SentEvent(seq, id.apply(seq), "k" + (seq % keys), at, acked ? at.plusMillis(2) : null,
                    acked ? 0 : null, acked ? seq : null));
            if (!acked) {
                continue;
            }
            if (roll < 6) {
                (seq < committed ? lost : unseen).add(seq);
                continue;
            }
            if (roll < 10) {
                moved.add(seq);
                continue;
            }
            observed.add(new Observation(id.apply(seq), at.plusMillis(200), 0, offset++, "l1", seq));
            if (roll < 14) {
                duplicated.add(seq);
                boolean sameOffset = random.nextBoolean();
                if (sameOffset) {
                    redelivered.add(seq);
                }
                observed.add(new Observation(id.apply(seq), at.plusMillis(900), 0, 1_000_000 + offset++, "l2",
                        sameOffset ? seq : seq + 1_000_000));
            }
        }
        // Moved events come out at the end, in a shuffled order.
        List<Long> late = new ArrayList<>(moved);
        Collections.shuffle(late, random);
        for (long seq : late) {
            observed.add(new Observation(id.apply(seq), T0.plusSeconds(100), 0, 2_000_000 + offset++, "l1", seq));
        }
        int strangers = random.nextInt(3);
        for (int i = 0; i < strangers; i++) {
            unexpected.add("other:" + i);
            observed.add(new Observation("other:" + i, T0.plusSeconds(1), 0, 3_000_000 + offset++, "l1", null));
        }
        Collections.shuffle(observed, random);
        if (shuffleSent) {
            Collections.shuffle(sent, random);
        }

        Instant stopped = T0.plus(INTERVAL.multipliedBy(count));
        History h = new History("r", sent, observed, List.of(), INTERVAL, stopped, stopped.plusSeconds(5), List.of(),
                Map.of(0, committed), List.of(), List.of());
        DeliveryAnalysis.Anomalies a = DeliveryAnalysis.anomalies(h);

        assertThat(a.lost()).containsExactlyElementsOf(ids(lost, id));
        assertThat(a.unseen()).containsExactlyElementsOf(ids(unseen, id));
        assertThat(a.duplicated()).containsExactlyElementsOf(ids(duplicated, id));
        assertThat(a.redelivered()).containsExactlyElementsOf(ids(redelivered, id));
        assertThat(a.unexpected()).containsExactlyElementsOf(unexpected);
        assertThat(a.reordered()).containsExactlyElementsOf(ids(reorderedByDefinition(sent, observed), id));
        Statistics.label("lost").collect(!lost.isEmpty());
        Statistics.label("unseen").collect(!unseen.isEmpty());
        Statistics.label("duplicated").collect(!duplicated.isEmpty());
        Statistics.label("redelivered").collect(!redelivered.isEmpty());
        Statistics.label("reordered").collect(!a.reordered().isEmpty());
        Statistics.label("unexpected").collect(!unexpected.isEmpty());
        // Each kind of anomaly is injected into a good share of the histories, and left out of some.
        for (String kind : List.of("lost", "unseen", "duplicated", "redelivered", "reordered", "unexpected")) {
            Statistics.label(kind).coverage(c -> {
                c.check(true).percentage(p -> p >= 20);
                c.check(false).percentage(p -> p >= 5);
            });
        }
        Statistics.label("anomalies per history").collect(bucket(lost.size() + unseen.size() + duplicated.size()
                + a.reordered().size() + unexpected.size()));
    }

    /** The definition, pair by pair: e is reordered if an event of its key sent later came out first. */
    private static Set<Long> reorderedByDefinition(List<SentEvent> sent, List<Observation> observed) {
        Map<String, SentEvent> byId = new HashMap<>();
        sent.forEach(e -> byId.put(e.id(), e));
        Map<String, Long> firstOffset = new HashMap<>();
        for (Observation o : observed) {
            firstOffset.merge(o.id(), o.offset(), Math::min);
        }
        Set<Long> out = new TreeSet<>();
        for (var e : firstOffset.entrySet()) {
            SentEvent x = byId.get(e.getKey());
            if (x == null) {
                continue;
            }
            for (var f : firstOffset.entrySet()) {
                SentEvent y = byId.get(f.getKey());
                if (y != null && y.key().equals(x.key()) && y.seq() > x.seq() && f.getValue() < e.getValue()) {
                    out.add(x.seq());
                    break;
                }
            }
        }
        return out;
    }

    private static String bucket(int n) {
        return n == 0 ? "0" : n < 10 ? "1-9" : n < 50 ? "10-49" : "50+";
    }

    private static String id(long seq) {
        return "r:" + seq;
    }

    private static List<String> ids(Set<Long> seqs, LongFunction<String> id) {
        return seqs.stream().map(id::apply).toList();
    }
}
