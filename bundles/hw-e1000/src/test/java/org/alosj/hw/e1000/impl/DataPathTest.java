package org.alosj.hw.e1000.impl;

import static org.alosj.hw.e1000.impl.E1000Regs.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.alosj.hal.net.NetPort;
import org.alosj.hw.netdev.impl.PcapBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Rings, DMA, offloads, interrupts and counters, driven the way Linux's e1000/e1000e drive the parts. */
class DataPathTest {
    static final byte[] PEER = {0x52, 0x54, 0x00, 0x00, 0x00, 0x02};
    @TempDir
    Path dir;

    private static NetPort listen(Rig rig, BlockingQueue<byte[]> into) {
        return rig.hub.attach("peer", (f, o, l) -> into.add(Arrays.copyOfRange(f, o, o + l)));
    }

    static byte[] frame(byte[] dst, byte[] src, int type, int payload) {
        byte[] f = new byte[14 + payload];
        System.arraycopy(dst, 0, f, 0, 6);
        System.arraycopy(src, 0, f, 6, 6);
        f[12] = (byte) (type >>> 8);
        f[13] = (byte) type;
        for (int i = 0; i < payload; i++) {
            f[14 + i] = (byte) i;
        }
        return f;
    }

    /** An Ethernet + IPv4 + UDP frame from 10.0.0.2:7 to 10.0.0.1:9 with correct checksums. */
    static byte[] udpFrame(byte[] dst, byte[] src, byte[] payload) {
        byte[] f = new byte[14 + 20 + 8 + payload.length];
        System.arraycopy(dst, 0, f, 0, 6);
        System.arraycopy(src, 0, f, 6, 6);
        f[12] = 0x08;
        int ip = 14;
        f[ip] = 0x45;
        int total = 20 + 8 + payload.length;
        f[ip + 2] = (byte) (total >>> 8);
        f[ip + 3] = (byte) total;
        f[ip + 8] = 64;
        f[ip + 9] = 17;
        byte[] addresses = {10, 0, 0, 2, 10, 0, 0, 1};
        System.arraycopy(addresses, 0, f, ip + 12, 8);
        int ipSum = ~Checksum.fold(Checksum.sum(f, ip, 20, 0)) & 0xFFFF;
        f[ip + 10] = (byte) (ipSum >>> 8);
        f[ip + 11] = (byte) ipSum;
        int udp = ip + 20;
        f[udp + 1] = 7;
        f[udp + 3] = 9;
        f[udp + 5] = (byte) (8 + payload.length);
        System.arraycopy(payload, 0, f, udp + 8, payload.length);
        long pseudo = Checksum.sum(f, ip + 12, 8, 0) + 17 + 8 + payload.length;
        int udpSum = ~Checksum.fold(Checksum.sum(f, udp, 8 + payload.length, pseudo)) & 0xFFFF;
        f[udp + 6] = (byte) (udpSum >>> 8);
        f[udp + 7] = (byte) udpSum;
        return f;
    }

    @ParameterizedTest
    @EnumSource(Part.class)
    void aLegacyTransmitDescriptorSendsItsBufferAndReportsDoneWithTxdw(Part part) throws Exception {
        try (Rig rig = new Rig(part)) {
            BlockingQueue<byte[]> wire = new LinkedBlockingQueue<>();
            listen(rig, wire);
            rig.bringUp(0);
            rig.reg(IMS, ICR_TXDW);
            byte[] f = frame(PEER, Rig.MAC, 0x88B5, 100);
            rig.queueTx(0, f);
            rig.reg(TDT, 1);
            assertArrayEquals(f, wire.poll(5, TimeUnit.SECONDS));
            assertEquals(TXD_STAT_DD, rig.txStatus(0));
            assertEquals(1, rig.reg(TDH));
            assertTrue(rig.intxAsserted(), "INTA with TXDW unmasked");
            int icr = rig.reg(ICR);
            assertEquals(ICR_TXDW | ICR_TXQE, icr & (ICR_TXDW | ICR_TXQE));
            assertFalse(rig.intxAsserted(), "reading ICR clears it and drops INTA");
            assertEquals(1, rig.reg(GPTC));
            assertEquals(0, rig.reg(GPTC), "statistics clear on read");
            assertEquals(f.length + 4, rig.reg(GOTCL), "good octets count the FCS");
        }
    }

