package org.alosj.ui.vnc.impl;

import org.alosj.hal.testing.MemorySurface;
import org.alosj.hal.testing.RecordingInput;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 6143 as a client sees it: handshakes, pixel formats, encodings, damage and resize. */
class RfbProtocolTest {
    private final MemorySurface surface = new MemorySurface(320, 200);
    private final RecordingInput input = new RecordingInput();
    private VncServer server;

    @BeforeEach
    void start() throws IOException {
        server = TestServers.start(2_000);
        server.bindSurface(surface);
        server.bindInput(input);
        surface.pattern(1);
    }

    @AfterEach
    void stop() {
        server.deactivate();
    }

    private int[] expected(PixelFormat f) {
        int[] px = new int[surface.width() * surface.height()];
        surface.read(0, 0, surface.width(), surface.height(), px, 0, surface.width());
        for (int i = 0; i < px.length; i++) {
            px[i] = f.rgb(f.pixel(px[i]));
        }
        return px;
    }

    @ParameterizedTest
    @ValueSource(strings = {"003.003", "003.007", "003.008", "003.005", "003.889"})
    void handshakeAtEachVersionEndsInServerInitWithSizeAndName(String version) throws IOException {
        try (RfbClient c = new RfbClient(server.port()).handshake(version)) {
            assertEquals(320, c.width);
            assertEquals(200, c.height);
            assertEquals("ALOS/J test", c.name);
            c.request(false);
            c.readUpdate();
            assertArrayEquals(expected(PixelFormat.NATIVE), c.frame);
        }
    }

    static List<PixelFormat> formats() {
        List<PixelFormat> f = new ArrayList<>();
        for (boolean big : new boolean[] {false, true}) {
            f.add(new PixelFormat(32, 24, big, true, 255, 255, 255, 16, 8, 0));
            f.add(new PixelFormat(32, 24, big, true, 255, 255, 255, 0, 8, 16)); // BGR
            f.add(new PixelFormat(32, 24, big, true, 255, 255, 255, 24, 16, 8)); // colour in the high bytes
            f.add(new PixelFormat(16, 16, big, true, 31, 63, 31, 11, 5, 0)); // 565
            f.add(new PixelFormat(16, 15, big, true, 31, 31, 31, 10, 5, 0)); // 555
            f.add(new PixelFormat(8, 8, big, true, 7, 7, 3, 0, 3, 6)); // BGR233
        }
        return f;
    }

    @Test
    void rawInEveryTrueColourFormatCarriesThePictureToTheFormatsPrecision() throws IOException {
        for (PixelFormat f : formats()) {
            try (RfbClient c = new RfbClient(server.port()).handshake("003.008")) {
                c.setPixelFormat(f);
                c.setEncodings(RfbSession.ENCODING_RAW);
                c.request(false);
                c.readUpdate();
                assertArrayEquals(expected(f), c.frame, f.toString());
            }
        }
    }

    @Test
    void zrleInEveryTrueColourFormatCarriesThePictureThroughOnePersistentZlibStream() throws IOException {
        for (PixelFormat f : formats()) {
            try (RfbClient c = new RfbClient(server.port()).handshake("003.008")) {
                c.setPixelFormat(f);
                c.setEncodings(RfbSession.ENCODING_ZRLE, RfbSession.ENCODING_RAW);
                c.request(false);
                assertEquals(RfbSession.ENCODING_ZRLE, c.readUpdate().get(0).encoding());
                assertArrayEquals(expected(f), c.frame, f.toString());
                // The second update continues the same deflate stream.
                surface.fill(10, 10, 100, 70, 0x123456);
                surface.fill(200, 150, 3, 3, 0xfedcba);
                c.request(true);
                while (!java.util.Arrays.equals(expected(f), c.frame)) {
                    c.readUpdate();
                    c.request(true);
                }
            }
        }
    }

