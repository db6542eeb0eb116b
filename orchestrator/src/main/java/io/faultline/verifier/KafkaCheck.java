package io.faultline.verifier;

import io.faultline.protocol.CheckResult;
import io.faultline.protocol.CheckResult.Outcome;
import io.faultline.protocol.FaultRecord;
import io.faultline.scenario.ChecksSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code checks.kafka}, per fault: every leader election within {@code leaderElection} of what
 * caused it and no partition left without a leader; every under-replicated stretch within
 * {@code underReplicated} and over by the end of the run; every rebalance of the system under
 * test's group within {@code rebalance} and over by the end. Judged only when the limit is given
 * and the cluster was watched; a fault that moved no leader (shrank no ISR, rebalanced no group)
 * passes.
 */
final class KafkaCheck implements Check {
    static final String LEADER_ELECTION = "leaderElection";
    static final String UNDER_REPLICATED = "underReplicated";
    static final String REBALANCE = "rebalance";

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public List<CheckResult> check(Analysis a) {
        ChecksSpec.KafkaLimits limits = a.spec().kafka();
        List<CheckResult> out = new ArrayList<>();
        if (limits == null) {
            return out;
        }
        for (int i = 0; i < a.windows().size(); i++) {
            FaultRecord.Kafka k = a.faults().get(i).kafka();
            String step = a.windows().get(i).name();
            if (k == null) {
                continue;
            }
            if (limits.leaderElection() != null) {
                out.add(elections(CheckNames.perFault(LEADER_ELECTION, step), k, limits.leaderElection().toMillis()));
            }
            if (limits.underReplicated() != null) {
                out.add(underReplicated(CheckNames.perFault(UNDER_REPLICATED, step), k,
                        limits.underReplicated().toMillis()));
            }
            if (limits.rebalance() != null) {
                out.add(rebalances(CheckNames.perFault(REBALANCE, step), k, limits.rebalance().toMillis()));
            }
        }
        return out;
    }

    private static CheckResult rebalances(String name, FaultRecord.Kafka k, long max) {
        if (k.rebalances().isEmpty()) {
            return new CheckResult(name, Outcome.PASS, 0.0, (double) max, "ms",
                    "the group did not rebalance", List.of());
        }
        List<String> bad = new ArrayList<>();
        long worst = 0;
        for (FaultRecord.Rebalance r : k.rebalances()) {
            worst = Math.max(worst, r.ms());
            if (r.until() == null) {
                bad.add(r.group() + " still rebalancing when the run ended, after " + r.ms() + " ms");
            } else if (r.ms() > max) {
                bad.add(r.group() + " rebalanced for " + r.ms() + " ms (" + r.membersBefore() + " -> "
                        + r.membersAfter() + " members)");
            }
        }
        Map<String, List<FaultRecord.Rebalance>> byGroup = new LinkedHashMap<>();
        k.rebalances().forEach(r -> byGroup.computeIfAbsent(r.group(), g -> new ArrayList<>()).add(r));
        List<String> groups = new ArrayList<>();
        byGroup.forEach((g, rs) -> groups.add(rs.size() + " rebalance(s) of " + g + " (" + rs.get(0).protocol()
                + " protocol), the longest " + rs.stream().mapToLong(FaultRecord.Rebalance::ms).max().orElse(0)
                + " ms"));
        String all = String.join("; ", groups) + " (resolution " + k.rebalances().get(0).resolutionMs() + " ms)";
        return judged(name, worst, max, all, ", over the " + max + " ms limit: ", bad);
    }

    /**
     * PASS saying {@code all} when nothing is {@code bad}; else FAIL saying {@code all}, then
     * {@code then} and every offence, the first of them as offenders.
     */
    private static CheckResult judged(String name, long worst, long max, String all, String then, List<String> bad) {
        if (bad.isEmpty()) {
            return new CheckResult(name, Outcome.PASS, (double) worst, (double) max, "ms", all, List.of());
        }
        return new CheckResult(name, Outcome.FAIL, (double) worst, (double) max, "ms",
                all + then + String.join("; ", bad), bad.subList(0, Math.min(Verifier.OFFENDERS, bad.size())));
    }

    private static CheckResult elections(String name, FaultRecord.Kafka k, long max) {
        if (k.elections().isEmpty()) {
            return new CheckResult(name, Outcome.PASS, 0.0, (double) max, "ms",
                    "no leader of the canary topics changed", List.of());
        }
        List<String> bad = new ArrayList<>();
        long worst = 0;
        for (FaultRecord.Election e : k.elections()) {
            worst = Math.max(worst, e.tookMs());
            if (e.to() == null) {
                bad.add(e.partition() + " had no leader for " + e.leaderlessMs() + " ms, still none at the end");
            } else if (e.tookMs() > max) {
                bad.add(e.partition() + " " + e.from() + " -> " + e.to() + " took " + e.tookMs() + " ms");
            }
        }
        String all = k.elections().size() + " election(s), the longest " + worst + " ms from its cause (resolution "
                + k.resolutionMs() + " ms)";
        return judged(name, worst, max, all, ", over the " + max + " ms limit: ", bad);
    }

    private static CheckResult underReplicated(String name, FaultRecord.Kafka k, long max) {
        if (k.underReplicated().isEmpty()) {
            return new CheckResult(name, Outcome.PASS, 0.0, (double) max, "ms",
                    "every partition of the canary topics kept its replicas in sync", List.of());
        }
        List<String> bad = new ArrayList<>();
        long worst = 0;
        for (FaultRecord.UnderReplication u : k.underReplicated()) {
            worst = Math.max(worst, u.ms());
            if (u.until() == null) {
                bad.add(u.partition() + " still " + u.minIsr() + "/" + u.replicas() + " in sync when the run ended");
            } else if (u.ms() > max) {
                bad.add(u.partition() + " under-replicated for " + u.ms() + " ms");
            }
        }
        String all = k.underReplicated().size() + " under-replicated stretch(es), the longest " + worst + " ms";
        return judged(name, worst, max, all, ": ", bad);
    }
}
