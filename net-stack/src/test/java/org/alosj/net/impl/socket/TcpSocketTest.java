package org.alosj.net.impl.socket;

import static org.alosj.net.impl.wire.TcpHeader.ACK;
import static org.alosj.net.impl.wire.TcpHeader.FIN;
import static org.alosj.net.impl.wire.TcpHeader.PSH;
import static org.alosj.net.impl.wire.TcpHeader.RST;
import static org.alosj.net.impl.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.alosj.net.impl.wire.TcpHeader;
import org.junit.jupiter.api.Test;

/**
 * The TCP state machine driven with exact segments at exact times, smoltcp style: {@code recv}
 * feeds a segment in, {@code sent} says what came out.
 */
class TcpSocketTest {
    static final long MS = TcpConfig.MS;
    static final int LOCAL = 0x0a000001;
    static final int REMOTE = 0x0a000002;
    static final int ISS = 1000;
    static final int IRS = 5000;
    static final TcpConfig CONFIG = TcpConfig.defaults().withBuffers(64 * 1024, 64 * 1024).withMsl(1000 * MS);

    record Seg(TcpHeader h, byte[] data) {
        int flags() {
            return h.flags();
        }
    }

    final List<Seg> out = new ArrayList<>();
    /** Bytes sent so far (SND.MAX) as an offset from ISS + 1, from what the socket put out. */
    int highestSent;
    long now = 0;
    TcpSocket s;

    final TcpSocket.Output sink = (sock, h, data, off, len) -> {
        if (len > 0 && h.seq() + len - ISS - 1 > highestSent) {
            highestSent = h.seq() + len - ISS - 1;
        }
        byte[] d = new byte[len];
        if (len > 0) {
            data.peek(off, d, 0, len);
        }
        out.add(new Seg(h, d));
    };

    List<Seg> sent() {
        s.dispatch(now, sink);
        List<Seg> copy = new ArrayList<>(out);
        out.clear();
        return copy;
    }

    Seg sentOne() {
        List<Seg> l = sent();
        assertEquals(1, l.size(), "expected one segment, got " + l);
        return l.get(0);
    }

    void recv(int seq, int ack, int flags, int window, byte[] data) {
        recv(new TcpHeader(80, 49152, seq, ack, flags, window, 0, 20, -1, -1, false), data);
    }

    void recv(TcpHeader h, byte[] data) {
        s.process(now, h, data, 0, data.length);
    }

    static final byte[] NONE = new byte[0];

    /** An established connection: we connected, ISS 1000, the peer's ISS 5000, MSS 1000, no window scaling. */
    void established() {
        s = TcpSocket.connect(CONFIG, LOCAL, 49152, REMOTE, 80, ISS, 1460, now);
        Seg syn = sentOne();
        assertEquals(SYN, syn.flags());
        recv(new TcpHeader(80, 49152, IRS, ISS + 1, SYN | ACK, 8000, 0, 24, 1000, -1, false), NONE);
        assertEquals(TcpSocket.State.ESTABLISHED, s.state());
        Seg ack = sentOne();
        assertEquals(ACK, ack.flags());
        assertEquals(IRS + 1, ack.h().ack());
    }

    @Test
    void active_open_sends_syn_with_mss_and_window_scale_then_acks_the_syn_ack() {
        s = TcpSocket.connect(CONFIG, LOCAL, 49152, REMOTE, 80, ISS, 1460, now);
        Seg syn = sentOne();
        assertEquals(SYN, syn.flags());
        assertEquals(ISS, syn.h().seq());
        assertEquals(1460, syn.h().mss());
        assertEquals(CONFIG.windowScale(), syn.h().windowScale());
        recv(new TcpHeader(80, 49152, IRS, ISS + 1, SYN | ACK, 1024, 0, 28, 1200, 4, false), NONE);
        assertEquals(TcpSocket.State.ESTABLISHED, s.state());
        assertEquals(1200, s.sendMss());
        assertEquals(4, s.sendWindowShift());
        recv(IRS + 1, ISS + 1, ACK, 1024, NONE);
        assertEquals(1024 << 4, s.sendWindow()); // RFC 7323: scaled once both SYNs carried the option
    }

    @Test
    void passive_open_answers_syn_with_syn_ack_and_establishes_on_the_ack() {
        TcpHeader syn = new TcpHeader(49152, 80, IRS, 0, SYN, 65535, 0, 24, 1460, -1, false);
        s = TcpSocket.accept(CONFIG, LOCAL, REMOTE, syn, ISS, 1460, now);
        Seg synAck = sentOne();
        assertEquals(SYN | ACK, synAck.flags());
        assertEquals(IRS + 1, synAck.h().ack());
        assertEquals(-1, synAck.h().windowScale(), "no window scale offered when the SYN had none");
        s.process(now, new TcpHeader(49152, 80, IRS + 1, ISS + 1, ACK, 65535, 0, 20, -1, -1, false), NONE, 0, 0);
        assertEquals(TcpSocket.State.ESTABLISHED, s.state());
    }

    @Test
    void a_lost_syn_is_sent_again_after_the_initial_rto_of_one_second() {
        s = TcpSocket.connect(CONFIG, LOCAL, 49152, REMOTE, 80, ISS, 1460, now);
        sentOne();
        assertEquals(1000 * MS, s.pollAt());
        now = 1000 * MS;
        Seg again = sentOne();
        assertEquals(SYN, again.flags());
        assertEquals(ISS, again.h().seq());
        assertEquals(now + 2000 * MS, s.pollAt(), "RFC 6298 5.5: the RTO doubles");
    }

