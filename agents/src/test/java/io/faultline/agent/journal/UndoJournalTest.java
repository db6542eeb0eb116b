package io.faultline.agent.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.protocol.ApplyCommand;
import io.faultline.protocol.ProcessKillFault;
import io.faultline.protocol.ProcessSelector;
import io.faultline.protocol.Signal;
import io.faultline.protocol.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
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
    void aTornLastLineIsSkipped(@TempDir Path dir) throws Exception {
        try (UndoJournal j = UndoJournal.open(dir)) {
            j.applying(command("c-1"), T0);
        }
        Files.writeString(dir.resolve(UndoJournal.FILE), "{\"op\":\"undone\",\"comm", StandardOpenOption.APPEND);
        try (UndoJournal j = UndoJournal.open(dir)) {
            assertThat(j.unreadableLines()).isEqualTo(1);
            assertThat(j.leftovers()).extracting(UndoJournal.Entry::commandId).containsExactly("c-1");
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
            assertThat(Files.readAllLines(dir.resolve(UndoJournal.FILE))).hasSize(1);
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
}
