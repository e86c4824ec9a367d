package org.alosj.drivers.ps2;

import static org.alosj.kernel.device.InputDevice.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.alosj.hal.input.HostInput;
import org.alosj.kernel.device.InputDevice.Event;
import org.junit.jupiter.api.Test;

/** The driver against the real i8042 model on a real board, through ports and IRQs 1 and 12. */
class I8042DriverTest {
    static final int KEY_A = 30;
    static final int KEY_LEFTSHIFT = 42;
    static final int KEY_RIGHTCTRL = 97;
    static final int KEY_UP = 103;
    static final int KEY_SYSRQ = 99;
    static final int KEY_PAUSE = 119;

    private static List<Integer> keyEvents(List<Event> events) {
        return events.stream().filter(e -> e.type() == EV_KEY).map(e -> e.code() << 2 | e.value()).toList();
    }

    @Test
    void probeFindsTheKeyboardAndTheExplorerMouse() {
        try (Ps2Rig rig = new Ps2Rig()) {
            assertEquals("AT Translated Set 2 keyboard", rig.controller.keyboard().name());
            assertEquals("ImExPS/2 Generic Explorer Mouse", rig.controller.mouse().name());
            assertEquals(4, rig.controller.mouse().packetSize());
        }
    }

    @Test
    void hostKeysArriveAsLinuxKeyCodesWithSyncs() {
        try (Ps2Rig rig = new Ps2Rig()) {
            int[] codes = {KEY_LEFTSHIFT, KEY_A, KEY_RIGHTCTRL, KEY_UP, KEY_SYSRQ};
            for (int c : codes) {
                rig.host.key(c, true);
                rig.host.key(c, false);
            }
            rig.host.key(KEY_PAUSE, true);
            rig.host.key(KEY_PAUSE, false);
            List<Event> events = Ps2Rig.take(rig.keys, 2 * 2 * (codes.length + 1));
            List<Integer> keys = keyEvents(events);
            for (int i = 0; i < codes.length; i++) {
                assertEquals(codes[i] << 2 | 1, keys.get(2 * i), "press of " + codes[i]);
                assertEquals(codes[i] << 2, keys.get(2 * i + 1), "release of " + codes[i]);
            }
            assertEquals(List.of(KEY_PAUSE << 2 | 1, KEY_PAUSE << 2), keys.subList(2 * codes.length, keys.size()));
            assertEquals(EV_SYN, events.get(1).type(), "each key event is followed by a report");
        }
    }

    @Test
    void theMouseReportsMotionWheelAndButtons() {
        try (Ps2Rig rig = new Ps2Rig()) {
            rig.host.pointer(12, -7, 0, 0);
            List<Event> move = Ps2Rig.take(rig.pointer, 3);
            assertEquals(12, move.get(0).value());
            assertEquals(REL_X, move.get(0).code());
            assertEquals(REL_Y, move.get(1).code());
            assertEquals(-7, move.get(1).value());
            assertEquals(EV_SYN, move.get(2).type());
            rig.host.pointer(0, 0, 2, 1);
            List<Event> click = Ps2Rig.take(rig.pointer, 3);
            assertEquals(BTN_LEFT, click.get(0).code());
            assertEquals(1, click.get(0).value());
            assertEquals(REL_WHEEL, click.get(1).code());
            assertEquals(2, click.get(1).value(), "away from the user is positive, as evdev");
            rig.host.pointer(0, 0, 0, 0);
            List<Event> release = Ps2Rig.take(rig.pointer, 2);
            assertEquals(BTN_LEFT, release.get(0).code());
            assertEquals(0, release.get(0).value());
        }
    }

    @Test
    void ledsReachTheKeyboard() {
        try (Ps2Rig rig = new Ps2Rig()) {
            rig.controller.keyboard().setLeds(4);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (rig.i8042.keyboardLeds() != 4 && System.nanoTime() < deadline) {
                LockSupport.parkNanos(1_000_000);
            }
            assertEquals(4, rig.i8042.keyboardLeds());
            assertEquals(HostInput.LED_CAPS_LOCK, rig.host.leds(), "the host side sees the LEDs too");
            // Typing goes on while the LED command is answered.
            rig.host.key(KEY_A, true);
            rig.controller.keyboard().setLeds(0);
            Ps2Rig.await(rig.keys, e -> e.type() == EV_KEY && e.code() == KEY_A, "KEY_A");
        }
    }

    /** The controller's D2/D3 commands put a byte in the output buffer as the keyboard or the mouse. */
    private static void injectAsDevice(Ps2Rig rig, boolean mouse, int b) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((rig.machine.ioPorts().inb(0x64) & 0x01) != 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(100_000); // the driver's interrupt handler empties it
        }
        rig.machine.ioPorts().outb(0x64, mouse ? 0xD3 : 0xD2);
        rig.machine.ioPorts().outb(0x60, b);
    }

    @Test
    void garbageFromTheDevicesIsResynchronised() {
        try (Ps2Rig rig = new Ps2Rig()) {
            Random random = new Random(12);
            for (int i = 0; i < 3000; i++) {
                injectAsDevice(rig, random.nextBoolean(), random.nextInt(256));
            }
            // The keyboard decodes again from the next key (a dangling prefix may eat a few bytes).
            rig.keys.clear();
            for (int i = 0; i < 4; i++) {
                rig.host.key(KEY_A, true);
                rig.host.key(KEY_A, false);
            }
            Ps2Rig.await(rig.keys, e -> e.type() == EV_KEY && e.code() == KEY_A && e.value() == 0, "KEY_A release");
            // The mouse: a pause starts a new packet, as psmouse resynchronises.
            LockSupport.parkNanos(PsMouse.RESYNC_GAP_NANOS + 100_000_000L);
            rig.pointer.clear();
            rig.host.pointer(5, 0, 0, 0);
            Ps2Rig.await(rig.pointer, e -> e.type() == EV_REL && e.code() == REL_X && e.value() == 5, "REL_X 5");
        }
    }

    @Test
    void aMachineWithoutTheControllerIsReportedAndItsPortsReleased() {
        try (Ps2Rig rig = new Ps2Rig()) {
            rig.controller.close();
            rig.i8042.deactivate();
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> new I8042Controller(rig.devices::legacyClaim));
            assertEquals("i8042: no controller (port 0x64 reads 0xff)", e.getMessage());
            // The failed probe gave its claim back: a later driver may claim the ports.
            rig.devices.legacyClaim("other").ioPorts(0x60, 1);
        }
    }

    @Test
    void aSecondDriverCannotClaimTheSamePorts() {
        try (Ps2Rig rig = new Ps2Rig()) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> new I8042Controller(rig.devices::legacyClaim));
            assertTrue(e.getMessage().contains("0x60"), e.getMessage());
        }
    }
}
