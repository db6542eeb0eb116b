package io.faultline.agent.policy;

/** IPv4 block containment for policy checks; inputs are already validated {@link io.faultline.protocol.Peer} CIDRs. */
final class Cidr {
    private Cidr() {
    }

    /** True if every address of {@code inner} lies in {@code outer}. */
    static boolean contains(String outer, String inner) {
        long[] o = parse(outer);
        long[] i = parse(inner);
        if (i[1] < o[1]) {
            return false;
        }
        long mask = o[1] == 0 ? 0 : (0xFFFFFFFFL << (32 - o[1])) & 0xFFFFFFFFL;
        return (o[0] & mask) == (i[0] & mask);
    }

    private static long[] parse(String cidr) {
        int slash = cidr.indexOf('/');
        String ip = slash < 0 ? cidr : cidr.substring(0, slash);
        int bits = slash < 0 ? 32 : Integer.parseInt(cidr.substring(slash + 1));
        long addr = 0;
        for (String part : ip.split("\\.")) {
            addr = (addr << 8) | Integer.parseInt(part);
        }
        return new long[] {addr, bits};
    }
}
