package io.faultline.it.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.faultline.cli.SchemaCheck;
import io.faultline.demo.ChildJvm;
import io.faultline.demo.HostDrills;
import io.faultline.demo.HostLab;
import io.faultline.protocol.CheckResult;
import io.faultline.protocol.FaultRecord;
import io.faultline.protocol.Json;
import io.faultline.protocol.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The library's host drills from one command, as an SRE runs them: {@code faultline demo
 * --scenario scenarios/X.yaml} builds its lab (a namespace per listener, one for Redis, the broker
 * on their bridge), runs the drill, and removes everything it built.
 */
class DemoLabIT {
    private static Path work;

    @BeforeAll
    static void prerequisites() throws Exception {
        List<String> missing = HostDrills.missing(true);
        if (!missing.isEmpty()) {
            String reason = "the demo's lab needs " + String.join(", ", missing) + " (CI installs them: see .ci/run)";
            if ("true".equals(System.getenv("CI"))) {
                fail(reason);
            }
            Assumptions.abort(reason);
        }
        work = Files.createTempDirectory("faultline-demo-lab-");
    }

    /** Runs {@code faultline demo --scenario ../scenarios/FILE} in a child JVM; returns its verdict. */
    private static Verdict demo(String file) throws Exception {
        String name = file.replace(".yaml", "");
        Path reports = work.resolve(name);
        Path log = work.resolve(name + ".log");
        Process p = ChildJvm.start("io.faultline.cli.Faultline", List.of("-Xmx256m"), List.of("demo", "--scenario",
                Path.of("..", "scenarios", file).toString(), "--report-dir", reports.toString()), log);
        try {
            assertThat(p.waitFor(240, TimeUnit.SECONDS)).as("the demo ended; see " + log).isTrue();
        } finally {
            ChildJvm.stop(p, Duration.ofSeconds(10));
        }
        String out = Files.readString(log);
        System.out.println(out.replaceAll("(?m)^\\[ *[0-9.]+s\\] step.*\\R", ""));
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("Building a lab of 3 listener hosts", "on its own host", "Verdict: PASSED");
        assertLabRemoved();
        Path verdict;
        try (var dirs = Files.list(reports)) {
            verdict = dirs.filter(d -> d.getFileName().toString().startsWith(name + "-")).findFirst().orElseThrow()
                    .resolve("verdict.json");
        }
        return SchemaCheck.conforming(Json.mapper().readValue(Files.readAllBytes(verdict), Verdict.class));
    }

    private static void assertLabRemoved() throws Exception {
        HostLab.Result namespaces = HostLab.run(List.of("ip", "netns", "list"));
        assertThat(namespaces.output()).as("the demo removed its namespaces")
                .doesNotContain(HostDrills.LAYOUT.prefix());
        assertThat(HostLab.run(List.of("ip", "link", "show", HostDrills.LAYOUT.bridge())).ok())
                .as("and its bridge").isFalse();
    }

    private static CheckResult check(Verdict v, String name) {
        return v.checks().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no check " + name + " in " + v.checks()));
    }

    @Test
    void theNetworkPartitionDrillMovesThePartitionsWithNoLoss() throws Exception {
        Verdict v = demo("network-partition.yaml");
        FaultRecord.Failover f = v.faults().get(0).failover();
        assertThat(f.outage()).as("cutting the owner off stops processing until a standby takes over").isTrue();
        assertThat(f.recovered()).isTrue();
        assertThat(v.canary().lost()).isZero();
        assertThat(v.canary().duplicated()).isZero();
        assertThat(check(v, "undone").passed()).isTrue();
    }

    @Test
    void theRedisOutageDrillKeepsOrdersFlowingAndTheCircuitRecovers() throws Exception {
        Verdict v = demo("redis-outage.yaml");
        assertThat(check(v, "circuit[redis]").summary()).contains("opened on", "closed again");
        // The listeners' circuit reports are signed with keys of their own, so the run believes them.
        assertThat(check(v, "authentic").passed()).as(check(v, "authentic").summary()).isTrue();
        assertThat(v.canary().lost()).isZero();
        assertThat(v.canary().duplicated()).isZero();
    }
}
