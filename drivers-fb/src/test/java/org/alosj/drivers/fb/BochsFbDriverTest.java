package org.alosj.drivers.fb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.alosj.kernel.fb.FramebufferDevice;
import org.alosj.kernel.fb.PixelFormat;
import org.junit.jupiter.api.Test;

/** The bochs driver on the real adapter model: modes, pixels in every format, the hand-over. */
class BochsFbDriverTest {
    /** A client that writes down what it is told. */
    static final class Client implements FramebufferDevice.Client {
        final List<String> events = new ArrayList<>();

        @Override
        public void granted(FramebufferDevice.Lease lease) {
            events.add("granted");
        }

        @Override
        public void revoked(FramebufferDevice.Lease lease) {
            events.add("revoked");
        }
    }

    @Test
    void bindsWithTheDefaultMode1024x768x32() {
        try (RealDisplayRig rig = new RealDisplayRig(true)) {
            FramebufferDevice fb = rig.bind(1024, 768, 32);
            assertEquals("fb0", fb.name());
            assertEquals(1024, fb.mode().width());
            assertEquals(768, fb.mode().height());
            assertEquals(4096, fb.mode().stride());
            assertEquals(PixelFormat.XRGB8888, fb.mode().format());
            assertEquals(1024, rig.screen().width(), "the adapter shows the mode");
            assertEquals(768, rig.screen().height());
            assertEquals("bochs", rig.function().driver());
            rig.unbind();
            // The driver turns DISPI off as it goes: the std VGA is back in its 80x25 text mode.
            assertEquals(720, rig.screen().width(), "unbinding leaves the LFB mode");
            assertEquals(400, rig.screen().height());
        }
    }

    @Test
    void pixelsRoundTripInEveryDepthTheAdapterShows() {
        int[][] modes = {{32, 1}, {24, 1}, {16, 0}, {15, 0}};
        for (int[] m : modes) {
            try (RealDisplayRig rig = new RealDisplayRig(true)) {
                FramebufferDevice fb = rig.bind(640, 480, m[0]);
                FramebufferDevice.Lease lease = fb.claim("test", new Client());
                int[] colours = {0xFF0000, 0x00FF00, 0x0000FF, 0xFFFFFF, 0x000000, 0x808080};
                lease.write(10, 20, colours.length, 1, colours, 0, colours.length);
                int[] shown = new int[colours.length];
                rig.screen().read(10, 20, colours.length, 1, shown, 0, colours.length);
                int[] back = new int[colours.length];
                lease.read(10, 20, colours.length, 1, back, 0, colours.length);
                if (m[1] == 1) {
                    assertArrayEquals(colours, shown, m[0] + " bpp keeps every colour");
                } else {
                    // 5 and 6-bit channels: the grey loses its low bits, the pure colours do not.
                    for (int i = 0; i < 5; i++) {
                        assertEquals(colours[i], shown[i], m[0] + " bpp colour " + i);
                    }
                }
                assertArrayEquals(shown, back, "reading back gives what the screen shows");
            }
        }
    }

    @Test
    void fillAndOverlappingCopiesMoveRectanglesAsMemmove() {
        try (RealDisplayRig rig = new RealDisplayRig(false)) {
            FramebufferDevice fb = rig.bind(320, 200, 32);
            FramebufferDevice.Lease lease = fb.claim("test", new Client());
            int[] pattern = new int[50 * 40];
            new Random(5).ints(pattern.length, 0, 0x1000000).toArray();
            Random r = new Random(5);
            for (int i = 0; i < pattern.length; i++) {
                pattern[i] = r.nextInt(0x1000000);
            }
            lease.fill(0, 0, 320, 200, 0x102030);
            lease.write(10, 10, 50, 40, pattern, 0, 50);
            lease.copy(10, 10, 50, 40, 20, 15); // overlaps, down and right
            int[] got = new int[50 * 40];
            rig.screen().read(20, 15, 50, 40, got, 0, 50);
            assertArrayEquals(pattern, got);
            lease.copy(20, 15, 50, 40, 5, 3); // overlaps, up and left
            rig.screen().read(5, 3, 50, 40, got, 0, 50);
            assertArrayEquals(pattern, got);
            int[] corner = new int[1];
            rig.screen().read(319, 199, 1, 1, corner, 0, 1);
            assertEquals(0x102030, corner[0]);
            lease.fill(310, 190, 100, 100, 0xABCDEF); // clipped to the screen, not an error
            rig.screen().read(319, 199, 1, 1, corner, 0, 1);
            assertEquals(0xABCDEF, corner[0]);
        }
    }

    @Test
    void modesTheAdapterCannotShowAreRefusedWithTheReason() {
        try (RealDisplayRig rig = new RealDisplayRig(true)) {
            String why = rig.bindFailing(1020, 768, 32);
            assertTrue(why.contains("unsupported mode 1020x768x32"), why);
        }
        try (RealDisplayRig rig = new RealDisplayRig(true)) {
            String why = rig.bindFailing(4096, 4096, 32);
            assertTrue(why.contains("unsupported mode 4096x4096x32") && why.contains("16 MiB"), why);
        }
        try (RealDisplayRig rig = new RealDisplayRig(false)) {
            String why = rig.bindFailing(1024, 768, 24);
            assertTrue(why.contains("unsupported depth 24 bpp: expected 32 or 16"), why);
            assertEquals(0, rig.screen().width());
        }
        try (RealDisplayRig rig = new RealDisplayRig(true)) {
            String why = rig.bindFailing(640, 480, 8);
            assertTrue(why.contains("unsupported depth 8"), why);
        }
    }

    @Test
    void aClaimRevokesTheOwnerAndClosingGivesTheScreenBack() {
        try (RealDisplayRig rig = new RealDisplayRig(true)) {
            FramebufferDevice fb = rig.bind(640, 480, 32);
            Client console = new Client();
            Client gui = new Client();
            FramebufferDevice.Lease text = fb.claim("fbcon", console);
            assertEquals(List.of("granted"), console.events);
            FramebufferDevice.Lease desktop = fb.claim("gui", gui);
            assertEquals(List.of("granted", "revoked"), console.events);
            assertEquals("gui", fb.owner());
            assertFalse(text.active());
            text.fill(0, 0, 10, 10, 0xFFFFFF);
            int[] p = new int[1];
            rig.screen().read(0, 0, 1, 1, p, 0, 1);
            assertEquals(0, p[0], "the revoked lease draws nothing");
            desktop.close();
            desktop.close();
            assertEquals(List.of("granted", "revoked", "granted"), console.events);
            assertTrue(text.active());
            text.close();
            assertNull(fb.owner());
        }
    }
}
