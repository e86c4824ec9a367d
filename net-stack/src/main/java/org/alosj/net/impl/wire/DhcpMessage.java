package org.alosj.net.impl.wire;

import java.util.ArrayList;
import java.util.List;

/**
 * A DHCP message (RFC 2131) with the options (RFC 2132) the client uses. Absent numbers are 0
 * (addresses), -1 (times, MTU); a lease of 0xffffffff ({@link #INFINITE}) never ends.
 */
public record DhcpMessage(int op, int xid, boolean broadcast, int ciaddr, int yiaddr, int siaddr, long chaddr,
                          int messageType, int serverId, int requestedIp, int subnetMask, List<Integer> routers,
                          List<Integer> dnsServers, long leaseSeconds, long renewalSeconds, long rebindingSeconds,
                          int mtu) {
    public static final int BOOTREQUEST = 1;
    public static final int BOOTREPLY = 2;
    public static final int DISCOVER = 1;
    public static final int OFFER = 2;
    public static final int REQUEST = 3;
    public static final int DECLINE = 4;
    public static final int ACK = 5;
    public static final int NAK = 6;
    public static final int RELEASE = 7;
    public static final long INFINITE = 0xffffffffL;
    public static final int SERVER_PORT = 67;
    public static final int CLIENT_PORT = 68;
    public static final int MAGIC_COOKIE = 0x63825363;
    static final int OPTIONS_OFFSET = 240;

    static final int OPT_PAD = 0;
    static final int OPT_SUBNET_MASK = 1;
    static final int OPT_ROUTER = 3;
    static final int OPT_DNS = 6;
    static final int OPT_MTU = 26;
    static final int OPT_REQUESTED_IP = 50;
    static final int OPT_LEASE_TIME = 51;
    static final int OPT_MESSAGE_TYPE = 53;
    static final int OPT_SERVER_ID = 54;
    static final int OPT_PARAMETER_REQUEST = 55;
    static final int OPT_RENEWAL_TIME = 58;
    static final int OPT_REBINDING_TIME = 59;
    static final int OPT_END = 255;

    /** A client message (DISCOVER, REQUEST, RELEASE) with the given fields; the rest empty. */
    public static DhcpMessage request(int type, int xid, long mac, int ciaddr, int requestedIp, int serverId,
                                      boolean broadcast) {
        return new DhcpMessage(BOOTREQUEST, xid, broadcast, ciaddr, 0, 0, mac, type, serverId, requestedIp, 0,
                List.of(), List.of(), -1, -1, -1, -1);
    }

    public static DhcpMessage parse(byte[] b, int o, int length) throws MalformedPacketException {
        Bytes.need("DHCP", OPTIONS_OFFSET, length);
        if (Bytes.u8(b, o + 1) != 1 || Bytes.u8(b, o + 2) != 6) {
            throw new MalformedPacketException("DHCP: htype " + Bytes.u8(b, o + 1) + " hlen " + Bytes.u8(b, o + 2)
                    + " (expected Ethernet: 1, 6)");
        }
        if (Bytes.i32(b, o + 236) != MAGIC_COOKIE) {
            throw new MalformedPacketException("DHCP: magic cookie 0x" + Integer.toHexString(Bytes.i32(b, o + 236)));
        }
        int type = 0;
        int serverId = 0;
        int requested = 0;
        int mask = 0;
        List<Integer> routers = new ArrayList<>();
        List<Integer> dns = new ArrayList<>();
        long lease = -1;
        long t1 = -1;
        long t2 = -1;
        int mtu = -1;
        int i = o + OPTIONS_OFFSET;
        int end = o + length;
        while (i < end) {
            int code = Bytes.u8(b, i);
            if (code == OPT_END) {
                break;
            }
            if (code == OPT_PAD) {
                i++;
                continue;
            }
            if (i + 1 >= end) {
                throw new MalformedPacketException("DHCP: option " + code + " has no length byte");
            }
            int len = Bytes.u8(b, i + 1);
            int v = i + 2;
            if (v + len > end) {
                throw new MalformedPacketException("DHCP: option " + code + " length " + len + " runs past the end");
            }
            switch (code) {
                case OPT_MESSAGE_TYPE -> type = len >= 1 ? Bytes.u8(b, v) : 0;
                case OPT_SERVER_ID -> serverId = address(code, b, v, len);
                case OPT_REQUESTED_IP -> requested = address(code, b, v, len);
                case OPT_SUBNET_MASK -> mask = address(code, b, v, len);
                case OPT_ROUTER -> addresses(code, b, v, len, routers);
                case OPT_DNS -> addresses(code, b, v, len, dns);
                case OPT_LEASE_TIME -> lease = Integer.toUnsignedLong(address(code, b, v, len));
                case OPT_RENEWAL_TIME -> t1 = Integer.toUnsignedLong(address(code, b, v, len));
                case OPT_REBINDING_TIME -> t2 = Integer.toUnsignedLong(address(code, b, v, len));
                case OPT_MTU -> {
                    if (len != 2) {
                        throw new MalformedPacketException("DHCP: MTU option length " + len + " (expected 2)");
                    }
                    mtu = Bytes.u16(b, v);
                }
                default -> {
                    // options the client does not use
                }
            }
            i = v + len;
        }
        int flags = Bytes.u16(b, o + 10);
        return new DhcpMessage(Bytes.u8(b, o), Bytes.i32(b, o + 4), (flags & 0x8000) != 0, Bytes.i32(b, o + 12),
                Bytes.i32(b, o + 16), Bytes.i32(b, o + 20), Bytes.u48(b, o + 28), type, serverId, requested, mask,
                List.copyOf(routers), List.copyOf(dns), lease, t1, t2, mtu);
    }

    private static int address(int code, byte[] b, int v, int len) throws MalformedPacketException {
        if (len != 4) {
            throw new MalformedPacketException("DHCP: option " + code + " length " + len + " (expected 4)");
        }
        return Bytes.i32(b, v);
    }

    private static void addresses(int code, byte[] b, int v, int len, List<Integer> into) throws MalformedPacketException {
        if (len == 0 || len % 4 != 0) {
            throw new MalformedPacketException("DHCP: option " + code + " length " + len + " (a multiple of 4)");
        }
        for (int k = 0; k < len; k += 4) {
            into.add(Bytes.i32(b, v + k));
        }
    }

    /** The encoded length of this message (fixed part, options, end, padded to 300 as BOOTP wants). */
    public int length() {
        return 300;
    }

    /** Writes the message into {@code b} (zeroed first) at {@code o}; needs {@link #length()} bytes. */
    public int emit(byte[] b, int o) {
        java.util.Arrays.fill(b, o, o + length(), (byte) 0);
        b[o] = (byte) op;
        b[o + 1] = 1;
        b[o + 2] = 6;
        Bytes.put32(b, o + 4, xid);
        Bytes.put16(b, o + 10, broadcast ? 0x8000 : 0);
        Bytes.put32(b, o + 12, ciaddr);
        Bytes.put32(b, o + 16, yiaddr);
        Bytes.put32(b, o + 20, siaddr);
        Bytes.put48(b, o + 28, chaddr);
        Bytes.put32(b, o + 236, MAGIC_COOKIE);
        int i = o + OPTIONS_OFFSET;
        b[i++] = OPT_MESSAGE_TYPE;
        b[i++] = 1;
        b[i++] = (byte) messageType;
        if (requestedIp != 0) {
            b[i++] = OPT_REQUESTED_IP;
            b[i++] = 4;
            Bytes.put32(b, i, requestedIp);
            i += 4;
        }
        if (serverId != 0) {
            b[i++] = OPT_SERVER_ID;
            b[i++] = 4;
            Bytes.put32(b, i, serverId);
            i += 4;
        }
        if (op == BOOTREQUEST) {
            byte[] wanted = {OPT_SUBNET_MASK, OPT_ROUTER, OPT_DNS, OPT_MTU, OPT_LEASE_TIME, OPT_RENEWAL_TIME,
                OPT_REBINDING_TIME};
            b[i++] = OPT_PARAMETER_REQUEST;
            b[i++] = (byte) wanted.length;
            System.arraycopy(wanted, 0, b, i, wanted.length);
            i += wanted.length;
        } else {
            i = emitServerOptions(b, i);
        }
        b[i] = (byte) OPT_END;
        return length();
    }

    // A server's options: used by tests playing the server.
    private int emitServerOptions(byte[] b, int i) {
        if (subnetMask != 0) {
            b[i++] = OPT_SUBNET_MASK;
            b[i++] = 4;
            Bytes.put32(b, i, subnetMask);
            i += 4;
        }
        if (!routers.isEmpty()) {
            b[i++] = OPT_ROUTER;
            b[i++] = 4;
            Bytes.put32(b, i, routers.get(0));
            i += 4;
        }
        if (!dnsServers.isEmpty()) {
            b[i++] = OPT_DNS;
            b[i++] = 4;
            Bytes.put32(b, i, dnsServers.get(0));
            i += 4;
        }
        if (leaseSeconds >= 0) {
            b[i++] = OPT_LEASE_TIME;
            b[i++] = 4;
            Bytes.put32(b, i, (int) leaseSeconds);
            i += 4;
        }
        if (mtu >= 0) {
            b[i++] = OPT_MTU;
            b[i++] = 2;
            Bytes.put16(b, i, mtu);
            i += 2;
        }
        return i;
    }
}
