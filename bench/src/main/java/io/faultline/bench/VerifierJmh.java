package io.faultline.bench;

import io.faultline.scenario.ChecksSpec;
import io.faultline.verifier.FaultWindow;
import io.faultline.verifier.History;
import io.faultline.verifier.Observation;
import io.faultline.verifier.SentEvent;
import io.faultline.verifier.Verifier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** The pure checker on a history of {@link #EVENTS} canaries (and as many observations) with a fault and some anomalies. */
@State(Scope.Benchmark)
public class VerifierJmh {
    static final int EVENTS = 100_000;
    History history;

    @Setup
    public void history() {
        history = history(EVENTS);
    }

    static History history(int n) {
        Instant t0 = Instant.parse("2026-11-22T10:00:00Z");
        List<SentEvent> sent = new ArrayList<>(n);
        List<Observation> observed = new ArrayList<>(n);
        for (long seq = 0; seq < n; seq++) {
            Instant at = t0.plusMillis(seq);
            sent.add(new SentEvent(seq, "r:" + seq, "k" + seq % 16, at, at.plusMillis(1), 0, seq));
            if (seq % 10_000 != 7) {
                boolean outage = seq > n / 2 && seq < n / 2 + 3000;
                observed.add(new Observation("r:" + seq, at.plusMillis(outage ? 3200 : 200), 0, seq, "l1", seq));
            }
        }
        FaultWindow fault = new FaultWindow("kill", "c", "a", "process.kill", t0.plusMillis(n / 2), t0.plusMillis(n / 2 + 20),
                t0.plusMillis(n / 2 + 10_000), t0.plusMillis(n / 2 + 10_020));
        Instant stopped = t0.plusMillis(n);
        return new History("r", sent, observed, List.of(fault), Duration.ofMillis(1), stopped, stopped.plusSeconds(5),
                List.of(), Map.of(0, (long) n), List.of(), List.of());
    }

    @Benchmark
    public Verifier.Result verify() {
        return Verifier.verify(history, ChecksSpec.DEFAULTS);
    }
}
