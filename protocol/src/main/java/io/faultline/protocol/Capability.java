package io.faultline.protocol;

/**
 * Names of what an agent found it can do, published in its heartbeat beside the fault types it
 * has drivers for. A fault lists the capabilities it needs ({@link FaultSpec#requires()}).
 */
public final class Capability {
    /** Runs as root or holds CAP_NET_ADMIN. */
    public static final String NET_ADMIN = "net-admin";
    /** {@code iptables} is installed and usable. */
    public static final String IPTABLES = "iptables";
    /** tc can attach an htb qdisc (bandwidth). */
    public static final String HTB = "htb";
    /** tc can attach a netem qdisc (delay, loss): absent from some kernels. */
    public static final String NETEM = "netem";
    /** The agent's Redis server answered PING. */
    public static final String REDIS = "redis";
    /** A Kubernetes API the agent can reach with a service account (the cluster agent). */
    public static final String KUBERNETES = "kubernetes";

    private Capability() {
    }
}
