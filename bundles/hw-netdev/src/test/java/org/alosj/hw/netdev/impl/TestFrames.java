package org.alosj.hw.netdev.impl;

import java.nio.ByteBuffer;
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
}