    @Test
    void incrementalUpdateCarriesOnlyTheDamagedRectangle() throws IOException {
        try (RfbClient c = new RfbClient(server.port()).handshake("003.008")) {
            c.request(false);
            c.readUpdate();
            c.request(true);
            surface.fill(40, 30, 16, 8, 0xff0000);
            List<RfbClient.Rect> rects = c.readUpdate();
            assertEquals(List.of(new RfbClient.Rect(40, 30, 16, 8, RfbSession.ENCODING_RAW)), rects);
            assertArrayEquals(expected(PixelFormat.NATIVE), c.frame);
        }
    }

    @Test
    void anIncrementalRequestForPartOfTheScreenWaitsForDamageThere() throws IOException {
        try (RfbClient c = new RfbClient(server.port()).handshake("003.008")) {
            c.request(false);
            c.readUpdate();
            c.request(true, 0, 0, 100, 100);
            surface.fill(200, 150, 10, 10, 0x00ffff); // outside the request: no answer yet
            surface.fill(50, 60, 70, 70, 0xff00ff); // half inside
            assertEquals(List.of(new RfbClient.Rect(50, 60, 50, 40, RfbSession.ENCODING_RAW)), c.readUpdate());
            c.request(true);
            c.readUpdate();
            assertArrayEquals(expected(PixelFormat.NATIVE), c.frame);
        }
    }

    @Test
    void aScrollGoesAsCopyRectAndOnlyTheNewLinesAsPixels() throws IOException {
        for (int enc : new int[] {RfbSession.ENCODING_RAW, RfbSession.ENCODING_ZRLE}) {
            try (RfbClient c = new RfbClient(server.port()).handshake("003.008")) {
                c.setEncodings(enc, RfbSession.ENCODING_COPY_RECT);
                c.request(false);
                c.readUpdate();
                // The console scrolls by a 16-pixel line: everything moves up, a new line at the bottom.
                int[] px = new int[320 * 200];
                surface.read(0, 16, 320, 184, px, 0, 320);
                for (int y = 0; y < 184; y++) {
                    surface.setRow(y, java.util.Arrays.copyOfRange(px, y * 320, y * 320 + 320));
                }
                surface.fill(0, 184, 320, 16, 0x336699);
                surface.fill(5, 188, 40, 8, 0xeeeeee);
                // All of the scroll is damage before the request: answered at once, the request
                // would otherwise race the last damage and could carry only the first part.
                surface.damageAll();
                c.request(true);
                assertEquals(List.of(new RfbClient.Rect(0, 0, 320, 184, RfbSession.ENCODING_COPY_RECT),
                        new RfbClient.Rect(0, 184, 320, 16, enc)), c.readUpdate());
                assertArrayEquals(expected(PixelFormat.NATIVE), c.frame);
            }
            surface.pattern(enc + 10);
        }
    }

    @Test
    void withoutCopyRectAdvertisedAScrollIsSentAsPixels() throws IOException {
        try (RfbClient c = new RfbClient(server.port()).handshake("003.008")) {
            c.request(false);
            c.readUpdate();
            int[] px = new int[320 * 200];
            surface.read(0, 16, 320, 184, px, 0, 320);
            for (int y = 0; y < 184; y++) {
                surface.setRow(y, java.util.Arrays.copyOfRange(px, y * 320, y * 320 + 320));
            }
            c.request(true);
            surface.damageAll();
            assertEquals(List.of(new RfbClient.Rect(0, 0, 320, 200, RfbSession.ENCODING_RAW)), c.readUpdate());
            assertArrayEquals(expected(PixelFormat.NATIVE), c.frame);
        }
    }

    @Test
    void aModeChangeIsSentAsDesktopSizeThenTheNewPicture() throws IOException {
        try (RfbClient c = new RfbClient(server.port()).handshake("003.008")) {
            c.setEncodings(RfbSession.ENCODING_RAW, RfbSession.ENCODING_DESKTOP_SIZE);
            c.request(false);
            c.readUpdate();
            c.request(true);
            surface.setMode(640, 400);
            surface.pattern(2);
            List<RfbClient.Rect> rects = c.readUpdate();
            assertEquals(List.of(new RfbClient.Rect(0, 0, 640, 400, RfbSession.ENCODING_DESKTOP_SIZE)), rects);
            c.request(true);
            c.readUpdate();
            assertArrayEquals(expected(PixelFormat.NATIVE), c.frame);
        }
    }

