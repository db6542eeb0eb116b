package io.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.faultline.demo.ChildJvm;
import io.faultline.protocol.CommandEvent;
import io.faultline.protocol.ProcessKillFault;
import io.faultline.protocol.ProcessSelector;
import io.faultline.protocol.Signal;
import io.faultline.protocol.Topics;
import io.faultline.testkit.AgentProcess;
import io.faultline.testkit.CommandBus;
import io.faultline.testkit.HungMount;
import io.faultline.testkit.Procs;
import io.faultline.testkit.TestKafka;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real agent process with one of its threads stuck in the kernel on a mount that never answers
 * (a FUSE file system whose lookups hang): a command naming a pid file there is refused at the
 * policy's deadline, the lookup left waiting in a child of the agent, never in one of its threads
 * (a process with a thread waiting there can never exit); SIGTERM then still undoes the fault the
 * agent holds, exits, and leaves no state-directory lock behind, so the agent starts again at once.
 */
class HungMountAgentIT {
    private final Topics topics = new Topics("hungmount-" + UUID.randomUUID().toString().substring(0, 8) + ".");
    @TempDir
    Path dir;
    private HungMount hung;
    private Process sleeper;
    private Process agent;

    @AfterEach
    void stopAll() throws Exception {
        if (agent != null) {
            ChildJvm.stop(agent, Duration.ofSeconds(10));
        }
        if (hung != null) {
            hung.close();
        }
        if (sleeper != null) {
            sleeper.destroyForcibly();
        }
    }

    @Test
    void sigtermUndoesAndExitsWhileAThreadIsStuckOnAHungMount() throws Exception {
        hung = HungMount.under(dir);
        sleeper = new ProcessBuilder("sleep", "600").start();
        Path pid = dir.resolve("service.pid");
        Files.writeString(pid, sleeper.pid() + "\n");
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, "processes:\n  service: true\n  pidFiles: [\"" + hung.path() + "/**\"]\n");
        String bootstrap = TestKafka.bootstrapServers();
        AgentProcess spec = AgentProcess.of("agent-hung", bootstrap, dir).topics(topics).heartbeatMs(500)
                .option("--service-pid-file", pid.toString()).option("--policy", policy.toString());
        try (CommandBus bus = new CommandBus(bootstrap, topics)) {
            agent = spec.start();
            bus.awaitAgent("agent-hung");
            CommandEvent frozen = bus.apply("agent-hung", new ProcessKillFault(Signal.STOP, null),
                    Duration.ofMinutes(10));
            assertThat(frozen.step()).as(frozen.detail()).isEqualTo(CommandEvent.Step.APPLIED);
            await().atMost(Duration.ofSeconds(5)).until(() -> Procs.state(pid) == 'T');

            // A pid file on the hung mount: refused at the deadline; the thread that looked stays stuck.
            CommandEvent refused = bus.apply("agent-hung", new ProcessKillFault(Signal.STOP,
                    new ProcessSelector(hung.path() + "/app/orders.pid", null), null), Duration.ofMinutes(1));
            assertThat(refused.step()).isEqualTo(CommandEvent.Step.REJECTED);
            assertThat(refused.detail()).contains("its directory did not resolve within 2s");
            // The lookup waits in the kernel in a child the agent gave up on, never in a thread of the agent.
            long agentPid = agent.pid();
            assertThat(agent.descendants().filter(c -> stuckInFuse(c.pid())).count())
                    .as("a child of the agent waits on the hung mount").isPositive();
            assertThat(stuckInFuse(agentPid)).as("a thread of the agent waits on the hung mount").isFalse();

            agent.destroy(); // SIGTERM
            assertThat(agent.waitFor(60, TimeUnit.SECONDS)).as("the agent exited after SIGTERM").isTrue();
            assertThat(Procs.state(pid)).as("the service runs again").isNotEqualTo('T');
            assertThat(bus.await(frozen.commandId(), CommandEvent.Step.UNDONE).detail()).startsWith("agent shutdown: sent CONT to pid " + sleeper.pid());

            // The mount is still hung; the state directory is free: the same agent starts again.
            agent = spec.start();
            bus.awaitAgent("agent-hung");
            assertThat(agent.isAlive()).isTrue();
        }
    }

    /** Whether some thread of {@code pid} sleeps in the kernel on a FUSE request. */
    private static boolean stuckInFuse(long pid) {
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            return tasks.anyMatch(t -> {
                try {
                    String wchan = Files.readString(t.resolve("wchan"));
                    String stack = Files.exists(t.resolve("stack")) ? Files.readString(t.resolve("stack")) : "";
                    return wchan.contains("fuse") || wchan.contains("request_wait_answer") || stack.contains("fuse_");
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (IOException e) {
            return false;
        }
    }
}