    @Test
    void rst_for_our_syn_means_connection_refused() {
        s = TcpSocket.connect(CONFIG, LOCAL, 49152, REMOTE, 80, ISS, 1460, now);
        sentOne();
        recv(0, ISS + 1, RST | ACK, 0, NONE);
        assertEquals(TcpSocket.State.CLOSED, s.state());
        assertEquals("connection refused", s.error());
    }

    @Test
    void one_data_segment_is_acked_after_the_delayed_ack_time_two_at_once() {
        established();
        recv(IRS + 1, ISS + 1, ACK | PSH, 8000, "hello".getBytes());
        assertEquals(List.of(), sent());
        assertEquals(now + CONFIG.delayedAck(), s.pollAt());
        now += CONFIG.delayedAck();
        Seg ack = sentOne();
        assertEquals(IRS + 6, ack.h().ack());
        recv(IRS + 6, ISS + 1, ACK, 8000, new byte[1000]);
        recv(IRS + 1006, ISS + 1, ACK, 8000, new byte[1000]);
        assertEquals(IRS + 2006, sentOne().h().ack());
        byte[] got = new byte[5];
        assertEquals(5, s.recv(got, 0, 5));
        assertArrayEquals("hello".getBytes(), got);
    }

    @Test
    void within_a_receive_batch_in_order_data_is_acked_at_its_end_or_every_stretch_segments() {
        established();
        for (int i = 0; i < 5; i++) {
            s.holdAcks(true);
            recv(IRS + 1 + i * 1000, ISS + 1, ACK, 8000, new byte[1000]);
            assertEquals(List.of(), sent(), "segment " + i + " of the batch");
        }
        s.endAckHold();
        assertEquals(IRS + 5001, sentOne().h().ack(), "one ACK for the batch");

        int seq = IRS + 5001;
        List<Integer> acks = new ArrayList<>();
        for (int i = 0; i < 2 * TcpSocket.STRETCH_ACK_SEGMENTS; i++) {
            s.holdAcks(true);
            recv(seq, ISS + 1, ACK, 8000, new byte[1000]);
            seq += 1000;
            sent().forEach(a -> acks.add(a.h().ack()));
        }
        int stretch = TcpSocket.STRETCH_ACK_SEGMENTS * 1000;
        assertEquals(List.of(IRS + 5001 + stretch, IRS + 5001 + 2 * stretch), acks, "a long batch: every 16 segments");
        s.endAckHold();
        assertEquals(List.of(), sent(), "nothing left to acknowledge");

        s.holdAcks(true);
        recv(seq, ISS + 1, ACK, 8000, new byte[1000]);
        s.endAckHold();
        assertEquals(List.of(), sent(), "one segment: the delayed ACK, as outside batches");
        assertEquals(now + CONFIG.delayedAck(), s.pollAt());

        s.holdAcks(true);
        recv(seq + 2000, ISS + 1, ACK, 8000, new byte[1000]);
        assertEquals(seq + 1000, sentOne().h().ack(), "out-of-order data is acknowledged at once in a batch too");
    }

    @Test
    void out_of_order_data_is_acked_at_once_and_delivered_when_the_hole_fills() {
        established();
        recv(IRS + 4, ISS + 1, ACK, 8000, "def".getBytes());
        assertEquals(IRS + 1, sentOne().h().ack(), "duplicate ACK for the hole");
        assertEquals(0, s.readable());
        recv(IRS + 1, ISS + 1, ACK, 8000, "abc".getBytes());
        assertEquals(IRS + 7, sentOne().h().ack());
        byte[] got = new byte[6];
        assertEquals(6, s.recv(got, 0, 6));
        assertArrayEquals("abcdef".getBytes(), got);
    }

    @Test
    void a_segment_outside_the_window_gets_an_ack_and_is_dropped() {
        established();
        recv(IRS + 1 + 70_000, ISS + 1, ACK, 8000, "x".getBytes());
        assertEquals(IRS + 1, sentOne().h().ack());
        assertEquals(0, s.readable());
    }

    @Test
    void rst_with_the_exact_sequence_number_resets_the_connection() {
        established();
        recv(IRS + 1, 0, RST, 0, NONE);
        assertEquals(TcpSocket.State.CLOSED, s.state());
        assertEquals("connection reset by peer", s.error());
    }

    @Test
    void rst_in_the_window_but_not_exact_gets_a_challenge_ack_rfc5961() {
        established();
        recv(IRS + 100, 0, RST, 0, NONE);
        assertEquals(TcpSocket.State.ESTABLISHED, s.state());
        Seg challenge = sentOne();
        assertEquals(ACK, challenge.flags());
        assertEquals(IRS + 1, challenge.h().ack());
    }

    @Test
    void syn_on_an_established_connection_gets_a_challenge_ack() {
        established();
        recv(IRS + 1, 0, SYN, 8000, NONE);
        assertEquals(TcpSocket.State.ESTABLISHED, s.state());
        assertEquals(ACK, sentOne().flags());
    }

