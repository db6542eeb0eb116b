package io.faultline.agent.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.protocol.Direction;
import io.faultline.protocol.NetworkBandwidthFault;
import io.faultline.protocol.NetworkDelayFault;
import io.faultline.protocol.NetworkLossFault;
import io.faultline.protocol.NetworkPartitionFault;
import io.faultline.protocol.PacketAction;
import io.faultline.protocol.Peer;
import io.faultline.protocol.RedisOutageFault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The exact iptables and tc argv the network drivers run, captured instead of executed. */
class NetworkDriversTest {
    private static final ControlLink.Connection OWN = new ControlLink.Connection(
            new ControlLink.Endpoint("10.9.0.2", 40_001), new ControlLink.Endpoint("10.9.0.1", 9092));
    private static final ControlLink LINK = new ControlLink() {
        @Override
        public List<Connection> connections() {
            return List.of(OWN);
        }

        @Override
        public List<Endpoint> brokers() {
            return List.of(new Endpoint("10.9.0.1", 9092));
        }
    };

    private final List<List<String>> ran = new ArrayList<>();
    private Function<List<String>, CommandRunner.Result> answer = argv -> new CommandRunner.Result(0, "");
    private final CommandRunner capture = argv -> {
        ran.add(argv);
        return answer.apply(argv);
    };

    @Test
    void partitionTagsEveryRuleAndExemptsTheControlLinkAboveTheBlock() throws Exception {
        var fault = new NetworkPartitionFault(Direction.BOTH, PacketAction.DROP, List.of(), true, false);
        FaultDriver.Applied applied = new NetworkPartitionDriver(capture, LINK).apply("cmd-7", fault);

        assertThat(ran).containsExactly(
                List.of("iptables", "-w", "-I", "OUTPUT", "1", "-d", "10.9.0.1/32", "-p", "tcp", "-m", "multiport",
                        "--ports", "9092", "-m", "comment", "--comment", "faultline:cmd-7", "-j", "DROP"),
                List.of("iptables", "-w", "-I", "INPUT", "1", "-s", "10.9.0.1/32", "-p", "tcp", "-m", "multiport",
                        "--ports", "9092", "-m", "comment", "--comment", "faultline:cmd-7", "-j", "DROP"),
                List.of("iptables", "-w", "-I", "OUTPUT", "1", "-p", "tcp", "-s", "10.9.0.2", "--sport", "40001",
                        "-d", "10.9.0.1", "--dport", "9092", "-m", "comment", "--comment", "faultline:cmd-7", "-j", "ACCEPT"),
                List.of("iptables", "-w", "-I", "INPUT", "1", "-p", "tcp", "-s", "10.9.0.1", "--sport", "9092",
                        "-d", "10.9.0.2", "--dport", "40001", "-m", "comment", "--comment", "faultline:cmd-7", "-j", "ACCEPT"));
        assertThat(applied.detail()).contains("4 iptables rules", "1 own connections exempt");

        ran.clear();
        applied.undo();
        // Deleted in reverse order with the same spec, then a sweep of both chains by tag.
        assertThat(ran.get(0)).startsWith("iptables", "-w", "-D", "INPUT").contains("ACCEPT");
        assertThat(ran.get(3)).startsWith("iptables", "-w", "-D", "OUTPUT").contains("DROP");
        assertThat(ran.subList(4, 6)).containsExactly(List.of("iptables", "-w", "-S", "INPUT"),
                List.of("iptables", "-w", "-S", "OUTPUT"));
    }

    @Test
    void optingInCutsTheControlLinkToo() throws Exception {
        var fault = new NetworkPartitionFault(Direction.EGRESS, PacketAction.REJECT,
                List.of(new Peer("10.9.0.0/24", null)), false, true);
        new NetworkPartitionDriver(capture, LINK).apply("c", fault);
        assertThat(ran).containsExactly(List.of("iptables", "-w", "-I", "OUTPUT", "1", "-d", "10.9.0.0/24",
                "-m", "comment", "--comment", "faultline:c", "-j", "REJECT"));
    }

