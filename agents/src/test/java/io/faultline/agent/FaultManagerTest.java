package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.agent.driver.CommandRunner;
import io.faultline.agent.driver.ProcessKillDriver;
import io.faultline.agent.journal.UndoJournal;
import io.faultline.protocol.ApplyCommand;
import io.faultline.protocol.CommandEvent;
import io.faultline.protocol.ProcessKillFault;
import io.faultline.protocol.ProcessSelector;
import io.faultline.protocol.RenewCommand;
import io.faultline.protocol.Signal;
import io.faultline.protocol.Target;
import io.faultline.protocol.TelemetryEvent;
import io.faultline.time.ManualScheduler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault manager on time driven by hand: a real process is stopped with SIGSTOP by the real
 * driver, and the test moves the clock to see when the lease lets it go. Nothing sleeps for a lease.
 */
class FaultManagerTest {
    private static final Duration LEASE = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private final ManualScheduler time = new ManualScheduler();
    private final List<TelemetryEvent> events = new CopyOnWriteArrayList<>();
    private final List<Process> victims = new CopyOnWriteArrayList<>();
    private UndoJournal journal;
    private FaultManager faults;

    @BeforeEach
    void setUp() throws IOException {
        journal = UndoJournal.open(dir.resolve("state"));
        faults = manager(journal);
        faults.recover();
    }

    private FaultManager manager(UndoJournal j) {
        return new FaultManager("agent-1", new DriverRegistry(List.of(new ProcessKillDriver(CommandRunner.SYSTEM, null))),
                j, time, events::add);
    }

    @AfterEach
    void tearDown() throws IOException {
        victims.forEach(p -> {
            p.toHandle().destroyForcibly();
        });
        journal.close();
    }

    private Path victim(String name) throws IOException {
        Process p = new ProcessBuilder("sleep", "600").start();
        victims.add(p);
        Path pid = dir.resolve(name + ".pid");
        Files.writeString(pid, Long.toString(p.pid()));
        return pid;
    }

    private ApplyCommand stop(String id, Path pidFile) {
        Instant now = time.clock().instant();
        return new ApplyCommand(id, "run-1", Target.agent("agent-1"), new ProcessKillFault(Signal.STOP,
                new ProcessSelector(pidFile.toString(), null), null), now, now.plusSeconds(15), LEASE);
    }

    private RenewCommand renew(String faultId) {
        Instant now = time.clock().instant();
        return new RenewCommand(faultId + ".renew." + now.toEpochMilli(), "run-1", Target.agent("agent-1"), faultId,
                now, now.plusSeconds(5), LEASE);
    }

    /** The process's state letter from /proc: T when stopped, S when sleeping. */
    private static char state(Path pidFile) throws IOException {
        String stat = Files.readString(Path.of("/proc", Files.readString(pidFile).strip(), "stat"));
        return stat.charAt(stat.lastIndexOf(')') + 2);
    }

