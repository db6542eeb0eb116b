package io.faultline.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What /proc says about a process. */
public final class Procs {
    private Procs() {
    }

    /** The state letter of the process named by a pid file: T when stopped, S when sleeping, ? when gone. */
    public static char state(Path pidFile) throws IOException {
        String pid = Files.readString(pidFile).strip();
        Path stat = Path.of("/proc", pid, "stat");
        if (!Files.exists(stat)) {
            return '?';
        }
        String s = Files.readString(stat);
        return s.charAt(s.lastIndexOf(')') + 2);
    }
}
