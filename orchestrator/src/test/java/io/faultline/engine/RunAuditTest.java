package io.faultline.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.protocol.Json;
import io.faultline.protocol.RunRecord;
import io.faultline.protocol.TelemetryEvent;
import io.faultline.scenario.ChecksSpec;
import io.faultline.scenario.ProbeSpec;
import io.faultline.scenario.StopCondition;
import io.faultline.verifier.FaultWindow;
import io.faultline.verifier.History;
import io.faultline.verifier.Observation;
import io.faultline.verifier.SentEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class RunAuditTest {
    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

    @Test
    void survivesTheJsonRoundTripAndVerifiesToTheSameResult() {
        List<SentEvent> sent = new ArrayList<>();
        List<Observation> observed = new ArrayList<>();
        for (long seq = 0; seq < 400; seq++) {
            Instant at = T0.plusMillis(20 * seq);
            sent.add(new SentEvent(seq, "r:" + seq, "k" + seq % 3, at, at.plusMillis(1), 0, seq));
            if (seq % 97 != 5) {
                observed.add(new Observation("r:" + seq, at.plusMillis(seq > 150 && seq < 250 ? 2500 : 200), 0, seq,
                        "l1", seq));
            }
        }
        History h = new History("r", sent, observed, List.of(new FaultWindow("kill", "c", "a", "process.kill",
                T0.plusSeconds(3), T0.plusSeconds(3), T0.plusSeconds(6), T0.plusSeconds(6))), Duration.ofMillis(20),
                T0.plusSeconds(8), T0.plusSeconds(12), List.of(new History.CircuitChange("l1", "redis", "open",
                T0.plusSeconds(4))), Map.of(0, 300L), List.of(new History.AlertChange("Lag", true, T0.plusSeconds(4))),
                List.of(new History.ProbeSample("api", T0.plusSeconds(5), false, "503")));
        ChecksSpec checks = new ChecksSpec(Duration.ofSeconds(10), 0L, 0L, Duration.ofSeconds(5),
                new ChecksSpec.CircuitCheck("redis", null), 0L, 0L,
                List.of(new ChecksSpec.AlertCheck("Lag", Duration.ofSeconds(5), null, null, null)));
        RunAudit audit = new RunAudit("s", checks, List.of(new ProbeSpec("api",
                new StopCondition.HttpProbeSpec("http://api/health", null, null, null), null, null,
                null, ProbeSpec.Mode.DURING, null, null)), h);
        RunAudit back = Json.decode(Json.encode(audit), RunAudit.class);
        assertThat(back).isEqualTo(audit);
        assertThat(back.verify()).isEqualTo(audit.verify());
        // 5, 102, 199 and 296 never came out, and the group committed past them.
        assertThat(audit.verify().canary().lost()).isEqualTo(4);
    }

    @Test
    void aLargeAuditGoesOutInAsciiPartsThatReassembleToIt() throws InfrastructureException {
        List<SentEvent> sent = new ArrayList<>();
        List<Observation> observed = new ArrayList<>();
        for (long seq = 0; seq < 20_000; seq++) {
            Instant at = T0.plusMillis(seq);
            sent.add(new SentEvent(seq, "r:" + seq, "k" + seq % 3, at, at.plusMillis(1), 0, seq));
            observed.add(new Observation("r:" + seq, at.plusMillis(20), 0, seq, "zahlungsdienst-\u00fc-" + seq % 2, seq));
        }
        History h = new History("r", sent, observed, List.of(), Duration.ofMillis(1), T0.plusSeconds(20),
                T0.plusSeconds(25), List.of(), Map.of(0, 20_000L), List.of(), List.of());
        RunAudit audit = new RunAudit("zahlung \u2014 pr\u00fcfen", ChecksSpec.DEFAULTS, List.of(), h);
        MockProducer<String, byte[]> producer =
                new MockProducer<>(true, null,
                        new StringSerializer(),
                        new ByteArraySerializer());

        audit.publish(producer, "t", Clock.fixed(T0, ZoneOffset.UTC));

        List<RunRecord> parts = producer.history().stream()
                .map(r -> (RunRecord) Json.decode(r.value(), TelemetryEvent.class))
                .toList();
        assertThat(parts).hasSizeGreaterThan(5);
        for (int i = 0; i < parts.size(); i++) {
            assertThat(parts.get(i).part()).isEqualTo(i);
            assertThat(parts.get(i).parts()).isEqualTo(parts.size());
            assertThat(parts.get(i).body().length()).isLessThanOrEqualTo(RunAudit.PART);
            assertThat(parts.get(i).body().chars().allMatch(c -> c < 128)).isTrue();
        }
        RunAudit back = Json.decode(String.join("", parts.stream().map(RunRecord::body).toList()),
                RunAudit.class);
        assertThat(back).isEqualTo(audit);
        assertThat(back.history().observations().get(1).processedBy()).isEqualTo("zahlungsdienst-\u00fc-1");
    }

    @Test
    void aDamagedAuditRecordIsRefusedInWords() {
        // Lists left out read as empty, not as a crash in the history's constructor.
        RunAudit sparse = RunAudit.decode("r", "{\"scenario\":\"s\",\"history\":{\"runId\":\"r\"}}");
        assertThat(sparse.history().sent()).isEmpty();
        assertThat(sparse.history().faults()).isEmpty();
        for (String body : List.of("{}", "{\"history\": 5}", "not json")) {
            assertThatThrownBy(() -> RunAudit.decode("r", body))
                    .isInstanceOf(RunAudit.DamagedRecordException.class)
                    .hasMessageStartingWith("the audit record of run r is damaged and cannot be replayed")
                    .message().doesNotContain("io.faultline", "java.", "Exception");
        }
    }
}
