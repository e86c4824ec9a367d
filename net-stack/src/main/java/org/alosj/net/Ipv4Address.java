package org.alosj.net;

/** An IPv4 address as its 32 bits, most significant byte first on the wire. */
public record Ipv4Address(int bits) implements Comparable<Ipv4Address> {
    public static final Ipv4Address ANY = new Ipv4Address(0);
    public static final Ipv4Address BROADCAST = new Ipv4Address(-1);
    public static final Ipv4Address LOOPBACK = new Ipv4Address(0x7f000001);

    /**
     * Parses dotted-quad notation.
     *
     * @throws IllegalArgumentException naming the text when it is not four numbers 0..255
     */
    public static Ipv4Address parse(String text) {
        String[] parts = text.trim().split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: '" + text + "' (expected a.b.c.d)");
        }
        int bits = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("not an IPv4 address: '" + text + "' (expected a.b.c.d)");
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                throw new IllegalArgumentException("not an IPv4 address: '" + text + "' (" + v + " > 255)");
            }
            bits = bits << 8 | v;
        }
        return new Ipv4Address(bits);
    }

    /** True when {@code text} is a dotted quad. */
    public static boolean isLiteral(String text) {
        try {
            parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The network mask of a prefix length 0..32. */
    public static int mask(int prefixLength) {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is not in 0..32");
        }
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    public boolean isUnspecified() {
        return bits == 0;
    }

    public boolean isBroadcast() {
        return bits == -1;
    }

    public boolean isMulticast() {
        return (bits >>> 28) == 0xe;
    }

    public boolean isLoopback() {
        return (bits >>> 24) == 127;
    }

    public boolean inSubnet(Ipv4Address network, int prefixLength) {
        int m = mask(prefixLength);
        return (bits & m) == (network.bits & m);
    }

    public byte[] toBytes() {
        return new byte[] {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits};
    }

    @Override
    public int compareTo(Ipv4Address o) {
        return Integer.compareUnsigned(bits, o.bits);
    }

    // equals and hashCode written out: a record's generated ones are bootstrapped through method
    // handles at first use, which spun classes during every boot.
    @Override
    public boolean equals(Object o) {
        return o instanceof Ipv4Address a && a.bits == bits;
    }

    @Override
    public int hashCode() {
        return Integer.hashCode(bits);
    }

    @Override
    public String toString() {
        return (bits >>> 24) + "." + (bits >>> 16 & 0xff) + "." + (bits >>> 8 & 0xff) + "." + (bits & 0xff);
    }
}
