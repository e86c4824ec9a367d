package org.alosj.net.impl.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each format against bytes real peers sent, and against the malformations its parser must refuse. */
class WireFormatsTest {
    /**
     * A Linux SYN on loopback (curl to 127.0.0.1:18081), as tshark captured it. Loopback offloads
     * the TCP checksum: the field holds only the pseudo-header sum, as a NIC would get it.
     */
    static final byte[] LINUX_SYN = HexFormat.of().parseHex(
            "000000000000000000000000080045000" + "03ca2bf40004006" + "99fa7f0000017f000001" + "83dc46a10ab57e9000000000a002"
                    + "ffd7fe3000000204ffd70402080a8fd8c18f0000000001030"
                    + "30a");
    /** dnsmasq's answer to "www.example.test A" with a CNAME, name compressed by pointer. */
    static final byte[] DNSMASQ_CNAME = HexFormat.of().parseHex("12348580000100010000000003777777076578616d706c6504746573"
            + "740000010001c00c0005000100000000000e076578616d706c65047465737400");
    /** dnsmasq refusing (rcode 5) a name it has no upstream for. */
    static final byte[] DNSMASQ_REFUSED = HexFormat.of().parseHex(
            "432181850001000000000000066e6f7375636807696e76616c69640000010001");

    /** The captured SYN with the checksum completed, as the NIC would have sent it. */
    static byte[] linuxSynOnTheWire() {
        byte[] b = LINUX_SYN.clone();
        int len = b.length - 34;
        Bytes.put16(b, 50, 0);
        Bytes.put16(b, 50, Checksum.finish(Checksum.add(Checksum.pseudoHeader(0x7f000001, 0x7f000001, 6, len), b, 34, len)));
        return b;
    }

    @Test
    void a_captured_syn_with_an_offloaded_checksum_is_refused() {
        assertThrows(MalformedPacketException.class, () -> TcpHeader.parse(LINUX_SYN, 34, LINUX_SYN.length - 34,
                0x7f000001, 0x7f000001));
    }

    @Test
    void a_real_linux_syn_parses_with_its_mss_window_scale_and_sack_permitted() throws Exception {
        byte[] LINUX_SYN = linuxSynOnTheWire();
        EthernetFrame eth = EthernetFrame.parse(LINUX_SYN, 0, LINUX_SYN.length);
        assertEquals(EthernetFrame.ETHERTYPE_IPV4, eth.etherType());
        Ipv4Header ip = Ipv4Header.parse(LINUX_SYN, 14, LINUX_SYN.length - 14);
        assertEquals(Ipv4Header.PROTO_TCP, ip.protocol());
        assertTrue(ip.dontFragment());
        TcpHeader tcp = TcpHeader.parse(LINUX_SYN, 34, ip.payloadLength(), ip.source(), ip.destination());
        assertEquals(33756, tcp.sourcePort());
        assertEquals(18081, tcp.destinationPort());
        assertEquals(TcpHeader.SYN, tcp.flags());
        assertEquals(65495, tcp.mss());
        assertEquals(10, tcp.windowScale());
        assertTrue(tcp.sackPermitted());
        assertEquals(40, tcp.headerLength());
    }

    @Test
    void a_tcp_header_we_emit_parses_back_identically() throws Exception {
        TcpHeader h = new TcpHeader(1234, 80, 0x80000001, 42, TcpHeader.SYN | TcpHeader.ACK, 65535, 0, 28, 1460, 7, false);
        byte[] b = new byte[28 + 5];
        b[28] = 'h';
        h.emit(b, 0, 5, 0x0a000001, 0x0a000002);
        assertEquals(h, TcpHeader.parse(b, 0, b.length, 0x0a000001, 0x0a000002));
    }

    @Test
    void sack_permitted_and_sack_blocks_round_trip_nop_padded_rfc2018() throws Exception {
        TcpHeader syn = new TcpHeader(1234, 80, 7, 0, TcpHeader.SYN, 65535, 0, 32, 1460, 3, true);
        assertEquals(32, syn.length(), "MSS 4 + NOP,WS 4 + NOP,NOP,SACK-permitted 4");
        byte[] b = new byte[syn.length()];
        syn.emit(b, 0, 0, 0x0a000001, 0x0a000002);
        assertArrayEquals(new byte[] {1, 1, 4, 2}, java.util.Arrays.copyOfRange(b, 28, 32));
        assertEquals(syn, TcpHeader.parse(b, 0, b.length, 0x0a000001, 0x0a000002));

        int[] blocks = {0xfffffff0, 0x10, 100, 200, 300, 400, 500, 600};
        TcpHeader ack = new TcpHeader(80, 1234, 1, 0xffffff00, TcpHeader.ACK, 512, 0, 56, -1, -1, false)
                .withSackBlocks(blocks);
        assertEquals(4, ack.sackBlockCount());
        assertEquals(56, ack.length(), "20 + NOP,NOP,kind,len + 4 blocks of 8");
        byte[] a = new byte[ack.length() + 3];
        ack.emit(a, 0, 3, 0x0a000002, 0x0a000001);
        assertEquals(TcpHeader.OPT_SACK, a[22]);
        assertEquals(34, a[23]);
        TcpHeader back = TcpHeader.parse(a, 0, a.length, 0x0a000002, 0x0a000001);
        assertEquals(ack, back);
        assertArrayEquals(blocks, back.sackBlocks());
    }

