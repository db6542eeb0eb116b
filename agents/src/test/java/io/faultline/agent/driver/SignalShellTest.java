package io.faultline.agent.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.faultline.protocol.ProcessSelector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Signals by kill(2) and, where that cannot be called, through the resident shell reach real
 * processes; everything else, and a dead shell, falls back.
 */
class SignalShellTest {
    private final List<List<String>> fellBack = new ArrayList<>();
    private final CommandRunner fallback = argv -> {
        fellBack.add(argv);
        return CommandRunner.SYSTEM.run(argv);
    };
    private final SignalShell shell = new SignalShell(fallback, false);
    private Process sleeper;

    @BeforeEach
    void start() throws Exception {
        sleeper = new ProcessBuilder("sleep", "302.5").start();
    }

    @AfterEach
    void stop() {
        shell.close();
        sleeper.destroyForcibly();
    }

    private String state() throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(sleeper.pid()), "stat"));
        return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    }

    private CommandRunner.Result kill(String signal, long pid) throws FaultException {
        return shell.run(List.of("kill", "-s", signal, Long.toString(pid)));
    }

    @Test
    void stopAndContReachTheProcessThroughOneShell() throws Exception {
        assertThat(kill("STOP", sleeper.pid()).ok()).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> state().equals("T"));
        long shellPid = shell.ownPids().iterator().next();
        assertThat(kill("CONT", sleeper.pid()).ok()).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> !state().equals("T"));
        assertThat(shell.ownPids()).containsExactly(shellPid);
        assertThat(fellBack).isEmpty();
    }

    @Test
    void stopAndContReachTheProcessByASystemCallWithNoShellAndNoProcessStarted() throws Exception {
        assertThat(LibcKill.bound()).as("kill(2) through JNA on this Linux host").isTrue();
        try (SignalShell direct = new SignalShell(fallback)) {
            assertThat(direct.run(List.of("kill", "-s", "STOP", Long.toString(sleeper.pid()))).ok()).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> state().equals("T"));
            assertThat(direct.run(List.of("kill", "-s", "CONT", Long.toString(sleeper.pid()))).ok()).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> !state().equals("T"));
            CommandRunner.Result gone = direct.run(List.of("kill", "-s", "STOP",
                    Long.toString(ProcessHandle.current().pid() + 4_000_000L)));
            assertThat(gone.ok()).isFalse();
            assertThat(gone.output()).isEqualTo("kill: No such process");
            assertThat(direct.ownPids()).isEmpty();
            assertThat(fellBack).isEmpty();
        }
    }

    @Test
    void aFailedSignalReportsTheShellsMessage() throws Exception {
        long gone = ProcessHandle.current().pid() + 4_000_000L;
        CommandRunner.Result r = kill("STOP", gone);
        assertThat(r.ok()).isFalse();
        assertThat(r.output()).isEqualTo("kill: No such process");
        assertThat(fellBack).isEmpty();
    }

    @Test
    void aDeadShellIsReplacedAndNoSignalIsLost() throws Exception {
        assertThat(kill("STOP", sleeper.pid()).ok()).isTrue();
        long first = shell.ownPids().iterator().next();
        ProcessHandle.of(first).orElseThrow().destroyForcibly();
        await().atMost(Duration.ofSeconds(5)).until(() -> ProcessHandle.of(first).isEmpty()
                || ProcessHandle.of(first).map(p -> !p.isAlive()).orElse(true));
        assertThat(kill("CONT", sleeper.pid()).ok()).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> !state().equals("T"));
        assertThat(shell.ownPids()).isNotEmpty().doesNotContain(first);
    }

    @Test
    void otherCommandsAndOddArgumentsGoToTheFallback() throws Exception {
        shell.run(List.of("true"));
        shell.run(List.of("kill", "-s", "STOP;", "1"));
        assertThat(fellBack).containsExactly(List.of("true"), List.of("kill", "-s", "STOP;", "1"));
    }

    @Test
    void aProcessFaultNeverPicksTheShell() throws Exception {
        kill("CONT", sleeper.pid());
        long shellPid = shell.ownPids().iterator().next();
        Process other = new ProcessBuilder("/bin/sh").start();
        try {
            // Only resolved, never signalled: other shells on the host may match too, so allow many.
            List<Long> picked = new ProcessKillDriver(shell, null).resolve(new ProcessSelector(null, "^/bin/sh$",
                    ProcessSelector.MAX_PROCESSES));
            assertThat(picked).contains(other.pid()).doesNotContain(shellPid);
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void aClosedShellIsGone() throws Exception {
        kill("CONT", sleeper.pid());
        long shellPid = shell.ownPids().iterator().next();
        shell.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> ProcessHandle.of(shellPid).map(p -> !p.isAlive()).orElse(true));
        assertThat(shell.run(List.of("kill", "-s", "STOP", Long.toString(sleeper.pid()))).ok()).isTrue();
        assertThat(fellBack).hasSize(1);
        kill("CONT", sleeper.pid());
    }
}
