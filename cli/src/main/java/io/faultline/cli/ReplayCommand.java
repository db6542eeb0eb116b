package io.faultline.cli;

import io.faultline.engine.InfrastructureException;
import io.faultline.engine.RunAudit;
import io.faultline.history.RegressionCheck;
import io.faultline.history.VerdictLog;
import io.faultline.protocol.CheckResult;
import io.faultline.protocol.Topics;
import io.faultline.protocol.Verdict;
import io.faultline.report.Reports;
import io.faultline.verifier.History;
import io.faultline.verifier.Timeline;
import io.faultline.verifier.Verifier;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code faultline replay}: verifies a past run again from the log and compares with its verdict. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Recompute a run's verdict from its audit record on the telemetry topic and compare it with the "
                + "verdict published on the verdicts topic. Exit 0 if they match, 1 if they differ, 3 if the run's "
                + "records are not found.")
public final class ReplayCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN_ID", description = "The run to replay.")
    String runId;

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(names = "--report-dir", paramLabel = "DIR", description = "Also write the recomputed reports to DIR/RUN_ID/.")
    Path reportDir;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Topics topics = kafka.topics();
        PrintWriter out = spec.commandLine().getOut();
        RunAudit audit;
        try {
            audit = RunAudit.read(kafka.connection(), topics.telemetry(), runId, Duration.ofSeconds(30));
        } catch (RunAudit.DamagedRecordException e) {
            throw new InfrastructureException(e.getMessage());
        }
        if (audit == null) {
            throw new InfrastructureException("no audit record of run " + runId + " on " + topics.telemetry());
        }
        Verdict original = original(topics.verdicts());
        if (original == null) {
            throw new InfrastructureException("no verdict of run " + runId + " on " + topics.verdicts());
        }
        Verifier.Result again = audit.verify();
        // A run stopped early keeps its status and reason: what is replayed is what it had recorded.
        boolean stoppedEarly = original.status() == Verdict.Status.ABORTED || original.status() == Verdict.Status.ERROR;
        Verdict replayed = stoppedEarly
                ? Verdict.stoppedEarly(original.status(), runId, audit.scenario(), original.reason(), original.startedAt(),
                        original.finishedAt(), again.checks(), again.faults(), again.canary())
                : Verdict.judged(runId, audit.scenario(), original.startedAt(), original.finishedAt(),
                        again.checks(), again.faults(), again.canary());
        if (reportDir != null) {
            Reports.writeAll(reportDir.resolve(runId), replayed, Timeline.of(audit.history()));
        }
        List<String> differences = differences(original, replayed);
        out.print(Reports.summary(replayed));
        if (differences.isEmpty()) {
            History h = audit.history();
            long folded = h.sentCount() - h.sent().size();
            out.println("Replayed from " + h.sentCount() + " canaries"
                    + (folded > 0 ? " (" + folded + " of them folded into " + h.folded().size() + " stretches)" : "")
                    + ", " + h.observations().size() + " observations kept whole and " + h.faults().size()
                    + " faults: the verdict matches the original (" + original.status() + ").");
            out.flush();
            return ExitCodes.PASSED;
        }
        out.println("The replayed verdict differs from the original:");
        differences.forEach(d -> out.println("  - " + d));
        out.flush();
        return ExitCodes.FAILED;
    }

    static List<String> differences(Verdict original, Verdict replayed) {
        List<String> d = new ArrayList<>();
        // Regression checks compare with the runs before it on the verdicts topic, not with the audit
        // record: replay leaves them out, and the status it recomputes without them.
        List<CheckResult> judged = original.checks().stream()
                .filter(c -> !c.name().startsWith(RegressionCheck.NAME)).toList();
        Verdict.Status status = original.status() == Verdict.Status.FAILED || original.status() == Verdict.Status.PASSED
                ? Verdict.statusOf(judged) : original.status();
        if (status != replayed.status()) {
            d.add("status " + status + " vs " + replayed.status());
        }
        if (!judged.equals(replayed.checks())) {
            d.add("checks: " + judged + " vs " + replayed.checks());
        }
        if (!original.faults().equals(replayed.faults())) {
            d.add("faults: " + original.faults() + " vs " + replayed.faults());
        }
        if (original.canary() == null ? replayed.canary() != null : !original.canary().equals(replayed.canary())) {
            d.add("canary: " + original.canary() + " vs " + replayed.canary());
        }
        return d;
    }

    private Verdict original(String topic) {
        List<Verdict> found = VerdictLog.read(kafka.connection(), topic, null, Duration.ofSeconds(30))
                .verdicts().stream().filter(v -> runId.equals(v.runId())).toList();
        return found.isEmpty() ? null : found.get(found.size() - 1);
    }
}
