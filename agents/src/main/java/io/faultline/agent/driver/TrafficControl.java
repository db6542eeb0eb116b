package io.faultline.agent.driver;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The tc operations the traffic drivers share: choosing devices, making sure a device still has
 * the kernel's default root qdisc (so that deleting ours restores exactly what was there), and
 * taking ours away again.
 */
final class TrafficControl {
    /** Root qdiscs the kernel attaches by itself; any other root belongs to someone and is left alone. */
    private static final Set<String> DEFAULT_ROOTS = Set.of("", "noqueue", "pfifo_fast", "fq_codel", "mq", "pfifo", "fq");
    /**
     * The handle of every root qdisc Faultline installs. A qdisc is Faultline's if and only if it
     * has this handle: the agent never deletes a root with any other.
     */
    static final String HANDLE = "fa17:";

    private final CommandRunner runner;

    TrafficControl(CommandRunner runner) {
        this.runner = runner;
    }

    /** The named device, or every non-loopback interface with an IPv4 address. */
    List<String> devices(String device) throws FaultException {
        if (device != null) {
            return List.of(device);
        }
        CommandRunner.Result r = run(List.of("ip", "-o", "-4", "addr", "show"));
        Set<String> out = new LinkedHashSet<>();
        for (String line : r.output().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 1) {
                String name = f[1].contains("@") ? f[1].substring(0, f[1].indexOf('@')) : f[1];
                if (!name.equals("lo")) {
                    out.add(name);
                }
            }
        }
        if (out.isEmpty()) {
            throw new FaultException("no network interface with an IPv4 address other than lo; name a device");
        }
        return new ArrayList<>(out);
    }

    /**
     * Fails unless the device's root qdisc is one the kernel attached by itself: a default kind
     * with handle {@code 0:}. A root with any other handle (an operator's {@code pfifo 8001:}, or
     * a fault of ours) is someone's, and is not replaced.
     */
    void requireDefaultRoot(String device) throws FaultException {
        CommandRunner.Result r = run(List.of("tc", "qdisc", "show", "dev", device, "root"));
        String[] f = r.output().trim().split("\\s+");
        // No line at all: a device that is down shows no root qdisc, which is the default too.
        String kind = f.length > 1 ? f[1] : "";
        String handle = f.length > 2 ? f[2] : "0:";
        if (!DEFAULT_ROOTS.contains(kind) || !handle.equals("0:")) {
            throw new FaultException("device " + device + " already has a " + kind + " " + handle
                    + " root qdisc (another fault, or the host's own shaping); refusing to replace it");
        }
    }

    /**
     * Deletes the device's root qdisc if it has Faultline's handle; the kernel puts its default
     * back. Leaves any other root alone. Idempotent; returns whether it deleted one.
     */
    boolean deleteRoot(String device) throws FaultException {
        CommandRunner.Result show = runner.run(List.of("tc", "qdisc", "show", "dev", device, "root"));
        if (!show.ok()) {
            if (show.output().contains("Cannot find device")) {
                return false;
            }
            throw new FaultException("tc qdisc show dev " + device + " root failed: " + show.output());
        }
        String[] f = show.output().trim().split("\\s+");
        if (f.length < 3 || !f[2].equals(HANDLE)) {
            return false;
        }
        CommandRunner.Result r = runner.run(List.of("tc", "qdisc", "del", "dev", device, "root", "handle", HANDLE));
        if (!r.ok() && !r.output().contains("handle of zero") && !r.output().contains("Cannot find device")) {
            throw new FaultException("tc qdisc del dev " + device + " root failed: " + r.output());
        }
        return true;
    }

    /** Runs every step in order; on failure removes the root qdisc again and rethrows. */
    void install(String device, List<List<String>> steps) throws FaultException {
        requireDefaultRoot(device);
        try {
            for (List<String> step : steps) {
                run(step);
            }
        } catch (FaultException e) {
            deleteRoot(device);
            throw e;
        }
    }

    /** Installs on every device, taking all back if one fails; returns the devices. */
    List<String> installAll(List<String> devices, Function<String, List<List<String>>> steps)
            throws FaultException {
        List<String> done = new ArrayList<>();
        try {
            for (String d : devices) {
                install(d, steps.apply(d));
                done.add(d);
            }
        } catch (FaultException e) {
            for (String d : done) {
                deleteRoot(d);
            }
            throw e;
        }
        return done;
    }

    /**
     * Deletes the root qdisc of each device if it has Faultline's handle: after a crash, the
     * journal knows the fault but not what the kernel holds.
     */
    String recover(List<String> devices, String kind) throws FaultException {
        List<String> deleted = new ArrayList<>();
        for (String d : devices) {
            if (deleteRoot(d)) {
                deleted.add(d);
            }
        }
        return deleted.isEmpty() ? "nothing to undo: no " + kind + " root qdisc on " + String.join(", ", devices)
                : "deleted the " + kind + " root qdisc of " + String.join(", ", deleted) + " (kernel default restored)";
    }

    /** The handle that undoes {@link #installAll}. */
    FaultDriver.Applied applied(List<String> devices, String detail) {
        return new FaultDriver.Applied() {
            @Override
            public String detail() {
                return detail;
            }

            @Override
            public String undo() throws FaultException {
                for (String d : devices) {
                    deleteRoot(d);
                }
                return "deleted the root qdisc of " + String.join(", ", devices) + " (kernel default restored)";
            }
        };
    }

    private CommandRunner.Result run(List<String> argv) throws FaultException {
        CommandRunner.Result r = runner.run(argv);
        if (!r.ok()) {
            throw new FaultException(String.join(" ", argv) + " failed (exit " + r.exitCode() + "): " + r.output());
        }
        return r;
    }

    /** {@code netns}, or the refusal of an agent that cannot enter another namespace. */
    static TargetNetns required(TargetNetns netns) throws FaultException {
        if (netns == null) {
            throw new FaultException("netnsOf: this agent cannot enter another process's network namespace");
        }
        return netns;
    }

    /** Deletes Faultline's root qdiscs on the named device (or every one) inside a namespace. */
    static String recoverInside(CommandRunner inside, String device, String kind) throws FaultException {
        TrafficControl tc = new TrafficControl(inside);
        return tc.recover(tc.devices(device), kind);
    }

    /** The safe-mode sweep of the traffic drivers: this namespace, then every namespace recorded as entered. */
    String sweep(TargetNetns netns) throws FaultException {
        String own = recover(devices(null), "Faultline's");
        String entered = netns == null ? null : netns.sweep(inside -> recoverInside(inside, null, "Faultline's"));
        return entered == null ? own : own + "; " + entered;
    }
}