    private static void awaitState(Path pidFile, char expected) {
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> state(pidFile) == expected);
    }

    private List<CommandEvent.Step> steps(String commandId) {
        return events.stream().filter(e -> e instanceof CommandEvent c && commandId.equals(c.commandId()))
                .map(e -> ((CommandEvent) e).step()).toList();
    }

    @Test
    void undoesAFaultWhenItsLeaseEndsAndNotBefore() throws IOException {
        Path pid = victim("a");
        faults.apply(stop("c-1", pid));
        awaitState(pid, 'T');
        time.advance(LEASE.minusMillis(1));
        assertThat(faults.active()).containsKey("c-1");
        assertThat(state(pid)).isEqualTo('T');
        time.advance(Duration.ofMillis(1));
        assertThat(faults.active()).isEmpty();
        awaitState(pid, 'S');
        assertThat(steps("c-1")).containsExactly(CommandEvent.Step.APPLIED, CommandEvent.Step.UNDONE);
        assertThat(journal.leftovers()).isEmpty();
    }

    @Test
    void renewalsKeepAFaultAliveUntilTheyStop() throws IOException {
        Path pid = victim("b");
        faults.apply(stop("c-2", pid));
        for (int i = 0; i < 6; i++) {
            time.advance(LEASE.dividedBy(2));
            assertThat(faults.renew(renew("c-2"))).isTrue();
        }
        // Thirty seconds in, three leases' worth, and still held.
        assertThat(faults.active()).containsKey("c-2");
        assertThat(state(pid)).isEqualTo('T');
        time.advance(LEASE.minusMillis(1));
        assertThat(faults.active()).containsKey("c-2");
        time.advance(Duration.ofMillis(1));
        assertThat(faults.active()).isEmpty();
        awaitState(pid, 'S');
    }

    @Test
    void aRenewalOfAFaultNotHeldIsRefused() {
        assertThat(faults.renew(renew("never-applied"))).isFalse();
    }

    @Test
    void aHaltUndoesEveryFaultLatestFirst() throws IOException {
        Path a = victim("c");
        Path b = victim("d");
        faults.apply(stop("c-3", a));
        faults.apply(stop("c-4", b));
        awaitState(a, 'T');
        awaitState(b, 'T');
        faults.undoAll("halt (test)");
        assertThat(faults.active()).isEmpty();
        awaitState(a, 'S');
        awaitState(b, 'S');
        List<String> undone = events.stream().filter(e -> e instanceof CommandEvent c && c.step() == CommandEvent.Step.UNDONE)
                .map(e -> ((CommandEvent) e).commandId()).toList();
        assertThat(undone).containsExactly("c-4", "c-3");
        // Nothing is left for a timer to find.
        time.advance(LEASE.multipliedBy(2));
        assertThat(steps("c-3")).containsExactly(CommandEvent.Step.APPLIED, CommandEvent.Step.UNDONE);
    }

    @Test
    void theSweepCatchesALeaseWhoseTimerWasLost() throws IOException {
        // A wall clock that jumps forward by a lease: the sweep, due within a second, undoes the fault.
        Path pid = victim("e");
        faults.apply(stop("c-5", pid));
        time.advance(FaultManager.LEASE_SWEEP);
        assertThat(faults.active()).containsKey("c-5");
        time.advance(LEASE);
        assertThat(faults.active()).isEmpty();
        awaitState(pid, 'S');
    }

    @Test
    void aRestartUndoesWhatAKilledPredecessorLeftApplied() throws IOException {
        Path pid = victim("f");
        faults.apply(stop("c-6", pid));
        awaitState(pid, 'T');
        // The agent dies here: no undo ran. Its successor opens the same journal.
        journal.close();
        journal = UndoJournal.open(dir.resolve("state"));
        events.clear();
        FaultManager successor = manager(journal);
        assertThat(successor.recover()).contains("c-6");
        awaitState(pid, 'S');
        assertThat(steps("c-6")).containsExactly(CommandEvent.Step.UNDONE);
        assertThat(journal.leftovers()).isEmpty();
    }

    @Test
    void aDamagedJournalStartsSafeModeThatResumesTheStoppedServiceAndSaysSo() throws IOException {
        // The service is stopped, and the record of it is lost: the journal's bytes are garbage.
        Path service = victim("service");
        faults.apply(stop("c-7", service));
        awaitState(service, 'T');
        journal.close();
        Files.write(dir.resolve("state").resolve("undo-journal.log"), new byte[] {(byte) 0xff, 'F', 'L', 'J', '1', 0, 0});
        journal = UndoJournal.open(dir.resolve("state"));
        events.clear();
        FaultManager successor = new FaultManager("agent-1", new DriverRegistry(List.of(
                new ProcessKillDriver(CommandRunner.SYSTEM, service))), journal, time, events::add);
        successor.recover();
        awaitState(service, 'S');
        assertThat(events).filteredOn(e -> e instanceof CommandEvent).singleElement().satisfies(e -> {
            CommandEvent c = (CommandEvent) e;
            assertThat(c.step()).isEqualTo(CommandEvent.Step.UNDONE);
            assertThat(c.commandId()).isEqualTo("safe-mode");
            assertThat(c.detail()).startsWith("safe mode (undo journal damaged, 1 unreadable record(s)): sent CONT to the "
                    + "service, pid");
        });
    }

    @Test
    void anUnwritableJournalRefusesEveryApplyAndTheHeartbeatSaysWhy() throws IOException {
        Path blocked = dir.resolve("file");
        Files.writeString(blocked, "x");
        try (UndoJournal unwritable = UndoJournal.open(blocked.resolve("state"))) {
            FaultManager m = manager(unwritable);
            m.recover();
            Path pid = victim("g");
            m.apply(stop("c-8", pid));
            assertThat(state(pid)).isNotEqualTo('T');
            assertThat(steps("c-8")).containsExactly(CommandEvent.Step.FAILED);
            assertThat(m.problems()).singleElement().asString().startsWith("undo journal unwritable, no fault will be "
                    + "applied: cannot create the state directory");
        }
    }

    @Test
    void aRedisPauseLongerThanItsLeaseIsCutToTheLease() {
        // Redis ends a pause by itself: cut to the lease, it ends even if the agent dies (CLIENT PAUSE 315360000000 before).
        List<io.faultline.protocol.RedisPauseFault> asked = new CopyOnWriteArrayList<>();
        FaultManager m = new FaultManager("agent-1", new DriverRegistry(List.of(new io.faultline.agent.driver.FaultDriver<
                io.faultline.protocol.RedisPauseFault>() {
            @Override
            public Class<io.faultline.protocol.RedisPauseFault> faultClass() {
                return io.faultline.protocol.RedisPauseFault.class;
            }

            @Override
            public String faultType() {
                return io.faultline.protocol.RedisPauseFault.TYPE;
            }

            @Override
            public Applied apply(String commandId, io.faultline.protocol.RedisPauseFault fault) {
                asked.add(fault);
                return new Applied() {
                    @Override
                    public String detail() {
                        return "CLIENT PAUSE " + fault.duration().toMillis() + " WRITE";
                    }

                    @Override
                    public String undo() {
                        return "CLIENT UNPAUSE";
                    }
                };
            }

            @Override
            public String recover(String commandId, io.faultline.protocol.RedisPauseFault fault) {
                return "CLIENT UNPAUSE";
            }
        })), journal, time, events::add);
        Instant now = time.clock().instant();
        m.apply(new ApplyCommand("c-pause", "run-1", Target.agent("agent-1"), new io.faultline.protocol.RedisPauseFault(
                null, io.faultline.protocol.RedisPauseFault.Mode.WRITE, Duration.ofDays(7)), now, now.plusSeconds(15),
                Duration.ofSeconds(20)));
        assertThat(asked).singleElement().satisfies(f -> assertThat(f.duration()).isEqualTo(Duration.ofSeconds(20)));
        assertThat(events).filteredOn(e -> e instanceof CommandEvent).singleElement().satisfies(e -> assertThat(
                ((CommandEvent) e).detail()).isEqualTo("CLIENT PAUSE 20000 WRITE (pause cut from 7d to its lease 20s)"));
    }
}