    @Test
    void sack_blocks_are_cut_to_what_fits_beside_the_other_options() {
        int[] five = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        TcpHeader bare = new TcpHeader(1, 2, 0, 0, TcpHeader.ACK, 0, 0, 20, -1, -1, false).withSackBlocks(five);
        assertEquals(4, bare.sackBlockCount(), "four blocks at most (RFC 2018 3)");
        TcpHeader withOptions = new TcpHeader(1, 2, 0, 0, TcpHeader.ACK, 0, 0, 20, 1460, 7, true).withSackBlocks(five);
        assertEquals(3, withOptions.sackBlockCount(), "12 bytes of other options leave room for three");
        assertTrue(withOptions.length() <= 60);
        assertNull(bare.withSackBlocks(null).sackBlocks());
    }

    /** An ACK whose options are {@code options} (a multiple of 4 bytes), checksummed. */
    static byte[] ackWithOptions(int... options) {
        byte[] b = new byte[20 + options.length];
        new TcpHeader(80, 1234, 1, 2, TcpHeader.ACK, 512, 0, 20, -1, -1, false).emit(b, 0, 0, 1, 2);
        for (int i = 0; i < options.length; i++) {
            b[20 + i] = (byte) options[i];
        }
        b[12] = (byte) ((b.length / 4) << 4);
        Bytes.put16(b, 16, 0);
        Bytes.put16(b, 16, Checksum.finish(Checksum.add(Checksum.pseudoHeader(1, 2, 6, b.length), b, 0, b.length)));
        return b;
    }

    @Test
    void a_sack_option_of_a_wrong_length_is_ignored_and_the_ack_kept() throws Exception {
        // length 11: not 2 + 8n
        byte[] odd = ackWithOptions(5, 11, 0, 0, 0, 1, 0, 0, 0, 2, 9, 1);
        TcpHeader h = TcpHeader.parse(odd, 0, odd.length, 1, 2);
        assertNull(h.sackBlocks());
        assertEquals(2, h.ack());
        // length 2: no block at all
        assertNull(TcpHeader.parse(ackWithOptions(1, 1, 5, 2), 0, 24, 1, 2).sackBlocks());
        // SACK-permitted must be 2 bytes long
        assertFalse(TcpHeader.parse(ackWithOptions(4, 3, 0, 1), 0, 24, 1, 2).sackPermitted());
        // a length running past the header is malformed, as for every option
        assertThrows(MalformedPacketException.class, () -> TcpHeader.parse(ackWithOptions(1, 1, 5, 10), 0, 24, 1, 2));
    }

