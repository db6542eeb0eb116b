package io.faultline.agent.journal;

import java.nio.file.Path;

/** Opens the journal in {@code args[0]} and prints what it found: run in a JVM with the agent's small heap. */
public final class JournalProbe {
    private JournalProbe() {
    }

    public static void main(String[] args) throws Exception {
        try (UndoJournal j = UndoJournal.open(Path.of(args[0]))) {
            System.out.println("leftovers=" + j.leftovers().size() + " damaged=" + j.damaged());
        }
    }
}
