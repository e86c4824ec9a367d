package org.alosj.hal.board.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.alosj.hal.pci.Cf8;
import org.alosj.hal.pci.TestDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Devices raise INTx from their own threads while the CPU reads configuration space. A config
 * read of function 1 of a multi-function device consults function 0's header type; it must not
 * do that while holding the bus, or function 0 raising an interrupt at the same moment (its own
 * lock, then the bus) deadlocks the two.
 */
class PciBusLockOrderTest {
    private PcMachine machine;

    @AfterEach
    void powerOff() {
        machine.powerOff();
    }

    @Test
    void configReadOfFunction1AndAnInterruptFromFunction0DoNotDeadlock() throws Exception {
        machine = new PcMachine(MachineSettings.withRamMiB(16));
        TestDevice f0 = new TestDevice("multi.0", 1, 0x80);
        TestDevice f1 = new TestDevice("multi.1", 2, 0x00);
        machine.pci().plug(f0, 5, 0);
        machine.pci().plug(f1, 5, 1);
        Cf8 cfg = new Cf8(machine.ioPorts());
        AtomicInteger read = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(2);

        Thread cpu = new Thread(() -> {
            read.set(cfg.readl(Cf8.devfn(5, 1), 0));
            done.countDown();
        }, "cpu");
        cpu.setDaemon(true);
        Thread device = new Thread(() -> {
            synchronized (f0) { // the device model is busy in its own lock (as every PciFunction is)
                cpu.start();
                waitUntilBlocked(cpu);
                f0.intx(true); // ... and raises its interrupt
            }
            done.countDown();
        }, "device");
        device.setDaemon(true);
        device.start();

        assertTrue(done.await(10, TimeUnit.SECONDS), "CPU and device deadlocked: cpu "
                + cpu.getState() + ", device " + device.getState());
        assertEquals(0x5678_1234, read.get());
        cpu.join(10_000); // it counted down just before ending: let it end
        assertFalse(cpu.isAlive());
    }

    private static void waitUntilBlocked(Thread t) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (t.getState() != Thread.State.BLOCKED && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }
}
