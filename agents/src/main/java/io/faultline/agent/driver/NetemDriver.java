package io.faultline.agent.driver;

import io.faultline.protocol.FaultSpec;
import io.faultline.protocol.NetworkDelayFault;
import io.faultline.protocol.NetworkLossFault;
import io.faultline.protocol.ProcessSelector;
import java.util.ArrayList;
import java.util.List;

/**
 * Executes {@code network.delay} and {@code network.loss} with a netem root qdisc on the chosen
 * devices. Kernels without sch_netem cannot run these; the agent finds that out at start and
 * rejects such commands before they reach here.
 */
public final class NetemDriver<F extends FaultSpec> implements FaultDriver<F> {
    private final Class<F> faultClass;
    private final String faultType;
    private final TrafficControl tc;
    private final TargetNetns netns;

    private NetemDriver(Class<F> faultClass, String faultType, CommandRunner runner, TargetNetns netns) {
        this.faultClass = faultClass;
        this.faultType = faultType;
        this.tc = new TrafficControl(runner);
        this.netns = netns;
    }

    public static NetemDriver<NetworkDelayFault> delay(CommandRunner runner) {
        return delay(runner, null);
    }

    /** @param netns how to enter another process's network namespace ({@code netnsOf}); null: never */
    public static NetemDriver<NetworkDelayFault> delay(CommandRunner runner, TargetNetns netns) {
        return new NetemDriver<>(NetworkDelayFault.class, NetworkDelayFault.TYPE, runner, netns);
    }

    public static NetemDriver<NetworkLossFault> loss(CommandRunner runner) {
        return loss(runner, null);
    }

    public static NetemDriver<NetworkLossFault> loss(CommandRunner runner, TargetNetns netns) {
        return new NetemDriver<>(NetworkLossFault.class, NetworkLossFault.TYPE, runner, netns);
    }

    @Override
    public Class<F> faultClass() {
        return faultClass;
    }

    @Override
    public String faultType() {
        return faultType;
    }

    /** Queueing disciplines and netfilter rules live in the kernel, the host's or a namespace's in it. */
    @Override
    public boolean diesWithHost(F fault) {
        return true;
    }

    @Override
    public Applied apply(String commandId, F fault) throws FaultException {
        ProcessSelector netnsOf = netnsOf(fault);
        if (netnsOf == null) {
            return apply(tc, fault);
        }
        return TrafficControl.required(netns).apply(commandId, netnsOf, (inside, own) -> apply(new TrafficControl(inside),
                fault), inside -> TrafficControl.recoverInside(inside, device(fault), "netem"));
    }

    private static Applied apply(TrafficControl tc, FaultSpec fault) throws FaultException {
        List<String> args = netemArgs(fault);
        List<String> devices = tc.installAll(tc.devices(device(fault)), d -> List.of(argv(d, args)));
        return tc.applied(devices, "netem " + String.join(" ", args) + " on " + String.join(", ", devices));
    }

    private static String device(FaultSpec fault) {
        return fault instanceof NetworkDelayFault d ? d.device() : ((NetworkLossFault) fault).device();
    }

    private static ProcessSelector netnsOf(FaultSpec fault) {
        return fault instanceof NetworkDelayFault d ? d.netnsOf() : ((NetworkLossFault) fault).netnsOf();
    }

    @Override
    public String recover(String commandId, F fault) throws FaultException {
        if (netnsOf(fault) != null) {
            return TrafficControl.required(netns).recover(commandId,
                    inside -> TrafficControl.recoverInside(inside, device(fault), "netem"));
        }
        return tc.recover(tc.devices(device(fault)), "netem");
    }

    static List<String> netemArgs(FaultSpec fault) {
        if (fault instanceof NetworkDelayFault d) {
            List<String> a = new ArrayList<>(List.of("delay", d.delay().toMillis() + "ms"));
            if (!d.jitter().isZero()) {
                a.add(d.jitter().toMillis() + "ms");
            }
            return a;
        }
        return List.of("loss", ((NetworkLossFault) fault).percent() + "%");
    }

    private static List<String> argv(String device, List<String> args) {
        List<String> a = new ArrayList<>(List.of("tc", "qdisc", "add", "dev", device, "root", "handle", TrafficControl.HANDLE,
                "netem"));
        a.addAll(args);
        return a;
    }

    @Override
    public String sweep() throws FaultException {
        return tc.sweep(netns);
    }
}
