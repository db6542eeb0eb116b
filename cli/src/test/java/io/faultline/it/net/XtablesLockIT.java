package io.faultline.it.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.faultline.demo.ChildJvm;
import io.faultline.protocol.AgentHeartbeat;
import io.faultline.protocol.CommandEvent;
import io.faultline.protocol.Direction;
import io.faultline.protocol.NetworkPartitionFault;
import io.faultline.protocol.PacketAction;
import io.faultline.protocol.Peer;
import io.faultline.protocol.Topics;
import io.faultline.testkit.AgentProcess;
import io.faultline.testkit.CommandBus;
import io.faultline.testkit.NetLab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An undo that fails because another program holds iptables' own xtables lock past the undo's
 * deadline. The agent runs the legacy iptables (the one that takes the lock, a flock on
 * {@code XTABLES_LOCKFILE}) with a lock file of the test's own, so that holding it blocks this
 * agent only and nothing else on the machine. The fault must stay held as undo pending, said so in
 * the heartbeat, and go once the lock is free: within the retry's backoff, with no restart.
 */
class XtablesLockIT {
    private static final Topics TOPICS = new Topics("xtables-it.");
    private static final String HOST = "listener-1";
    private static final String SERVER = "listener-2";
    private static final int PORT = 6391;
    private static final String IPTABLES = "/usr/sbin/iptables-legacy";
    private static NetLab lab;
    private static CommandBus bus;
    private static Process redis;
    private static Process agent;
    private static Process lockHolder;
    private static Path lock;

    @BeforeAll
    static void start() throws Exception {
        lab = NetLab.shared();
        assertThat(Path.of(IPTABLES)).as("the legacy iptables of Debian's iptables package").isExecutable();
        redis = lab.spawn(SERVER, "xtables-redis", "redis-server", "--port", String.valueOf(PORT), "--bind",
                "0.0.0.0", "--protected-mode", "no", "--save", "", "--appendonly", "no");
        await().atMost(Duration.ofSeconds(20)).until(() -> "PONG".equals(ping().output()));
        // "iptables" on the agent's PATH is the legacy one, and its lock is this test's file.
        Path bin = Files.createDirectories(lab.dir().resolve("xtables-legacy-bin"));
        Files.deleteIfExists(bin.resolve("iptables"));
        Files.createSymbolicLink(bin.resolve("iptables"), Path.of(IPTABLES));
        lock = lab.dir().resolve("xtables-it.lock");
        Files.deleteIfExists(lock);
        Files.createFile(lock);
        bus = new CommandBus(lab.bootstrapServers(), TOPICS);
        agent = AgentProcess.of("agent-xtables", lab.bootstrapServers(), lab.dir()).topics(TOPICS).heartbeatMs(500)
                .outliveParent().startIn(lab, HOST, Map.of("PATH", bin + ":" + System.getenv("PATH"),
                        "XTABLES_LOCKFILE", lock.toString()));
        bus.awaitAgent("agent-xtables");
    }

    @AfterAll
    static void stop() throws Exception {
        if (lockHolder != null) {
            release();
        }
        ChildJvm.stop(agent, Duration.ofSeconds(20));
        ChildJvm.stop(redis, Duration.ofSeconds(5));
        if (lab != null) {
            // Only this test writes the legacy tables of this host: whatever a failure left there goes.
            lab.exec(HOST, IPTABLES, "-w", "-F");
        }
        if (bus != null) {
            bus.close();
        }
    }

    private static NetLab.Result ping() throws Exception {
        return lab.exec(HOST, "timeout", "3", "redis-cli", "-h", lab.ip(SERVER), "-p", String.valueOf(PORT), "PING");
    }

    private static String legacyRules() throws Exception {
        return lab.exec(HOST, IPTABLES, "-w", "-S").output();
    }

    /** Whether some process holds {@code lock}: a non-blocking try of the same flock iptables takes. */
    private static boolean lockHeld() throws Exception {
        return new ProcessBuilder("flock", "-n", lock.toString(), "true").start().waitFor() != 0;
    }

    /** Ends the lock's holder: flock and the sleep it runs, which holds the locked descriptor too. */
    private static void release() throws InterruptedException {
        lockHolder.descendants().forEach(ProcessHandle::destroyForcibly);
        lockHolder.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }

    @Test
    void anUndoBlockedByTheXtablesLockIsRetriedUntilTheRulesAreGone() throws Exception {
        String before = legacyRules();
        CommandEvent applied = bus.apply("agent-xtables", new NetworkPartitionFault(Direction.EGRESS,
                PacketAction.REJECT, List.of(new Peer(lab.ip(SERVER) + "/32", PORT)), false, false),
                Duration.ofMinutes(10));
        assertThat(applied.step()).as(applied.detail()).isEqualTo(CommandEvent.Step.APPLIED);
        String id = applied.commandId();
        assertThat(legacyRules()).contains("faultline:" + id);
        assertThat(ping().output()).isNotEqualTo("PONG");

        // Another program takes the xtables lock and keeps it past the undo's 10 s deadline.
        lockHolder = new ProcessBuilder("flock", lock.toString(), "sleep", "600").start();
        await("the lock taken").atMost(Duration.ofSeconds(10)).until(XtablesLockIT::lockHeld);

        CommandEvent failed = bus.heal("agent-xtables", id);
        assertThat(failed.step()).as(failed.detail()).isEqualTo(CommandEvent.Step.FAILED);
        assertThat(failed.detail()).startsWith("undo on heal failed: ").contains("timed out after 10 s",
                "the fault may still be in place: trying again in");
        // Still in place, and said so: the heartbeat names the undo that is pending.
        assertThat(legacyRules()).contains("faultline:" + id);
        assertThat(ping().output()).isNotEqualTo("PONG");
        await("the heartbeat names the pending undo").atMost(Duration.ofSeconds(10)).until(() ->
                bus.liveAgents(Duration.ofSeconds(5)).stream().filter(h -> h.agentId().equals("agent-xtables"))
                        .map(AgentHeartbeat::problems).flatMap(List::stream)
                        .anyMatch(p -> p.startsWith("undo of " + id + " (heal) failed")));

        // The lock is free: a retry removes every rule, and the same agent process says so.
        release();
        await("the lock freed").atMost(Duration.ofSeconds(10)).until(() -> !lockHeld());
        CommandEvent undone = bus.await(id, CommandEvent.Step.UNDONE);
        assertThat(undone.detail()).startsWith("heal: deleted").contains("iptables rules tagged faultline:" + id);
        assertThat(legacyRules()).isEqualTo(before);
        assertThat(ping().output()).isEqualTo("PONG");
        assertThat(agent.isAlive()).as("no restart").isTrue();
        await("the heartbeat clear again").atMost(Duration.ofSeconds(10)).until(() ->
                bus.liveAgents(Duration.ofSeconds(2)).stream().filter(h -> h.agentId().equals("agent-xtables"))
                        .anyMatch(h -> h.problems().isEmpty() && h.activeFaults().isEmpty()));
    }
}
