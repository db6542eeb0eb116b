package io.faultline.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts Java child processes on Faultline's own classpath: the embedded broker, example
 * listeners and agents. Children's standard input is a pipe held by this JVM, so a child started
 * with {@code --exit-with-parent} exits when this JVM dies, even by SIGKILL.
 */
public final class ChildJvm {
    private ChildJvm() {
    }

    /** The classpath children run with: the test classpath under Maven, else this JVM's. */
    public static String classpath() {
        String cp = System.getProperty("faultline.classpath");
        if (cp == null) {
            cp = System.getProperty("surefire.test.class.path");
        }
        return cp != null ? cp : System.getProperty("java.class.path");
    }

    public static Process start(String mainClass, List<String> jvmOptions, List<String> args, Path log) throws IOException {
        return start(List.of(), mainClass, jvmOptions, args, log);
    }

    /**
     * @param launcher words put before {@code java}, e.g. {@code ip netns exec NS} to run the
     *                 child in a network namespace (it execs java, so the process is the JVM)
     */
    public static Process start(List<String> launcher, String mainClass, List<String> jvmOptions, List<String> args,
                                Path log) throws IOException {
        List<String> cmd = new ArrayList<>(launcher);
        cmd.addAll(command(mainClass, jvmOptions, args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        return pb.start();
    }

    /** The command line that runs {@code mainClass} in a child JVM on this class path, as {@link #start} runs it. */
    public static List<String> command(String mainClass, List<String> jvmOptions, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Xshare:auto");
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(classpath());
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    /** Asks a child to stop (SIGTERM), then kills it if it has not exited within the grace period. */
    public static void stop(Process p, Duration grace) {
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
