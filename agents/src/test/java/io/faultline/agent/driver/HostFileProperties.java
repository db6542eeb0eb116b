package io.faultline.agent.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.faultline.agent.policy.AgentPolicy;
import io.faultline.protocol.ProcessKillFault;
import io.faultline.protocol.ProcessSelector;
import io.faultline.protocol.Signal;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Files on the agent's host, as a hostile or careless neighbour leaves them, named by a
 * {@code process.kill} command: links to other directories, links to devices, FIFOs, huge and
 * sparse files, directories, garbage, pids of the agent itself. For each, the policy check and the
 * pid file read together either read a regular file that really lies where the policy allows, or
 * refuse with a sentence naming the file; never a file reached through a link or {@code ..} out
 * of the allowed directory (an escape), never a hang, never a crash.
 */
class HostFileProperties {
    private static Path root;
    private static Path allowed;
    private static Path elsewhere;
    private static Process inside;
    private static Process outside;

    /** What the neighbour put where the command points. */
    enum Kind {
        GOOD_PID, OUTSIDE_PID, OWN_PID, PID_ONE, GARBAGE, EMPTY, HUGE_SPARSE, LONG_DIGITS, LINK_TO_GOOD, LINK_TO_OUTSIDE,
        LINK_TO_DEV_ZERO, LINK_TO_FIFO, DANGLING_LINK, FIFO, DIRECTORY, MISSING, DOTDOT_THROUGH_LINKED_DIR,
        DOTDOT_PLAIN, LINKED_DIR
    }

    @BeforeContainer
    static void host() throws IOException {
        root = Files.createTempDirectory("faultline-hostfiles");
        allowed = Files.createDirectory(root.resolve("allowed"));
        elsewhere = Files.createDirectory(root.resolve("elsewhere"));
        inside = new ProcessBuilder("sleep", "600").start();
        outside = new ProcessBuilder("sleep", "600").start();
        Files.writeString(elsewhere.resolve("victim.pid"), outside.pid() + "\n");
        Files.createSymbolicLink(allowed.resolve("d"), elsewhere);
        Process mkfifo = new ProcessBuilder("mkfifo", elsewhere.resolve("fifo").toString()).start();
        try {
            assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @AfterContainer
    static void cleanUp() throws IOException {
        inside.destroyForcibly();
        outside.destroyForcibly();
        try (var files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static AgentPolicy allowedOnly() {
        return new AgentPolicy(Set.of(), AgentPolicy.DEFAULT_MAX_LEASE, false,
                List.of(allowed + "/*.pid", allowed + "/*/*.pid"), List.of(), List.of(), List.of(), true, false, List.of(),
                List.of(), List.of(), List.of(), null);
    }

    /** Lays out {@code kind} under a fresh name in the allowed directory and returns the path a command names. */
    private static Path layOut(Kind kind, int n, byte[] garbage) throws IOException {
        Path f = allowed.resolve("f" + n + ".pid");
        switch (kind) {
            case GOOD_PID -> Files.writeString(f, " " + inside.pid() + "\n");
            case OUTSIDE_PID -> Files.writeString(f, Long.toString(outside.pid()));
            case OWN_PID -> Files.writeString(f, Long.toString(ProcessHandle.current().pid()));
            case PID_ONE -> Files.writeString(f, "1");
            case GARBAGE -> Files.write(f, garbage);
            case EMPTY -> Files.write(f, new byte[0]);
            case HUGE_SPARSE -> {
                try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
                    r.setLength(1L << 30);
                }
            }
            case LONG_DIGITS -> Files.writeString(f, "9".repeat(200));
            case LINK_TO_GOOD -> {
                Path target = allowed.resolve("t" + n + ".txt");
                Files.writeString(target, Long.toString(inside.pid()));
                Files.createSymbolicLink(f, target);
            }
            case LINK_TO_OUTSIDE -> Files.createSymbolicLink(f, elsewhere.resolve("victim.pid"));
            case LINK_TO_DEV_ZERO -> Files.createSymbolicLink(f, Path.of("/dev/zero"));
            case LINK_TO_FIFO -> Files.createSymbolicLink(f, elsewhere.resolve("fifo"));
            case DANGLING_LINK -> Files.createSymbolicLink(f, root.resolve("nothing-" + n));
            case FIFO -> {
                Process p = new ProcessBuilder("mkfifo", f.toString()).start();
                try {
                    p.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            case DIRECTORY -> Files.createDirectory(f);
            case MISSING -> {
            }
            case DOTDOT_THROUGH_LINKED_DIR -> {
                return Path.of(allowed + "/d/../../elsewhere/victim.pid");
            }
            case DOTDOT_PLAIN -> {
                return Path.of(allowed + "/../elsewhere/victim.pid");
            }
            case LINKED_DIR -> {
                return Path.of(allowed + "/d/victim.pid");
            }
            default -> throw new IllegalStateException();
        }
        return f;
    }

    private static int counter;

    @Property(tries = 400)
    void aPidFileIsReadOnlyWhereThePolicyAllowsOrRefusedInWordsNeverThroughALinkNeverHanging(@ForAll("kinds") Kind kind,
                                                                             @ForAll("garbage") byte[] garbage)
            throws IOException {
        Path named = layOut(kind, counter++, garbage);
        AgentPolicy policy = allowedOnly();
        String outcome = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            String violation = policy.violation(new ProcessKillFault(Signal.STOP, new ProcessSelector(named.toString(),
                    null)), Duration.ofMinutes(1), null);
            if (violation != null) {
                assertThat(violation).startsWith("pid file ").doesNotContain("Exception", "java.");
                return "refused by policy";
            }
            try {
                long pid = ProcessKillDriver.readNamedPidFile(named, CommandRunner.SYSTEM);
                // Only a regular file that really lies in the allowed directory is read; what it says is the
                // process (the policy governs pid files: whoever may write one may name any process in it).
                assertThat(kind).as("an escape: %s at %s was read", kind, named).isIn(Kind.GOOD_PID, Kind.OUTSIDE_PID);
                assertThat(pid).isEqualTo(kind == Kind.GOOD_PID ? inside.pid() : outside.pid());
                return "read";
            } catch (FaultException e) {
                assertThat(e.getMessage()).contains(named.getFileName().toString())
                        .doesNotContain("Exception", "java.", "sun.");
                return "refused on read";
            }
        }, () -> kind + " at " + named + " hung");
        if (kind == Kind.GOOD_PID || kind == Kind.OUTSIDE_PID) {
            assertThat(outcome).isEqualTo("read");
        }
        Statistics.label("kind").collect(kind);
        Statistics.label("outcome").collect(outcome);
        Statistics.label("outcome").coverage(c -> {
            c.check("read").percentage(p -> p >= 2);
            c.check("refused by policy").percentage(p -> p >= 5);
            c.check("refused on read").percentage(p -> p >= 30);
        });
    }

    @Provide
    Arbitrary<Kind> kinds() {
        return Arbitraries.of(Kind.class);
    }

    @Provide
    Arbitrary<byte[]> garbage() {
        return Combinators.combine(Arbitraries.bytes().array(byte[].class).ofMaxSize(64),
                Arbitraries.of("", "\n", " ", "-", "0x", "+")).as((b, prefix) -> {
                    byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
                    byte[] out = new byte[p.length + b.length];
                    System.arraycopy(p, 0, out, 0, p.length);
                    System.arraycopy(b, 0, out, p.length, b.length);
                    return out;
                });
    }
}
