package org.alosj.ui.vnc.impl;

import org.alosj.hal.testing.MemorySurface;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Malformed, truncated and silent clients are disconnected, and the server and a well-behaved
 * client connected all along carry on.
 */
class RfbBadClientsTest {
    private final MemorySurface surface = new MemorySurface(200, 100);
    private VncServer server;
    private RfbClient good;

    @BeforeEach
    void start() throws IOException {
        server = TestServers.start(300);
        server.bindSurface(surface);
        surface.pattern(7);
        good = new RfbClient(server.port()).handshake("003.008");
        good.setEncodings(RfbSession.ENCODING_ZRLE);
    }

    @AfterEach
    void stop() throws IOException {
        // The good client still gets the picture, damage included.
        surface.fill(3, 4, 50, 20, 0xabcdef);
        good.request(false);
        good.readUpdate();
        int[] px = new int[200 * 100];
        surface.read(0, 0, 200, 100, px, 0, 200);
        assertArrayEquals(px, good.frame);
        good.close();
        server.deactivate();
    }

    private RfbClient connected() throws IOException {
        return new RfbClient(server.port()).handshake("003.008");
    }

    @Test
    void aWrongVersionStringIsDisconnected() throws IOException {
        try (RfbClient c = new RfbClient(server.port())) {
            c.in.readNBytes(12);
            c.out.write("HTTP/1.1 200\n".getBytes());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void aClientSilentDuringTheHandshakeIsDisconnectedAtTheDeadline() throws IOException {
        try (RfbClient c = new RfbClient(server.port())) {
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void aMessageTruncatedAndNeverFinishedIsDisconnectedAtTheDeadline() throws IOException {
        try (RfbClient c = connected()) {
            c.out.write(new byte[] {0, 0, 0, 0, 32}); // SetPixelFormat, 5 of its 20 bytes
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void anUnknownMessageTypeIsDisconnected() throws IOException {
        try (RfbClient c = connected()) {
            c.out.write(new byte[] {(byte) 200, 1, 2, 3});
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void aColourMapPixelFormatIsRefused() throws IOException {
        try (RfbClient c = connected()) {
            c.setPixelFormat(new PixelFormat(8, 8, false, false, 0, 0, 0, 0, 0, 0));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void aHugeCutTextIsRefusedWithoutReadingIt() throws IOException {
        try (RfbClient c = connected()) {
            c.out.write(ByteBuffer.allocate(8).put((byte) 6).put(new byte[3]).putInt(-1).array());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void randomBytesFromManyClientsNeverTakeTheServerDown() throws IOException {
        Random random = new Random(12143);
        for (int i = 0; i < 200; i++) {
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                s.setSoTimeout(5_000);
                OutputStream out = s.getOutputStream();
                byte[] junk = new byte[random.nextInt(200)];
                random.nextBytes(junk);
                if (i % 2 == 0) {
                    // Half of them get past the handshake first, so the message parser sees the junk.
                    s.getInputStream().readNBytes(12);
                    out.write("RFB 003.003\n".getBytes());
                    s.getInputStream().readNBytes(4);
                    out.write(1);
                }
                try {
                    out.write(junk);
                } catch (IOException e) {
                    // already disconnected: that is what the server does with junk
                }
            }
        }
        try (RfbClient c = connected()) {
            c.request(false);
            c.readUpdate();
        }
    }
}