    @Test
    void an_ack_for_data_never_sent_is_answered_with_an_ack_and_ignored() {
        established();
        recv(IRS + 1, ISS + 500, ACK, 8000, NONE);
        Seg a = sentOne();
        assertEquals(ISS + 1, a.h().seq());
        assertEquals(TcpSocket.State.ESTABLISHED, s.state());
    }

    @Test
    void unacked_data_is_retransmitted_when_the_rto_expires() {
        established();
        s.send("data".getBytes(), 0, 4);
        Seg first = sentOne();
        assertEquals(ISS + 1, first.h().seq());
        assertArrayEquals("data".getBytes(), first.data());
        now = s.pollAt();
        Seg again = sentOne();
        assertEquals(ISS + 1, again.h().seq());
        assertArrayEquals("data".getBytes(), again.data());
        assertEquals(1, s.retransmissions());
    }

    @Test
    void three_duplicate_acks_trigger_fast_retransmit_of_the_first_unacked_segment() {
        established();
        byte[] data = new byte[5000];
        s.send(data, 0, data.length);
        List<Seg> burst = sent();
        assertEquals(5, burst.size(), "5 segments of MSS 1000 fit the initial window");
        recv(IRS + 1, ISS + 1001, ACK, 8000, NONE); // first one arrived
        sent();
        for (int i = 0; i < 3; i++) {
            recv(IRS + 1, ISS + 1001, ACK, 8000, NONE);
        }
        Seg re = sentOne();
        assertEquals(ISS + 1001, re.h().seq());
        assertEquals(1000, re.data().length);
    }

    /** Established, the peer's window opened to 30 000, ten 1000-byte segments in flight (the IW), 2000 bytes unsent. */
    private List<Seg> tenSegmentsInFlightTwoMoreQueued() {
        established();
        recv(IRS + 1, ISS + 1, ACK, 30000, NONE);
        sent();
        byte[] data = new byte[12000];
        s.send(data, 0, data.length);
        List<Seg> burst = sent();
        assertEquals(10, burst.size(), "the initial window is 10 segments");
        return burst;
    }

    @Test
    void the_first_two_duplicate_acks_send_new_data_limited_transmit_rfc3042() {
        tenSegmentsInFlightTwoMoreQueued();
        recv(IRS + 1, ISS + 1, ACK, 30000, NONE);
        Seg first = sentOne();
        assertEquals(ISS + 1 + 10000, first.h().seq(), "new data, not a retransmission");
        assertEquals(1000, first.data().length);
        recv(IRS + 1, ISS + 1, ACK, 30000, NONE);
        assertEquals(ISS + 1 + 11000, sentOne().h().seq());
        recv(IRS + 1, ISS + 1, ACK, 30000, NONE);
        Seg re = sentOne();
        assertEquals(ISS + 1, re.h().seq(), "the third duplicate: fast retransmit");
        assertEquals(0, s.timeouts());
    }

    @Test
    void with_two_segments_in_flight_one_duplicate_ack_retransmits_early_retransmit_rfc5827() {
        established();
        byte[] data = new byte[2000];
        s.send(data, 0, data.length);
        assertEquals(2, sent().size());
        recv(IRS + 1, ISS + 1, ACK, 8000, NONE); // the second segment arrived, the first not
        Seg re = sentOne();
        assertEquals(ISS + 1, re.h().seq());
        assertEquals(1000, re.data().length);
        assertEquals(0, s.timeouts());
    }

    @Test
    void a_lost_fast_retransmission_is_sent_again_when_duplicates_still_come_an_rtt_later() {
        tenSegmentsInFlightTwoMoreQueued(); // SRTT 0 (the SYN-ACK came at once): the allowance is 1 ms
        for (int i = 0; i < 3; i++) {
            recv(IRS + 1, ISS + 1, ACK, 30000, NONE);
            sent();
        }
        assertEquals(1, s.retransmissions(), "fast retransmit");
        now += MS / 2;
        recv(IRS + 1, ISS + 1, ACK, 30000, NONE);
        assertTrue(sent().stream().noneMatch(x -> x.h().seq() == ISS + 1), "within the RTT: no second copy yet");
        now += 2 * MS;
        recv(IRS + 1, ISS + 1, ACK, 30000, NONE);
        assertTrue(sent().stream().anyMatch(x -> x.h().seq() == ISS + 1 && x.data().length == 1000),
                "duplicates an RTT after the retransmission: it was lost, sent again");
        assertEquals(2, s.retransmissions());
        assertEquals(0, s.timeouts());
    }

    @Test
    void duplicates_of_data_sent_twice_after_a_timeout_start_no_fast_retransmit_rfc6582() {
        tenSegmentsInFlightTwoMoreQueued();
        now = s.pollAt();
        Seg again = sentOne();
        assertEquals(ISS + 1, again.h().seq(), "the timeout sends SND.UNA again with cwnd 1");
        assertEquals(1, s.timeouts());
        // The peer had the rest: it ACKs the hole and then sees duplicates of what it holds.
        recv(IRS + 1, ISS + 1 + 1000, ACK, 30000, NONE);
        sent();
        for (int i = 0; i < 4; i++) {
            recv(IRS + 1, ISS + 1 + 1000, ACK, 30000, NONE);
        }
        sent();
        assertEquals(0, s.fastRetransmits(), "no fast retransmit below the recovery point");
    }