    @ParameterizedTest
    @EnumSource(Part.class)
    void shortFramesArePaddedToSixtyBytesWithPsp(Part part) throws Exception {
        try (Rig rig = new Rig(part)) {
            BlockingQueue<byte[]> wire = new LinkedBlockingQueue<>();
            listen(rig, wire);
            rig.bringUp(0);
            rig.queueTx(0, frame(PEER, Rig.MAC, 0x88B5, 10));
            rig.reg(TDT, 1);
            assertEquals(60, wire.poll(5, TimeUnit.SECONDS).length);
        }
    }

    @ParameterizedTest
    @EnumSource(Part.class)
    void aFrameFromTheWireLandsInTheNextDescriptorWithLengthDdAndEop(Part part) throws Exception {
        try (Rig rig = new Rig(part)) {
            NetPort peer = listen(rig, new LinkedBlockingQueue<>());
            rig.bringUp(0);
            rig.reg(IMS, ICR_RXT0);
            byte[] f = frame(Rig.MAC, PEER, 0x88B5, 200);
            peer.transmit(f, 0, f.length);
            assertTrue(Rig.waitUntil(() -> rig.reg(RDH) == 1), "RDH advances");
            long d = Rig.RX_RING;
            assertEquals(f.length, rig.mem.readShort(d + 8), "length without the FCS (SECRC)");
            assertEquals(RXD_STAT_DD | RXD_STAT_EOP, rig.mem.readByte(d + 12) & 3);
            byte[] got = new byte[f.length];
            rig.mem.read(Rig.RX_BUFFERS, got, 0, got.length);
            assertArrayEquals(f, got);
            assertTrue(rig.intxAsserted());
            assertTrue((rig.reg(ICR) & ICR_RXT0) != 0);
            assertEquals(1, rig.reg(GPRC));
        }
    }

    @ParameterizedTest
    @EnumSource(Part.class)
    void withoutSecrcTheFcsIsStoredAndCounted(Part part) throws Exception {
        try (Rig rig = new Rig(part)) {
            NetPort peer = listen(rig, new LinkedBlockingQueue<>());
            rig.bringUp(0);
            rig.reg(RCTL, RCTL_EN | RCTL_BAM);
            byte[] f = frame(Rig.MAC, PEER, 0x88B5, 100);
            peer.transmit(f, 0, f.length);
            assertTrue(Rig.waitUntil(() -> rig.reg(RDH) == 1));
            assertEquals(f.length + 4, rig.mem.readShort(Rig.RX_RING + 8));
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(f);
            assertEquals((int) crc.getValue(), rig.mem.readInt(Rig.RX_BUFFERS + f.length), "FCS, little-endian");
        }
    }

    @ParameterizedTest
    @EnumSource(Part.class)
    void framesForOtherStationsAreFilteredUnlessPromiscuous(Part part) throws Exception {
        try (Rig rig = new Rig(part)) {
            NetPort peer = listen(rig, new LinkedBlockingQueue<>());
            rig.bringUp(0);
            byte[] other = frame(new byte[] {0x52, 0x54, 0, 0, 0, 9}, PEER, 0x88B5, 50);
            byte[] mine = frame(Rig.MAC, PEER, 0x88B5, 50);
            peer.transmit(other, 0, other.length);
            peer.transmit(mine, 0, mine.length);
            assertTrue(Rig.waitUntil(() -> rig.reg(RDH) == 1));
            assertEquals(mine[13] & 0xFF, rig.mem.readByte(Rig.RX_BUFFERS + 13));
            assertEquals(1, rig.reg(GPRC), "only the frame for this station");
            rig.reg(RCTL, RCTL_EN | RCTL_SECRC | RCTL_UPE);
            peer.transmit(other, 0, other.length);
            assertTrue(Rig.waitUntil(() -> rig.reg(RDH) == 2), "UPE: unicast promiscuous");
        }
    }

    @ParameterizedTest
    @EnumSource(Part.class)
    void multicastPassesThroughItsMulticastTableBit(Part part) throws Exception {
        try (Rig rig = new Rig(part)) {
            NetPort peer = listen(rig, new LinkedBlockingQueue<>());
            rig.bringUp(0);
            byte[] group = {0x01, 0x00, 0x5E, 0x00, 0x00, (byte) 0xFB};
            int hash = E1000Core.multicastHash(group, 0);
            assertEquals(0xFB0, hash, "MO=0: address bits 47:36");
            rig.reg(MTA + 4 * (hash >>> 5), 1 << (hash & 31));
            byte[] f = frame(group, PEER, 0x0800, 50);
            peer.transmit(f, 0, f.length);
            assertTrue(Rig.waitUntil(() -> rig.reg(RDH) == 1));
            assertEquals(1, rig.reg(MPRC));
        }
    }