    @Test
    void sweepDeletesOnlyRulesCarryingTheCommandsTag() throws Exception {
        answer = argv -> argv.contains("-S") && argv.contains("OUTPUT")
                ? new CommandRunner.Result(0, String.join("\n",
                        "-P OUTPUT ACCEPT",
                        "-A OUTPUT -d 10.1.0.0/16 -j DROP",
                        "-A OUTPUT -d 10.9.0.1/32 -m comment --comment \"faultline:other\" -j DROP",
                        "-A OUTPUT -d 10.9.0.1/32 -m comment --comment \"faultline:cmd-7\" -j DROP"))
                : new CommandRunner.Result(0, "");
        assertThat(NetworkPartitionDriver.sweep(capture, "cmd-7")).isEqualTo(1);
        assertThat(ran).contains(List.of("iptables", "-w", "-D", "OUTPUT", "-d", "10.9.0.1/32", "-m", "comment",
                "--comment", "faultline:cmd-7", "-j", "DROP"));
        assertThat(ran.stream().filter(a -> a.contains("-D"))).hasSize(1);
    }

    @Test
    void failedInsertTakesBackTheRulesAlreadyInserted() {
        answer = argv -> argv.contains("INPUT") && argv.contains("-I")
                ? new CommandRunner.Result(4, "iptables: Permission denied") : new CommandRunner.Result(0, "");
        var fault = new NetworkPartitionFault(Direction.BOTH, PacketAction.DROP, List.of(new Peer("10.9.0.1", 80)),
                false, true);
        assertThatThrownBy(() -> new NetworkPartitionDriver(capture, LINK).apply("c", fault))
                .isInstanceOf(FaultException.class).hasMessageContaining("Permission denied");
        assertThat(ran.get(2)).startsWith("iptables", "-w", "-D", "OUTPUT");
    }

    @Test
    void redisOutageIsAPartitionOfTheRedisPortBothWays() throws Exception {
        var driver = new RedisOutageDriver(new NetworkPartitionDriver(capture, LINK), "10.9.0.5:6379");
        driver.apply("r1", new RedisOutageFault(null, PacketAction.REJECT));
        assertThat(ran.get(0)).containsSubsequence("OUTPUT", "-d", "0.0.0.0/0", "--ports", "6379",
                "!", "--tcp-flags", "RST", "RST", "REJECT", "--reject-with", "tcp-reset");
        assertThat(ran.get(1)).containsSubsequence("INPUT", "-s", "0.0.0.0/0", "--ports", "6379");
    }

    /** A device whose root qdisc is {@code root} until an add or a delete changes it, as the kernel would. */
    private void rootQdisc(String initial) {
        String[] root = {initial};
        answer = argv -> {
            if (argv.contains("show")) {
                return new CommandRunner.Result(0, root[0]);
            }
            if (argv.containsAll(List.of("qdisc", "add")) && argv.contains("root")) {
                if (!root[0].contains(" 0: ")) {
                    return new CommandRunner.Result(2, "Error: Exclusivity flag on, cannot modify.");
                }
                root[0] = "qdisc " + argv.get(argv.indexOf("handle") + 2) + " fa17: root refcnt 2";
            }
            if (argv.containsAll(List.of("qdisc", "del"))) {
                root[0] = "qdisc noqueue 0: root refcnt 2";
            }
            return new CommandRunner.Result(0, "");
        };
    }

    @Test
    void bandwidthInstallsHtbWithFiltersOnBothEndsOfEachPort() throws Exception {
        rootQdisc("qdisc noqueue 0: root refcnt 2");
        FaultDriver.Applied applied = new NetworkBandwidthDriver(capture)
                .apply("b", new NetworkBandwidthFault("veth0", "1mbit", List.of(6379)));
        assertThat(ran).containsExactly(
                List.of("tc", "qdisc", "show", "dev", "veth0", "root"),
                List.of("tc", "qdisc", "add", "dev", "veth0", "root", "handle", "fa17:", "htb"),
                List.of("tc", "class", "add", "dev", "veth0", "parent", "fa17:", "classid", "fa17:1", "htb", "rate",
                        "1000000bit", "ceil", "1000000bit"),
                List.of("tc", "filter", "add", "dev", "veth0", "parent", "fa17:", "protocol", "ip", "prio", "1", "u32",
                        "match", "ip", "sport", "6379", "0xffff", "flowid", "fa17:1"),
                List.of("tc", "filter", "add", "dev", "veth0", "parent", "fa17:", "protocol", "ip", "prio", "1", "u32",
                        "match", "ip", "dport", "6379", "0xffff", "flowid", "fa17:1"));
        ran.clear();
        applied.undo();
        assertThat(ran).containsExactly(List.of("tc", "qdisc", "show", "dev", "veth0", "root"),
                List.of("tc", "qdisc", "del", "dev", "veth0", "root", "handle", "fa17:"));
    }