    @Test
    void while_a_hole_is_open_reads_do_not_change_the_window_so_acks_stay_duplicates() {
        established();
        byte[] seg = new byte[1000];
        recv(IRS + 1, ISS + 1, ACK, 8000, seg); // in order
        recv(IRS + 1 + 2000, ISS + 1, ACK, 8000, seg); // a hole before it
        Seg dup1 = sentOne();
        assertEquals(IRS + 1001, dup1.h().ack());
        assertEquals(1000, s.recv(new byte[4000], 0, 4000), "the application reads the in-order part");
        assertEquals(0, sent().size(), "no window update while the hole is open");
        recv(IRS + 1 + 3000, ISS + 1, ACK, 8000, seg);
        Seg dup2 = sentOne();
        assertEquals(IRS + 1001, dup2.h().ack());
        assertEquals(dup1.h().window(), dup2.h().window(), "equal windows: a duplicate ACK (RFC 5681)");
        recv(IRS + 1 + 1000, ISS + 1, ACK, 8000, seg); // the hole fills
        Seg full = sentOne();
        assertEquals(IRS + 4001, full.h().ack());
        assertEquals(64 * 1024 - 3000, full.h().window(), "the window follows the buffer again (3000 unread)");
    }

    // ---- SACK (RFC 2018) and its recovery (RFC 6675) ----------------------------------------

    /** As {@link #established}, but the peer's SYN-ACK carried SACK-permitted: both ends agree on SACK. */
    void establishedWithSack() {
        s = TcpSocket.connect(CONFIG, LOCAL, 49152, REMOTE, 80, ISS, 1460, now);
        Seg syn = sentOne();
        assertTrue(syn.h().sackPermitted(), "our SYN offers SACK");
        recv(new TcpHeader(80, 49152, IRS, ISS + 1, SYN | ACK, 8000, 0, 28, 1000, -1, true), NONE);
        assertTrue(s.sackPermitted());
        sentOne();
    }

    /** A pure ACK from the peer carrying SACK blocks (pairs of offsets from ISS + 1). */
    void recvSack(int ack, int window, int... blocks) {
        int[] abs = new int[blocks.length];
        for (int i = 0; i < blocks.length; i++) {
            abs[i] = ISS + 1 + blocks[i];
        }
        recv(new TcpHeader(80, 49152, IRS + 1, ISS + 1 + ack, ACK, window, 0, 20, -1, -1, false).withSackBlocks(abs),
                NONE);
    }

    static List<Integer> seqs(List<Seg> segs) {
        return segs.stream().filter(x -> x.data().length > 0).map(x -> x.h().seq() - ISS - 1).toList();
    }

    @Test
    void without_sack_permitted_in_the_syn_ack_there_is_no_sack_newreno_stays() {
        established(); // the SYN-ACK carried no SACK-permitted
        assertFalse(s.sackPermitted());
        recv(IRS + 1 + 1000, ISS + 1, ACK, 30000, new byte[1000]); // out of order
        Seg dup = sentOne();
        assertEquals(IRS + 1, dup.h().ack());
        assertNull(dup.h().sackBlocks(), "no SACK blocks to a peer that did not offer SACK");
        s.send(new byte[12000], 0, 12000);
        assertEquals(10, sent().size());
        // blocks from a peer that never agreed to SACK are ignored: only duplicate ACKs count
        recvSack(0, 30000, 1000, 4000, 5000, 10000);
        assertEquals(List.of(10000), seqs(sent()), "one duplicate: limited transmit, no retransmission");
        recvSack(0, 30000, 1000, 4000, 5000, 11000);
        recvSack(0, 30000, 1000, 4000, 5000, 12000);
        List<Seg> out3 = sent();
        assertTrue(seqs(out3).contains(0), "the third duplicate: NewReno's fast retransmit " + seqs(out3));
        assertFalse(seqs(out3).contains(4000), "NewReno repairs one hole per RTT");
        assertEquals(1, s.fastRetransmits());
        assertEquals(0, s.sackRecoveries());
    }

    @Test
    void passive_open_answers_sack_permitted_only_when_the_syn_offered_it() {
        TcpHeader offer = new TcpHeader(49152, 80, IRS, 0, SYN, 65535, 0, 28, 1460, -1, true);
        s = TcpSocket.accept(CONFIG, LOCAL, REMOTE, offer, ISS, 1460, now);
        assertTrue(sentOne().h().sackPermitted());
        assertTrue(s.sackPermitted());
        TcpHeader none = new TcpHeader(49152, 80, IRS, 0, SYN, 65535, 0, 24, 1460, -1, false);
        s = TcpSocket.accept(CONFIG, LOCAL, REMOTE, none, ISS, 1460, now);
        assertFalse(sentOne().h().sackPermitted());
        assertFalse(s.sackPermitted());
        s = TcpSocket.accept(CONFIG.withSack(false), LOCAL, REMOTE, offer, ISS, 1460, now);
        assertFalse(sentOne().h().sackPermitted(), "SACK switched off here: not agreed");
    }

    /** The SACK blocks of an ACK as offsets from IRS + 1. */
    static List<Integer> blocks(Seg ack) {
        int[] b = ack.h().sackBlocks();
        List<Integer> l = new ArrayList<>();
        for (int i = 0; b != null && i < b.length; i++) {
            l.add(b[i] - IRS - 1);
        }
        return l;
    }

