package io.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.faultline.protocol.ApplyCommand;
import io.faultline.protocol.CommandEvent;
import io.faultline.protocol.CommandEvent.Step;
import io.faultline.protocol.HealCommand;
import io.faultline.protocol.ProcessKillFault;
import io.faultline.protocol.ProcessSelector;
import io.faultline.protocol.Signal;
import io.faultline.protocol.Target;
import io.faultline.protocol.Topics;
import io.faultline.testkit.AgentProcess;
import io.faultline.testkit.CommandBus;
import io.faultline.testkit.Procs;
import io.faultline.testkit.TestKafka;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chaos on Faultline itself: an agent is SIGKILLed at random points of applying and undoing
 * faults, and its state directory (a 512 KiB tmpfs) is filled up and freed at random moments, round
 * after round, each round's agent taking over the journal of the one before. After every restart,
 * before anything else happens, no process that any earlier agent stopped may still be stopped;
 * within a round, what the agent reports must be what is in effect (applied means stopped, failed
 * or undone means running).
 *
 * <p>The rounds are drawn from a seed, printed, and taken from {@code -Dchaos.seed} to replay one.
 * Each round's agent has an id of its own: a killed agent holds its id for one group session, and
 * waiting that out every round would test nothing more.
 */
class AgentChaosIT {
    private static final int ROUNDS = 10;
    private static final int VICTIMS = 4;
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** Where the round's last command stands when the agent is killed. */
    private enum KillPoint { SENT, RECEIVED, ANSWERED }

    @TempDir
    Path dir;
    private Path disk;
    private boolean mounted;
    private final List<Process> processes = new ArrayList<>();
    private final List<Path> victims = new ArrayList<>();
    private final Topics topics = new Topics("chaos-it-" + UUID.randomUUID().toString().substring(0, 8) + ".");

