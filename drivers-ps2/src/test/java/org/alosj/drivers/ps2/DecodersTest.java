package org.alosj.drivers.ps2;

import static org.alosj.kernel.device.InputDevice.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.alosj.kernel.device.InputDevice.Event;
import org.junit.jupiter.api.Test;

/** The set-1 and packet decoders on byte streams, garbage included. */
class DecodersTest {
    private final List<Event> events = new ArrayList<>();
    private long now;

    private AtKeyboard keyboard() {
        AtKeyboard k = new AtKeyboard(leds -> { });
        k.setListener((d, e) -> events.add(e));
        return k;
    }

    private PsMouse mouse(int id) {
        PsMouse m = new PsMouse(id, () -> now);
        m.setListener((d, e) -> events.add(e));
        return m;
    }

    private List<String> keys() {
        return events.stream().filter(e -> e.type() == EV_KEY).map(e -> e.code() + ":" + e.value()).toList();
    }

    @Test
    void makeWhileDownIsAnAutorepeat() {
        AtKeyboard k = keyboard();
        for (int b : new int[] {0x1E, 0x1E, 0x9E, 0xE0, 0x48, 0xE0, 0xC8}) {
            k.receive(b);
        }
        assertEquals(List.of("30:1", "30:2", "30:0", "103:1", "103:0"), keys());
    }

    @Test
    void aaIsLeftShiftReleasedNotASelfTest() {
        AtKeyboard k = keyboard();
        k.receive(0x2A);
        k.receive(0xAA);
        k.receive(0xFA);
        assertEquals(List.of("42:1", "42:0"), keys());
    }

    @Test
    void unknownCodesAndFakeShiftsAreDropped() {
        AtKeyboard k = keyboard();
        for (int b : new int[] {0x59, 0xE0, 0x7A, 0xE0, 0x2A, 0x10, 0x90}) {
            k.receive(b);
        }
        assertEquals(List.of("16:1", "16:0"), keys());
        assertEquals(2, k.dropped());
    }

    @Test
    void aByteWithoutTheAlwaysOneBitStartsNoPacket() {
        PsMouse m = mouse(0);
        for (int b : new int[] {0x00, 0x05, 0x29, 0x03, 0xFE}) {
            m.receive(b);
        }
        assertEquals(2, m.resyncs());
        assertEquals(List.of("272:1"), keys());
        assertEquals(3, events.get(1).value());
        assertEquals(REL_Y, events.get(2).code());
        assertEquals(2, events.get(2).value(), "PS/2 -2 (down) is evdev +2");
    }

    @Test
    void aPauseInsideAPacketDropsWhatCameBefore() {
        PsMouse m = mouse(3);
        m.receive(0x08);
        m.receive(0x01);
        now += PsMouse.RESYNC_GAP_NANOS + 1;
        for (int b : new int[] {0x18, 0xFF, 0x00, 0xFF}) {
            m.receive(b);
        }
        assertEquals(1, m.resyncs());
        assertEquals(REL_X, events.get(0).code());
        assertEquals(-1, events.get(0).value());
        assertEquals(REL_WHEEL, events.get(1).code());
        assertEquals(1, events.get(1).value());
    }

    @Test
    void randomBytesNeverBreakTheDecoders() {
        Random random = new Random(7);
        AtKeyboard k = keyboard();
        PsMouse m3 = mouse(3);
        PsMouse m4 = mouse(4);
        for (int i = 0; i < 100_000; i++) {
            int b = random.nextInt(256);
            now += random.nextInt(1_000_000);
            k.receive(b);
            m3.receive(b);
            m4.receive(b);
        }
        assertTrue(events.stream().allMatch(e -> e.type() == EV_KEY || e.type() == EV_REL || e.type() == EV_SYN));
        assertTrue(events.stream().filter(e -> e.type() == EV_KEY).allMatch(e -> e.code() > 0 && e.code() < 0x300));
    }
}
