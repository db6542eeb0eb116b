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
    /**
     * The agent can enter another process's network namespace ({@code nsenter}, CAP_SYS_ADMIN):
     * what a network fault with {@code netnsOf} needs.
     */
    public static final String NETNS = "netns";
    /** The agent's Redis server answered PING. */
    public static final String REDIS = "redis";
    /** A Kubernetes API the agent can reach with a service account (the cluster agent). */
    public static final String KUBERNETES = "kubernetes";
    /**
     * The agent runs its service ({@code faultline agent --exec -- CMD}) and can start it again:
     * what {@code process.kill} with {@code restart: true} needs.
     */
    public static final String SERVICE_RESTART = "service-restart";

    /** How an agent gets {@code capability}, for a refusal that names it; empty when there is nothing to say. */
    public static String howToGet(String capability) {
        return switch (capability) {
            case SERVICE_RESTART -> "start the agent with the service's command line: faultline agent --exec -- CMD";
            case NET_ADMIN -> "run the agent as root or with CAP_NET_ADMIN";
            case IPTABLES -> "install iptables on the agent's host and run the agent with CAP_NET_ADMIN";
            case REDIS -> "start the agent with --redis HOST:PORT of a Redis that answers";
            case NETNS -> "run the agent as root (CAP_SYS_ADMIN and CAP_NET_ADMIN) in the host's PID namespace, with "
                    + "nsenter (util-linux) installed";
            default -> "";
        };
    }

    private Capability() {
    }
}
