package io.faultline.protocol;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code host:port} of a Redis server, checked. */
public final class RedisAddress {
    private static final Pattern HOST_PORT = Pattern.compile("([A-Za-z0-9][A-Za-z0-9.\\-]*):(\\d{1,5})");

    private RedisAddress() {
    }

    /** Returns the address unchanged if valid; null stays null (the agent's own Redis). */
    public static String check(String field, String address) {
        if (address != null) {
            Matcher m = HOST_PORT.matcher(address);
            if (!m.matches()) {
                throw new InvalidFieldException(field, "'" + address + "' is not host:port");
            }
            Checks.port(field, Integer.parseInt(m.group(2)));
        }
        return address;
    }

    public static String host(String address) {
        return address.substring(0, address.lastIndexOf(':'));
    }

    public static int port(String address) {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }
}
