package org.alosj.hw.i8042.impl;

import static org.alosj.hw.i8042.impl.I8042.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.alosj.hal.irq.IrqLine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The controller, keyboard and mouse as a driver sees them through ports 0x60 and 0x64. */
class I8042Test {
    /** An IRQ wire that remembers its level and its rising edges. */
    static final class Wire implements IrqLine {
        volatile boolean level;
        volatile int rises;

        @Override
        public synchronized void set(boolean asserted) {
            if (asserted && !level) {
                rises++;
            }
            level = asserted;
        }
    }

    static final int KEY_A = 30;
    static final int KEY_RIGHTCTRL = 97;
    static final int KEY_LEFT = 105;

    final Wire irq1 = new Wire();
    final Wire irq12 = new Wire();
    final AtomicInteger resets = new AtomicInteger();
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    /** The clock the mouse's sample periods run on: tests move it on. */
    final AtomicLong now = new AtomicLong();
    final I8042 kbc = new I8042(irq1, irq12, resets::incrementAndGet, timer, now::get);

    /** Lets a sample period (or many) pass. */
    void nextSample() {
        now.addAndGet(1_000_000_000L);
    }

    /** Waits (bounded) until {@code n} bytes have come out of the output buffer. */
    int[] awaitBytes(int n) throws InterruptedException {
        List<Integer> out = new ArrayList<>();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (out.size() < n && System.nanoTime() < deadline) {
            for (int b : drain()) {
                out.add(b);
            }
            Thread.sleep(1);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @AfterEach
    void stop() {
        kbc.powerOff();
        timer.shutdownNow();
    }

    int status() {
        return kbc.ioRead(STATUS_PORT, 1);
    }

    void command(int c) {
        kbc.ioWrite(STATUS_PORT, 1, c);
    }

    void data(int d) {
        kbc.ioWrite(DATA_PORT, 1, d);
    }

    /** Every byte the output buffer offers now, in order. */
    int[] drain() {
        List<Integer> out = new ArrayList<>();
        while ((status() & STR_OBF) != 0) {
            out.add(kbc.ioRead(DATA_PORT, 1));
            if (out.size() > 4096) {
                fail("the output buffer never empties");
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    void writeCcb(int ccb) {
        command(CMD_WRITE_CCB);
        data(ccb);
    }

    @Test
    void selfTestAnswers55AndSetsTheSystemFlag() {
        command(CMD_SELF_TEST);
        assertTrue((status() & STR_SYS) != 0);
        assertArrayEquals(new int[] {0x55}, drain());
        command(CMD_KBD_TEST);
        assertArrayEquals(new int[] {0x00}, drain());
        command(CMD_AUX_TEST);
        assertArrayEquals(new int[] {0x00}, drain());
    }

    @Test
    void commandByteReadsBackWhatWasWrittenAndA2FollowsTheLastPort() {
        command(CMD_READ_CCB);
        assertTrue((status() & STR_A2) != 0, "A2 set after a write to 0x64");
        assertArrayEquals(new int[] {POWER_ON_CCB}, drain());
        writeCcb(0x47);
        assertFalse((status() & STR_A2) != 0, "A2 clear after a write to 0x60");
        command(CMD_READ_CCB);
        assertArrayEquals(new int[] {0x47}, drain());
        command(CMD_KBD_DISABLE);
        command(CMD_AUX_DISABLE);
        command(CMD_READ_CCB);
        assertArrayEquals(new int[] {0x47 | CCB_KBD_DISABLE | CCB_AUX_DISABLE}, drain());
        command(CMD_KBD_ENABLE);
        command(CMD_AUX_ENABLE);
        command(CMD_READ_CCB);
        assertArrayEquals(new int[] {0x47}, drain());
    }

    @Test
    void keyboardResetAndIdentifyThroughTranslation() {
        data(Ps2Keyboard.CMD_RESET);
        assertArrayEquals(new int[] {0xFA, 0xAA}, drain());
        data(Ps2Keyboard.CMD_IDENTIFY);
        // The controller translates the keyboard's 83 to 41, as Linux's atkbd expects.
        assertArrayEquals(new int[] {0xFA, 0xAB, 0x41}, drain());
        writeCcb(CCB_SYS | CCB_KBD_INT);
        data(Ps2Keyboard.CMD_IDENTIFY);
        assertArrayEquals(new int[] {0xFA, 0xAB, 0x83}, drain());
    }

    @Test
    void keysAreSet2OnTheWireAndSet1AfterTranslation() {
        kbc.key(KEY_A, true);
        kbc.key(KEY_A, false);
        assertArrayEquals(new int[] {0x1E, 0x9E}, drain());
        kbc.key(KEY_RIGHTCTRL, true);
        kbc.key(KEY_RIGHTCTRL, false);
        assertArrayEquals(new int[] {0xE0, 0x1D, 0xE0, 0x9D}, drain());
        writeCcb(CCB_SYS | CCB_KBD_INT);
        kbc.key(KEY_A, true);
        kbc.key(KEY_A, false);
        kbc.key(KEY_LEFT, true);
        kbc.key(KEY_LEFT, false);
        assertArrayEquals(new int[] {0x1C, 0xF0, 0x1C, 0xE0, 0x6B, 0xE0, 0xF0, 0x6B}, drain());
    }

    @Test
    void pauseAndPrintScreenHaveTheirLongForms() {
        kbc.key(ScanCodes.KEY_PAUSE, true);
        kbc.key(ScanCodes.KEY_PAUSE, false);
        assertArrayEquals(new int[] {0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5}, drain());
        kbc.key(ScanCodes.KEY_SYSRQ, true);
        kbc.key(ScanCodes.KEY_SYSRQ, false);
        assertArrayEquals(new int[] {0xE0, 0x2A, 0xE0, 0x37, 0xE0, 0xB7, 0xE0, 0xAA}, drain());
    }

    @Test
    void scanCodeSetCanBeReadAndChanged() {
        writeCcb(CCB_SYS | CCB_KBD_INT);
        data(Ps2Keyboard.CMD_SCAN_CODE_SET);
        data(0);
        assertArrayEquals(new int[] {0xFA, 0xFA, 0x02}, drain());
        data(Ps2Keyboard.CMD_SCAN_CODE_SET);
        data(1);
        assertArrayEquals(new int[] {0xFA, 0xFA}, drain());
        kbc.key(KEY_A, true);
        kbc.key(KEY_A, false);
        assertArrayEquals(new int[] {0x1E, 0x9E}, drain(), "the keyboard's own set 1");
        data(Ps2Keyboard.CMD_SCAN_CODE_SET);
        data(3);
        assertArrayEquals(new int[] {0xFA, 0xFE}, drain(), "set 3 is refused");
        writeCcb(POWER_ON_CCB);
        data(Ps2Keyboard.CMD_SCAN_CODE_SET);
        data(0);
        assertArrayEquals(new int[] {0xFA, 0xFA, 0x43}, drain(), "set 1 reads 43 through translation");
    }

    @Test
    void ledsEchoResendAndUnknownCommands() {
        data(Ps2Keyboard.CMD_SET_LEDS);
        data(0x05);
        assertArrayEquals(new int[] {0xFA, 0xFA}, drain());
        assertEquals(5, kbc.keyboard.leds());
        data(Ps2Keyboard.CMD_ECHO);
        assertArrayEquals(new int[] {0xEE}, drain());
        data(Ps2Keyboard.CMD_RESEND);
        assertArrayEquals(new int[] {0xEE}, drain());
        data(0x01);
        assertArrayEquals(new int[] {0xFE}, drain());
    }

    @Test
    void disabledKeyboardSendsNothingUntilEnabled() {
        data(Ps2Keyboard.CMD_DISABLE);
        assertArrayEquals(new int[] {0xFA}, drain());
        kbc.key(KEY_A, true);
        assertArrayEquals(new int[0], drain());
        data(Ps2Keyboard.CMD_ENABLE);
        assertArrayEquals(new int[] {0xFA}, drain());
        kbc.key(KEY_A, true);
        kbc.key(KEY_A, false);
        assertArrayEquals(new int[] {0x1E, 0x9E}, drain());
        // The controller's keyboard disable holds bytes back without losing them.
        command(CMD_KBD_DISABLE);
        kbc.key(KEY_A, true);
        assertArrayEquals(new int[0], drain());
        command(CMD_KBD_ENABLE);
        assertArrayEquals(new int[] {0x1E}, drain());
    }

    @Test
    void eachKeyboardByteIsAnEdgeOnIrq1OnlyWhenEnabled() {
        kbc.key(KEY_A, true);
        kbc.key(KEY_A, false);
        assertTrue(irq1.level);
        assertEquals(1, irq1.rises);
        kbc.ioRead(DATA_PORT, 1);
        assertEquals(2, irq1.rises, "the second byte raises the line again");
        kbc.ioRead(DATA_PORT, 1);
        assertFalse(irq1.level);
        writeCcb(POWER_ON_CCB & ~CCB_KBD_INT);
        kbc.key(KEY_A, true);
        assertTrue((status() & STR_OBF) != 0);
        assertEquals(2, irq1.rises);
        assertEquals(0, irq12.rises);
    }

    @Test
    void typematicDelayAndRateFollowTheTable() {
        assertEquals(250, Ps2Keyboard.typematicDelayMillis(0x00));
        assertEquals(1000, Ps2Keyboard.typematicDelayMillis(0x60));
        assertEquals(500, Ps2Keyboard.typematicDelayMillis(Ps2Keyboard.DEFAULT_TYPEMATIC));
        assertEquals(33_360, Ps2Keyboard.typematicPeriodMicros(0x00));
        assertEquals(500_400, Ps2Keyboard.typematicPeriodMicros(0x1F));
        assertEquals(91_740, Ps2Keyboard.typematicPeriodMicros(0x0B));
    }

    @Test
    void aHeldKeyRepeatsUntilReleased() throws InterruptedException {
        data(Ps2Keyboard.CMD_TYPEMATIC);
        data(0x00); // 250 ms, 30 a second
        assertArrayEquals(new int[] {0xFA, 0xFA}, drain());
        kbc.key(KEY_A, true);
        List<Integer> seen = new ArrayList<>();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (seen.size() < 4 && System.nanoTime() < deadline) {
            for (int b : drain()) {
                seen.add(b);
            }
            Thread.sleep(5);
        }
        assertTrue(seen.size() >= 4, "makes repeated while held: " + seen);
        assertTrue(seen.stream().allMatch(b -> b == 0x1E), "only makes: " + seen);
        kbc.key(KEY_A, false);
        int[] after = drain();
        assertEquals(0x9E, after[after.length - 1]);
        Thread.sleep(150); // several periods: nothing more may come
        assertArrayEquals(new int[0], drain());
    }

    @Test
    void mouseResetIdAndTheIntelliMouseHandshakes() {
        writeCcb(POWER_ON_CCB | CCB_AUX_INT);
        command(CMD_WRITE_AUX);
        data(Ps2Mouse.CMD_RESET);
        assertTrue((status() & STR_AUX_OBF) != 0);
        assertTrue(irq12.level);
        assertArrayEquals(new int[] {0xFA, 0xAA, 0x00}, drain());
        for (int rate : new int[] {200, 100, 80}) {
            command(CMD_WRITE_AUX);
            data(Ps2Mouse.CMD_SAMPLE_RATE);
            command(CMD_WRITE_AUX);
            data(rate);
        }
        assertArrayEquals(new int[] {0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0xFA}, drain());
        command(CMD_WRITE_AUX);
        data(Ps2Mouse.CMD_GET_ID);
        assertArrayEquals(new int[] {0xFA, 3}, drain());
        for (int rate : new int[] {200, 200, 80}) {
            command(CMD_WRITE_AUX);
            data(Ps2Mouse.CMD_SAMPLE_RATE);
            command(CMD_WRITE_AUX);
            data(rate);
        }
        drain();
        command(CMD_WRITE_AUX);
        data(Ps2Mouse.CMD_GET_ID);
        assertArrayEquals(new int[] {0xFA, 4}, drain());
        command(CMD_WRITE_AUX);
        data(Ps2Mouse.CMD_RESET);
        command(CMD_WRITE_AUX);
        data(Ps2Mouse.CMD_GET_ID);
        assertArrayEquals(new int[] {0xFA, 0xAA, 0x00, 0xFA, 0x00}, drain());
    }

    private void toMouse(int... bytes) {
        for (int b : bytes) {
            command(CMD_WRITE_AUX);
            data(b);
        }
    }

    @Test
    void streamPacketsCarrySignsButtonsAndAlwaysOne() {
        toMouse(Ps2Mouse.CMD_ENABLE);
        assertArrayEquals(new int[] {0xFA}, drain());
        kbc.pointer(10, 5, 0, 1); // right 10, down 5: PS/2's y is up
        assertArrayEquals(new int[] {0x08 | 0x01 | 0x20, 10, 0xFB}, drain());
        nextSample();
        kbc.pointer(-3, -4, 0, 0);
        assertArrayEquals(new int[] {0x08 | 0x10, 0xFD, 4}, drain());
        nextSample();
        kbc.pointer(0, 0, 0, 2 | 4);
        assertArrayEquals(new int[] {0x08 | 0x02 | 0x04, 0, 0}, drain());
    }

    @Test
    void largeMotionOverflowsAndTheRestFollowsAtTheNextSample() throws InterruptedException {
        toMouse(Ps2Mouse.CMD_ENABLE);
        drain();
        kbc.pointer(300, 0, 0, 0);
        assertArrayEquals(new int[] {0x08 | 0x40, 0xFF, 0x00}, drain());
        assertArrayEquals(new int[] {0x08, 300 - 255, 0x00}, awaitBytes(3));
    }

    @Test
    void motionWithinOneSamplePeriodArrivesAsOnePacket() throws InterruptedException {
        toMouse(Ps2Mouse.CMD_SAMPLE_RATE, 10, Ps2Mouse.CMD_ENABLE);
        drain();
        kbc.pointer(1, 0, 0, 0);
        assertArrayEquals(new int[] {0x08, 1, 0}, drain(), "the first move goes at once");
        kbc.pointer(2, 0, 0, 0);
        kbc.pointer(3, -1, 0, 0);
        assertArrayEquals(new int[0], drain(), "within the 100 ms period nothing more goes");
        assertArrayEquals(new int[] {0x08, 5, 1}, awaitBytes(3), "the two moves at the period's end, summed");
    }

    @Test
    void wheelMiceSendFourBytes() {
        toMouse(0xF3, 200, 0xF3, 100, 0xF3, 80, Ps2Mouse.CMD_ENABLE);
        drain();
        kbc.pointer(1, 0, -2, 0);
        assertArrayEquals(new int[] {0x08, 1, 0, 0x02}, drain(), "two notches towards the user");
        toMouse(0xF3, 200, 0xF3, 200, 0xF3, 80);
        drain();
        nextSample();
        kbc.pointer(0, 0, 3, Ps2Mouse.BUTTON_4);
        assertArrayEquals(new int[] {0x08, 0, 0, 0x10 | 0x0D}, drain(), "-3 in four bits, button 4");
    }

    @Test
    void remoteModeAnswersReadDataAndStatus() {
        toMouse(Ps2Mouse.CMD_REMOTE, Ps2Mouse.CMD_ENABLE);
        drain();
        kbc.pointer(7, 0, 0, 1);
        assertArrayEquals(new int[0], drain(), "no stream in remote mode");
        toMouse(Ps2Mouse.CMD_READ_DATA);
        assertArrayEquals(new int[] {0xFA, 0x09, 7, 0}, drain());
        toMouse(Ps2Mouse.CMD_RESOLUTION, 3, Ps2Mouse.CMD_SCALING_2_1, Ps2Mouse.CMD_STATUS);
        assertArrayEquals(new int[] {0xFA, 0xFA, 0xFA, 0xFA, 0x40 | 0x20 | 0x10 | 0x04, 3, 100}, drain());
    }

    @Test
    void controllerWritesToTheOutputBufferAsEitherPort() {
        command(CMD_WRITE_KBD_OUT);
        data(0x42);
        assertEquals(STR_OBF, status() & (STR_OBF | STR_AUX_OBF));
        assertArrayEquals(new int[] {0x42}, drain());
        command(CMD_WRITE_AUX_OUT);
        data(0x24);
        assertEquals(STR_OBF | STR_AUX_OBF, status() & (STR_OBF | STR_AUX_OBF));
        assertArrayEquals(new int[] {0x24}, drain());
    }

    @Test
    void thePulseCommandAndTheOutputPortReachTheResetLine() {
        command(CMD_READ_OUTPUT);
        assertEquals(OUT_RESET | OUT_A20, drain()[0] & 0x0F);
        command(0xFF); // pulse nothing
        assertEquals(0, resets.get());
        command(0xFE);
        assertEquals(1, resets.get());
        command(CMD_WRITE_OUTPUT);
        data(OUT_A20);
        assertEquals(2, resets.get());
    }

    @Test
    void aHostileGuestNeverBreaksTheModel() {
        Random random = new Random(0x8042);
        for (int i = 0; i < 200_000; i++) {
            int op = random.nextInt(10);
            switch (op) {
                case 0, 1, 2 -> kbc.ioWrite(DATA_PORT, 1, random.nextInt(256));
                case 3, 4 -> {
                    int c = random.nextInt(256);
                    // Spare the reset pulses only to count them; they must not throw either.
                    kbc.ioWrite(STATUS_PORT, 1, c);
                }
                case 5, 6 -> kbc.ioRead(DATA_PORT, 1);
                case 7 -> kbc.ioRead(STATUS_PORT, 1);
                case 8 -> kbc.key(random.nextInt(300) - 10, random.nextBoolean());
                default -> kbc.pointer(random.nextInt(2001) - 1000, random.nextInt(2001) - 1000,
                        random.nextInt(21) - 10, random.nextInt(32));
            }
        }
        // Still a working controller afterwards, once the mouse is quiet and its backlog read.
        kbc.key(KEY_A, false);
        toMouse(Ps2Mouse.CMD_RESET);
        for (int i = 0; i < 100 && (status() & STR_OBF) != 0; i++) {
            drain();
        }
        command(CMD_SELF_TEST);
        int[] bytes = drain();
        assertEquals(0x55, bytes[0]);
    }
}
