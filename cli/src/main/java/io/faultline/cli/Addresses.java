package io.faultline.cli;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;

/** {@code HOST:PORT} options. */
final class Addresses {
    private Addresses() {
    }

    static InetSocketAddress parse(String option, String value) {
        int colon = value.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException(option + ": '" + value + "' is not HOST:PORT");
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": '" + value + "' has no numeric port");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException(option + ": port " + port + " is not in 0-65535");
        }
        String host = value.substring(0, colon);
        return new InetSocketAddress(host.isEmpty() ? "0.0.0.0" : host, port);
    }

    /**
     * Why {@code host} cannot be an address a server here listens on and advertises to clients;
     * null when it can. Names are not looked up: a listener is given an address.
     */
    static String whyNotLocal(String host) {
        if (host == null || host.isBlank() || !host.matches("[0-9.]+|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*")) {
            return "not an IP address (give the address itself, e.g. 10.0.0.1)";
        }
        try {
            InetAddress a = InetAddress.getByName(host);
            if (a.isAnyLocalAddress()) {
                return "clients cannot be told to connect to the wildcard address; give one of this machine's addresses";
            }
            if (!a.isLoopbackAddress() && NetworkInterface.getByInetAddress(a) == null) {
                return "not an address of this machine";
            }
            return null;
        } catch (UnknownHostException | SocketException e) {
            return "not an IP address of this machine";
        }
    }
}