    @Test
    void one_flipped_bit_fails_the_tcp_checksum() {
        byte[] b = linuxSynOnTheWire();
        b[52] ^= 1;
        MalformedPacketException e = assertThrows(MalformedPacketException.class,
                () -> TcpHeader.parse(b, 34, b.length - 34, 0x7f000001, 0x7f000001));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void tcp_options_whose_length_runs_past_the_header_are_refused() {
        byte[] b = new byte[24];
        b[12] = (byte) 0x60;
        b[20] = TcpHeader.OPT_MSS;
        b[21] = 40; // claims 40 bytes in a 4-byte option area
        fixTcpChecksum(b);
        assertThrows(MalformedPacketException.class, () -> TcpHeader.parse(b, 0, b.length, 1, 2));
        b[21] = 0; // a zero length would loop forever if trusted
        fixTcpChecksum(b);
        assertThrows(MalformedPacketException.class, () -> TcpHeader.parse(b, 0, b.length, 1, 2));
    }

    @Test
    void a_data_offset_beyond_the_segment_is_refused() {
        byte[] b = new byte[20];
        b[12] = (byte) 0xf0;
        assertThrows(MalformedPacketException.class, () -> TcpHeader.parse(b, 0, b.length, 1, 2));
    }

    static void fixTcpChecksum(byte[] b) {
        Bytes.put16(b, 16, 0);
        Bytes.put16(b, 16, Checksum.finish(Checksum.add(Checksum.pseudoHeader(1, 2, 6, b.length), b, 0, b.length)));
    }

    @Test
    void ethernet_frames_shorter_than_60_bytes_are_accepted_as_passt_sends_them() throws Exception {
        byte[] arp = new byte[14 + 28];
        new EthernetFrame(EthernetFrame.BROADCAST, 0x525400000001L, EthernetFrame.ETHERTYPE_ARP).emit(arp, 0);
        new ArpPacket(ArpPacket.REQUEST, 0x525400000001L, 0x0a000001, 0, 0x0a000002).emit(arp, 14);
        assertEquals(ArpPacket.REQUEST, ArpPacket.parse(arp, 14, 28).operation());
        assertEquals(0x525400000001L, EthernetFrame.parse(arp, 0, arp.length).source());
    }

    @Test
    void ipv4_refuses_a_total_length_beyond_what_arrived_and_ignores_trailing_padding() throws Exception {
        byte[] b = new byte[60];
        new Ipv4Header(20, 0, 28, 1, false, false, 0, 64, 17, 1, 2).emit(b, 0);
        assertEquals(28, Ipv4Header.parse(b, 0, 60).totalLength()); // 32 bytes of Ethernet padding ignored
        assertThrows(MalformedPacketException.class, () -> Ipv4Header.parse(b, 0, 27));
        b[0] = 0x46; // IHL 24 makes the checksum wrong and needs options
        assertThrows(MalformedPacketException.class, () -> Ipv4Header.parse(b, 0, 60));
    }

    @Test
    void icmp_echo_round_trips_with_its_checksum() throws Exception {
        byte[] b = new byte[8 + 4];
        b[8] = 1;
        new IcmpMessage(IcmpMessage.ECHO_REQUEST, 0, IcmpMessage.echoRest(7, 9)).emit(b, 0, 4);
        IcmpMessage m = IcmpMessage.parse(b, 0, b.length);
        assertEquals(7, m.identifier());
        assertEquals(9, m.sequence());
        b[9] = 5;
        assertThrows(MalformedPacketException.class, () -> IcmpMessage.parse(b, 0, b.length));
    }

    @Test
    void udp_refuses_a_length_field_longer_than_the_ip_payload() {
        byte[] b = new byte[12];
        new UdpHeader(1, 2, 12).emit(b, 0, 5, 6);
        Bytes.put16(b, 4, 13);
        assertThrows(MalformedPacketException.class, () -> UdpHeader.parse(b, 0, 12, 5, 6));
    }

    @Test
    void dnsmasq_cname_answer_parses_through_its_compression_pointer() throws Exception {
        DnsMessage m = DnsMessage.parse(DNSMASQ_CNAME, 0, DNSMASQ_CNAME.length);
        assertEquals(0x1234, m.id());
        assertTrue(m.isResponse());
        assertEquals("www.example.test", m.questions().get(0).name());
        DnsMessage.Record r = m.answers().get(0);
        assertEquals("www.example.test", r.name());
        assertEquals(DnsMessage.TYPE_CNAME, r.type());
        assertEquals("example.test", r.target());
        assertEquals(5, DnsMessage.parse(DNSMASQ_REFUSED, 0, DNSMASQ_REFUSED.length).rcode());
    }

    @Test
    void dns_compression_pointers_that_loop_or_point_forward_are_refused() {
        byte[] self = HexFormat.of().parseHex("000181800001000000000000c00c00010001");
        MalformedPacketException e = assertThrows(MalformedPacketException.class,
                () -> DnsMessage.parse(self, 0, self.length));
        assertTrue(e.getMessage().contains("loop") || e.getMessage().contains("backwards"), e.getMessage());
        // two pointers pointing at each other: 12 -> 14 and 14 -> 12
        byte[] pair = HexFormat.of().parseHex("000181800001000000000000c00ec00c00010001");
        assertThrows(MalformedPacketException.class, () -> DnsMessage.parse(pair, 0, pair.length));
    }

    @Test
    void a_dns_name_longer_than_255_bytes_is_refused() {
        StringBuilder hex = new StringBuilder("000181800001000000000000");
        for (int i = 0; i < 5; i++) {
            hex.append("3f").append("61".repeat(63));
        }
        hex.append("0000010001");
        byte[] b = HexFormat.of().parseHex(hex);
        assertThrows(MalformedPacketException.class, () -> DnsMessage.parse(b, 0, b.length));
    }

    @Test
    void dhcp_offer_with_passt_like_options_round_trips_and_infinite_lease_is_kept() throws Exception {
        DhcpMessage offer = new DhcpMessage(DhcpMessage.BOOTREPLY, 99, true, 0, 0xc0000202, 0, 0x525400123456L,
                DhcpMessage.OFFER, 0xc0000201, 0, 0xffffff00, List.of(0xc0000201), List.of(0xc0000201),
                DhcpMessage.INFINITE, -1, -1, 65520);
        byte[] b = new byte[offer.length()];
        offer.emit(b, 0);
        DhcpMessage p = DhcpMessage.parse(b, 0, b.length);
        assertEquals(0xc0000202, p.yiaddr());
        assertEquals(DhcpMessage.INFINITE, p.leaseSeconds());
        assertEquals(65520, p.mtu());
        assertEquals(List.of(0xc0000201), p.routers());
        assertEquals(DhcpMessage.OFFER, p.messageType());
    }

    @Test
    void dhcp_options_running_past_the_end_are_refused() {
        DhcpMessage m = DhcpMessage.request(DhcpMessage.DISCOVER, 1, 2, 0, 0, 0, true);
        byte[] b = new byte[m.length()];
        m.emit(b, 0);
        b[240 + 3] = 3; // after message type: a router option...
        b[240 + 4] = (byte) 200; // ...claiming 200 bytes
        assertThrows(MalformedPacketException.class, () -> DhcpMessage.parse(b, 0, 250));
        assertFalse(b.length < 240);
    }
}
