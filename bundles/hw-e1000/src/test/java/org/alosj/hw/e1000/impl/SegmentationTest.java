package org.alosj.hw.e1000.impl;

import static org.alosj.hw.e1000.impl.E1000Regs.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.alosj.hw.netdev.impl.PcapBackend;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * TCP segmentation offload as Linux's e1000/e1000e ask for it: a TSE context descriptor (header
 * length, MSS, PAYLEN), data descriptors with the headers and 4,000 bytes of payload, the TCP
 * checksum seeded with the pseudo-header sum without the length. tshark reads the segments.
 */
class SegmentationTest {
    static final int HEADER = 14 + 20 + 20;
    static final int PAYLOAD = 4000;
    static final int MSS = 1460;
    @TempDir
    Path dir;

    /** Ethernet, IPv4 (ID 0x1234, DF) and TCP (seq 1000, ACK PSH FIN) headers and the payload. */
    static byte[] request() {
        byte[] f = new byte[HEADER + PAYLOAD];
        System.arraycopy(DataPathTest.PEER, 0, f, 0, 6);
        System.arraycopy(Rig.MAC, 0, f, 6, 6);
        f[12] = 0x08;
        f[14] = 0x45;
        f[18] = 0x12;
        f[19] = 0x34;
        f[20] = 0x40;
        f[22] = 64;
        f[23] = 6;
        byte[] addresses = {10, 0, 0, 1, 10, 0, 0, 2};
        System.arraycopy(addresses, 0, f, 26, 8);
        int tcp = 34;
        f[tcp + 1] = 80;
        f[tcp + 3] = (byte) 200;
        f[tcp + 6] = 0x03;
        f[tcp + 7] = (byte) 0xE8; // seq 1000
        f[tcp + 12] = 0x50;
        f[tcp + 13] = 0x19; // ACK PSH FIN
        f[tcp + 14] = (byte) 0xFF;
        f[tcp + 15] = (byte) 0xFF;
        int seed = Checksum.fold(Checksum.sum(f, 26, 8, 0) + 6);
        f[tcp + 16] = (byte) (seed >>> 8);
        f[tcp + 17] = (byte) seed;
        for (int i = 0; i < PAYLOAD; i++) {
            f[HEADER + i] = (byte) (i * 7);
        }
        return f;
    }

    @ParameterizedTest
    @EnumSource(Part.class)
    void aTsoRequestGoesOutAsMssSizedSegmentsWithTheirOwnLengthsSequenceNumbersAndChecksums(Part part)
            throws Exception {
        Tshark.assumeInstalled();
        Path capture = dir.resolve("tso.pcap");
        byte[] request = request();
        List<byte[]> segments = new ArrayList<>();
        try (Rig rig = new Rig(part, hub -> {
            try {
                return new PcapBackend("cap", capture, hub);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        })) {
            BlockingQueue<byte[]> wire = new LinkedBlockingQueue<>();
            rig.hub.attach("peer", (f, o, l) -> wire.add(Arrays.copyOfRange(f, o, o + l)));
            rig.bringUp(0);
            long setup = 14L | 24L << 8 | 33L << 16 | 34L << 32 | 50L << 40;
            rig.mem.writeLong(Rig.TX_RING, setup);
            rig.mem.writeInt(Rig.TX_RING + 8, TXD_CMD_DEXT | TXD_DTYP_C | TXD_CMD_TSE | TXD_CMD_TCP | TXD_CMD_IP
                    | PAYLOAD);
            rig.mem.writeInt(Rig.TX_RING + 12, MSS << 16 | HEADER << 8);
            rig.queueTx(1, Arrays.copyOf(request, HEADER), TXD_CMD_DEXT | TXD_DTYP_D | TXD_CMD_TSE | TXD_CMD_IFCS,
                    TXD_POPTS_IXSM | TXD_POPTS_TXSM);
            rig.queueTx(2, Arrays.copyOfRange(request, HEADER, request.length), TXD_CMD_DEXT | TXD_DTYP_D | TXD_CMD_TSE
                    | TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS, 0);
            rig.reg(TDT, 3);
            for (int i = 0; i < 3; i++) {
                byte[] s = wire.poll(5, TimeUnit.SECONDS);
                assertNotNull(s, "segment " + i);
                segments.add(s);
            }
            assertEquals(2, rig.reg(TSCTC), "segments after the first");
        }
        assertEquals(List.of(HEADER + MSS, HEADER + MSS, HEADER + PAYLOAD - 2 * MSS),
                segments.stream().map(s -> s.length).toList());
        for (int i = 0; i < 3; i++) {
            byte[] s = segments.get(i);
            for (int k = 0; k < s.length - HEADER; k++) {
                assertEquals(request[HEADER + i * MSS + k], s[HEADER + k], "payload byte " + k + " of segment " + i);
            }
        }
        List<String> lines = Tshark.fields(capture, List.of("-o", "ip.check_checksum:TRUE", "-o",
                "tcp.check_checksum:TRUE", "-o", "tcp.relative_sequence_numbers:FALSE"), "ip.id", "ip.len", "tcp.seq",
                "tcp.len", "tcp.flags.push", "tcp.flags.fin", "ip.checksum.status", "tcp.checksum.status");
        assertEquals(List.of(
                "0x1234,1500,1000,1460,0,0,1,1",
                "0x1235,1500,2460,1460,0,0,1,1",
                "0x1236,1120,3920,1080,1,1,1,1"), lines);
    }
}
