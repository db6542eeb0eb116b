package io.faultline.it.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.faultline.demo.ChildJvm;
import io.faultline.demo.HostLab;
import io.faultline.protocol.CommandEvent;
import io.faultline.protocol.Direction;
import io.faultline.protocol.NetworkBandwidthFault;
import io.faultline.protocol.NetworkPartitionFault;
import io.faultline.protocol.PacketAction;
import io.faultline.protocol.ProcessSelector;
import io.faultline.protocol.Topics;
import io.faultline.testkit.AgentProcess;
import io.faultline.testkit.CommandBus;
import io.faultline.testkit.NetLab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Network faults inside a pod's network namespace, from an agent in the host's: the lab's
 * {@code client} namespace stands in for a pod, a {@code sleep} in it for the pod's process, and
 * the agent runs in the root namespace as the chart's node agent does. The rules and qdiscs are
 * checked inside the pod's namespace, and their absence in the host's.
 */
class PodNetworkIT {
    private static final Topics TOPICS = new Topics("podnet-it.");
    private static final String POD = "client";
    private static final String AGENT = "agent-node";
    private static NetLab lab;
    private static CommandBus bus;
    private static Path policy;
    private static Process agent;
    private static final List<Process> pods = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        lab = NetLab.shared();
        bus = new CommandBus(lab.bootstrapServers(), TOPICS);
        // The node agent may enter the namespaces of the pods whose pid files it is given, no others.
        policy = lab.dir().resolve("node-policy.yaml");
        Files.writeString(policy, "processes:\n  pidFiles: [" + lab.dir().resolve("pod-*.pid") + "]\n");
        agent = startAgent();
        bus.awaitAgent(AGENT);
    }

    private static Process startAgent() throws Exception {
        return AgentProcess.of(AGENT, lab.bootstrapServers(), lab.dir()).topics(TOPICS).heartbeatMs(500)
                .outliveParent().args("--policy", policy.toString()).start();
    }

    /** Starts a process in the pod's namespace and writes its pid to {@code pod-NAME.pid}. */
    private static Path pod(String name) throws Exception {
        Process p = lab.spawn(POD, "pod-" + name, "sleep", "600");
        pods.add(p);
        Path pid = lab.dir().resolve("pod-" + name + ".pid");
        Files.writeString(pid, Long.toString(p.pid()));
        return pid;
    }

    @AfterEach
    void healLeftovers() throws Exception {
        bus.healOutstanding();
    }

    @AfterAll
    static void stop() {
        ChildJvm.stop(agent, Duration.ofSeconds(10));
        pods.forEach(Process::destroyForcibly);
        if (bus != null) {
            bus.close();
        }
    }

    /** Opens a TCP connection from the pod's namespace to the broker; exit 0 on success, 124 on timeout. */
    private static NetLab.Result podToBroker() throws Exception {
        String[] hostPort = lab.bootstrapServers().split(":");
        return lab.exec(POD, "timeout", "3", "bash", "-c", "exec 3<>/dev/tcp/" + hostPort[0] + "/" + hostPort[1]);
    }

    private static String hostRules() throws Exception {
        return HostLab.run(List.of("iptables", "-w", "-S")).output() + HostLab.run(List.of("tc", "qdisc", "show")).output();
    }

    private static NetworkPartitionFault cutFromBrokers(Path pidFile) {
        return new NetworkPartitionFault(Direction.BOTH, PacketAction.DROP, List.of(), true, false,
                new ProcessSelector(pidFile.toString(), null));
    }

    @Test
    void aPartitionGoesIntoThePodsNamespaceAndHealTakesItOut() throws Exception {
        Path pid = pod("partition");
        String before = lab.networkState(POD);
        assertThat(podToBroker().exitCode()).isZero();

        CommandEvent applied = bus.apply(AGENT, cutFromBrokers(pid), Duration.ofMinutes(1));
        assertThat(applied.step()).as(applied.detail()).isEqualTo(CommandEvent.Step.APPLIED);
        assertThat(applied.detail()).contains("in the network namespace net:[", "of pid " + Files.readString(pid))
                .contains("0 own connections exempt");
        assertThat(lab.networkState(POD)).contains("faultline:" + applied.commandId());
        assertThat(hostRules()).as("nothing in the host's namespace").doesNotContain(applied.commandId());
        assertThat(podToBroker().exitCode()).as("the pod's connections to the broker time out").isEqualTo(124);

        CommandEvent undone = bus.heal(AGENT, applied.commandId());
        assertThat(undone.step()).as(undone.detail()).isEqualTo(CommandEvent.Step.UNDONE);
        assertThat(undone.detail()).contains("deleted", "in the network namespace net:[");
        assertThat(lab.networkState(POD)).isEqualTo(before);
        assertThat(podToBroker().exitCode()).isZero();
    }

    @Test
    void anAgentKilledWhileShapingThePodUndoesItAtItsNextStart() throws Exception {
        Path pid = pod("bandwidth");
        String before = lab.networkState(POD);
        CommandEvent applied = bus.apply(AGENT, new NetworkBandwidthFault(null, "1mbit", List.of(9092),
                new ProcessSelector(pid.toString(), null)), Duration.ofMinutes(5));
        assertThat(applied.step()).as(applied.detail()).isEqualTo(CommandEvent.Step.APPLIED);
        assertThat(lab.exec(POD, "tc", "qdisc", "show", "dev", "eth0").output()).contains("htb fa17:");
        assertThat(hostRules()).doesNotContain("fa17:");

        agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                .until(() -> lab.exec(POD, "tc", "qdisc", "show", "dev", "eth0").output().contains("fa17:"));

        agent = startAgent();
        CommandEvent undone = bus.await(applied.commandId(), CommandEvent.Step.UNDONE);
        assertThat(undone.detail()).startsWith("restart: leftover of agent pid")
                .contains("deleted the htb root qdisc of eth0", "in the network namespace net:[");
        assertThat(lab.networkState(POD)).isEqualTo(before);
    }

    @Test
    void whenThePodsProcessIsGoneTheUndoFindsItsNamespaceByInode() throws Exception {
        // A pod's namespace outlives a restarted container (the pause container holds it): here
        // the lab's namespace name does.
        Path pid = pod("restarted");
        String before = lab.networkState(POD);
        CommandEvent applied = bus.apply(AGENT, cutFromBrokers(pid), Duration.ofMinutes(1));
        assertThat(applied.step()).as(applied.detail()).isEqualTo(CommandEvent.Step.APPLIED);
        Process container = pods.get(pods.size() - 1);
        container.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        assertThat(lab.networkState(POD)).contains("faultline:" + applied.commandId());

        CommandEvent undone = bus.heal(AGENT, applied.commandId());
        assertThat(undone.step()).as(undone.detail()).isEqualTo(CommandEvent.Step.UNDONE);
        assertThat(lab.networkState(POD)).isEqualTo(before);
    }

    @Test
    void aProcessOutsideThePolicysPidFilesIsNeverEntered() throws Exception {
        Path elsewhere = Files.createTempFile("not-a-pod", ".pid");
        Files.writeString(elsewhere, Long.toString(ProcessHandle.current().pid()));
        String before = lab.networkState(POD);
        CommandEvent answer = bus.apply(AGENT, cutFromBrokers(elsewhere), Duration.ofMinutes(1));
        assertThat(answer.step()).isEqualTo(CommandEvent.Step.REJECTED);
        assertThat(answer.detail()).startsWith("policy: netnsOf: pid file " + elsewhere + " matches none of the "
                + "allowed pidFiles");
        assertThat(lab.networkState(POD)).isEqualTo(before);
    }
}