    @BeforeEach
    void mountASmallDisk() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "needs root to mount a small tmpfs as the agent's state directory");
        disk = Files.createDirectory(dir.resolve("disk"));
        run("mount", "-t", "tmpfs", "-o", "size=512k", "faultline-chaos", disk.toString());
        mounted = true;
    }

    @AfterEach
    void cleanUp() throws Exception {
        processes.forEach(Process::destroyForcibly);
        if (mounted) {
            run("umount", "-l", disk.toString());
        }
    }

    private static void run(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", String.join(" ", argv), new String(p.getInputStream().readAllBytes()))
                .isZero();
    }

    private Path sleeper(String name) throws IOException {
        Process p = new ProcessBuilder("sleep", "3600").start();
        processes.add(p);
        Path pid = dir.resolve("pids").resolve(name + ".pid");
        Files.writeString(pid, p.pid() + "\n");
        return pid;
    }

    /** The victims that are stopped now. */
    private List<Path> stopped() throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path v : victims) {
            if (Procs.state(v) == 'T') {
                out.add(v);
            }
        }
        return out;
    }

    /** Fills the state directory's disk to the last byte. */
    private void fill() throws IOException {
        try (OutputStream out = Files.newOutputStream(disk.resolve("filler"))) {
            byte[] block = new byte[4096];
            while (true) {
                out.write(block);
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) {
                throw e;
            }
        }
    }

    private void free() throws IOException {
        Files.deleteIfExists(disk.resolve("filler"));
    }

    @Test
    void anAgentKilledAndStarvedOfDiskAtRandomPointsLeavesNothingApplied() throws Exception {
        long seed = Long.getLong("chaos.seed", new Random().nextLong());
        System.out.println("AgentChaosIT seed " + seed + " (replay with -Dchaos.seed=" + seed + ")");
        Random rnd = new Random(seed);
        Files.createDirectory(dir.resolve("pids"));
        for (int i = 0; i < VICTIMS; i++) {
            victims.add(sleeper("victim-" + i));
        }
        Path policy = Files.writeString(dir.resolve("policy.yaml"), """
                faults: [process.kill]
                maxLease: 10m
                processes:
                  service: false
                  pidFiles: ["%s/*.pid"]
                """.formatted(dir.resolve("pids")));
        String bootstrap = TestKafka.bootstrapServers();
        Map<String, Integer> counts = new LinkedHashMap<>();
        Map<KillPoint, Integer> kills = new EnumMap<>(KillPoint.class);
        boolean full = false;
        try (CommandBus bus = new CommandBus(bootstrap, topics)) {
            for (int round = 0; round <= ROUNDS; round++) {
                String id = "chaos-" + round;
                Process agent = AgentProcess.of(id, bootstrap, dir).topics(topics).stateDir(disk.resolve("state"))
                        .option("--policy", policy.toString()).start();
                processes.add(agent);
                counts.merge(full ? "restarts on a full disk" : "restarts", 1, Integer::sum);
                // Before it takes any command, the new agent has undone all its predecessors left.
                String where = "round " + round + " (seed " + seed + ")";
                await().atMost(WAIT).untilAsserted(() -> assertThat(stopped())
                        .as("%s: processes still stopped after the restart", where).isEmpty());
                bus.awaitAgent(id);
                if (round == ROUNDS) {
                    break;
                }
                Map<String, Path> held = new LinkedHashMap<>();
                int actions = 1 + rnd.nextInt(5);
                KillPoint kill = KillPoint.values()[rnd.nextInt(KillPoint.values().length)];
                for (int a = 0; a < actions; a++) {
                    if (rnd.nextInt(3) == 0) {
                        if (full) {
                            free();
                        } else {
                            fill();
                            counts.merge("disk filled", 1, Integer::sum);
                        }
                        full = !full;
                    }
                    boolean last = a == actions - 1;
                    Instant now = Instant.now();
                    List<Path> free = victims.stream().filter(v -> !held.containsValue(v)).toList();
                    String commandId;
                    Path victim;
                    boolean heal = !held.isEmpty() && (free.isEmpty() || rnd.nextBoolean());
                    if (heal) {
                        String faultId = new ArrayList<>(held.keySet()).get(rnd.nextInt(held.size()));
                        victim = held.remove(faultId);
                        commandId = faultId;
                        bus.send(new HealCommand(faultId + "-heal", "chaos", Target.agent(id), faultId, now,
                                now.plusSeconds(30)));
                        counts.merge("heals", 1, Integer::sum);
                    } else {
                        victim = free.get(rnd.nextInt(free.size()));
                        commandId = "c-" + round + "-" + a;
                        bus.send(new ApplyCommand(commandId, "chaos", Target.agent(id), new ProcessKillFault(Signal.STOP,
                                new ProcessSelector(victim.toString(), null)), now, now.plusSeconds(30),
                                Duration.ofMinutes(10)));
                        held.put(commandId, victim);
                        counts.merge("applies", 1, Integer::sum);
                    }
                    if (last && kill == KillPoint.SENT) {
                        break;
                    }
                    if (last && kill == KillPoint.RECEIVED) {
                        assertThat(bus.poll(heal ? commandId + "-heal" : commandId, WAIT, Step.RECEIVED)).isNotNull();
                        break;
                    }
                    Step[] outcomes = heal ? new Step[] {Step.UNDONE, Step.FAILED} : new Step[] {Step.APPLIED, Step.FAILED};
                    CommandEvent outcome = bus.poll(commandId, WAIT, outcomes);
                    assertThat(outcome).as("%s: outcome of %s", where, commandId).isNotNull();
                    counts.merge(outcome.step().wireName(), 1, Integer::sum);
                    // What the agent says is what is in effect.
                    char expected = outcome.step() == Step.APPLIED ? 'T' : 'S';
                    String said = where + ": " + commandId + " " + outcome.step().wireName();
                    await().atMost(WAIT).untilAsserted(() -> assertThat(Procs.state(victim))
                            .as("%s but the process is %s", said, Procs.state(victim)).isEqualTo(expected));
                    if (outcome.step() == Step.FAILED && !heal) {
                        held.remove(commandId);
                        assertThat(outcome.detail()).startsWith("not applied: cannot write the undo journal");
                    }
                }
                agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                kills.merge(kill, 1, Integer::sum);
                if (full && rnd.nextBoolean()) {
                    free();
                    full = false;
                }
            }
        } finally {
            System.out.println("AgentChaosIT seed " + seed + ": " + counts + ", kills by point " + kills
                    + ", escapes 0 unless an assertion above failed");
        }
    }
}
