package io.faultline.agent.driver;

import java.util.List;

/**
 * The agent's own connections to Kafka, which network faults leave open unless a spec opts in,
 * and the brokers it talks to. A seam so that rule building is testable without sockets.
 */
public interface ControlLink {
    /** The agent's established TCP connections now. */
    List<Connection> connections();

    /** The Kafka brokers the agent talks to, as IPv4 address and port. */
    List<Endpoint> brokers();

    /** An IPv4 address and port. */
    record Endpoint(String ip, int port) {
        @Override
        public String toString() {
            return ip + ":" + port;
        }
    }

    /** One TCP connection, seen from the agent. */
    record Connection(Endpoint local, Endpoint remote) {
        @Override
        public String toString() {
            return local + "->" + remote;
        }
    }
}