    @Test
    void refusesToReplaceARootQdiscItDidNotPutThere() {
        rootQdisc("qdisc htb 1: root refcnt 2 r2q 10");
        assertThatThrownBy(() -> new NetworkBandwidthDriver(capture)
                .apply("b", new NetworkBandwidthFault("eth0", "1mbit", List.of(80))))
                .hasMessageContaining("already has a htb 1: root qdisc");
        assertThat(ran).noneMatch(a -> a.contains("add"));
    }

    @Test
    void operatorsPfifoRootIsNeitherReplacedNorDeleted() throws Exception {
        // A default kind, but handle 8001: means someone put it there (tc qdisc add ... root pfifo limit 7).
        rootQdisc("qdisc pfifo 8001: root refcnt 2 limit 7p");
        assertThatThrownBy(() -> new NetworkBandwidthDriver(capture)
                .apply("b", new NetworkBandwidthFault("eth0", "1mbit", List.of(80))))
                .hasMessageContaining("already has a pfifo 8001: root qdisc");
        assertThatThrownBy(() -> NetemDriver.delay(capture)
                .apply("d", new NetworkDelayFault("eth0", Duration.ofMillis(100), Duration.ZERO)))
                .hasMessageContaining("refusing to replace it");
        // Recovery and safe mode find no root of Faultline's there either.
        assertThat(new NetworkBandwidthDriver(capture).recover("b", new NetworkBandwidthFault("eth0", "1mbit",
                List.of(80)))).startsWith("nothing to undo");
        assertThat(ran).noneMatch(a -> a.contains("add") || a.contains("del"));
    }

    @Test
    void defaultDevicesAreTheNonLoopbackInterfacesWithAnAddress() throws Exception {
        answer = argv -> argv.contains("addr") ? new CommandRunner.Result(0, String.join("\n",
                "1: lo    inet 127.0.0.1/8 scope host lo",
                "7: veth-l1@if8    inet 10.9.0.11/24 brd 10.9.0.255 scope global veth-l1"))
                : new CommandRunner.Result(0, "");
        NetemDriver.delay(capture).apply("d", new NetworkDelayFault(null, Duration.ofMillis(100), Duration.ofMillis(5)));
        assertThat(ran).contains(List.of("tc", "qdisc", "add", "dev", "veth-l1", "root", "handle", "fa17:", "netem", "delay",
                "100ms", "5ms"));
        assertThat(NetemDriver.netemArgs(new NetworkLossFault(null, 2.5))).containsExactly("loss", "2.5%");
    }

    @Test
    void readsOwnConnectionsFromProcNetIncludingV4MappedOnes() {
        String v4 = "   3: 0B00090A:9C41 0100090A:2384 01 00000000:00000000 00:00000000 00000000     0        0 4242 1";
        String v6 = "   4: 0000000000000000FFFF00000B00090A:9C42 0000000000000000FFFF00000100090A:2384 01 "
                + "00000000:00000000 00:00000000 00000000     0        0 4343 1";
        String listening = "   0: 00000000:2384 00000000:0000 0A 00000000:00000000 00:00000000 00000000  0  0 4444 1";
        assertThat(ProcControlLink.parse(v4, Set.of("4242"))).isEqualTo(new ControlLink.Connection(
                new ControlLink.Endpoint("10.9.0.11", 40_001), new ControlLink.Endpoint("10.9.0.1", 9092)));
        assertThat(ProcControlLink.parse(v6, Set.of("4343")).local().port()).isEqualTo(40_002);
        assertThat(ProcControlLink.parse(v4, Set.of("1"))).as("not our socket").isNull();
        assertThat(ProcControlLink.parse(listening, null)).as("not established").isNull();
    }
}
