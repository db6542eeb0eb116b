package io.faultline.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.protocol.KafkaLeaderMoveFault;
import io.faultline.protocol.KafkaMinIsrFault;
import io.faultline.protocol.KafkaQuotaFault;
import io.faultline.protocol.Direction;
import io.faultline.protocol.NetworkBandwidthFault;
import io.faultline.protocol.NetworkPartitionFault;
import io.faultline.protocol.PacketAction;
import io.faultline.protocol.Peer;
import io.faultline.protocol.PodKillFault;
import io.faultline.protocol.PodSelection;
import io.faultline.protocol.ProcessKillFault;
import io.faultline.protocol.ProcessSelector;
import io.faultline.protocol.RedisPauseFault;
import io.faultline.protocol.Signal;
import io.faultline.protocol.ToxiproxyFault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentPolicyTest {
    private static final Duration MINUTE = Duration.ofMinutes(1);
    private static final String POLICY = """
            # the orders host
            faults: [process.kill, network.partition, redis.pause]
            maxLease: 2m
            processes:
              service: true
              pidFiles: [/run/orders/*.pid]
              commandLines: ["OrderListener .*listener-2"]
            network:
              cidrs: [10.77.0.0/24]
              ports: [6379, 9092]
              brokers: false
            redis: ["10.77.0.20:6379"]
            """;

    private final AgentPolicy policy = PolicyFile.parse("orders.yaml", POLICY);

    @Test
    void defaultPolicyAllowsOwnServiceAndRedisAndAnyPeerButNotTheControlLink() {
        AgentPolicy d = AgentPolicy.defaults();
        assertThat(d.violation(stop(ProcessSelector.SERVICE), MINUTE, null)).isNull();
        assertThat(d.violation(stop(new ProcessSelector("/run/x.pid", null)), MINUTE, null))
                .contains("pid file /run/x.pid matches none of the allowed pidFiles");
        assertThat(d.violation(stop(new ProcessSelector(null, "java")), MINUTE, null))
                .contains("command-line pattern /java/ is not among the allowed commandLines");
        assertThat(d.violation(partition(List.of(new Peer("0.0.0.0/0", 443)), true, false), MINUTE, null)).isNull();
        assertThat(d.violation(partition(List.of(), true, true), MINUTE, null)).contains("cutControlLink");
        assertThat(d.violation(new RedisPauseFault(null, null, null), MINUTE, "127.0.0.1:6379")).isNull();
        assertThat(d.violation(new RedisPauseFault("127.0.0.1:6379", null, null), MINUTE, "127.0.0.1:6379")).isNull();
        assertThat(d.violation(new RedisPauseFault("10.0.0.9:6379", null, null), MINUTE, "127.0.0.1:6379"))
                .contains("Redis 10.0.0.9:6379 is neither this agent's own (127.0.0.1:6379)");
        assertThat(d.violation(stop(ProcessSelector.SERVICE), Duration.ofMinutes(16), null))
                .isEqualTo("lease 16m exceeds maxLease 15m");
        assertThat(d.violation(new ToxiproxyFault("http://t:8474", "p", ToxiproxyFault.Toxic.DOWN, null, null, null,
                null), MINUTE, null)).contains("toxiproxy API http://t:8474 is not among the allowed []");
    }

    @Test
    void fileNarrowsFaultsTargetsAndLease() {
        assertThat(policy.violation(stop(new ProcessSelector("/run/orders/listener-1.pid", null)), MINUTE, null)).isNull();
        assertThat(policy.violation(stop(new ProcessSelector("/run/orders/../sshd.pid", null)), MINUTE, null))
                .contains("matches none of the allowed pidFiles");
        assertThat(policy.violation(stop(new ProcessSelector(null, "OrderListener .*listener-2")), MINUTE, null)).isNull();
        assertThat(policy.violation(stop(new ProcessSelector(null, "OrderListener")), MINUTE, null)).isNotNull();
        assertThat(policy.violation(stop(ProcessSelector.SERVICE), Duration.ofMinutes(3), null))
                .isEqualTo("lease 3m exceeds maxLease 2m");
        assertThat(policy.violation(new NetworkBandwidthFault(null, "1mbit", List.of(6379)), MINUTE, null))
                .isEqualTo("network.bandwidth is not among the allowed faults [network.partition, process.kill, redis.pause]");
        assertThat(policy.violation(partition(List.of(new Peer("10.77.0.0/25", 6379)), false, false), MINUTE, null)).isNull();
        assertThat(policy.violation(partition(List.of(new Peer("10.76.0.1", 6379)), false, false), MINUTE, null))
                .contains("peer 10.76.0.1 is outside the allowed cidrs [10.77.0.0/24]");
        assertThat(policy.violation(partition(List.of(new Peer("10.77.0.0/16", 6379)), false, false), MINUTE, null))
                .contains("outside the allowed cidrs");
        assertThat(policy.violation(partition(List.of(new Peer("10.77.0.5", 22)), false, false), MINUTE, null))
                .contains("port 22 is not among the allowed ports [6379, 9092]");
        assertThat(policy.violation(partition(List.of(new Peer("10.77.0.5", null)), false, false), MINUTE, null))
                .contains("names no port");
        assertThat(policy.violation(partition(List.of(), true, false), MINUTE, null)).contains("brokers: false");
        assertThat(policy.violation(new RedisPauseFault("10.77.0.20:6379", null, null), MINUTE, null)).isNull();
    }

    @Test
    void badFilesNameTheFileLineAndField() {
        assertThatThrownBy(() -> PolicyFile.parse("p.yaml", "faults: [process.kill]\nmaxLeese: 2m\n"))
                .hasMessageStartingWith("p.yaml:2:").hasMessageContaining("maxLeese: unknown key")
                .hasMessageContaining("maxLease");
        assertThatThrownBy(() -> PolicyFile.parse("p.yaml", "faults: [process.reboot]\n"))
                .hasMessageContaining("p.yaml: faults: unknown fault type 'process.reboot'");
        assertThatThrownBy(() -> PolicyFile.parse("p.yaml", "maxLease: soon\n"))
                .hasMessageContaining("p.yaml:1: maxLease: 'soon' is not a duration");
        assertThatThrownBy(() -> PolicyFile.parse("p.yaml", "network:\n  cidrs: [10.0.0.0/40]\n"))
                .hasMessageContaining("p.yaml:2: cidr: '10.0.0.0/40' is not an IPv4 address");
        assertThatThrownBy(() -> PolicyFile.parse("p.yaml", "network:\n  ports: [http]\n"))
                .hasMessageStartingWith("p.yaml:2:").hasMessageContaining("network.ports[0]");
        assertThatThrownBy(() -> PolicyFile.parse("p.yaml", "faults: []\n")).hasMessageContaining("would allow nothing");
        assertThatThrownBy(() -> PolicyFile.parse("p.yaml", "faults: [a\n")).hasMessageContaining("p.yaml:")
                .hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> PolicyFile.parse("p.yaml", "")).hasMessageContaining("empty");
    }

    private static ProcessKillFault stop(ProcessSelector s) {
        return new ProcessKillFault(Signal.STOP, s);
    }

    private static NetworkPartitionFault partition(List<Peer> peers, boolean brokers, boolean cut) {
        return new NetworkPartitionFault(Direction.BOTH, PacketAction.DROP, peers, brokers, cut);
    }

    @Test
    void podFaultsNeedTheirNamespaceInThePolicy() {
        PodKillFault kill = new PodKillFault(
                new PodSelection("shop", Map.of("app", "orders"), null, null), null);
        assertThat(AgentPolicy.defaults().violation(kill, MINUTE, null))
                .isEqualTo("namespace shop is not among the allowed namespaces []");
        assertThat(PolicyFile.parse("p.yaml", "namespaces: [shop, payments]\n").violation(kill, MINUTE, null)).isNull();
    }

    @Test
    void duplicateKeysInAPolicyFileAreAnErrorWithTheirLine() {
        assertThatThrownBy(() -> PolicyFile.parse("p.yaml", "maxLease: 10m\nfaults: [process.kill]\nmaxLease: 100h\n"))
                .hasMessage("p.yaml:3:9: maxLease: given twice (one value would silently win)");
    }

    @Test
    void anEmptyListItemIsAnErrorWithItsLineNotACrash() {
        // Found by PolicyFileProperties: an anchor with no value made a null port and a NullPointerException.
        assertThatThrownBy(() -> PolicyFile.parse("p.yaml", "network:\n  cidrs: [10.77.0.0/24]\n  ports: [&379, 9092]\n"))
                .isInstanceOf(PolicyFile.PolicyException.class)
                .hasMessage("p.yaml:3: network.ports: an empty item (a lone '-', ', ,' or an anchor without a value);"
                        + " give a value or drop it");
    }

    @Test
    void aMaxLeaseBeyondTheLongestDurationIsAnErrorNotClamped() {
        assertThatThrownBy(() -> PolicyFile.parse("p.yaml", "faults: [process.kill]\nmaxLease: 100000000h\n"))
                .hasMessage("p.yaml:2: maxLease: '100000000h' is longer than the longest duration Faultline takes, 7d");
    }

    @Test
    void invalidGlobsAndRegularExpressionsAreErrorsAtLoadWithTheirLine() {
        assertThatThrownBy(() -> PolicyFile.parse("p.yaml", "processes:\n  pidFiles: [/run/a.pid, '/run/[x.pid']\n"))
                .hasMessageStartingWith("p.yaml:2: processes.pidFiles[1]: '/run/[x.pid' is not a valid glob");
        assertThatThrownBy(() -> PolicyFile.parse("p.yaml", "processes:\n  commandLines:\n    - 'java (unclosed'\n"))
                .hasMessageStartingWith("p.yaml:3: processes.commandLines[0]: 'java (unclosed' is not a valid regular "
                        + "expression");
    }

    @Test
    void hostilePolicyFilesAreRefusedQuicklyWithAReadableError(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path longLine = dir.resolve("long.yaml");
        Files.writeString(longLine, "faults: [" + "process.kill, ".repeat(200_000) + "]\n");
        assertThatThrownBy(() -> PolicyFile.load(longLine)).hasMessage(longLine + ": larger than 256 KiB");
        Path wide = dir.resolve("wide.yaml");
        Files.writeString(wide, "faults: [" + "process.kill, ".repeat(1_000) + "]\n");
        assertThatThrownBy(() -> PolicyFile.load(wide)).hasMessage(wide + ":1: line longer than 4096 characters");
        Path latin1 = dir.resolve("latin1.yaml");
        Files.write(latin1, new byte[] {'f', 'a', 'u', 'l', 't', 's', ':', ' ', (byte) 0xe9, '\n'});
        assertThatThrownBy(() -> PolicyFile.load(latin1)).hasMessage(latin1 + ":1: not UTF-8 text");
        Path fifo = dir.resolve("fifo.yaml");
        new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
        assertThatThrownBy(() -> PolicyFile.load(fifo)).hasMessage(fifo + ": not a regular file");
        String bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                + "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n";
        assertThatThrownBy(() -> PolicyFile.parse("bomb.yaml", bomb)).isInstanceOf(PolicyFile.PolicyException.class)
                .message().doesNotContain("Exception", "snakeyaml");
    }

    @Test
    void symlinkedPidFileOutsidePolicyIsRefused(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path allowed = Files.createDirectories(dir.resolve("allowed"));
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere/inner"));
        Files.writeString(dir.resolve("elsewhere/victim.pid"), "1\n");
        Files.createSymbolicLink(allowed.resolve("d"), elsewhere);
        AgentPolicy p = PolicyFile.parse("p.yaml", "processes:\n  pidFiles: ['" + allowed + "/**']\n");
        // The text normalises to allowed/victim.pid; the kernel resolves d/.. to elsewhere/.
        String escape = allowed + "/d/../victim.pid";
        assertThat(p.violation(stop(new ProcessSelector(escape, null)), MINUTE, null))
                .isEqualTo("pid file " + escape + " resolves to " + dir.toRealPath().resolve("elsewhere/victim.pid")
                        + ", which matches none of the allowed pidFiles [" + allowed + "/**]");
    }

    @Test
    void kafkaFaultsTouchOnlyWhatTheKafkaSectionNamesAndNothingWithoutOne() {
        KafkaLeaderMoveFault move = new KafkaLeaderMoveFault("orders", null, 2);
        KafkaQuotaFault quota = new KafkaQuotaFault("billing-app", "alice", 1024L, null, null);
        KafkaMinIsrFault isr = new KafkaMinIsrFault("payments", 3);
        Duration lease = Duration.ofSeconds(30);
        assertThat(AgentPolicy.defaults().violation(move, lease, null))
                .isEqualTo("topic orders: this agent's policy allows no Kafka topic (kafka.topics is empty or absent)");

        AgentPolicy p = PolicyFile.parse("admin.yaml", """
                kafka:
                  topics: ["orders", "orders.*"]
                  clientIds: ["faultline-canary-*"]
                  users: ["alice"]
                  brokers: [3]
                """);

        assertThat(p.violation(move, lease, null)).isEqualTo("broker 2 is not among the brokers [3] that may be given "
                + "leadership");
        assertThat(p.violation(new KafkaLeaderMoveFault("orders.processed", List.of(0), 3), lease, null)).isNull();
        assertThat(p.violation(new KafkaLeaderMoveFault("orders", null, null), lease, null))
                .contains("names no broker to lead (to)");
        assertThat(p.violation(isr, lease, null))
                .isEqualTo("topic payments matches none of the allowed kafka.topics [orders, orders.*]");
        assertThat(p.violation(quota, lease, null))
                .isEqualTo("client id billing-app matches none of the allowed kafka.clientIds [faultline-canary-*]");
        assertThat(p.violation(new KafkaQuotaFault("faultline-canary-producer", "alice", 1024L, null, null), lease,
                null)).isNull();
        assertThat(p.violation(new KafkaQuotaFault(null, "bob", null, null, 5.0), lease, null))
                .isEqualTo("user bob matches none of the allowed kafka.users [alice]");
        assertThatThrownBy(() -> PolicyFile.parse("admin.yaml", "kafka:\n  topic: [orders]\n"))
                .hasMessageContaining("admin.yaml:2").hasMessageContaining("kafka.topic: unknown key");
    }
}
