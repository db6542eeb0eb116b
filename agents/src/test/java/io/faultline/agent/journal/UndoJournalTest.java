package io.faultline.agent.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.protocol.ApplyCommand;
import io.faultline.protocol.ProcessKillFault;
import io.faultline.protocol.ProcessSelector;
import io.faultline.protocol.Signal;
import io.faultline.protocol.Target;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.Random;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UndoJournalTest {
    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

    private static ApplyCommand command(String id) {
        return new ApplyCommand(id, "run-1", Target.agent("a"), new ProcessKillFault(Signal.STOP, ProcessSelector.SERVICE),
                T0, T0.plusSeconds(15), Duration.ofSeconds(10));
    }

    @Test
    void faultsNotMarkedUndoneAreLeftoversForTheNextRun(@TempDir Path dir) throws Exception {
        try (UndoJournal j = UndoJournal.open(dir)) {
            j.applying(command("c-1"), T0);
            j.applying(command("c-2"), T0);
            j.undone("c-1", T0.plusSeconds(1));
        }
        try (UndoJournal j = UndoJournal.open(dir)) {
            assertThat(j.leftovers()).extracting(UndoJournal.Entry::commandId).containsExactly("c-2");
            assertThat(j.leftovers().get(0).fault()).isEqualTo(command("c-2").fault());
            assertThat(j.leftovers().get(0).pid()).isEqualTo(ProcessHandle.current().pid());
        }
    }

    @Test
    void recordsOfFaultsThatDieWithTheHostAreReadBackAsTheForcedOnesAre(@TempDir Path dir) throws Exception {
        try (UndoJournal j = UndoJournal.open(dir)) {
            j.applying(command("c-1"), T0, true);
            j.applying(command("c-2"), T0, false);
            j.applying(command("c-3"), T0, true);
            j.undone("c-3", T0.plusSeconds(1));
            j.undone("c-2", T0.plusSeconds(1));
        }
        try (UndoJournal j = UndoJournal.open(dir)) {
            assertThat(j.damaged()).isFalse();
            assertThat(j.leftovers()).extracting(UndoJournal.Entry::commandId).containsExactly("c-1");
        }
    }

    @Test
    void aTornLastRecordIsSkipped(@TempDir Path dir) throws Exception {
        try (UndoJournal j = UndoJournal.open(dir)) {
            j.applying(command("c-1"), T0);
        }
        byte[] torn = Arrays.copyOf(UndoJournal.record(new UndoJournal.Entry("undone", "c-1", null, null,
                null, T0, null)), 20);
        Files.write(dir.resolve(UndoJournal.FILE), torn, StandardOpenOption.APPEND);
        try (UndoJournal j = UndoJournal.open(dir)) {
            assertThat(j.unreadableRecords()).isEqualTo(1);
            assertThat(j.damaged()).isTrue();
            assertThat(j.leftovers()).extracting(UndoJournal.Entry::commandId).containsExactly("c-1");
        }
    }

    @Test
    void tornJournalRecordNeverSwallowsTheNextRecord(@TempDir Path dir) throws Exception {
        // A full disk tears the apply of c-1 (refused, never applied); space is freed; c-2 is applied.
        try (UndoJournal j = UndoJournal.open(dir)) {
            j.applying(command("c-0"), T0);
        }
        byte[] whole = UndoJournal.record(new UndoJournal.Entry("apply", "c-1", "run-1", command("c-1").fault(),
                T0.plusSeconds(15), T0, 1L));
        Files.write(dir.resolve(UndoJournal.FILE), Arrays.copyOf(whole, whole.length / 2),
                StandardOpenOption.APPEND);
        try (UndoJournal j = UndoJournal.open(dir)) {
            j.applying(command("c-2"), T0);
        }
        try (UndoJournal j = UndoJournal.open(dir)) {
            assertThat(j.unreadableRecords()).isEqualTo(1);
            assertThat(j.leftovers()).extracting(UndoJournal.Entry::commandId).containsExactly("c-0", "c-2");
        }
    }

    @Test
    void invalidUtf8InTheJournalIsSkippedAndTheRecordsAroundItAreRead(@TempDir Path dir) throws Exception {
        try (UndoJournal j = UndoJournal.open(dir)) {
            j.applying(command("c-1"), T0);
        }
        Files.write(dir.resolve(UndoJournal.FILE), new byte[] {(byte) 0xff, (byte) 0xfe, 'F', 'L', 'J', '1', (byte) 0xc3,
                '\n'}, StandardOpenOption.APPEND);
        try (UndoJournal j = UndoJournal.open(dir)) {
            j.applying(command("c-2"), T0);
        }
        try (UndoJournal j = UndoJournal.open(dir)) {
            assertThat(j.damaged()).isTrue();
            assertThat(j.leftovers()).extracting(UndoJournal.Entry::commandId).containsExactly("c-1", "c-2");
        }
    }

    @Test
    void aDamagedJournalIsMovedAsideWholeNotCompactedAway(@TempDir Path dir) throws Exception {
        try (UndoJournal j = UndoJournal.open(dir)) {
            j.applying(command("c-1"), T0);
        }
        Files.write(dir.resolve(UndoJournal.FILE), "garbage".getBytes(), StandardOpenOption.APPEND);
        byte[] damaged = Files.readAllBytes(dir.resolve(UndoJournal.FILE));
        try (UndoJournal j = UndoJournal.open(dir)) {
            j.compact(T0.plusSeconds(60));
        }
        Path aside = dir.resolve("undo-journal.damaged-" + T0.plusSeconds(60).toEpochMilli());
        assertThat(aside).hasBinaryContent(damaged);
        try (UndoJournal j = UndoJournal.open(dir)) {
            assertThat(j.damaged()).isFalse();
            assertThat(j.leftovers()).extracting(UndoJournal.Entry::commandId).containsExactly("c-1");
        }
    }

    @Test
    void aStateDirectoryThatCannotBeWrittenOpensUnwritableAndRefusesEveryApply(@TempDir Path dir) throws Exception {
        // A regular file where the directory should be: nothing under it can be created, even by root.
        Path blocked = dir.resolve("not-a-dir");
        Files.writeString(blocked, "x");
        try (UndoJournal j = UndoJournal.open(blocked.resolve("state"))) {
            assertThat(j.writable()).isFalse();
            assertThat(j.unwritableReason()).contains("cannot create the state directory");
            assertThatThrownBy(() -> j.applying(command("c-1"), T0)).isInstanceOf(IOException.class);
            assertThat(j.leftovers()).isEmpty();
        }
    }

    @Test
    void compactionKeepsOpenFaultsAndCommandsThatCouldStillBeReplayed(@TempDir Path dir) throws Exception {
        try (UndoJournal j = UndoJournal.open(dir)) {
            j.applying(command("open"), T0);
            j.applying(command("done"), T0);
            j.undone("done", T0);
            j.compact(T0.plusSeconds(5));
            assertThat(j.unexpiredCommandIds(T0.plusSeconds(5))).containsExactlyInAnyOrder("open", "done");
            j.compact(T0.plusSeconds(60));
        }
        try (UndoJournal j = UndoJournal.open(dir)) {
            assertThat(j.leftovers()).extracting(UndoJournal.Entry::commandId).containsExactly("open");
            assertThat(j.unexpiredCommandIds(T0.plusSeconds(60))).isEmpty();
            assertThat(Files.size(dir.resolve(UndoJournal.FILE))).isEqualTo(UndoJournal.record(j.leftovers().get(0)).length);
        }
    }

    @Test
    void oneAgentPerStateDirectory(@TempDir Path dir) throws Exception {
        UndoJournal first = UndoJournal.open(dir);
        try {
            assertThatThrownBy(() -> UndoJournal.open(dir)).hasMessageContaining("in use by another agent");
        } finally {
            first.close();
        }
        UndoJournal.open(dir).close();
    }

    /**
     * A damaged journal of 20 MB (junk, then one sound record of a fault never undone) opens in
     * the agent's own heap (-Xmx40m, as the launcher runs it): damaged, and the fault found.
     */
    @Test
    void aDamagedJournalOfAnySizeIsReadInTheAgentsSmallHeap(@TempDir Path tmp) throws Exception {
        Path sound = tmp.resolve("sound");
        try (UndoJournal j = UndoJournal.open(sound)) {
            j.applying(command("c-left"), T0);
        }
        byte[] record = Files.readAllBytes(sound.resolve(UndoJournal.FILE));
        Path damaged = Files.createDirectories(tmp.resolve("damaged"));
        try (var out = Files.newOutputStream(damaged.resolve(UndoJournal.FILE))) {
            byte[] junk = new byte[1 << 20];
            new Random(7).nextBytes(junk);
            for (int i = 0; i < 20; i++) {
                out.write(junk);
            }
            out.write(record);
        }
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx40m",
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), JournalProbe.class.getName(),
                damaged.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("leftovers=1 damaged=true").doesNotContain("OutOfMemoryError");
    }
}
