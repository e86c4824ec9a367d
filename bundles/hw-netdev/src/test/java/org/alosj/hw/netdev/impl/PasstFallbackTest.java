package org.alosj.hw.netdev.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.alosj.hal.net.NetBackend;
import org.alosj.hal.net.NetPort;
import org.junit.jupiter.api.Test;

/** The passt component's choices that need no passt: the fallback and its checks of the options. */
class PasstFallbackTest {
    @Test
    void withoutPasstTheNicStaysLinkUpOnAHubAndTheProblemSaysPasstIsNotInstalled() throws Exception {
        NetBackend b = PasstComponent.create("lan0", "", "", 1500, "", "", "/nonexistent/passt");
        try {
            assertEquals(PasstComponent.NOT_INSTALLED, b.problem());
            assertTrue(b.problem().startsWith("passt not installed"));
            NetPort port = b.attach("pcnet0", (f, o, l) -> true);
            assertTrue(port.linkUp(), "link up, no peer");
        } finally {
            ((AutoCloseable) b).close();
        }
    }

    @Test
    void badOptionsAreRefusedWithTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PasstComponent.create("lan0", "", "tcp::80-:", 1500, "", "", ""));
        assertTrue(e.getMessage().contains("tcp::80-:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PasstComponent.create("lan0", "/tmp/x.sock", "tcp::8080-:80", 1500, "", "", ""));
        assertTrue(e.getMessage().contains("hostfwd"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PasstComponent.create("lan0", "", "", 100, "", "", ""));
        assertTrue(e.getMessage().contains("mtu 100"), e.getMessage());
    }

    @Test
    void hostForwardsTranslateToPasstOptionsListeningOnLoopbackUnlessAnAddressIsNamed() {
        assertEquals(java.util.List.of("-t", "127.0.0.1/8080:80"), HostForward.parse("tcp::8080-:80").passtArguments());
        assertEquals(java.util.List.of("-t", "0.0.0.0/8080:80"), HostForward.parse("tcp:0.0.0.0:8080-:80").passtArguments());
        assertEquals(java.util.List.of("-u", "127.0.0.1/5353:53"),
                HostForward.parse("udp:127.0.0.1:5353-:53").passtArguments());
        assertEquals(java.util.List.of("-t", "127.0.0.1/2222:22"), HostForward.parse(":2222-:22").passtArguments());
        assertEquals(2, HostForward.parseList("tcp::8080-:80 udp::5353-:53").size());
        assertThrows(IllegalArgumentException.class, () -> HostForward.parse("tcp::8080-10.0.2.15:80"));
        assertThrows(IllegalArgumentException.class, () -> HostForward.parse("sctp::1-:2"));
        assertThrows(IllegalArgumentException.class, () -> HostForward.parse("tcp:300.1.1.1:1-:2"));
        assertThrows(IllegalArgumentException.class, () -> HostForward.parse("tcp::0-:2"));
    }

    @Test
    void paddingIsStrippedFromIpv4FramesAndOnlyThere() {
        byte[] arp = TestFrames.pad(TestFrames.arpRequest(TestFrames.mac("52:54:00:12:34:56"),
                TestFrames.ip(10, 0, 2, 15), TestFrames.ip(10, 0, 2, 2)), 60);
        assertEquals(60, Frames.unpaddedLength(arp, 0, 60), "ARP is left alone");
        byte[] udp = TestFrames.udp(TestFrames.mac("52:54:00:12:34:56"), TestFrames.BROADCAST,
                TestFrames.ip(10, 0, 2, 15), TestFrames.ip(10, 0, 2, 2), 1, 2, new byte[4]);
        assertEquals(46, udp.length);
        byte[] padded = TestFrames.pad(udp, 60);
        assertEquals(46, Frames.unpaddedLength(padded, 0, 60));
        assertEquals(46, Frames.unpaddedLength(udp, 0, 46));
        byte[] lying = udp.clone();
        lying[16] = 0x7f;   // IP total length larger than the frame: not ours to fix
        assertEquals(46, Frames.unpaddedLength(lying, 0, 46));
    }
}
