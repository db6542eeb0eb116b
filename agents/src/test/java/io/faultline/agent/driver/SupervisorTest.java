package io.faultline.agent.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Adoption of a service left running: the pid and its start time must both match. */
class SupervisorTest {
    @Test
    void aServiceLeftRunningIsAdopted(@TempDir Path state) throws Exception {
        Supervisor first = new Supervisor(List.of("sleep", "305"), state);
        first.start();
        long pid = first.pid().orElseThrow();
        try {
            Supervisor successor = new Supervisor(List.of("sleep", "305"), state);
            assertThat(successor.start()).isEqualTo("adopted pid " + pid);
        } finally {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void aReusedPidOfAnotherProcessIsNotAdopted(@TempDir Path state) throws Exception {
        // An unrelated process with the same executable name now holds the recorded pid (a reboot, pid reuse).
        Process unrelated = new ProcessBuilder("sleep", "306").start();
        Supervisor supervisor = new Supervisor(List.of("sleep", "307"), state);
        try {
            long started = unrelated.toHandle().info().startInstant().orElseThrow().toEpochMilli();
            Files.writeString(state.resolve("service.pid"), unrelated.pid() + " " + (started - 60_000) + "\n");
            assertThat(supervisor.start()).startsWith("started pid");
            assertThat(supervisor.pid()).isPresent().get().isNotEqualTo(unrelated.pid());
            // Stopping the service never touches the unrelated process.
            supervisor.stop();
            assertThat(unrelated.isAlive()).isTrue();
        } finally {
            supervisor.stop();
            unrelated.destroyForcibly();
        }
    }

    @Test
    void aPidRecordedWithoutItsStartTimeIsNotAdopted(@TempDir Path state) throws Exception {
        Process unrelated = new ProcessBuilder("sleep", "308").start();
        Supervisor supervisor = new Supervisor(List.of("sleep", "309"), state);
        try {
            Files.writeString(state.resolve("service.pid"), unrelated.pid() + "\n");
            assertThat(supervisor.start()).startsWith("started pid");
            supervisor.stop();
            assertThat(unrelated.isAlive()).isTrue();
        } finally {
            supervisor.stop();
            unrelated.destroyForcibly();
        }
    }
}
