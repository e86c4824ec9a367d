package org.alosj.hw.netdev.impl;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

/** Frames built byte by byte, as a capture of a real network would show them. */
final class TestFrames {
    static final byte[] BROADCAST = mac("ff:ff:ff:ff:ff:ff");

    private TestFrames() {
    }

    static byte[] mac(String text) {
        return HexFormat.ofDelimiter(":").parseHex(text);
    }

    /** An ARP request: who has {@code targetIp}? tell {@code senderIp} at {@code sender}. */
    static byte[] arpRequest(byte[] sender, byte[] senderIp, byte[] targetIp) {
        ByteBuffer b = ByteBuffer.allocate(42);
        b.put(BROADCAST).put(sender).putShort((short) 0x0806);
        b.putShort((short) 1);          // hardware type: Ethernet
        b.putShort((short) 0x0800);     // protocol type: IPv4
        b.put((byte) 6).put((byte) 4);  // address lengths
        b.putShort((short) 1);          // opcode: request
        b.put(sender).put(senderIp);
        b.put(new byte[6]).put(targetIp);
        return b.array();
    }

    /** A UDP/IPv4 datagram with a correct IPv4 header checksum (UDP checksum 0: none). */
    static byte[] udp(byte[] src, byte[] dst, byte[] srcIp, byte[] dstIp, int srcPort, int dstPort,
                      byte[] payload) {
        int ipLength = 20 + 8 + payload.length;
        ByteBuffer b = ByteBuffer.allocate(14 + ipLength);
        b.put(dst).put(src).putShort((short) 0x0800);
        int ip = b.position();
        b.put((byte) 0x45).put((byte) 0).putShort((short) ipLength);
        b.putShort((short) 0x1234).putShort((short) 0x4000);   // id, DF
        b.put((byte) 64).put((byte) 17).putShort((short) 0);  // TTL, UDP, checksum later
        b.put(srcIp).put(dstIp);
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += ((b.get(ip + i) & 0xFF) << 8) | (b.get(ip + i + 1) & 0xFF);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        b.putShort(ip + 10, (short) ~sum);
        b.putShort((short) srcPort).putShort((short) dstPort).putShort((short) (8 + payload.length))
                .putShort((short) 0);
        b.put(payload);
        return b.array();
    }

    static byte[] ip(int a, int b, int c, int d) {
        return new byte[] {(byte) a, (byte) b, (byte) c, (byte) d};
    }

    /** An IPv4 packet in an Ethernet frame, header checksum filled in. */
    static byte[] ipv4(byte[] src, byte[] dst, byte[] srcIp, byte[] dstIp, int protocol, byte[] payload) {
        int ipLength = 20 + payload.length;
        ByteBuffer b = ByteBuffer.allocate(14 + ipLength);
        b.put(dst).put(src).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) ipLength);
        b.putShort((short) 0x4321).putShort((short) 0x4000);
        b.put((byte) 64).put((byte) protocol).putShort((short) 0);
        b.put(srcIp).put(dstIp);
        b.putShort(14 + 10, (short) ~checksum(b.array(), 14, 20));
        b.put(payload);
        return b.array();
    }

    /** An ICMP echo request (type 8) with identifier, sequence number and data. */
    static byte[] icmpEcho(byte[] src, byte[] dst, byte[] srcIp, byte[] dstIp, int id, int seq, byte[] data) {
        ByteBuffer icmp = ByteBuffer.allocate(8 + data.length);
        icmp.put((byte) 8).put((byte) 0).putShort((short) 0).putShort((short) id).putShort((short) seq).put(data);
        icmp.putShort(2, (short) ~checksum(icmp.array(), 0, icmp.capacity()));
        return ipv4(src, dst, srcIp, dstIp, 1, icmp.array());
    }

    /** A DHCPDISCOVER from {@code mac}, broadcast, asking for subnet mask, router and DNS. */
    static byte[] dhcpDiscover(byte[] mac, int xid) {
        ByteBuffer d = ByteBuffer.allocate(240 + 16);
        d.put((byte) 1).put((byte) 1).put((byte) 6).put((byte) 0);   // BOOTREQUEST, Ethernet, hlen 6, hops
        d.putInt(xid).putShort((short) 0).putShort((short) 0x8000);  // xid, secs, flags: broadcast
        d.put(new byte[16]);                                         // ciaddr yiaddr siaddr giaddr
        d.put(mac).put(new byte[10]);                                // chaddr
        d.put(new byte[64 + 128]);                                   // sname, file
        d.putInt(0x63825363);                                        // magic cookie
        d.put(new byte[] {53, 1, 1, 55, 3, 1, 3, 6, (byte) 255});    // DHCPDISCOVER; parameters; end
        byte[] payload = Arrays.copyOf(d.array(), d.position());
        return udp(mac, BROADCAST, ip(0, 0, 0, 0), ip(255, 255, 255, 255), 68, 67, payload);
    }

    /** The frame with zero bytes appended up to {@code length}, as a NIC pads a short frame. */
    static byte[] pad(byte[] frame, int length) {
        return frame.length >= length ? frame : Arrays.copyOf(frame, length);
    }

    static int u16(byte[] f, int at) {
        return ((f[at] & 0xFF) << 8) | (f[at + 1] & 0xFF);
    }

    static int etherType(byte[] f) {
        return u16(f, 12);
    }

    /** IP protocol of an IPv4 frame, or -1. */
    static int ipProtocol(byte[] f) {
        return f.length >= 34 && etherType(f) == 0x0800 ? f[23] & 0xFF : -1;
    }

    static byte[] slice(byte[] f, int from, int length) {
        return Arrays.copyOfRange(f, from, from + length);
    }

    /** Offset of the IPv4 payload (after the IP header's options). */
    static int ipPayload(byte[] f) {
        return 14 + (f[14] & 0x0F) * 4;
    }

    /** An ARP reply (opcode 2) telling {@code senderIp} is at {@code sender}, to {@code target}. */
    static byte[] arpReply(byte[] sender, byte[] senderIp, byte[] target, byte[] targetIp) {
        ByteBuffer b = ByteBuffer.allocate(42);
        b.put(target).put(sender).putShort((short) 0x0806);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 2);
        b.put(sender).put(senderIp).put(target).put(targetIp);
        return b.array();
    }

    static int checksum(byte[] b, int offset, int length) {
        int sum = 0;
        for (int i = 0; i + 1 < length; i += 2) {
            sum += ((b[offset + i] & 0xFF) << 8) | (b[offset + i + 1] & 0xFF);
        }
        if ((length & 1) != 0) {
            sum += (b[offset + length - 1] & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return sum & 0xFFFF;
    }
}
