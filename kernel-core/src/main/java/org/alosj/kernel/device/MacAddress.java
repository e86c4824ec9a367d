package org.alosj.kernel.device;

/**
 * A 48-bit IEEE 802 MAC address, the one value type for it above the bus line: drivers, the
 * network stack and the shell all speak it. Immutable; written {@code aa:bb:cc:dd:ee:ff}.
 *
 * <p>The first octet carries two flag bits (IEEE 802-2014, 8.2.2): bit 0 is I/G (set: a group,
 * that is multicast, address) and bit 1 is U/L (set: locally administered, as QEMU's
 * {@code 52:54:00:…} addresses are). The address is kept as the low 48 bits of a long, first octet
 * most significant, so a stack can carry it as a plain {@code long} on its fast path.
 *
 * @since 1.2
 */
public final class MacAddress implements Comparable<MacAddress> {
    /** Octets in an address. */
    public static final int LENGTH = 6;

    private static final long MASK = 0xFFFF_FFFF_FFFFL;

    /** {@code ff:ff:ff:ff:ff:ff}: every station. */
    public static final MacAddress BROADCAST = new MacAddress(MASK);

    /** {@code 00:00:00:00:00:00}: no address (a NIC whose EEPROM is blank). */
    public static final MacAddress ZERO = new MacAddress(0);

    private final long value;

    private MacAddress(long value) {
        this.value = value;
    }

    /**
     * The address held in the low 48 bits of {@code value}.
     *
     * @throws IllegalArgumentException if any of the upper 16 bits is set
     */
    public static MacAddress of(long value) {
        if ((value & ~MASK) != 0) {
            throw new IllegalArgumentException("MAC address wider than 48 bits: 0x" + Long.toHexString(value));
        }
        return new MacAddress(value);
    }

    /**
     * The address in six octets, as they go on the wire.
     *
     * @throws IllegalArgumentException if {@code octets} is not 6 bytes long
     */
    public static MacAddress fromBytes(byte[] octets) {
        if (octets.length != LENGTH) {
            throw new IllegalArgumentException("a MAC address has 6 octets, not " + octets.length);
        }
        return fromBytes(octets, 0);
    }

    /**
     * The address in the six octets at {@code offset} of {@code buffer} (an Ethernet header's
     * destination at 0, source at 6).
     *
     * @throws IndexOutOfBoundsException if fewer than six octets follow {@code offset}
     */
    public static MacAddress fromBytes(byte[] buffer, int offset) {
        if (offset < 0 || offset > buffer.length - LENGTH) {
            throw new IndexOutOfBoundsException("6 octets at " + offset + " of a " + buffer.length + "-byte buffer");
        }
        long v = 0;
        for (int i = 0; i < LENGTH; i++) {
            v = v << 8 | buffer[offset + i] & 0xFF;
        }
        return new MacAddress(v);
    }

    /**
     * Parses six hex octets of one or two digits separated by {@code :} or {@code -}
     * ({@code 52:54:00:12:34:56}, {@code 52-54-00-12-34-56}, {@code 2:0:0:0:0:a}).
     *
     * @throws IllegalArgumentException naming the text and the expected form
     */
    public static MacAddress parse(String text) {
        String[] parts = text == null ? new String[0] : text.split("[:-]", -1);
        boolean ok = parts.length == LENGTH;
        long v = 0;
        for (int i = 0; ok && i < LENGTH; i++) {
            String p = parts[i];
            ok = !p.isEmpty() && p.length() <= 2 && p.chars().allMatch(c -> Character.digit(c, 16) >= 0);
            if (ok) {
                v = v << 8 | Integer.parseInt(p, 16);
            }
        }
        if (!ok) {
            throw new IllegalArgumentException("bad MAC address '" + text
                    + "' (expected six hex octets, e.g. 52:54:00:12:34:56)");
        }
        return new MacAddress(v);
    }

    /** The address in the low 48 bits, first octet most significant. */
    public long toLong() {
        return value;
    }

    /** A fresh array of the six octets, in wire order. */
    public byte[] toBytes() {
        byte[] b = new byte[LENGTH];
        writeTo(b, 0);
        return b;
    }

    /** Writes the six octets at {@code offset} of {@code buffer}. */
    public void writeTo(byte[] buffer, int offset) {
        for (int i = 0; i < LENGTH; i++) {
            buffer[offset + i] = (byte) (value >>> 8 * (LENGTH - 1 - i));
        }
    }

    /** Octet {@code i} (0 is the first on the wire) as 0-255. */
    public int octet(int i) {
        if (i < 0 || i >= LENGTH) {
            throw new IndexOutOfBoundsException("octet " + i + " of a 6-octet MAC address");
        }
        return (int) (value >>> 8 * (LENGTH - 1 - i)) & 0xFF;
    }

    /** The I/G bit: a group address (broadcast included). */
    public boolean isMulticast() {
        return (value >>> 40 & 1) != 0;
    }

    /** All ones. */
    public boolean isBroadcast() {
        return value == MASK;
    }

    /** The U/L bit: assigned locally, not by the OUI's owner. */
    public boolean isLocallyAdministered() {
        return (value >>> 41 & 1) != 0;
    }

    /** All zeros. */
    public boolean isZero() {
        return value == 0;
    }

    /** What a NIC may carry as its own station address: neither a group address nor all zeros. */
    public boolean isValidUnicast() {
        return !isMulticast() && !isZero();
    }

    @Override
    public int compareTo(MacAddress o) {
        return Long.compare(value, o.value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MacAddress m && m.value == value;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(value);
    }

    /** {@code 52:54:00:12:34:56}: lower-case hex, two digits an octet, colon separated. */
    @Override
    public String toString() {
        char[] s = new char[3 * LENGTH - 1];
        for (int i = 0; i < LENGTH; i++) {
            int o = octet(i);
            if (i > 0) {
                s[3 * i - 1] = ':';
            }
            s[3 * i] = Character.forDigit(o >> 4, 16);
            s[3 * i + 1] = Character.forDigit(o & 0xF, 16);
        }
        return new String(s);
    }

    /** The text form of six octets; shorthand for {@code fromBytes(octets).toString()}. */
    public static String format(byte[] octets) {
        return fromBytes(octets).toString();
    }
}
