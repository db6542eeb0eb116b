package io.faultline.verifier;

import io.faultline.protocol.FaultRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the Kafka cluster did while each fault lasted, from the cluster's own metadata as the run
 * sampled it ({@link History.KafkaView}): each leader election and how long it took from what
 * caused it, each stretch under-replicated, each change of the active controller. A fault's
 * window runs from its invoke (a killed broker's partitions may move before its agent's report
 * arrives) to the next fault's, or for the last fault to the last sample, so a broker that rejoins
 * after heal, or a leader given back by an undo, is counted with the fault that moved it.
 */
final class KafkaAnalysis {
    private KafkaAnalysis() {
    }

    /**
     * The figures for {@code f}, up to {@code nextFault} (null for the last fault: to the last
     * sample); null when the history holds no view of the cluster.
     */
    static FaultRecord.Kafka of(History h, FaultWindow f, Instant nextFault) {
        History.KafkaView view = h.kafka();
        if (view == null) {
            return null;
        }
        Instant start = f.invokedAt();
        Instant lastSample = view.changes().stream().map(History.ClusterChange::at).max(Comparator.naturalOrder())
                .orElse(start);
        Instant runEnd = h.observedUntil() != null && h.observedUntil().isAfter(lastSample) ? h.observedUntil()
                : lastSample;
        Instant end = nextFault != null ? nextFault : runEnd;
        Map<String, List<History.ClusterChange>> leaders = byPartition(view, History.ClusterChange.Kind.LEADER);
        Map<String, List<History.ClusterChange>> isr = byPartition(view, History.ClusterChange.Kind.ISR);
        List<FaultRecord.Election> seen = new ArrayList<>();
        leaders.forEach((p, changes) -> seen.addAll(elections(p, changes, f, start, end)));
        seen.sort(Comparator.comparing(e -> e.at() != null ? e.at() : end));
        List<FaultRecord.Election> elections = withLog(seen, view.readBack(), start, end);
        List<FaultRecord.UnderReplication> under = new ArrayList<>();
        isr.forEach((p, changes) -> under.addAll(underReplicated(p, changes, start, end, runEnd)));
        under.sort(Comparator.comparing(FaultRecord.UnderReplication::from));
        return new FaultRecord.Kafka(elections, under, controllers(view, start, end), resolution(view, start, end),
                rebalances(view, start, end, runEnd));
    }

    /**
     * The group's rebalances that began in {@code (start, end]}: from a look that found it not
     * stable to the next that found it stable; a stable look with another epoch, member count or
     * assignment than the last is a rebalance over between two looks (0 ms).
     */
    static List<FaultRecord.Rebalance> rebalances(History.KafkaView view, Instant start, Instant end, Instant runEnd) {
        Map<String, List<History.GroupLook>> byGroup = new LinkedHashMap<>();
        view.groups().stream().sorted(Comparator.comparing(History.GroupLook::at))
                .forEach(g -> byGroup.computeIfAbsent(g.group(), k -> new ArrayList<>()).add(g));
        List<FaultRecord.Rebalance> out = new ArrayList<>();
        byGroup.values().forEach(looks -> out.addAll(rebalances(looks, view.groupIntervalMs(), start, end, runEnd)));
        out.sort(Comparator.comparing(FaultRecord.Rebalance::from));
        return out;
    }

    private static List<FaultRecord.Rebalance> rebalances(List<History.GroupLook> looks, long interval, Instant start,
                                                          Instant end, Instant runEnd) {
        List<FaultRecord.Rebalance> out = new ArrayList<>();
        History.GroupLook prev = null;
        History.GroupLook open = null;
        History.GroupLook before = null;
        for (History.GroupLook g : looks) {
            boolean inWindow = g.at().isAfter(start) && !g.at().isAfter(end);
            if (!g.stable()) {
                if (open == null) {
                    open = g;
                    before = prev;
                }
            } else if (open != null) {
                if (open.at().isAfter(start) && !open.at().isAfter(end)) {
                    out.add(rebalance(open, before, g, g.at(), interval));
                }
                open = null;
            } else if (inWindow && prev != null && prev.stable() && (!Objects.equals(prev.epoch(), g.epoch())
                    || prev.members() != g.members() || prev.assignment() != g.assignment())) {
                out.add(rebalance(g, prev, g, g.at(), interval));
            }
            prev = g;
        }
        if (open != null && open.at().isAfter(start) && !open.at().isAfter(end)) {
            out.add(new FaultRecord.Rebalance(open.group(), open.protocol(), open.at(), null,
                    ms(open.at(), runEnd.isAfter(open.at()) ? runEnd : open.at()), interval,
                    before == null ? open.members() : before.members(), prev.members(),
                    before == null ? null : before.epoch(), prev.epoch()));
        }
        return out;
    }

    private static FaultRecord.Rebalance rebalance(History.GroupLook from, History.GroupLook before,
                                                   History.GroupLook after, Instant until, long resolution) {
        return new FaultRecord.Rebalance(from.group(), from.protocol(), from.at(), until, ms(from.at(), until),
                resolution, before == null ? from.members() : before.members(), after.members(),
                before == null ? null : before.epoch(), after.epoch());
    }

    /**
     * How good the times of {@code [start, end]} are: the sampling interval, or the longest stretch
     * in it that the cluster did not answer (a change then is seen only when it answers again).
     */
    static long resolution(History.KafkaView view, Instant start, Instant end) {
        long worst = view.intervalMs();
        for (History.ClusterChange c : view.changes()) {
            if (c.kind() != History.ClusterChange.Kind.BLIND || c.value() == null) {
                continue;
            }
            Instant until = c.at().plusMillis(c.value());
            if (until.isAfter(start) && !c.at().isAfter(end)) {
                worst = Math.max(worst, c.value());
            }
        }
        return worst;
    }