    @Test
    void withoutAnAdapterClientsSeeABlackPictureUntilOneComes() throws IOException {
        server.unbindSurface(surface);
        try (RfbClient c = new RfbClient(server.port()).handshake("003.008")) {
            assertEquals(VncServer.BLANK_WIDTH, c.width);
            c.setEncodings(RfbSession.ENCODING_RAW, RfbSession.ENCODING_DESKTOP_SIZE);
            c.request(false);
            c.readUpdate();
            assertArrayEquals(new int[c.width * c.height], c.frame);
            server.bindSurface(surface);
            c.request(true);
            assertEquals(RfbSession.ENCODING_DESKTOP_SIZE, c.readUpdate().get(0).encoding());
            c.request(true);
            c.readUpdate();
            assertArrayEquals(expected(PixelFormat.NATIVE), c.frame);
        }
    }

    @Test
    void severalClientsEachGetTheDamage() throws IOException {
        try (RfbClient a = new RfbClient(server.port()).handshake("003.008");
                RfbClient b = new RfbClient(server.port()).handshake("003.003")) {
            for (RfbClient c : List.of(a, b)) {
                c.request(false);
                c.readUpdate();
                c.request(true);
            }
            surface.fill(0, 0, 5, 5, 0x00ff00);
            for (RfbClient c : List.of(a, b)) {
                c.readUpdate();
                assertArrayEquals(expected(PixelFormat.NATIVE), c.frame);
            }
        }
    }

    @Test
    void keysymsBecomeLinuxKeyCodesWithShiftAroundShiftedSymbols() throws Exception {
        try (RfbClient c = new RfbClient(server.port()).handshake("003.008")) {
            c.key('a', true);
            c.key('a', false);
            c.key('A', true); // no shift held: the server presses it around the key
            c.key('A', false);
            c.key(0xffe1, true); // Shift_L held by the client: used as it is
            c.key('!', true);
            c.key('!', false);
            c.key(0xffe1, false);
            c.key(0xff0d, true); // Return
            c.key(0xff0d, false);
            c.key(0x20ac, true); // the euro sign: no key on a US keyboard, ignored
            c.key(0xffbe, true); // F1
            assertEquals(List.of("down 30", "up 30", "down 42", "down 30", "up 30", "up 42",
                    "down 42", "down 2", "up 2", "up 42", "down 28", "up 28", "down 59"), input.await(13));
        }
        // The client went with F1 held: it is let go.
        assertEquals("up 59", input.await(14).get(13));
    }

    @Test
    void pointerPositionsBecomeRelativeMotionAndButtons() throws Exception {
        try (RfbClient c = new RfbClient(server.port()).handshake("003.008")) {
            c.pointer(0, 100, 100);
            c.pointer(0, 110, 95);
            c.pointer(1, 110, 95); // left down
            c.pointer(5, 100, 95); // left and right held, moving left
            c.pointer(2, 100, 95); // middle only
            c.pointer(2 | 8, 100, 95); // wheel up: one notch away from the user
            c.pointer(2, 100, 95);
            c.pointer(2 | 16, 100, 95); // wheel down
            c.pointer(0, 100, 95);
            assertEquals(List.of("pointer 10 -5 0 0", "pointer 0 0 0 1", "pointer -10 0 0 3", "pointer 0 0 0 4",
                    "pointer 0 0 1 4", "pointer 0 0 -1 4", "pointer 0 0 0 0"), input.await(7));
        }
    }

    @Test
    void aClientAskingForSecurityOtherThanNoneIsToldWhyAndDisconnected() throws IOException {
        try (RfbClient c = new RfbClient(server.port())) {
            c.in.readNBytes(12);
            c.out.write("RFB 003.008\n".getBytes());
            c.in.readNBytes(2);
            c.out.write(2); // VNC authentication
            c.out.flush();
            assertEquals(1, c.in.readInt());
            String reason = new String(c.in.readNBytes(c.in.readInt()));
            assertTrue(reason.contains("None"), reason);
            assertTrue(c.closedByServer());
        }
    }
}
