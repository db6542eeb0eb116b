package io.faultline.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.regex.Pattern;

/**
 * A network peer of a partition: an IPv4 address or CIDR block, optionally narrowed to TCP
 * traffic on one port (the port may be on either end, so {@code 6379} matches both a Redis
 * server's replies and its clients' requests).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Peer(String cidr, Integer port) {
    private static final Pattern IPV4_CIDR = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(/(3[0-2]|[12]?\\d))?");

    public Peer {
        Checks.required("cidr", cidr);
        if (!IPV4_CIDR.matcher(cidr).matches()) {
            throw new InvalidFieldException("cidr", "'" + cidr + "' is not an IPv4 address or CIDR block (e.g. 10.0.0.0/24)");
        }
        if (port != null) {
            Checks.port("port", port);
        }
    }

    /** Every address, on one port. */
    public static Peer anyOnPort(int port) {
        return new Peer("0.0.0.0/0", port);
    }
}