    @ParameterizedTest
    @EnumSource(Part.class)
    void withNoFreeDescriptorTheFrameIsMissedAndRxoRaised(Part part) throws Exception {
        try (Rig rig = new Rig(part)) {
            NetPort peer = listen(rig, new LinkedBlockingQueue<>());
            rig.bringUp(0);
            rig.reg(RDT, 0); // RDH == RDT: the ring is empty for the MAC
            byte[] f = frame(Rig.MAC, PEER, 0x88B5, 50);
            peer.transmit(f, 0, f.length);
            assertTrue(Rig.waitUntil(() -> (rig.card.register(ICR) & ICR_RXO) != 0 || rig.reg(MPC) == 1));
            assertEquals(0, rig.reg(RDH));
        }
    }

    @ParameterizedTest
    @EnumSource(Part.class)
    void aLargeFrameSpansDescriptorsOfTheSelectedBufferSize(Part part) throws Exception {
        try (Rig rig = new Rig(part)) {
            NetPort peer = listen(rig, new LinkedBlockingQueue<>());
            rig.bringUp(0);
            rig.reg(RCTL, RCTL_EN | RCTL_SECRC | RCTL_BAM | 3 << RCTL_BSIZE_SHIFT); // 256-byte buffers
            byte[] f = frame(Rig.MAC, PEER, 0x88B5, 600);
            peer.transmit(f, 0, f.length);
            assertTrue(Rig.waitUntil(() -> rig.reg(RDH) == 3), "614 bytes in three 256-byte buffers");
            assertEquals(256, rig.mem.readShort(Rig.RX_RING + 8));
            assertEquals(0, rig.mem.readByte(Rig.RX_RING + 12) & RXD_STAT_EOP);
            assertEquals(614 - 512, rig.mem.readShort(Rig.RX_RING + 32 + 8));
            assertEquals(RXD_STAT_EOP, rig.mem.readByte(Rig.RX_RING + 32 + 12) & RXD_STAT_EOP);
        }
    }

    @Test
    void the82574LWritesExtendedReceiveDescriptorsWithChecksumStatus() throws Exception {
        try (Rig rig = new Rig(Part.I82574L)) {
            NetPort peer = listen(rig, new LinkedBlockingQueue<>());
            rig.bringUp(0);
            rig.reg(RFCTL, RFCTL_EXSTEN);
            rig.reg(RXCSUM, RXCSUM_IPOFL | RXCSUM_TUOFL);
            byte[] good = udpFrame(Rig.MAC, PEER, "hello e1000e".getBytes());
            byte[] bad = good.clone();
            bad[bad.length - 1] ^= 1;
            peer.transmit(good, 0, good.length);
            peer.transmit(bad, 0, bad.length);
            assertTrue(Rig.waitUntil(() -> rig.reg(RDH) == 2));
            int goodStatus = rig.mem.readInt(Rig.RX_RING + 8);
            assertEquals(60, rig.mem.readShort(Rig.RX_RING + 12), "length at offset 12: the frame padded to 60 bytes");
            assertEquals(RXD_STAT_DD | RXD_STAT_EOP | RXD_STAT_IPCS | RXD_STAT_UDPCS, goodStatus);
            int badStatus = rig.mem.readInt(Rig.RX_RING + 16 + 8);
            assertEquals(RXD_ERR_TCPE << RXDEXT_ERR_SHIFT, badStatus & 0xFF00_0000, "TCPE in bits 31:24");
        }
    }

    @ParameterizedTest
    @EnumSource(Part.class)
    void legacyReceiveReportsTheIpAndUdpChecksums(Part part) throws Exception {
        try (Rig rig = new Rig(part)) {
            NetPort peer = listen(rig, new LinkedBlockingQueue<>());
            rig.bringUp(0);
            rig.reg(RXCSUM, RXCSUM_IPOFL | RXCSUM_TUOFL);
            byte[] good = udpFrame(Rig.MAC, PEER, "legacy".getBytes());
            peer.transmit(good, 0, good.length);
            assertTrue(Rig.waitUntil(() -> rig.reg(RDH) == 1));
            assertEquals(RXD_STAT_DD | RXD_STAT_EOP | RXD_STAT_IPCS | RXD_STAT_TCPCS, rig.mem.readByte(Rig.RX_RING + 12));
            assertEquals(0, rig.mem.readByte(Rig.RX_RING + 13), "no errors");
        }
    }

