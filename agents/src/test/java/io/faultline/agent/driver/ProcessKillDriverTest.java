package io.faultline.agent.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.protocol.ProcessKillFault;
import io.faultline.protocol.ProcessSelector;
import io.faultline.protocol.Signal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exact argv the driver runs, captured instead of executed; targets are real local processes. */
class ProcessKillDriverTest {
    private final List<List<String>> ran = new ArrayList<>();
    private final CommandRunner capture = argv -> {
        ran.add(argv);
        return new CommandRunner.Result(0, "");
    };
    private Process sleeper;
    private Path pidFile;

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        sleeper = new ProcessBuilder("sleep", "301.5").start();
        pidFile = dir.resolve("service.pid");
        Files.writeString(pidFile, sleeper.pid() + "\n");
    }

    @AfterEach
    void stop() {
        sleeper.destroyForcibly();
    }

    private String pid() {
        return Long.toString(sleeper.pid());
    }

    @Test
    void stopIsUndoneWithCont() throws Exception {
        ProcessKillDriver driver = new ProcessKillDriver(capture, pidFile);
        FaultDriver.Applied applied = driver.apply("cmd-1", new ProcessKillFault(Signal.STOP, null));
        assertThat(ran).containsExactly(List.of("kill", "-s", "STOP", pid()));
        assertThat(applied.detail()).isEqualTo("sent STOP to pid " + pid());
        assertThat(applied.undo()).isEqualTo("sent CONT to pid " + pid());
        assertThat(ran).containsExactly(List.of("kill", "-s", "STOP", pid()), List.of("kill", "-s", "CONT", pid()));
    }

    @Test
    void restartNeedsASupervisedServiceAndSignalsNothingWithoutOne() {
        ProcessKillDriver driver = new ProcessKillDriver(capture, pidFile);
        Assertions.assertThatThrownBy(() -> driver.apply("cmd-1",
                new ProcessKillFault(Signal.KILL, null, true))).hasMessageContaining("--exec");
        assertThat(ran).isEmpty();
        Assertions.assertThatThrownBy(() -> new ProcessKillFault(Signal.STOP, null, true))
                .hasMessageContaining("resumed on heal, not restarted");
    }

    @Test
    void restartsTheSupervisedServiceOnHeal(@org.junit.jupiter.api.io.TempDir Path state) throws Exception {
        Supervisor supervisor = new Supervisor(List.of("sleep", "302"), state);
        supervisor.start();
        long first = supervisor.pid().orElseThrow();
        try {
            FaultDriver.Applied applied = new ProcessKillDriver(CommandRunner.SYSTEM, null, supervisor)
                    .apply("cmd-1", new ProcessKillFault(Signal.KILL, null, true));
            assertThat(applied.detail()).isEqualTo("sent KILL to pid " + first);
            ProcessHandle.of(first).ifPresent(p -> p.onExit().join());
            assertThat(applied.undo()).startsWith("restarted the service: started pid");
            assertThat(supervisor.pid()).isPresent().get().isNotEqualTo(first);
            // A predecessor's service that still runs is adopted, not started twice.
            assertThat(new Supervisor(List.of("sleep", "302"), state).start())
                    .isEqualTo("adopted pid " + supervisor.pid().orElseThrow());
        } finally {
            supervisor.stop();
        }
        assertThat(supervisor.pid()).isEmpty();
    }

    @Test
    void matchesCommandLinesLongerThanTheJdkReports() throws Exception {
        // A Java service's class path easily runs to many kilobytes.
        String marker = "faultline-long-" + "x".repeat(8000);
        Process longOne = new ProcessBuilder("sh", "-c", "sleep 300", marker).start();
        try {
            List<Long> pids = new ProcessKillDriver(capture, null).resolve(new ProcessSelector(null,
                    "faultline-long-(x{1000}){8}"));
            assertThat(pids).contains(longOne.pid());
        } finally {
            longOne.destroyForcibly();
        }
    }

    @Test
    void killHasNothingToUndo() throws Exception {
        FaultDriver.Applied applied = new ProcessKillDriver(capture, pidFile).apply("cmd-1", new ProcessKillFault(Signal.KILL, null));
        assertThat(applied.undo()).startsWith("nothing to undo");
        assertThat(ran).containsExactly(List.of("kill", "-s", "KILL", pid()));
    }

    @Test
    void findsProcessesByCommandLineButNeverItself() throws Exception {
        ProcessKillDriver driver = new ProcessKillDriver(capture, null);
        driver.apply("cmd-1", new ProcessKillFault(Signal.TERM, new ProcessSelector(null, "sleep 301\\.5$")));
        assertThat(ran).containsExactly(List.of("kill", "-s", "TERM", pid()));
        // This JVM's command line contains the pattern's text; it must not be a target.
        assertThatThrownBy(() -> driver.resolve(new ProcessSelector(null, "ProcessKillDriverTest-no-such-process")))
                .isInstanceOf(FaultException.class).hasMessageContaining("no process's command line matches");
    }

    @Test
    void aPatternThatHitsMoreProcessesThanTheCommandAllowsIsRefusedNamingThem() throws Exception {
        String marker = "faultline-many-" + ProcessHandle.current().pid();
        Process a = new ProcessBuilder("sh", "-c", "sleep 303", marker).start();
        Process b = new ProcessBuilder("sh", "-c", "sleep 303", marker).start();
        try {
            ProcessKillDriver driver = new ProcessKillDriver(capture, null);
            assertThatThrownBy(() -> driver.apply("cmd-1", new ProcessKillFault(Signal.STOP,
                    new ProcessSelector(null, marker + "$"))))
                    .isInstanceOf(FaultException.class)
                    .hasMessageContaining("matches 2 processes").hasMessageContaining(a.pid() + " sh -c sleep 303")
                    .hasMessageContaining("more than the 1 the command allows");
            try {
                driver.resolve(new ProcessSelector(null, marker + "$"));
            } catch (FaultException e) {
                System.out.println("refused: " + e.getMessage());
            }
            assertThat(ran).as("nothing was signalled").isEmpty();
            driver.apply("cmd-2", new ProcessKillFault(Signal.STOP, new ProcessSelector(null, marker + "$", 2)));
            assertThat(ran).containsExactlyInAnyOrder(List.of("kill", "-s", "STOP", Long.toString(a.pid())),
                    List.of("kill", "-s", "STOP", Long.toString(b.pid())));
        } finally {
            a.destroyForcibly();
            b.destroyForcibly();
        }
    }

    @Test
    void besideAServiceAPatternPicksAmongTheServicesOwnProcessesOnly(@TempDir Path dir) throws Exception {
        String marker = "faultline-tree-" + ProcessHandle.current().pid();
        // The service runs a child whose command line carries the marker; a twin outside it does too.
        Process service = new ProcessBuilder("sh", "-c", "sh -c 'sleep 304' " + marker + " & wait").start();
        Process outside = new ProcessBuilder("sh", "-c", "sleep 304", marker).start();
        try {
            Path servicePid = dir.resolve("tree.pid");
            Files.writeString(servicePid, service.pid() + "\n");
            ProcessKillDriver driver = new ProcessKillDriver(capture, servicePid);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                    service.descendants().anyMatch(p -> ProcessKillDriver.commandLine(p).orElse("").contains(marker)));
            List<Long> picked = driver.resolve(new ProcessSelector(null, marker + "$"));
            assertThat(picked).hasSize(1).doesNotContain(outside.pid());
            assertThat(service.descendants().map(ProcessHandle::pid)).contains(picked.get(0));
            assertThat(driver.preview(new ProcessKillFault(Signal.STOP, new ProcessSelector(null, marker + "$"))))
                    .startsWith("would send STOP to pid " + picked.get(0) + " sh -c sleep 304");
        } finally {
            service.descendants().forEach(ProcessHandle::destroyForcibly);
            service.destroyForcibly();
            outside.destroyForcibly();
        }
    }

    @Test
    void theAgentAndItsAncestorsAreKnownAndNoOtherProcessIs() {
        ProcessHandle self = ProcessHandle.current();
        assertThat(ProcessKillDriver.selfOrAncestor(self.pid())).isTrue();
        self.parent().ifPresent(parent -> assertThat(ProcessKillDriver.selfOrAncestor(parent.pid())).isTrue());
        // A child started after the driver's class was loaded, and a pid file naming the parent.
        assertThat(ProcessKillDriver.selfOrAncestor(sleeper.pid())).isFalse();
        assertThat(ProcessKillDriver.selfOrAncestor(Long.MAX_VALUE)).isFalse();
    }

    @Test
    void aPidFileNamingTheAgentsParentIsRefused(@TempDir Path dir) throws Exception {
        long parent = ProcessHandle.current().parent().orElseThrow().pid();
        Path file = dir.resolve("parent.pid");
        Files.writeString(file, Long.toString(parent));
        assertThatThrownBy(() -> new ProcessKillDriver(capture, file).apply("cmd-1", new ProcessKillFault(Signal.STOP, null)))
                .isInstanceOf(FaultException.class).hasMessage("pid " + parent + " from " + file
                        + " is the agent itself or its parent");
        assertThat(ran).isEmpty();
    }

    @Test
    void explainsMissingOrBadTargets(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> new ProcessKillDriver(capture, null).apply("cmd-1", new ProcessKillFault(Signal.KILL, null)))
                .isInstanceOf(FaultException.class).hasMessageContaining("--service-pid-file");
        Path garbage = dir.resolve("garbage.pid");
        Files.writeString(garbage, "not-a-pid");
        assertThatThrownBy(() -> new ProcessKillDriver(capture, garbage).apply("cmd-1", new ProcessKillFault(Signal.KILL, null)))
                .isInstanceOf(FaultException.class).hasMessageContaining("does not hold a pid");
        Path self = dir.resolve("self.pid");
        Files.writeString(self, Long.toString(ProcessHandle.current().pid()));
        assertThatThrownBy(() -> new ProcessKillDriver(capture, self).apply("cmd-1", new ProcessKillFault(Signal.KILL, null)))
                .isInstanceOf(FaultException.class).hasMessageContaining("the agent itself");
        assertThat(ran).isEmpty();
    }

    @Test
    void reportsAFailingKillCommand() {
        CommandRunner failing = argv -> new CommandRunner.Result(1, "Operation not permitted");
        assertThatThrownBy(() -> new ProcessKillDriver(failing, pidFile).apply("cmd-1", new ProcessKillFault(Signal.STOP, null)))
                .isInstanceOf(FaultException.class).hasMessageContaining("Operation not permitted");
    }

    @Test
    void pidFileThatIsASymlinkIsRefusedEvenToDevZero(@TempDir Path dir) throws Exception {
        Path link = dir.resolve("link.pid");
        Files.createSymbolicLink(link, pidFile);
        Path zero = dir.resolve("zero.pid");
        Files.createSymbolicLink(zero, Path.of("/dev/zero"));
        ProcessKillDriver driver = new ProcessKillDriver(capture, null);
        assertThatThrownBy(() -> driver.apply("c", new ProcessKillFault(Signal.STOP, new ProcessSelector(link.toString(),
                null)))).hasMessage("pid file " + link + " is a symbolic link; name the file itself");
        assertThatThrownBy(() -> driver.apply("c", new ProcessKillFault(Signal.STOP, new ProcessSelector(zero.toString(),
                null)))).hasMessage("pid file " + zero + " is a symbolic link; name the file itself");
        assertThat(ran).isEmpty();
    }

    @Test
    void pidFileThatIsAFifoIsRefusedWithoutBlocking(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("fifo.pid");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        ProcessKillDriver driver = new ProcessKillDriver(capture, null);
        // Opening a FIFO for reading blocks until a writer comes: the driver must not open it at all.
        CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
            try {
                driver.apply("c", new ProcessKillFault(Signal.STOP, new ProcessSelector(fifo.toString(), null)));
                return null;
            } catch (FaultException e) {
                return e;
            }
        });
        assertThat(outcome.get(10, TimeUnit.SECONDS)).hasMessage("pid file " + fifo
                + " is not a regular file (fifo)");
        assertThat(ran).isEmpty();
    }

    @Test
    void aHugePidFileIsRefusedWithoutReadingIt(@TempDir Path dir) throws Exception {
        Path big = dir.resolve("big.pid");
        Files.write(big, new byte[8 * 1024 * 1024]);
        ProcessKillDriver driver = new ProcessKillDriver(capture, null);
        assertThatThrownBy(() -> driver.apply("c", new ProcessKillFault(Signal.STOP, new ProcessSelector(big.toString(),
                null)))).hasMessage("pid file " + big + " is 8388608 bytes, too large to hold a pid");
    }

    @Test
    void aCatastrophicPatternMatchesInLinearTime() throws Exception {
        // (.*x){8} then a character no command line holds backtracks for minutes in java.util.regex.
        String marker = "faultline-re2-" + "x".repeat(5000);
        Process p = new ProcessBuilder("sleep", "301", marker).start();
        try {
            ProcessKillDriver driver = new ProcessKillDriver(capture, null);
            assertThatThrownBy(() -> driver.apply("c", new ProcessKillFault(Signal.STOP,
                    new ProcessSelector(null, "(.*x){8}\\x{1F600}")))).hasMessageContaining("no process's command line matches");
        } finally {
            p.destroyForcibly();
        }
    }
}
