package io.faultline.verifier;

import io.faultline.protocol.CheckResult;
import io.faultline.protocol.CheckResult.Outcome;
import java.util.List;

/**
 * {@code truncated}: every acknowledged canary still in the input log at the offset its
 * acknowledgement gave, and every observed result still in the output log where it was read,
 * when read back after the drain. A canary that fails it was acknowledged (or seen), then lost by
 * Kafka itself (an unclean leader election, a deletion): not the service's loss, and not counted
 * as LOST. Judged whenever the run read its logs back; the limit is zero.
 */
final class DurabilityCheck implements Check {
    static final String NAME = "truncated";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<CheckResult> check(Analysis a) {
        History.KafkaView k = a.history().kafka();
        if (k == null || k.readBack() == null) {
            return List.of();
        }
        History.ReadBack r = k.readBack();
        String unchecked = r.unchecked() == null ? "" : "; not read back: " + r.unchecked();
        if (r.missing().isEmpty() && r.foldedGone() == 0) {
            return List.of(new CheckResult(NAME, Outcome.PASS, 0.0, 0.0, "canaries", "all " + r.input()
                    + " acknowledged canaries and " + r.output() + " observed results read back at their offsets"
                    + unchecked, List.of()));
        }
        List<String> offenders = r.missing().stream().map(History.Truncated::id).distinct().toList();
        long inInput = r.missing().stream().filter(t -> t.log().equals("input")).count() + r.foldedGone();
        String example = r.missing().isEmpty() ? "" : ", e.g. " + r.missing().get(0).id() + " at "
                + r.missing().get(0).topicPartition() + "@" + r.missing().get(0).offset() + ": "
                + r.missing().get(0).found();
        long total = offenders.size() + r.foldedGone();
        return List.of(new CheckResult(NAME, Outcome.FAIL, (double) total, 0.0, "canaries",
                total + " canaries no longer where Kafka said they were (" + inInput + " acknowledged in the input log"
                        + (r.foldedGone() > 0 ? ", " + r.foldedGone() + " of them folded and counted by offset" : "")
                        + ", " + (r.missing().size() + r.foldedGone() - inInput) + " observed in the output log)"
                        + example + unchecked, offenders.subList(0, Math.min(Verifier.OFFENDERS, offenders.size()))));
    }
}
