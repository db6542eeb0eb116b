package io.faultline.agent.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.protocol.Direction;
import io.faultline.protocol.NetworkDelayFault;
import io.faultline.protocol.NetworkPartitionFault;
import io.faultline.protocol.PacketAction;
import io.faultline.protocol.Peer;
import io.faultline.protocol.ProcessSelector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Network faults in another process's namespace, on a process table of symbolic links the test
 * writes ({@code PID/ns/net -> net:[INODE]}) and a runner that records argv instead of running it.
 */
class TargetNetnsTest {
    private static final ProcessSelector POD = new ProcessSelector("/run/pods/orders.pid", null);

    @TempDir
    Path dir;
    private Path proc;
    private Path state;
    private final List<List<String>> ran = new ArrayList<>();
    private final CommandRunner capture = argv -> {
        ran.add(argv);
        return new CommandRunner.Result(0, "");
    };
    private List<Long> resolved = List.of(4242L);

    @BeforeEach
    void processTable() throws Exception {
        proc = dir.resolve("proc");
        state = dir.resolve("state");
        netns(Path.of("self"), 1000);
        netns(Path.of("4242"), 5555);
    }

    private void netns(Path pid, long inode) throws Exception {
        Path ns = proc.resolve(pid).resolve("ns");
        Files.createDirectories(ns);
        Files.deleteIfExists(ns.resolve("net"));
        Files.createSymbolicLink(ns.resolve("net"), Path.of("net:[" + inode + "]"));
    }

    private TargetNetns netns() {
        return new TargetNetns(capture, s -> resolved, state, proc, dir.resolve("run-netns"));
    }

    private NetworkPartitionDriver partition() {
        return new NetworkPartitionDriver(capture, new ControlLink() {
            @Override
            public List<Connection> connections() {
                return List.of(new Connection(new Endpoint("10.9.0.2", 40_001), new Endpoint("10.9.0.1", 9092)));
            }

            @Override
            public List<Endpoint> brokers() {
                return List.of(new Endpoint("10.9.0.1", 9092));
            }
        }, netns());
    }

    private static NetworkPartitionFault cut(ProcessSelector netnsOf) {
        return new NetworkPartitionFault(Direction.EGRESS, PacketAction.DROP, List.of(new Peer("10.9.0.7/32", null)),
                false, false, netnsOf);
    }

    @Test
    void everyCommandRunsInsideThePodsNamespaceAndNoOwnConnectionIsExempted() throws Exception {
        FaultDriver.Applied applied = partition().apply("cmd-1", cut(POD));
        String enter = "--net=" + proc.resolve("4242/ns/net");
        assertThat(ran).containsExactly(List.of("nsenter", enter, "--", "iptables", "-w", "-I", "OUTPUT", "1", "-d",
                "10.9.0.7/32", "-m", "comment", "--comment", "faultline:cmd-1", "-j", "DROP"));
        assertThat(applied.detail()).contains("0 own connections exempt", "in the network namespace net:[5555] of pid 4242");
        assertThat(state.resolve("netns/cmd-1.json")).as("recorded before anything was applied").exists();

        ran.clear();
        assertThat(applied.undo()).contains("in the network namespace net:[5555]");
        assertThat(ran).allSatisfy(argv -> assertThat(argv.subList(0, 3)).containsExactly("nsenter", enter, "--"));
        assertThat(state.resolve("netns/cmd-1.json")).as("forgotten once undone").doesNotExist();
    }

    @Test
    void theUndoFollowsTheNamespaceByInodeNotThePid() throws Exception {
        FaultDriver.Applied applied = partition().apply("cmd-2", cut(POD));
        // The pod's process restarted elsewhere: pid 4242 is now a process of another namespace,
        // and the old namespace lives on in pid 77 (the pause container).
        netns(Path.of("4242"), 9999);
        netns(Path.of("77"), 5555);
        ran.clear();
        assertThat(applied.undo()).contains("(entered through " + proc.resolve("77/ns/net") + ")");
        assertThat(ran).isNotEmpty().allSatisfy(argv -> assertThat(argv.get(1)).isEqualTo("--net="
                + proc.resolve("77/ns/net")));
    }

    @Test
    void aNamespaceThatIsGoneTookTheFaultWithIt() throws Exception {
        FaultDriver.Applied applied = partition().apply("cmd-3", cut(POD));
        netns(Path.of("4242"), 9999);
        ran.clear();
        assertThat(applied.undo()).isEqualTo("the network namespace net:[5555] of pid 4242 is gone, and what the fault "
                + "put there went with it");
        assertThat(ran).as("nothing run in a namespace that is not the fault's").isEmpty();
    }

    @Test
    void recoveryAfterACrashEntersTheRecordedNamespaceAndKnowsWhenNothingWasApplied() throws Exception {
        partition().apply("cmd-4", cut(POD));
        ran.clear();
        // A new agent process: only the journal's command id and spec, and the state directory.
        String done = partition().recover("cmd-4", cut(POD));
        assertThat(done).contains("in the network namespace net:[5555] of pid 4242");
        assertThat(ran).isNotEmpty().allSatisfy(argv -> assertThat(argv.get(0)).isEqualTo("nsenter"));
        assertThat(partition().recover("cmd-never", cut(POD))).startsWith("nothing to undo: no network namespace");
    }

    @Test
    void theSafeModeSweepVisitsEveryRecordedNamespace() throws Exception {
        partition().apply("cmd-5", cut(POD));
        ran.clear();
        assertThat(partition().sweep()).contains("in the network namespace net:[5555]");
        assertThat(ran).anySatisfy(argv -> assertThat(argv).startsWith("iptables", "-w", "-S"));
        assertThat(ran).anySatisfy(argv -> assertThat(argv).startsWith("nsenter"));
    }

    @Test
    void aSelectorMustNameOneProcessAndAnAgentWithoutTheSeamRefuses() throws Exception {
        resolved = List.of(1L, 2L);
        assertThatThrownBy(() -> partition().apply("cmd-6", cut(POD)))
                .hasMessage("netnsOf names 2 processes [1, 2]; it must name one");
        assertThat(ran).isEmpty();
        assertThatThrownBy(() -> NetemDriver.delay(capture).apply("cmd-7",
                new NetworkDelayFault(null, Duration.ofMillis(50), null, POD)))
                .hasMessageContaining("cannot enter another process's network namespace");
        assertThat(ran).isEmpty();
    }

    @Test
    void aProcessInTheAgentsOwnNamespaceKeepsTheControlLinkExempt() throws Exception {
        netns(Path.of("4242"), 1000);
        FaultDriver.Applied applied = partition().apply("cmd-8", cut(POD));
        assertThat(applied.detail()).contains("1 own connections exempt");
    }
}
