package io.faultline.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.agent.driver.CommandRunner;
import io.faultline.agent.driver.FaultDriver;
import io.faultline.agent.driver.FaultException;
import io.faultline.agent.driver.ProcessKillDriver;
import io.faultline.agent.journal.UndoJournal;
import io.faultline.protocol.ApplyCommand;
import io.faultline.protocol.CommandEvent;
import io.faultline.protocol.ProcessKillFault;
import io.faultline.protocol.ProcessSelector;
import io.faultline.protocol.RedisPauseFault;
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
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
    private static final Duration DEADLINE = Duration.ofSeconds(15);

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
        return manager(j, new ProcessKillDriver(CommandRunner.SYSTEM, null));
    }

    /** Driver calls run inline, on the test's thread; their outcomes come back as scheduler tasks. */
    private FaultManager manager(UndoJournal j, FaultDriver<?>... drivers) {
        return new FaultManager("agent-1", new DriverRegistry(List.of(drivers)), j, time,
                new DriverCalls(time, Runnable::run, DEADLINE), events::add);
    }

    @AfterEach
    void tearDown() throws IOException {
        victims.forEach(p -> {
            p.toHandle().destroyForcibly();
        });
        pools.forEach(ExecutorService::shutdownNow);
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
        time.runDue();
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
    void anUndoThatFailsIsTriedAgainWithBackoffUntilTheFaultIsGone() throws IOException {
        // The first two CONTs fail (a lock held elsewhere, say), the third goes through.
        AtomicInteger refused = new AtomicInteger(2);
        CommandRunner flaky = argv -> {
            if (argv.contains("CONT") && refused.getAndDecrement() > 0) {
                throw new FaultException("kill -s CONT: resource temporarily busy");
            }
            return CommandRunner.SYSTEM.run(argv);
        };
        journal.close();
        journal = UndoJournal.open(dir.resolve("state-flaky"));
        faults = manager(journal, new ProcessKillDriver(flaky, null));
        faults.recover();
        Path pid = victim("flaky");
        faults.apply(stop("c-flaky", pid));
        time.runDue();
        awaitState(pid, 'T');

        faults.undo("c-flaky", "heal");
        time.runDue();
        // Not undone: still held, said so, and still stopped.
        assertThat(faults.active()).containsKey("c-flaky");
        assertThat(faults.problems()).anySatisfy(p -> assertThat(p).startsWith("undo of c-flaky (heal) failed 1 time(s)"));
        assertThat(state(pid)).isEqualTo('T');
        assertThat(events).anySatisfy(e -> assertThat(((CommandEvent) e).detail())
                .contains("undo on heal failed: kill -s CONT: resource temporarily busy", "trying again in 1s"));

        // 1 s on, the second attempt fails too; 2 s after that, the third succeeds.
        time.advance(Duration.ofSeconds(1));
        assertThat(faults.problems()).anySatisfy(p -> assertThat(p).contains("failed 2 time(s)"));
        assertThat(state(pid)).isEqualTo('T');
        time.advance(Duration.ofMillis(1999));
        assertThat(faults.active()).containsKey("c-flaky");
        time.advance(Duration.ofMillis(1));
        awaitState(pid, 'S');
        assertThat(faults.active()).isEmpty();
        assertThat(faults.problems()).isEmpty();
        assertThat(steps("c-flaky")).containsExactly(CommandEvent.Step.APPLIED, CommandEvent.Step.FAILED,
                CommandEvent.Step.FAILED, CommandEvent.Step.UNDONE);
        assertThat(journal.leftovers()).isEmpty();
    }

    @Test
    void renewalsKeepAFaultAliveUntilTheyStop() throws IOException {
        Path pid = victim("b");
        faults.apply(stop("c-2", pid));
        time.runDue();
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
        time.runDue();
        faults.apply(stop("c-4", b));
        time.runDue();
        awaitState(a, 'T');
        awaitState(b, 'T');
        faults.undoAll("halt (test)");
        time.runDue();
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
        time.runDue();
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
        time.runDue();
        awaitState(pid, 'T');
        // The agent dies here: no undo ran. Its successor opens the same journal.
        journal.close();
        journal = UndoJournal.open(dir.resolve("state"));
        events.clear();
        FaultManager successor = manager(journal);
        assertThat(successor.recover()).contains("c-6");
        time.runDue();
        awaitState(pid, 'S');
        assertThat(steps("c-6")).containsExactly(CommandEvent.Step.UNDONE);
        assertThat(journal.leftovers()).isEmpty();
    }

    @Test
    void aDamagedJournalStartsSafeModeThatResumesTheStoppedServiceAndSaysSo() throws IOException {
        // The service is stopped, and the record of it is lost: the journal's bytes are garbage.
        Path service = victim("service");
        faults.apply(stop("c-7", service));
        time.runDue();
        awaitState(service, 'T');
        journal.close();
        Files.write(dir.resolve("state").resolve("undo-journal.log"), new byte[] {(byte) 0xff, 'F', 'L', 'J', '1', 0, 0});
        journal = UndoJournal.open(dir.resolve("state"));
        events.clear();
        FaultManager successor = manager(journal, new ProcessKillDriver(CommandRunner.SYSTEM, service));
        successor.recover();
        time.runDue();
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
            time.runDue();
            assertThat(state(pid)).isNotEqualTo('T');
            assertThat(steps("c-8")).containsExactly(CommandEvent.Step.FAILED);
            assertThat(m.problems()).singleElement().asString().startsWith("undo journal unwritable, no fault will be "
                    + "applied: cannot create the state directory");
        }
    }

    @Test
    void eachApplyIsHandedItsLeaseSoAFaultThatEndsByItselfCanBeBoundedByIt() {
        // Redis ends a pause by itself: its driver cuts one longer than the lease (RedisPauseDriver),
        // so it ends even if the agent dies. The manager hands every driver the lease it applies under.
        List<Duration> leases = new CopyOnWriteArrayList<>();
        FaultManager m = manager(journal, new FaultDriver<RedisPauseFault>() {
            @Override
            public Class<RedisPauseFault> faultClass() {
                return RedisPauseFault.class;
            }

            @Override
            public String faultType() {
                return RedisPauseFault.TYPE;
            }

            @Override
            public Applied apply(String commandId, RedisPauseFault fault) {
                throw new AssertionError("applied without its lease");
            }

            @Override
            public Applied apply(String commandId, RedisPauseFault fault, Duration lease) {
                leases.add(lease);
                return new Applied() {
                    @Override
                    public String detail() {
                        return "CLIENT PAUSE " + lease.toMillis() + " WRITE (pause cut from "
                                + fault.duration().toDays() + "d to its lease " + lease.toSeconds() + "s)";
                    }

                    @Override
                    public String undo() {
                        return "CLIENT UNPAUSE";
                    }
                };
            }

            @Override
            public String recover(String commandId, RedisPauseFault fault) {
                return "CLIENT UNPAUSE";
            }
        });
        Instant now = time.clock().instant();
        m.apply(new ApplyCommand("c-pause", "run-1", Target.agent("agent-1"), new RedisPauseFault(
                null, RedisPauseFault.Mode.WRITE, Duration.ofDays(7)), now, now.plusSeconds(15),
                Duration.ofSeconds(20)));
        time.runDue();
        assertThat(leases).containsExactly(Duration.ofSeconds(20));
        assertThat(events).filteredOn(e -> e instanceof CommandEvent).singleElement().satisfies(e -> assertThat(
                ((CommandEvent) e).detail()).isEqualTo("CLIENT PAUSE 20000 WRITE (pause cut from 7d to its lease 20s)"));
    }

    /**
     * A Redis pause whose driver hangs until the test lets it go: apply, undo or both. Stands for
     * any driver stuck on a host that stopped answering.
     */
    private static final class HangingDriver implements FaultDriver<RedisPauseFault> {
        final CountDownLatch applyGate = new CountDownLatch(1);
        final CountDownLatch undoGate = new CountDownLatch(1);
        final AtomicInteger undone = new AtomicInteger();
        final boolean hangOnApply;
        final boolean hangOnUndo;

        HangingDriver(boolean hangOnApply, boolean hangOnUndo) {
            this.hangOnApply = hangOnApply;
            this.hangOnUndo = hangOnUndo;
        }

        @Override
        public Class<RedisPauseFault> faultClass() {
            return RedisPauseFault.class;
        }

        @Override
        public String faultType() {
            return RedisPauseFault.TYPE;
        }

        /** Waits for the gate, and keeps waiting through the deadline's interrupt as a stuck call would. */
        private static void hang(CountDownLatch gate) {
            while (true) {
                try {
                    gate.await();
                    return;
                } catch (InterruptedException e) {
                    // A driver stuck in an uninterruptible read ignores the interrupt.
                }
            }
        }

        @Override
        public Applied apply(String commandId, RedisPauseFault fault) {
            if (hangOnApply) {
                hang(applyGate);
            }
            return new Applied() {
                @Override
                public String detail() {
                    return "paused";
                }

                @Override
                public String undo() {
                    if (hangOnUndo) {
                        hang(undoGate);
                    }
                    undone.incrementAndGet();
                    return "unpaused";
                }
            };
        }

        @Override
        public String recover(String commandId, RedisPauseFault fault) {
            return "unpaused";
        }
    }

    private ApplyCommand pause(String id) {
        Instant now = time.clock().instant();
        return new ApplyCommand(id, "run-1", Target.agent("agent-1"), new RedisPauseFault(null,
                RedisPauseFault.Mode.WRITE, LEASE), now, now.plusSeconds(15), LEASE);
    }

    /** A manager whose driver calls run on threads of their own, as in the agent. */
    private FaultManager threaded(FaultDriver<?>... drivers) {
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "test-driver");
            t.setDaemon(true);
            return t;
        });
        pools.add(pool);
        FaultManager m = new FaultManager("agent-1", new DriverRegistry(List.of(drivers)), journal, time,
                new DriverCalls(time, pool, DEADLINE), events::add);
        m.recover();
        return m;
    }

    private final List<ExecutorService> pools = new CopyOnWriteArrayList<>();

    /** Runs scheduler tasks, the driver threads' answers among them, until {@code condition} holds. */
    private void settleUntil(Callable<Boolean> condition) {
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> {
            time.runDue();
            return condition.call();
        });
    }

    private List<CommandEvent> eventsOf(String commandId) {
        return events.stream().filter(e -> e instanceof CommandEvent c && commandId.equals(c.commandId()))
                .map(e -> (CommandEvent) e).toList();
    }

    @Test
    void haltIsObeyedWhileADriverHangs() throws IOException {
        HangingDriver redis = new HangingDriver(true, false);
        FaultManager m = threaded(new ProcessKillDriver(CommandRunner.SYSTEM, null), redis);
        Path pid = victim("h");
        m.apply(stop("c-stop", pid));
        settleUntil(() -> m.active().containsKey("c-stop"));
        m.apply(pause("c-hang"));
        // The halt: the stopped process resumes at once although the Redis driver has not answered.
        m.undoAll("halt (test)");
        settleUntil(() -> state(pid) == 'S' && steps("c-stop").contains(CommandEvent.Step.UNDONE));
        // The hung apply may yet take effect: it stays listed until it is known to be gone.
        assertThat(m.active()).containsOnlyKeys("c-hang");
        assertThat(steps("c-hang")).isEmpty();
        time.advance(DEADLINE);
        assertThat(eventsOf("c-hang")).singleElement().satisfies(e -> {
            assertThat(e.step()).isEqualTo(CommandEvent.Step.FAILED);
            assertThat(e.detail()).isEqualTo("not applied: the driver did not answer within 15s; if it ever does, "
                    + "the fault is undone at once");
        });
        assertThat(m.problems()).singleElement().asString()
                .isEqualTo("1 driver call(s) did not answer within 15s: apply c-hang (redis.pause)");
        assertThat(journal.leftovers()).extracting(UndoJournal.Entry::commandId).containsExactly("c-hang");
        // The driver answers at last: the fault it put in place is taken away at once.
        redis.applyGate.countDown();
        settleUntil(() -> m.active().isEmpty());
        assertThat(redis.undone).hasValue(1);
        assertThat(steps("c-hang")).containsExactly(CommandEvent.Step.FAILED, CommandEvent.Step.APPLIED,
                CommandEvent.Step.UNDONE);
        assertThat(m.problems()).isEmpty();
        assertThat(journal.leftovers()).isEmpty();
    }

    @Test
    void aLeaseEndsOnTimeWhileAnotherFaultsUndoHangs() throws IOException {
        HangingDriver redis = new HangingDriver(false, true);
        FaultManager m = threaded(new ProcessKillDriver(CommandRunner.SYSTEM, null), redis);
        m.apply(pause("c-hang"));
        settleUntil(() -> m.active().containsKey("c-hang"));
        m.undo("c-hang", "heal");
        Path pid = victim("i");
        m.apply(stop("c-stop", pid));
        settleUntil(() -> state(pid) == 'T' && steps("c-stop").contains(CommandEvent.Step.APPLIED));
        time.advance(LEASE);
        settleUntil(() -> state(pid) == 'S' && steps("c-stop").contains(CommandEvent.Step.UNDONE));
        // The undo that hangs is reported at its deadline and the fault stays listed: it may be in place.
        time.advance(DEADLINE.minus(LEASE));
        assertThat(eventsOf("c-hang")).last().satisfies(e -> {
            assertThat(e.step()).isEqualTo(CommandEvent.Step.FAILED);
            assertThat(e.detail()).isEqualTo("undo on heal: the driver did not answer within 15s (the journal keeps "
                    + "the fault for the next start)");
        });
        assertThat(m.active()).containsOnlyKeys("c-hang");
        assertThat(journal.leftovers()).extracting(UndoJournal.Entry::commandId).containsExactly("c-hang");
        redis.undoGate.countDown();
        settleUntil(() -> m.active().isEmpty());
        assertThat(eventsOf("c-hang")).last().satisfies(e -> {
            assertThat(e.step()).isEqualTo(CommandEvent.Step.UNDONE);
            assertThat(e.detail()).isEqualTo("heal: unpaused (after its deadline)");
        });
        assertThat(journal.leftovers()).isEmpty();
    }

    @Test
    void shutdownWaitsNoLongerThanOneDeadlineWhateverADriverDoes() {
        HangingDriver redis = new HangingDriver(false, true);
        FaultManager m = threaded(redis);
        m.apply(pause("c-hang"));
        settleUntil(() -> m.active().containsKey("c-hang"));
        m.undoAll("agent shutdown");
        CompletableFuture<Void> idle = m.idle();
        time.advance(DEADLINE.minusMillis(1));
        assertThat(idle).isNotDone();
        time.advance(Duration.ofMillis(1));
        assertThat(idle).isDone();
        redis.undoGate.countDown();
    }

    @Test
    void anUndoAskedForWhileItsApplyIsOutIsDoneWhenTheDriverAnswers() {
        HangingDriver redis = new HangingDriver(true, false);
        FaultManager m = threaded(redis);
        m.apply(pause("c-slow"));
        m.undo("c-slow", "heal");
        assertThat(m.active()).containsOnlyKeys("c-slow");
        redis.applyGate.countDown();
        settleUntil(() -> m.active().isEmpty());
        assertThat(steps("c-slow")).containsExactly(CommandEvent.Step.APPLIED, CommandEvent.Step.UNDONE);
        assertThat(redis.undone).hasValue(1);
    }

    @Test
    void aLeaseThatRunsOutWhileItsApplyIsOutEndsTheFaultWhenTheDriverAnswers() {
        HangingDriver redis = new HangingDriver(true, false);
        FaultManager m = threaded(redis);
        m.apply(pause("c-slow"));
        time.advance(LEASE.plus(FaultManager.LEASE_SWEEP));
        assertThat(m.active()).containsOnlyKeys("c-slow");
        redis.applyGate.countDown();
        settleUntil(() -> m.active().isEmpty());
        assertThat(eventsOf("c-slow")).extracting(CommandEvent::step).containsExactly(CommandEvent.Step.APPLIED,
                CommandEvent.Step.UNDONE);
        assertThat(eventsOf("c-slow")).last().extracting(CommandEvent::detail).isEqualTo("lease expired: unpaused");
    }
}
