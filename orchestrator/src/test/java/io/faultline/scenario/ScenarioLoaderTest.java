package io.faultline.scenario;

import io.faultline.protocol.Durations;
import io.faultline.protocol.NetworkPartitionFault;
import io.faultline.protocol.ProcessSelector;
import io.faultline.protocol.ProcessKillFault;
import io.faultline.protocol.Signal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.assertj.core.api.Assertions.catchThrowableOfType;


class ScenarioLoaderTest {
    static final Path SCENARIOS = Path.of("..", "scenarios");

    static Stream<Path> libraryScenarios() throws IOException {
        try (Stream<Path> files = Files.list(SCENARIOS)) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("libraryScenarios")
    void everyLibraryScenarioLoadsAndRoundTrips(Path file) throws Exception {
        Scenario s = ScenarioLoader.load(file);
        Scenario again = ScenarioLoader.parse(file, ScenarioLoader.write(s));
        assertThat(again).isEqualTo(s);
        assertThat(again.steps()).isNotEmpty();
        assertThat(again.canary() == null ? again.probes() : List.of(again.canary().rate())).isNotEmpty();
    }

    @Test
    void readsThePrimaryListenerCrashScenario() throws Exception {
        Scenario s = ScenarioLoader.load(SCENARIOS.resolve("primary-listener-crash.yaml"));
        assertThat(s.name()).isEqualTo("primary-listener-crash");
        assertThat(s.targets().get("listener").pick()).isEqualTo(TargetSpec.Pick.PARTITION_OWNER);
        assertThat(s.injections()).hasSize(1);
        assertThat(s.injections().get(0).inject().fault()).isEqualTo(new ProcessKillFault(Signal.KILL, null));
    }

    private static final String VALID = """
            name: t
            targets:
              listener:
                labels: {role: listener}
            workload:
              canary: {inputTopic: in, outputTopic: out}
            steps:
              - wait: 1s
              - name: kill
                inject:
                  target: listener
                  fault: {type: process.kill, signal: KILL}
              - heal: kill
            """;

    private static ScenarioException error(String yaml) {
        return catchThrowableOfType(ScenarioException.class, () -> ScenarioLoader.parse(Path.of("bad.yaml"), yaml));
    }

    @Test
    void acceptsTheValidBase() throws Exception {
        assertThat(ScenarioLoader.parse(Path.of("ok.yaml"), VALID).steps()).hasSize(3);
    }

    @Test
    void namesLineAndFieldOfAnUnknownSignal() {
        ScenarioException e = error(VALID.replace("signal: KILL", "signal: KIL"));
        assertThat(e.line()).isEqualTo(12);
        assertThat(e.field()).isEqualTo("steps[1].inject.fault.signal");
        assertThat(e.getMessage()).startsWith("bad.yaml:12:").contains("'KIL' is not one of KILL, TERM, STOP")
                .doesNotContain("io.faultline", "java.");
    }

    @Test
    void aPartitionInAPodsNamespaceNeedsSpellOutNeitherFlag() throws Exception {
        Scenario s = ScenarioLoader.parse(Path.of("pod.yaml"), VALID.replace("fault: {type: process.kill, signal: KILL}",
                "fault: {type: network.partition, brokers: true, netnsOf: {pidFile: /run/orders/listener.pid}}"));
        NetworkPartitionFault f = (NetworkPartitionFault) s.injections().get(0).inject().fault();
        assertThat(f.brokers()).isTrue();
        assertThat(f.cutControlLink()).as("absent is false, as documented").isFalse();
        assertThat(f.netnsOf()).isEqualTo(new ProcessSelector("/run/orders/listener.pid", null));
        assertThat(f.requires()).contains("netns");

        ScenarioException both = error(VALID.replace("fault: {type: process.kill, signal: KILL}",
                "fault: {type: network.delay, delay: 50ms, netnsOf: {pidFile: a, commandLine: b}}"));
        assertThat(both.field()).isEqualTo("steps[1].inject.fault.netnsOf.process");
        assertThat(both.reason()).contains("give pidFile or commandLine, not both");
    }

    @Test
    void namesAnUnknownFaultType() {
        ScenarioException e = error(VALID.replace("type: process.kill", "type: process.kil"));
        assertThat(e.field()).isEqualTo("steps[1].inject.fault.type");
        assertThat(e.reason()).contains("unknown fault type 'process.kil'", "process.kill");
        assertThat(e.line()).isEqualTo(12);
    }

    @Test
    void readsActionStepsAndRollbacks() throws Exception {
        Scenario s = ScenarioLoader.parse(Path.of("t.yaml"), VALID.replace("  - heal: kill\n", """
                  - heal: kill
                  - name: redeploy
                    action:
                      run: [kubectl, rollout, undo, deploy/orders]
                      timeout: 2m
                rollbacks:
                  - name: tell-the-channel
                    action:
                      http: {url: "https://hooks.example/chat", method: post, body: "game-day over", expectStatus: 204}
                """));
        Step redeploy = s.steps().get(3);
        assertThat(redeploy.action().run()).containsExactly("kubectl", "rollout", "undo", "deploy/orders");
        assertThat(redeploy.action().timeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(redeploy.describe()).isEqualTo("action redeploy (run kubectl rollout undo deploy/orders)");
        Step tell = s.rollbacks().get(0);
        assertThat(tell.action().http().method()).isEqualTo("POST");
        assertThat(tell.action().timeout()).isEqualTo(ActionSpec.DEFAULT_TIMEOUT);
        assertThat(tell.action().http().expected(204)).isTrue();
        assertThat(tell.action().http().expected(200)).isFalse();
        assertThat(ScenarioLoader.parse(Path.of("t.yaml"), ScenarioLoader.write(s))).isEqualTo(s);
    }

    @Test
    void aBadActionIsNamedWithItsFileLineAndField() {
        String base = VALID.replace("  - heal: kill\n", "  - heal: kill\n  - name: undo\n    action:\n      ACTION\n");
        ScenarioException both = error(base.replace("ACTION", "run: [true]\n      http: {url: \"http://h/\"}"));
        assertThat(both.field()).isEqualTo("steps[3].action");
        assertThat(both.line()).isEqualTo(15);
        assertThat(both.reason()).contains("exactly one of run (a command as a list of arguments) or http");
        assertThat(error(base.replace("ACTION", "run: []")).reason()).contains("must name the program to run");
        ScenarioException url = error(base.replace("ACTION", "http: {url: \"ftp://h/x\"}"));
        assertThat(url.field()).isEqualTo("steps[3].action.http.url");
        assertThat(url.reason()).contains("is not an http:// or https:// URL");
        assertThat(error(base.replace("ACTION", "run: [true]\n      timeout: 2h")).reason())
                .contains("must be at most 30m");
        ScenarioException unnamed = error(VALID.replace("  - heal: kill\n", "  - heal: kill\n  - action: {run: [true]}\n"));
        assertThat(unnamed.reason()).contains("an action step needs a name");
        ScenarioException notAnAction = error(VALID + "rollbacks:\n  - wait: 1s\n");
        assertThat(notAnAction.field()).isEqualTo("rollbacks[0]");
        assertThat(notAnAction.reason()).contains("a rollback is an action");
        ScenarioException twice = error(base.replace("ACTION", "run: [true]")
                + "rollbacks:\n  - name: undo\n    action: {run: [true]}\n");
        assertThat(twice.field()).isEqualTo("rollbacks[0].name");
        assertThat(twice.reason()).contains("'undo' is used twice");
    }

    @Test
    void namesAnUnknownField() {
        ScenarioException e = error(VALID.replace("  - wait: 1s", "  - wiat: 1s"));
        assertThat(e.field()).isEqualTo("steps[0].wiat");
        assertThat(e.line()).isEqualTo(8);
        assertThat(e.reason()).contains("unknown field 'wiat'");
    }

    @Test
    void namesABadDuration() {
        ScenarioException e = error(VALID.replace("wait: 1s", "wait: soon"));
        assertThat(e.field()).isEqualTo("steps[0].wait");
        assertThat(e.line()).isEqualTo(8);
        assertThat(e.reason()).contains("'soon' is not a duration");
    }

    @Test
    void namesAConstructorCheckByItsField() {
        ScenarioException e = error(VALID.replace("canary: {inputTopic: in, outputTopic: out}",
                "canary: {inputTopic: in, outputTopic: out, rate: -5}"));
        assertThat(e.field()).isEqualTo("workload.canary.rate");
        assertThat(e.line()).isEqualTo(6);
        assertThat(e.reason()).contains("must be between 0 and 15000");
        assertThat(error(VALID.replace("canary: {inputTopic: in, outputTopic: out}",
                "canary: {inputTopic: in, outputTopic: out, rate: 15001}")).reason())
                .isEqualTo("must be between 0 and 15000 events per second, got 15001.0");
    }

    private static final String ADAPTED = """
              canary:
                inputTopic: payments
                outputTopic: payments.settled
                input:
                  key: "{id}"
                  value: '{"paymentId": "{id}", "amount": 10}'
                  headers: {x-correlation-id: "{id}"}
                output: {header: x-correlation-id}
            """;

    private static String adapted(String from, String to) {
        return VALID.replace("  canary: {inputTopic: in, outputTopic: out}\n", ADAPTED.replace(from, to));
    }

    @Test
    void orderIsJudgedPerCanaryKeyUnlessEveryCanaryHasAKeyOfItsOwnOrItIsSwitchedOff() throws Exception {
        assertThat(ScenarioLoader.parse(Path.of("ok.yaml"), VALID).checks().judgesOrder()).isTrue();
        assertThat(ScenarioLoader.parse(Path.of("ok.yaml"), adapted("", "")).checks().judgesOrder())
                .as("input.key {id}").isFalse();
        assertThat(ScenarioLoader.parse(Path.of("ok.yaml"), adapted("key: \"{id}\"", "key: \"order-{key}\""))
                .checks().judgesOrder()).isTrue();
        assertThat(ScenarioLoader.parse(Path.of("ok.yaml"), VALID + "checks:\n  reordered: off\n").checks()
                .judgesOrder()).isFalse();
        assertThat(ScenarioLoader.parse(Path.of("ok.yaml"), VALID + "checks:\n  reordered: 3\n").checks()
                .reordered()).isEqualTo(3L);
        ScenarioException words = error(VALID + "checks:\n  reordered: lots\n");
        assertThat(words.field()).isEqualTo("checks.reordered");
        assertThat(words.reason()).contains("write a number of canaries, or off");
    }

    @Test
    void readsCanaryAdapters() throws Exception {
        Scenario s = ScenarioLoader.parse(Path.of("ok.yaml"), adapted("", ""));
        assertThat(s.workload().canary().input().headers()).containsEntry("x-correlation-id", "{id}");
        assertThat(s.workload().canary().output().header()).isEqualTo("x-correlation-id");
    }

    @Test
    void namesTheFieldOfABrokenCanaryAdapter() {
        ScenarioException template = error(adapted("\"amount\": 10}'", "\"amount\": }'"));
        assertThat(template.field()).isEqualTo("workload.canary.input.value");
        assertThat(template.line()).isEqualTo(11);
        assertThat(template.reason()).startsWith("does not render JSON (format: json)").contains("use format: text");
        ScenarioException placeholder = error(adapted("key: \"{id}\"", "key: \"{ident}\""));
        assertThat(placeholder.field()).isEqualTo("workload.canary.input.key");
        assertThat(placeholder.reason()).isEqualTo("unknown placeholder {ident} (known: {id}, {run}, {seq}, {key}, "
                + "{sentAt}, {padding})");
        ScenarioException pointer = error(adapted("{header: x-correlation-id}", "{jsonPointer: paymentId}"));
        assertThat(pointer.field()).isEqualTo("workload.canary.output.jsonPointer");
        assertThat(pointer.reason()).contains("is not a JSON pointer");
        ScenarioException regex = error(adapted("{header: x-correlation-id}", "{regex: 'id=(['}"));
        assertThat(regex.field()).isEqualTo("workload.canary.output.regex");
        assertThat(regex.reason()).startsWith("'id=([' is not a valid regular expression");
        ScenarioException two = error(adapted("{header: x-correlation-id}", "{header: a, key: true}"));
        assertThat(two.field()).isEqualTo("workload.canary.output");
        assertThat(two.reason()).isEqualTo("give only one of header, jsonPointer, key: true or regex");
        ScenarioException none = error(adapted("    output: {header: x-correlation-id}\n", ""));
        assertThat(none.field()).isEqualTo("workload.canary.output");
        assertThat(none.reason()).startsWith("a canary with its own value template needs output");
        for (ScenarioException e : List.of(template, placeholder, pointer, regex, two, none)) {
            assertThat(e.getMessage()).startsWith("bad.yaml:").doesNotContain("java.", "io.faultline", "Exception");
        }
    }

    @Test
    void readsServiceLevelChecksAndNamesTheirErrors() throws Exception {
        Scenario s = ScenarioLoader.parse(Path.of("ok.yaml"), VALID + """
                checks:
                  latency: {p99: 500ms, max: 5s, during: {p99: 2s}}
                  throughput: {duringFault: 90%}
                  healthy: {within: 30s}
                  rejoin: 2s
                """);
        assertThat(s.checks().rejoin()).isEqualTo(Duration.ofSeconds(2));
        assertThat(error(VALID + "checks:\n  rejoin: -1s\n").field()).isEqualTo("checks.rejoin");
        assertThat(s.checks().latency().run()).isEqualTo(new ChecksSpec.Percentiles(null, null,
                Duration.ofMillis(500), Duration.ofSeconds(5)));
        assertThat(s.checks().latency().during().p99()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.checks().throughput().ratio()).isEqualTo(0.9);
        assertThat(s.checks().healthy().within()).isEqualTo(Duration.ofSeconds(30));

        ScenarioException share = error(VALID + "checks:\n  throughput: {duringFault: lots}\n");
        assertThat(share.getMessage()).isEqualTo("bad.yaml:15:29: checks.throughput.duringFault: 'lots' is not a share: "
                + "write 90% or 0.9");
        ScenarioException empty = error(VALID + "checks:\n  latency: {during: {}}\n");
        assertThat(empty.field()).isEqualTo("checks.latency.during");
        assertThat(empty.reason()).isEqualTo("give at least one of p50, p95, p99, max");
        ScenarioException unknown = error(VALID + "checks:\n  latency: {p98: 1s}\n");
        assertThat(unknown.field()).isEqualTo("checks.latency.p98");
        ScenarioException factor = error(VALID + "checks:\n  regression: {failover: twice}\n");
        assertThat(factor.field()).isEqualTo("checks.regression.failover");
        assertThat(factor.reason()).isEqualTo("'twice' is not a factor: write 1.5x or 1.5");
        assertThat(ScenarioLoader.parse(Path.of("ok.yaml"), VALID + "checks:\n  regression: {latencyP99: 2x, baseline: 5}\n")
                .checks().regression().latencyP99Factor()).isEqualTo(2.0);
        ScenarioException probe = error(VALID + "checks:\n  healthy: {probe: orders-api}\n");
        assertThat(probe.field()).isEqualTo("checks.healthy.probe");
        assertThat(probe.reason()).isEqualTo("no probe named 'orders-api' under probes: (there are none)");
    }

    @Test
    void readsStopConditionsAndNamesTheirErrors() throws Exception {
        Scenario s = ScenarioLoader.parse(Path.of("ok.yaml"), VALID + """
                stopConditions:
                  - name: api
                    http: {url: "http://api:8080/health"}
                  - name: flowing
                    canary: {maxGap: 10s}
                    failures: 1
                """);
        assertThat(s.stopConditions()).extracting(StopCondition::name).containsExactly("api", "flowing");
        assertThat(s.stopConditions().get(0).http().status()).isEqualTo(200);
        assertThat(s.stopConditions().get(0).failures()).isEqualTo(StopCondition.DEFAULT_FAILURES);
        ScenarioException both = error(VALID + """
                stopConditions:
                  - name: api
                    http: {url: "http://api:8080/health"}
                    canary: {maxGap: 10s}
                """);
        assertThat(both.field()).isEqualTo("stopConditions[0]");
        assertThat(both.line()).isEqualTo(15);
        assertThat(both.reason()).contains("exactly one probe: http, canary, kafkaLag or prometheus");
        ScenarioException url = error(VALID + """
                stopConditions:
                  - name: api
                    http: {url: "ftp://api/health"}
                """);
        assertThat(url.field()).isEqualTo("stopConditions[0].http.url");
        assertThat(url.reason()).contains("is not an http:// or https:// URL");
    }

    @Test
    void refusesAKeyGivenTwice() {
        ScenarioException e = error(VALID.replace("  - wait: 1s", "  - wait: 1s\n    wait: 2s"));
        assertThat(e.field()).isEqualTo("steps[0].wait");
        assertThat(e.line()).isEqualTo(9);
        assertThat(e.reason()).isEqualTo("'wait' is given twice");
    }

    @Test
    void namesABrokenCrossReference() {
        ScenarioException e = error(VALID.replace("heal: kill", "heal: kil"));
        assertThat(e.field()).isEqualTo("steps[2].heal");
        assertThat(e.line()).isEqualTo(13);
        ScenarioException target = error(VALID.replace("target: listener", "target: listenr"));
        assertThat(target.field()).isEqualTo("steps[1].inject.target");
        assertThat(target.reason()).contains("no target named 'listenr'", "listener");
    }

    @Test
    void reportsYamlSyntaxErrorsWithTheirPosition() {
        ScenarioException e = error("name: t\nsteps: [\n");
        assertThat(e.line()).isPositive();
        assertThat(e.reason()).startsWith("not valid YAML");
        assertThat(error("- just\n- a list\n").reason()).contains("must be a YAML mapping");
    }

    @Test
    void aScenarioWithoutAWorkloadIsProbesAndFaultsAndRefusesWhatNeedsACanary() throws Exception {
        String noCanary = VALID.replace("workload:\n  canary: {inputTopic: in, outputTopic: out}\n", "");
        assertThat(noCanary).doesNotContain("workload");
        Scenario s = ScenarioLoader.parse(Path.of("smoke.yaml"), noCanary + """
                probes:
                  - {name: health, http: {url: "http://api/health"}, mode: after}
                """);
        assertThat(s.canary()).isNull();
        assertThat(s.probes()).hasSize(1);

        ScenarioException gap = error(noCanary + """
                probes:
                  - {name: flow, canary: {maxGap: 2s}}
                """);
        assertThat(gap.field()).isEqualTo("probes[0].canary");
        assertThat(gap.reason()).startsWith("needs a canary: add workload.canary");
        assertThat(error(noCanary + "checks: {failover: 10s}\n").field()).isEqualTo("checks.failover");
        assertThat(error(noCanary + "checks: {rejoin: 2s}\n").field()).isEqualTo("checks.rejoin");
        assertThat(error(noCanary + "checks: {latency: {p99: 1s}}\n").field()).isEqualTo("checks.latency");
        assertThat(error(noCanary + "stopConditions:\n  - {name: s, canary: {maxGap: 5s}}\n").field())
                .isEqualTo("stopConditions[0].canary");
    }

    @Test
    void reportsAMissingRequiredField() {
        ScenarioException e = error(VALID.replace("name: t\n", ""));
        assertThat(e.field()).isEqualTo("name");
        assertThat(e.reason()).isEqualTo("is required");
    }

    @Test
    void parsesHumanDurations() {
        assertThat(Durations.parse("500ms").toMillis()).isEqualTo(500);
        assertThat(Durations.parse("1.5s").toMillis()).isEqualTo(1500);
        assertThat(Durations.parse("2m").toSeconds()).isEqualTo(120);
        assertThat(Durations.parse("PT3S").toSeconds()).isEqualTo(3);
        assertThat(List.of("500ms", "10s", "2m", "1h")).allMatch(t -> Durations.format(Durations.parse(t)).equals(t));
    }

    @Test
    void hostileScenarioFilesAreRefusedQuicklyWithAReadableError(@org.junit.jupiter.api.io.TempDir Path dir)
            throws IOException {
        Path huge = dir.resolve("huge.yaml");
        Files.write(huge, new byte[50 * 1024 * 1024]);
        assertThat(catchThrowableOfType(ScenarioException.class, () -> ScenarioLoader.load(huge)))
                .hasMessageContaining("larger than 1024 KiB");
        Path longLine = dir.resolve("long.yaml");
        Files.writeString(longLine, "name: " + "x".repeat(800_000) + "\n");
        assertThat(catchThrowableOfType(ScenarioException.class, () -> ScenarioLoader.load(longLine)))
                .hasMessageContaining("line longer than 16384 characters").extracting(ScenarioException::line)
                .isEqualTo(1);
        Path latin1 = dir.resolve("latin1.yaml");
        Files.write(latin1, new byte[] {'n', 'a', 'm', 'e', ':', ' ', 'a', '\n', 'x', ':', ' ', (byte) 0xe9, '\n'});
        assertThat(catchThrowableOfType(ScenarioException.class, () -> ScenarioLoader.load(latin1)))
                .hasMessageContaining("not UTF-8 text").extracting(ScenarioException::line).isEqualTo(2);
        // A billion laughs in 600 bytes: refused by the alias limit, not expanded.
        String bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                + "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                + "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                + "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n";
        assertThat(error(bomb)).hasMessageContaining("not valid YAML").message().doesNotContain("Exception");
        assertThat(error(VALID.replace("wait: 1s", "wait: 99999999999999999999h")))
                .hasMessageContaining("longer than the longest duration Faultline takes, 7d");
    }

    @Test
    void parametersTakeTheirDefaultsOrWhatTheRunSetsAndKeepLineNumbers() throws Exception {
        String yaml = """
                name: p
                parameters:
                  group: order-listeners
                  limit: 20s
                  lease:
                targets:
                  listener: {labels: {role: listener}, pick: partition-owner, group: "${group}", topic: orders}
                workload:
                  canary: {inputTopic: in, outputTopic: out}
                steps:
                  - name: kill
                    inject: {target: listener, fault: {type: process.kill, signal: KILL}, lease: "${lease}"}
                checks: {failover: "${limit}"}
                description: "costs $${dollars}"
                """;
        Scenario s = ScenarioLoader.parse(Path.of("p.yaml"), yaml, Map.of("lease", "30s", "group", "staging-listeners"));
        assertThat(s.targets().get("listener").group()).isEqualTo("staging-listeners");
        assertThat(s.checks().failover()).isEqualTo(Duration.ofSeconds(20));
        assertThat(s.injections().get(0).inject().lease()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.description()).isEqualTo("costs ${dollars}");

        ScenarioException missing = assertThrows(ScenarioException.class,
                () -> ScenarioLoader.parse(Path.of("p.yaml"), yaml, Map.of()));
        assertThat(missing.getMessage()).isEqualTo("p.yaml:12:83: parameters: parameter 'lease' has no value: pass "
                + "--set lease=VALUE");
        ScenarioException unknown = assertThrows(ScenarioException.class,
                () -> ScenarioLoader.parse(Path.of("p.yaml"), yaml, Map.of("lease", "1m", "leese", "1m")));
        assertThat(unknown.reason()).isEqualTo("--set leese: no such parameter (declared: group, lease, limit)");
        ScenarioException undeclared = assertThrows(ScenarioException.class,
                () -> ScenarioLoader.parse(Path.of("p.yaml"), yaml.replace("${limit}", "${limt}"), Map.of("lease", "1m")));
        assertThat(undeclared.line()).isEqualTo(13);
        assertThat(undeclared.reason()).startsWith("${limt} is not a declared parameter");
        // A later error still names the line of the file, the parameters block blanked in place.
        ScenarioException later = assertThrows(ScenarioException.class, () -> ScenarioLoader.parse(Path.of("p.yaml"),
                yaml.replace("signal: KILL", "signal: KIL"), Map.of("lease", "1m")));
        assertThat(later.line()).isEqualTo(12);
    }
}
