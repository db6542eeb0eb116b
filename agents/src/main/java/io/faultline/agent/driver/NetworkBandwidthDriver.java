package io.faultline.agent.driver;

import io.faultline.protocol.NetworkBandwidthFault;
import java.util.ArrayList;
import java.util.List;

/**
 * Executes {@code network.bandwidth}: an htb root qdisc whose one class is capped at the rate,
 * and u32 filters sending TCP traffic with the named ports (source or destination) into it.
 * Other traffic bypasses the class unshaped. Undo deletes the root qdisc.
 */
public final class NetworkBandwidthDriver implements FaultDriver<NetworkBandwidthFault> {
    private final TrafficControl tc;
    private final TargetNetns netns;

    public NetworkBandwidthDriver(CommandRunner runner) {
        this(runner, null);
    }

    /** @param netns how to enter another process's network namespace ({@code netnsOf}); null: never */
    public NetworkBandwidthDriver(CommandRunner runner, TargetNetns netns) {
        this.tc = new TrafficControl(runner);
        this.netns = netns;
    }

    @Override
    public Class<NetworkBandwidthFault> faultClass() {
        return NetworkBandwidthFault.class;
    }

    @Override
    public String faultType() {
        return NetworkBandwidthFault.TYPE;
    }

    /** Queueing disciplines and netfilter rules live in the kernel, the host's or a namespace's in it. */
    @Override
    public boolean diesWithHost(NetworkBandwidthFault fault) {
        return true;
    }

    @Override
    public Applied apply(String commandId, NetworkBandwidthFault fault) throws FaultException {
        if (fault.netnsOf() == null) {
            return apply(tc, fault);
        }
        return TrafficControl.required(netns).apply(commandId, fault.netnsOf(),
                (inside, own) -> apply(new TrafficControl(inside), fault),
                inside -> TrafficControl.recoverInside(inside, fault.device(), "htb"));
    }

    private static Applied apply(TrafficControl tc, NetworkBandwidthFault fault) throws FaultException {
        List<String> devices = tc.installAll(tc.devices(fault.device()), d -> steps(d, fault));
        return tc.applied(devices, "capped ports " + fault.ports() + " to " + fault.rate() + " on " + String.join(", ", devices));
    }

    @Override
    public String recover(String commandId, NetworkBandwidthFault fault) throws FaultException {
        if (fault.netnsOf() != null) {
            return TrafficControl.required(netns).recover(commandId,
                    inside -> TrafficControl.recoverInside(inside, fault.device(), "htb"));
        }
        return tc.recover(tc.devices(fault.device()), "htb");
    }

    private static final String H = TrafficControl.HANDLE;

    static List<List<String>> steps(String device, NetworkBandwidthFault fault) {
        String rate = fault.bitsPerSecond() + "bit";
        List<List<String>> steps = new ArrayList<>();
        steps.add(List.of("tc", "qdisc", "add", "dev", device, "root", "handle", H, "htb"));
        steps.add(List.of("tc", "class", "add", "dev", device, "parent", H, "classid", H + "1", "htb",
                "rate", rate, "ceil", rate));
        for (int port : fault.ports()) {
            for (String end : List.of("sport", "dport")) {
                steps.add(List.of("tc", "filter", "add", "dev", device, "parent", H, "protocol", "ip", "prio", "1",
                        "u32", "match", "ip", end, Integer.toString(port), "0xffff", "flowid", H + "1"));
            }
        }
        return steps;
    }

    @Override
    public String sweep() throws FaultException {
        return tc.sweep(netns);
    }
}