    @Test
    void the_receiver_reports_out_of_order_data_in_sack_blocks_newest_first_rfc2018() {
        establishedWithSack();
        byte[] seg = new byte[1000];
        recv(IRS + 1 + 1000, ISS + 1, ACK, 8000, seg);
        Seg a = sentOne();
        assertEquals(IRS + 1, a.h().ack());
        assertEquals(List.of(1000, 2000), blocks(a));
        recv(IRS + 1 + 3000, ISS + 1, ACK, 8000, seg);
        assertEquals(List.of(3000, 4000, 1000, 2000), blocks(sentOne()), "the block of the newest segment first");
        recv(IRS + 1 + 2000, ISS + 1, ACK, 8000, seg);
        assertEquals(List.of(1000, 4000), blocks(sentOne()), "adjacent blocks merge");
        for (int k : new int[] {5000, 7000, 9000, 11000}) {
            recv(IRS + 1 + k, ISS + 1, ACK, 8000, seg);
        }
        assertEquals(List.of(11000, 12000, 9000, 10000, 7000, 8000, 5000, 6000), blocks(sentOne()),
                "five ranges: the four most recent are reported");
        recv(IRS + 1 + 1000 * 9 + 1000, ISS + 1, ACK, 8000, seg); // 10000: joins 9000 and 11000
        assertEquals(List.of(9000, 12000, 7000, 8000, 5000, 6000, 1000, 4000), blocks(sentOne()));
        recv(IRS + 1, ISS + 1, ACK, 8000, seg); // the first hole fills
        Seg full = sentOne();
        assertEquals(IRS + 1 + 4000, full.h().ack());
        assertEquals(List.of(9000, 12000, 7000, 8000, 5000, 6000), blocks(full), "what is acknowledged is no block");
    }

    @Test
    void sack_blocks_on_a_data_segment_come_out_of_its_mss_rfc6691() {
        establishedWithSack(); // MSS 1000
        recv(IRS + 1 + 1000, ISS + 1, ACK, 8000, new byte[1000]);
        recv(IRS + 1 + 3000, ISS + 1, ACK, 8000, new byte[1000]);
        sent();
        s.send(new byte[1000], 0, 1000);
        Seg full = sentOne();
        assertEquals(1000, full.data().length);
        assertNull(full.h().sackBlocks(), "a full segment has no room for options");
        recv(IRS + 1 + 5000, ISS + 1001, ACK, 8000, new byte[1000]);
        sent();
        s.send(new byte[985], 0, 985);
        Seg almost = sentOne();
        assertEquals(1, almost.h().sackBlockCount(), "985 bytes leave room for one block (12 bytes): " + almost.h());
        assertTrue(almost.data().length + almost.h().length() - 20 <= 1000);
    }

    @Test
    void after_out_of_order_data_in_order_segments_are_acked_at_once_not_delayed() {
        establishedWithSack();
        byte[] seg = new byte[1000];
        recv(IRS + 1 + 1000, ISS + 1, ACK, 8000, seg);
        sentOne();
        recv(IRS + 1, ISS + 1, ACK, 8000, seg);
        assertEquals(IRS + 2001, sentOne().h().ack());
        recv(IRS + 2001, ISS + 1, ACK, 8000, seg);
        assertEquals(IRS + 3001, sentOne().h().ack(), "a single in-order segment acked at once after a loss");
    }

    /** SACK agreed, the peer's window 30 000, ten 1000-byte segments in flight, {@code queued - 10000} more queued. */
    void tenInFlightWithSack(int queued) {
        establishedWithSack();
        recv(IRS + 1, ISS + 1, ACK, 30000, NONE);
        sent();
        s.send(new byte[queued], 0, queued);
        assertEquals(10, sent().size());
    }

    @Test
    void one_ack_with_sack_blocks_repairs_every_hole_it_shows_lost_in_one_rtt_rfc6675() {
        tenInFlightWithSack(12000);
        // 0, 4000 and 7000 were lost; the peer holds 1000-4000, 5000-7000, 8000-10000
        recvSack(0, 30000, 8000, 10000, 5000, 7000, 1000, 4000);
        List<Seg> out = sent();
        assertEquals(List.of(0, 4000, 10000, 11000), seqs(out),
                "both holes IsLost names (> 2 segments SACKed above) at once, then new data as pipe allows");
        assertEquals(1, s.sackRecoveries());
        // The retransmissions and the new data arrived: 7000 now has 4 segments SACKed above it.
        recvSack(7000, 30000, 8000, 12000);
        assertEquals(List.of(7000), seqs(sent()));
        recvSack(12000, 30000);
        assertEquals(0, s.timeouts());
        assertEquals(3, s.retransmissions());
        assertEquals(1, s.fastRetransmits(), "one recovery for the three holes");
    }

    @Test
    void a_hole_right_after_recovery_ends_is_repaired_without_three_new_duplicates() {
        tenInFlightWithSack(20000);
        recvSack(0, 30000, 8000, 10000, 5000, 7000, 1000, 4000);
        assertEquals(List.of(0, 4000, 10000, 11000), seqs(sent()));
        recvSack(7000, 30000, 8000, 12000);
        assertEquals(List.of(7000, 12000, 13000, 14000, 15000), seqs(sent()));
        // The ACK that ends recovery (past 10000) shows 12000, sent during recovery, lost.
        recvSack(12000, 30000, 13000, 16000);
        assertTrue(seqs(sent()).contains(12000), "sent again on that very ACK");
        assertEquals(2, s.sackRecoveries());
        assertEquals(0, s.timeouts());
    }

