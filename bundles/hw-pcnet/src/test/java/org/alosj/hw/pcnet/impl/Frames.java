package org.alosj.hw.pcnet.impl;

import java.nio.ByteBuffer;

/** Test frames built byte by byte. */
final class Frames {
    static final byte[] PEER = {0x02, 0, 0, 0, 0, 0x01};
    static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};

    private Frames() {
    }

    static byte[] arpRequest(byte[] sender) {
        ByteBuffer b = ByteBuffer.allocate(42);
        b.put(BROADCAST).put(sender).putShort((short) 0x0806);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1);
        b.put(sender).put(new byte[] {10, 0, 2, 15});
        b.put(new byte[6]).put(new byte[] {10, 0, 2, 2});
        return b.array();
    }

    /** A UDP/IPv4 frame of {@code payload} bytes from PEER to {@code dst}. */
    static byte[] udp(byte[] dst, int payload) {
        int ipLength = 28 + payload;
        ByteBuffer b = ByteBuffer.allocate(14 + ipLength);
        b.put(dst).put(PEER).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) ipLength).putInt(0x0001_4000);
        b.put((byte) 64).put((byte) 17).putShort((short) 0);
        b.put(new byte[] {10, 0, 2, 2}).put(new byte[] {10, 0, 2, 15});
        int sum = 0;
        for (int i = 14; i < 34; i += 2) {
            sum += (b.get(i) & 0xFF) << 8 | (b.get(i + 1) & 0xFF);
        }
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        b.putShort(24, (short) ~sum);
        b.putShort((short) 5353).putShort((short) 4242).putShort((short) (8 + payload)).putShort((short) 0);
        for (int i = 0; i < payload; i++) {
            b.put((byte) i);
        }
        return b.array();
    }
}
