package io.faultline.cli;

import java.net.InetSocketAddress;

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
}