    @Test
    void a_lost_retransmission_is_sent_again_when_later_data_arrives_an_rtt_after_it() {
        tenInFlightWithSack(12000);
        recvSack(0, 30000, 8000, 10000, 5000, 7000, 1000, 4000);
        assertEquals(List.of(0, 4000, 10000, 11000), seqs(sent()));
        now += 2 * MS; // SRTT is 0 here (the SYN-ACK came at once): the allowance is 1 ms
        // 4000's retransmission and the new data arrived, 0's retransmission did not
        recvSack(0, 30000, 1000, 7000, 8000, 12000);
        List<Seg> out = sent();
        assertTrue(seqs(out).contains(0), "the lost retransmission goes out once more: " + seqs(out));
        assertEquals(1, s.lostRetransmissions());
        assertEquals(0, s.timeouts());
    }

    /**
     * Going back after a timeout, the congestion window can end in an odd byte (the ACK of a
     * one-byte window probe grows it by one): the sender waits for the next ACK rather than send
     * that byte alone (RFC 9293 3.8.6.2.1, sender silly window avoidance), as it did segment after
     * segment through a whole download behind passt.
     */
    @Test
    void going_back_after_a_timeout_sends_no_tiny_segment_for_an_odd_byte_of_window_rfc9293() {
        established();
        recv(IRS + 1, ISS + 1, ACK, 8000, NONE);
        sent();
        s.send(new byte[4000], 0, 4000);
        assertEquals(4, sent().size());
        now = s.pollAt(); // the RTO: back to SND.UNA with one segment of window
        assertEquals(List.of(0), seqs(sent()));
        recv(IRS + 1, ISS + 1 + 1000, ACK, 0, NONE); // the window closed
        assertEquals(List.of(), seqs(sent()));
        now = s.pollAt(); // the persist timer: one byte into the closed window
        Seg probe = sentOne();
        assertEquals(1, probe.data().length);
        recv(IRS + 1, ISS + 1 + 1001, ACK, 8000, NONE); // the byte went in and the window opened
        List<Seg> out = sent();
        assertTrue(out.stream().allMatch(x -> x.data().length == 1000), "full segments only: " + seqs(out)
                + " of " + out.stream().map(x -> x.data().length).toList());
        recv(IRS + 1, ISS + 1 + 1001 + 1000 * out.size(), ACK, 8000, NONE);
        int rest = 3000 - 1000 * out.size() - 1;
        List<Seg> last = sent();
        assertEquals(rest, last.stream().mapToInt(x -> x.data().length).sum(), "the rest of the data");
        assertEquals(1, s.timeouts(), "the RTO; the window probe is no timeout");
    }

    /**
     * After a driver swap the holes go out again in one burst and are acknowledged one by one,
     * the last well over an RTT after they left. Each ACK delivers a retransmission sent before
     * the others: no sign that those are lost (RFC 8985 6.2 compares send times), so none goes
     * out a third time — as it did when any delivery an RTT later counted.
     */
    @Test
    void retransmissions_acknowledged_one_by_one_an_rtt_late_are_not_sent_again_rfc8985() {
        tenInFlightWithSack(10000);
        // 0-5000 died in the old driver's ring; the peer holds 5000-10000
        recvSack(0, 30000, 5000, 10000);
        assertEquals(List.of(0, 1000, 2000, 3000, 4000), seqs(sent()));
        for (int ack = 1000; ack <= 5000; ack += 1000) {
            now += 5 * MS; // SRTT is 0 here: each ACK comes long after the allowance of 1 ms
            recvSack(ack, 30000, 5000, 10000);
            assertEquals(List.of(), seqs(sent()), "after the ACK of " + ack);
        }
        recvSack(10000, 30000);
        assertEquals(0, s.lostRetransmissions());
        assertEquals(5, s.retransmissions(), "each hole sent again once");
        assertEquals(0, s.timeouts());
    }

    @Test
    void a_tail_loss_probe_goes_out_after_two_rtts_not_the_rto_rfc8985() {
        establishedWithSack();
        s.send(new byte[3000], 0, 3000);
        assertEquals(3, sent().size());
        assertEquals(now + 10 * MS, s.pollAt(), "PTO = max(2 SRTT, 10 ms), well before the 200 ms RTO");
        now = s.pollAt();
        Seg probe = sentOne();
        assertEquals(ISS + 1 + 2000, probe.h().seq(), "nothing new to send: the last segment again");
        assertEquals(1000, probe.data().length);
        assertEquals(1, s.tailLossProbes());
        assertEquals(0, s.timeouts());
        // The probe's ACK: the probe arrived, what was sent before it did not, so it is lost.
        recvSack(0, 8000, 2000, 3000);
        assertEquals(List.of(0, 1000), seqs(sent()));
        assertEquals(0, s.timeouts());
    }