    /**
     * Context and data descriptors with IXSM and TXSM: the driver zeroes the IP checksum and
     * seeds the UDP one with the pseudo-header sum; the MAC fills both in. tshark checks them.
     */
    @ParameterizedTest
    @EnumSource(Part.class)
    void contextAndDataDescriptorsInsertTheIpAndUdpChecksums(Part part) throws Exception {
        Tshark.assumeInstalled();
        Path capture = dir.resolve("offload.pcap");
        try (Rig rig = new Rig(part, hub -> {
            try {
                return new PcapBackend("cap", capture, hub);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        })) {
            BlockingQueue<byte[]> wire = new LinkedBlockingQueue<>();
            listen(rig, wire);
            rig.bringUp(0);
            byte[] f = udpFrame(PEER, Rig.MAC, "offloaded checksums".getBytes());
            byte[] expected = f.clone();
            f[24] = 0;
            f[25] = 0;
            long pseudo = Checksum.sum(f, 26, 8, 0) + 17 + (f.length - 34);
            int seed = Checksum.fold(pseudo);
            f[40] = (byte) (seed >>> 8);
            f[41] = (byte) seed;
            // context: IPCSS 14, IPCSO 24, IPCSE 33, TUCSS 34, TUCSO 40, TUCSE 0 (to the end)
            long setup = 14L | 24L << 8 | 33L << 16 | 34L << 32 | 40L << 40;
            long d0 = Rig.TX_RING;
            rig.mem.writeLong(d0, setup);
            rig.mem.writeInt(d0 + 8, TXD_CMD_DEXT | TXD_DTYP_C | (f.length - 34));
            rig.mem.writeInt(d0 + 12, 0);
            rig.queueTx(1, f, TXD_CMD_DEXT | TXD_DTYP_D | TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS,
                    TXD_POPTS_IXSM | TXD_POPTS_TXSM);
            rig.reg(TDT, 2);
            byte[] sent = wire.poll(5, TimeUnit.SECONDS);
            assertNotNull(sent);
            assertArrayEquals(expected, sent, "the checksums the MAC computed are the right ones");
            assertEquals(TXD_STAT_DD, rig.txStatus(1));
        }
        List<String> lines = Tshark.fields(capture, List.of("-o", "ip.check_checksum:TRUE", "-o",
                "udp.check_checksum:TRUE"), "ip.checksum.status", "udp.checksum.status");
        assertEquals(List.of("1,1"), lines, "tshark: IP and UDP checksums good (status 1)");
    }

    @ParameterizedTest
    @EnumSource(Part.class)
    void legacyIcInsertsAChecksumAtCsoFromCss(Part part) throws Exception {
        try (Rig rig = new Rig(part)) {
            BlockingQueue<byte[]> wire = new LinkedBlockingQueue<>();
            listen(rig, wire);
            rig.bringUp(0);
            byte[] f = udpFrame(PEER, Rig.MAC, "ic".getBytes());
            byte[] expected = f.clone();
            f[24] = 0;
            f[25] = 0;
            rig.queueTx(0, f, TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS | TXD_CMD_IC | 24 << 16, 14 << 8);
            rig.reg(TDT, 1);
            byte[] sent = wire.poll(5, TimeUnit.SECONDS);
            // CSS 14 to the end covers more than the IP header: check it is what that sum gives.
            int sum = ~Checksum.fold(Checksum.sum(f, 14, f.length - 14, 0)) & 0xFFFF;
            assertEquals(sum, (sent[24] & 0xFF) << 8 | (sent[25] & 0xFF));
            assertEquals(60, sent.length, "padded (PSP)");
        }
    }

    @ParameterizedTest
    @EnumSource(Part.class)
    void itrHoldsTheNextInterruptBackUntilTheIntervalHasPassed(Part part) throws Exception {
        try (Rig rig = new Rig(part)) {
            rig.bringUp(0);
            rig.reg(ITR, 0xFFFF); // 16.8 ms between interrupts
            rig.reg(IMS, ICR_TXQE);
            rig.reg(ICS, ICR_TXQE);
            assertTrue(rig.intxAsserted(), "the first interrupt goes out at once");
            rig.reg(ICR, -1);
            assertFalse(rig.intxAsserted());
            rig.reg(ICS, ICR_TXQE);
            assertFalse(rig.intxAsserted(), "the next one waits for the ITR interval");
            assertTrue(Rig.waitUntil(rig::intxAsserted), "and then comes from the board clock");
        }
    }

    @ParameterizedTest
    @EnumSource(Part.class)
    void imsAndImcMaskCausesAndIcsSetsThem(Part part) {
        try (Rig rig = new Rig(part)) {
            rig.bringUp(0);
            rig.reg(ICS, ICR_LSC);
            assertFalse(rig.intxAsserted(), "LSC masked");
            rig.reg(IMS, ICR_LSC);
            assertTrue(rig.intxAsserted());
            assertEquals(ICR_LSC, rig.reg(IMS));
            rig.reg(IMC, ICR_LSC);
            assertFalse(rig.intxAsserted());
            int icr = rig.reg(ICR);
            assertEquals(ICR_LSC, icr & ICR_LSC, "the cause stays in ICR while masked");
        }
    }

    @ParameterizedTest
    @EnumSource(Part.class)
    void statusShowsLinkUpAt1000FullDuplexAndThePhyAgrees(Part part) {
        try (Rig rig = new Rig(part)) {
            rig.enable();
            int status = rig.reg(STATUS);
            assertEquals(STATUS_LU | STATUS_FD | STATUS_SPEED_1000, status & (STATUS_LU | STATUS_FD | 3 << 6));
            rig.reg(MDIC, MDIC_OP_READ | PHY_ADDRESS << MDIC_PHY_SHIFT | MII_BMSR << MDIC_REG_SHIFT);
            int mdic = rig.reg(MDIC);
            assertTrue((mdic & MDIC_READY) != 0);
            assertTrue((mdic & MII_BMSR_LINK_ST) != 0, "BMSR link status");
            rig.reg(MDIC, MDIC_OP_READ | PHY_ADDRESS << MDIC_PHY_SHIFT | MII_PHYID2 << MDIC_REG_SHIFT);
            assertEquals(part.phyId2, rig.reg(MDIC) & 0xFFFF);
            rig.reg(MDIC, MDIC_OP_READ | 2 << MDIC_PHY_SHIFT | MII_BMSR << MDIC_REG_SHIFT);
            assertTrue((rig.reg(MDIC) & MDIC_ERROR) != 0, "no PHY at address 2");
        }
    }

    @Test
    void withoutACableTheLinkIsDown() {
        try (Rig rig = new Rig(Part.I82540EM, hub -> null)) {
            rig.enable();
            assertEquals(0, rig.reg(STATUS) & STATUS_LU);
        }
    }

    @ParameterizedTest
    @EnumSource(Part.class)
    void theIoWindowReachesTheSameRegisters(Part part) {
        try (Rig rig = new Rig(part)) {
            rig.enable();
            rig.io.outl(Rig.IO + IOADDR, RAL0);
            assertEquals(rig.reg(RAL0), rig.io.inl(Rig.IO + IODATA));
            rig.io.outl(Rig.IO + IOADDR, IMS);
            rig.io.outl(Rig.IO + IODATA, ICR_RXT0);
            assertEquals(ICR_RXT0, rig.reg(IMS));
            assertEquals(IMS, rig.io.inl(Rig.IO + IOADDR));
        }
    }

    @ParameterizedTest
    @EnumSource(Part.class)
    void garbageRingsAreGuestErrorsAndTheModelKeepsGoing(Part part) throws Exception {
        try (Rig rig = new Rig(part)) {
            BlockingQueue<byte[]> wire = new LinkedBlockingQueue<>();
            NetPort peer = listen(rig, wire);
            rig.bringUp(0);
            rig.reg(TDLEN, 0);
            rig.reg(TDT, 5);
            rig.reg(TDLEN, Rig.RING * 16);
            rig.reg(TDH, 0);
            rig.reg(TDT, 0);
            // a descriptor pointing outside RAM, with a length that cannot be, then a good one
            long d = Rig.TX_RING;
            rig.mem.writeLong(d, 0xFFFF_FFFF_0000L);
            rig.mem.writeInt(d + 8, TXD_CMD_EOP | TXD_CMD_RS | 0xFFFF);
            rig.mem.writeInt(d + 12, 0);
            byte[] f = frame(PEER, Rig.MAC, 0x88B5, 64);
            rig.queueTx(1, f);
            rig.reg(TDT, 2);
            byte[] first = wire.poll(5, TimeUnit.SECONDS);
            assertNotNull(first);
            assertEquals(0xFFFF, first.length, "open bus reads all ones");
            assertArrayEquals(f, wire.poll(5, TimeUnit.SECONDS));
            rig.reg(RDBAL, 0xFFFF_0000);
            rig.reg(RDBAH, 0x7FFF_FFFF);
            byte[] in = frame(Rig.MAC, PEER, 0x88B5, 64);
            peer.transmit(in, 0, in.length);
            assertTrue(Rig.waitUntil(() -> rig.reg(RDH) == 1), "written to nowhere, the ring still moves");
            assertTrue(rig.card.guestErrors() > 0);
        }
    }
}