    private static Map<String, List<History.ClusterChange>> byPartition(History.KafkaView view,
                                                                      History.ClusterChange.Kind kind) {
        Map<String, List<History.ClusterChange>> out = new LinkedHashMap<>();
        view.changes().stream().filter(c -> c.kind() == kind)
                .sorted(Comparator.comparing(History.ClusterChange::at))
                .forEach(c -> out.computeIfAbsent(c.partition(), k -> new ArrayList<>()).add(c));
        return out;
    }

    private static List<FaultRecord.Election> elections(String partition, List<History.ClusterChange> changes,
                                                        FaultWindow f, Instant start, Instant end) {
        Integer leader = null;
        for (History.ClusterChange c : changes) {
            if (c.at().isAfter(start)) {
                break;
            }
            leader = c.value();
        }
        List<FaultRecord.Election> out = new ArrayList<>();
        Instant leaderless = null;
        Integer last = leader;
        for (History.ClusterChange c : changes) {
            if (!c.at().isAfter(start) || c.at().isAfter(end)) {
                continue;
            }
            if (c.value() == null) {
                if (leaderless == null) {
                    leaderless = c.at();
                }
                continue;
            }
            if (!Objects.equals(c.value(), last)) {
                out.add(new FaultRecord.Election(partition, last, c.value(), c.at(),
                        ms(cause(f, start, c.at()), c.at()), leaderless == null ? 0 : ms(leaderless, c.at())));
            }
            last = c.value();
            leaderless = null;
        }
        if (leaderless != null) {
            out.add(new FaultRecord.Election(partition, last, null, null, ms(cause(f, start, end), end),
                    ms(leaderless, end)));
        }
        return out;
    }

    /**
     * Each election with what the input log says of it: among the changes of leader epoch between
     * two canaries read back from its partition whose first canary of the new epoch was
     * acknowledged in the fault's window and whose last canary of the old epoch came before the new
     * leader was seen, the one with the longest gap (each used once). A later bump of the epoch (the
     * controller changing the partition again just after) does not straddle the sighting, and a
     * quick one that does is not the election the old leader's death made.
     */
    static List<FaultRecord.Election> withLog(List<FaultRecord.Election> elections, History.ReadBack readBack,
                                              Instant start, Instant end) {
        if (readBack == null || readBack.epochs().isEmpty()) {
            return elections;
        }
        List<History.EpochChange> left = new ArrayList<>(readBack.epochs());
        List<FaultRecord.Election> out = new ArrayList<>();
        for (FaultRecord.Election e : elections) {
            History.EpochChange best = null;
            if (e.to() != null && e.at() != null) {
                for (History.EpochChange c : left) {
                    boolean inWindow = c.firstAckedAt().isAfter(start) && !c.firstAckedAt().isAfter(end);
                    boolean straddles = !c.lastAckedAt().isAfter(e.at());
                    if (c.topicPartition().equals(e.partition()) && inWindow && straddles
                            && (best == null || gap(c) > gap(best))) {
                        best = c;
                    }
                }
            }
            if (best == null) {
                out.add(e);
            } else {
                left.remove(best);
                out.add(e.withLog(best.fromEpoch(), best.toEpoch(), ms(best.lastAckedAt(), best.firstAckedAt())));
            }
        }
        return out;
    }

    private static long gap(History.EpochChange c) {
        return Duration.between(c.lastAckedAt(), c.firstAckedAt()).toMillis();
    }

    /** What an election at {@code at} answers: the heal when it came before, else the fault. */
    private static Instant cause(FaultWindow f, Instant start, Instant at) {
        Instant heal = f.healInvokedAt();
        return heal != null && heal.isAfter(start) && !heal.isAfter(at) ? heal : start;
    }

    private static List<FaultRecord.UnderReplication> underReplicated(String partition,
                                                                      List<History.ClusterChange> changes,
                                                                      Instant start, Instant end, Instant runEnd) {
        List<FaultRecord.UnderReplication> out = new ArrayList<>();
        Instant since = null;
        int min = Integer.MAX_VALUE;
        int replicas = 0;
        for (History.ClusterChange c : changes) {
            boolean under = c.value() != null && c.replicas() != null && c.value() < c.replicas();
            if (under && since == null) {
                if (c.at().isAfter(start) && !c.at().isAfter(end)) {
                    since = c.at();
                    min = c.value();
                    replicas = c.replicas();
                }
            } else if (under) {
                min = Math.min(min, c.value());
            } else if (since != null) {
                out.add(new FaultRecord.UnderReplication(partition, min, replicas, since, c.at(), ms(since, c.at())));
                since = null;
            }
        }
        if (since != null) {
            out.add(new FaultRecord.UnderReplication(partition, min, replicas, since, null, ms(since, runEnd)));
        }
        return out;
    }

    private static List<FaultRecord.ControllerChange> controllers(History.KafkaView view, Instant start, Instant end) {
        List<FaultRecord.ControllerChange> out = new ArrayList<>();
        Integer last = null;
        boolean known = false;
        for (History.ClusterChange c : view.changes().stream()
                .filter(c -> c.kind() == History.ClusterChange.Kind.CONTROLLER)
                .sorted(Comparator.comparing(History.ClusterChange::at)).toList()) {
            if (c.at().isAfter(start) && !c.at().isAfter(end) && known && !Objects.equals(last, c.value())) {
                out.add(new FaultRecord.ControllerChange(last, c.value(), c.at()));
            }
            last = c.value();
            known = true;
        }
        return out;
    }

    private static long ms(Instant from, Instant to) {
        return Math.max(0, Duration.between(from, to).toMillis());
    }
}