    @Test
    void when_the_path_resumes_after_a_driver_swap_a_probe_with_our_ack_goes_out_at_once_not_after_the_rto() {
        established();
        s.send(new byte[3000], 0, 3000);
        assertEquals(3, sent().size(), "three segments that die in the old driver's ring");
        assertTrue(s.pollAt() > now, "nothing due yet");
        s.pathResumed(now);
        Seg probe = sentOne(); // the probe carries the ACK
        assertEquals(ISS + 1 + 2000, probe.h().seq(), "nothing new to send: the last segment again");
        assertEquals(1000, probe.data().length);
        assertEquals(IRS + 1, probe.h().ack());
        assertEquals(1, s.tailLossProbes());
        assertEquals(0, s.timeouts());
        recv(IRS + 1, ISS + 1 + 3000, ACK, 8000, NONE);
        sent();
        s.pathResumed(now);
        Seg ack = sentOne();
        assertEquals(0, ack.data().length, "all acknowledged: only an ACK");
    }

    @Test
    void a_connection_with_nothing_in_flight_only_acks_when_the_path_resumes() {
        established();
        s.pathResumed(now);
        Seg ack = sentOne();
        assertEquals(ACK, ack.flags());
        assertEquals(0, ack.data().length);
        assertEquals(0, s.tailLossProbes());
    }

    @Test
    void wild_sack_blocks_from_the_peer_break_nothing_and_the_data_still_gets_through() {
        tenInFlightWithSack(40000);
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        int acked = 0;
        for (int i = 0; i < 20_000; i++) {
            int n = r.nextInt(1, 5);
            int[] b = new int[2 * n];
            for (int k = 0; k < b.length; k++) {
                // around the window, far outside it, reversed, empty, wrapping: anything
                b[k] = switch (r.nextInt(4)) {
                    case 0 -> r.nextInt(-5000, 45000);
                    case 1 -> r.nextInt();
                    case 2 -> b[Math.max(0, k - 1)];
                    default -> acked + r.nextInt(0, 3) * 1000;
                };
            }
            if (r.nextInt(50) == 0) {
                acked = Math.min(acked + 1000, s.sendQueue() > 0 ? sentSoFar() : acked);
            }
            recvSack(acked, 30000, b);
            if (r.nextInt(100) == 0) {
                now += r.nextLong(1, 300) * MS;
            }
            sent();
        }
        // An honest peer now acknowledges whatever was sent, until everything was.
        for (int i = 0; i < 1000 && s.sendQueue() > 0; i++) {
            now += 250 * MS;
            sent();
            recvSack(sentSoFar(), 30000);
        }
        assertEquals(0, s.sendQueue(), "all 40 000 bytes acknowledged in the end");
        assertEquals(TcpSocket.State.ESTABLISHED, s.state());
    }

    int sentSoFar() {
        return highestSent;
    }

    @Test
    void after_a_timeout_a_new_rtt_sample_takes_the_backoff_back_rfc6298_5_7() {
        established();
        s.send(new byte[1000], 0, 1000);
        sentOne();
        now = s.pollAt(); // 200 ms: the minimum RTO
        sentOne();
        assertEquals(now + 400 * MS, s.pollAt(), "backed off");
        now += 5 * MS;
        recv(IRS + 1, ISS + 1001, ACK, 8000, NONE); // acknowledges the retransmission: no sample (Karn)
        s.send(new byte[1000], 0, 1000);
        sentOne();
        assertEquals(now + 400 * MS, s.pollAt(), "still backed off: no new sample yet");
        now += 5 * MS;
        recv(IRS + 1, ISS + 2001, ACK, 8000, NONE); // new data sent once: a sample
        s.send(new byte[1000], 0, 1000);
        sentOne();
        assertEquals(now + 200 * MS, s.pollAt(), "RTO from SRTT and RTTVAR again (at least 200 ms)");
    }

    @Test
    void a_read_sends_a_window_update_only_once_the_peer_may_send_half_the_buffer_or_less() {
        established();
        int seq = IRS + 1;
        for (int i = 0; i < 8; i++) {
            recv(seq, ISS + 1, ACK, 8000, new byte[1000]);
            seq += 1000;
            sent();
        }
        assertEquals(8000, s.recv(new byte[8000], 0, 8000));
        assertEquals(List.of(), sent(), "the peer may still send 56 KiB of 64: the next ACK carries the window");
        for (int i = 0; i < 30; i++) {
            recv(seq, ISS + 1, ACK, 8000, new byte[1000]);
            seq += 1000;
            sent();
        }
        assertEquals(1000, s.recv(new byte[1000], 0, 1000));
        assertEquals(List.of(), sent(), "the last ACK let the peer send 35 536 more, over half the buffer");
        for (int i = 0; i < 4; i++) {
            recv(seq, ISS + 1, ACK, 8000, new byte[1000]);
            seq += 1000;
            sent();
        }
        assertEquals(33_000, s.recv(new byte[33_000], 0, 33_000));
        Seg update = sentOne();
        assertEquals(seq, update.h().ack());
        assertEquals(0xffff, update.h().window(), "the peer could send 32 536 more: now the whole buffer (unscaled)");
    }

    @Test
    void nagle_holds_a_small_segment_while_data_is_unacknowledged() {
        established();
        s.send("a".getBytes(), 0, 1);
        assertEquals(1, sent().size());
        s.send("b".getBytes(), 0, 1);
        assertEquals(List.of(), sent());
        recv(IRS + 1, ISS + 2, ACK, 8000, NONE);
        Seg b = sentOne();
        assertArrayEquals("b".getBytes(), b.data());
    }

    @Test
    void a_zero_window_is_probed_with_one_byte_when_the_persist_timer_fires() {
        established();
        recv(IRS + 1, ISS + 1, ACK, 0, NONE);
        s.send("xyz".getBytes(), 0, 3);
        assertEquals(List.of(), sent());
        assertTrue(s.pollAt() < Long.MAX_VALUE, "the persist timer runs");
        now = s.pollAt();
        Seg probe = sentOne();
        assertEquals(1, probe.data().length);
        assertEquals(ISS + 1, probe.h().seq());
    }

    @Test
    void active_close_goes_through_fin_wait_and_time_wait_to_closed_after_2msl() {
        established();
        s.close();
        assertEquals(TcpSocket.State.FIN_WAIT_1, s.state());
        Seg fin = sentOne();
        assertEquals(FIN | ACK, fin.flags());
        recv(IRS + 1, ISS + 2, ACK, 8000, NONE);
        assertEquals(TcpSocket.State.FIN_WAIT_2, s.state());
        recv(IRS + 1, ISS + 2, FIN | ACK, 8000, NONE);
        assertEquals(TcpSocket.State.TIME_WAIT, s.state());
        assertEquals(IRS + 2, sentOne().h().ack());
        assertEquals(now + 2 * CONFIG.msl(), s.pollAt());
        now += 2 * CONFIG.msl();
        sent();
        assertEquals(TcpSocket.State.CLOSED, s.state());
        assertNull(s.error());
    }

    @Test
    void an_orphaned_connection_gives_up_fin_wait_2_after_2msl_when_the_peer_never_closes() {
        established();
        s.closeOrphaned();
        sentOne();
        recv(IRS + 1, ISS + 2, ACK, 8000, NONE);
        assertEquals(TcpSocket.State.FIN_WAIT_2, s.state());
        now = s.pollAt();
        assertEquals(2 * CONFIG.msl(), now);
        sent();
        assertEquals(TcpSocket.State.CLOSED, s.state());
    }

    @Test
    void a_half_closed_connection_waits_in_fin_wait_2_for_the_peer() {
        established();
        s.close();
        sentOne();
        recv(IRS + 1, ISS + 2, ACK, 8000, NONE);
        assertEquals(Long.MAX_VALUE, s.pollAt());
        recv(IRS + 1, ISS + 2, ACK | PSH, 8000, "late".getBytes());
        assertEquals(4, s.readable(), "data still arrives after our FIN");
    }

    @Test
    void a_rst_does_not_cut_time_wait_short_rfc1337() {
        established();
        s.close();
        sentOne();
        recv(IRS + 1, ISS + 2, FIN | ACK, 8000, NONE);
        assertEquals(TcpSocket.State.TIME_WAIT, s.state());
        sent();
        recv(IRS + 2, 0, RST, 0, NONE);
        assertEquals(TcpSocket.State.TIME_WAIT, s.state());
        assertNull(s.error());
    }

    @Test
    void a_rst_in_last_ack_closes_without_an_error() {
        established();
        recv(IRS + 1, ISS + 1, FIN | ACK, 8000, NONE);
        sent();
        s.close();
        sent();
        recv(IRS + 2, 0, RST, 0, NONE);
        assertEquals(TcpSocket.State.CLOSED, s.state());
        assertNull(s.error());
    }

    @Test
    void passive_close_goes_through_close_wait_and_last_ack() {
        established();
        recv(IRS + 1, ISS + 1, FIN | ACK, 8000, NONE);
        assertEquals(TcpSocket.State.CLOSE_WAIT, s.state());
        assertTrue(s.atEndOfStream());
        sent();
        s.close();
        assertEquals(TcpSocket.State.LAST_ACK, s.state());
        assertEquals(FIN | ACK, sentOne().flags());
        recv(IRS + 2, ISS + 2, ACK, 8000, NONE);
        assertEquals(TcpSocket.State.CLOSED, s.state());
    }

    @Test
    void simultaneous_close_passes_through_closing() {
        established();
        s.close();
        sentOne();
        recv(IRS + 1, ISS + 1, FIN | ACK, 8000, NONE); // their FIN, not yet acking ours
        assertEquals(TcpSocket.State.CLOSING, s.state());
        sent();
        recv(IRS + 2, ISS + 2, ACK, 8000, NONE);
        assertEquals(TcpSocket.State.TIME_WAIT, s.state());
    }

    @Test
    void keep_alive_probes_an_idle_connection_and_gives_up_after_the_probes() {
        s = TcpSocket.connect(CONFIG.withKeepAlive(10_000 * MS, 1000 * MS, 2), LOCAL, 49152, REMOTE, 80, ISS, 1460, now);
        sentOne();
        recv(new TcpHeader(80, 49152, IRS, ISS + 1, SYN | ACK, 8000, 0, 24, 1000, -1, false), NONE);
        sent();
        s.setKeepAlive(true);
        now = s.pollAt();
        assertEquals(10_000 * MS, now);
        Seg probe = sentOne();
        assertEquals(ISS, probe.h().seq(), "SEG.SEQ = SND.NXT - 1");
        now = s.pollAt();
        sentOne();
        now = s.pollAt();
        sent();
        assertEquals(TcpSocket.State.CLOSED, s.state());
        assertTrue(s.error().contains("keep-alive"), s.error());
    }

    @Test
    void abort_sends_rst() {
        established();
        s.abort();
        Seg rst = sentOne();
        assertEquals(RST, rst.flags());
        assertEquals(TcpSocket.State.CLOSED, s.state());
        assertTrue(s.isClosed());
    }
}
