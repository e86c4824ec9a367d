package org.alosj.drivers.ps2;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.alosj.hal.board.impl.MachineSettings;
import org.alosj.hal.board.impl.PcMachine;
import org.alosj.hal.input.HostInput;
import org.alosj.hw.i8042.impl.I8042Component;
import org.alosj.kernel.device.InputDevice;
import org.alosj.kernel.impl.irq.InterruptManager;
import org.alosj.kernel.impl.mem.DmaAllocatorImpl;
import org.alosj.kernel.impl.mem.PageAllocator;
import org.alosj.kernel.impl.pci.DeviceManager;
import org.alosj.kernel.impl.pci.PciConfigAccess;

/**
 * The driver's world, all real: a PC with the i8042 model plugged in by its own component, the
 * kernel's 8259 interrupt manager on the CPU's INTR pin, and the device manager's register of
 * legacy ports and IRQs, which the driver claims from.
 */
final class Ps2Rig implements AutoCloseable {
    final PcMachine machine = new PcMachine(MachineSettings.withRamMiB(16));
    final I8042Component i8042 = new I8042Component(machine);
    final HostInput host = i8042.input();
    final InterruptManager irqs = new InterruptManager(machine.ioPorts(), machine.interruptPin(), "test-cpu0");
    final DeviceManager devices;
    final I8042Controller controller;
    final LinkedBlockingQueue<InputDevice.Event> keys = new LinkedBlockingQueue<>();
    final LinkedBlockingQueue<InputDevice.Event> pointer = new LinkedBlockingQueue<>();

    Ps2Rig() {
        PageAllocator pages = new PageAllocator(machine.memoryMap(), machine.memory());
        // No framework: only the legacy register is used, and it never reaches the bundle context.
        devices = new DeviceManager(null, new PciConfigAccess(machine.ioPorts()), machine.ioPorts(), machine.memory(),
                irqs, new DmaAllocatorImpl(pages, machine.memory()));
        controller = new I8042Controller(devices::legacyClaim);
        controller.keyboard().setListener((d, e) -> keys.add(e));
        if (controller.mouse() != null) {
            controller.mouse().setListener((d, e) -> pointer.add(e));
        }
        controller.start();
    }

    /** Waits (bounded) for the next event on {@code queue} that {@code wanted} accepts; returns those skipped too. */
    static List<InputDevice.Event> await(LinkedBlockingQueue<InputDevice.Event> queue,
                                         Predicate<InputDevice.Event> wanted, String what) {
        List<InputDevice.Event> seen = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try {
            while (System.nanoTime() < deadline) {
                InputDevice.Event e = queue.poll(100, TimeUnit.MILLISECONDS);
                if (e != null) {
                    seen.add(e);
                    if (wanted.test(e)) {
                        return seen;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        fail("no " + what + " within 10 s; seen " + seen);
        return seen;
    }

    /** The next {@code n} events, waiting (bounded) for each. */
    static List<InputDevice.Event> take(LinkedBlockingQueue<InputDevice.Event> queue, int n) {
        List<InputDevice.Event> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.addAll(await(queue, e -> true, "event " + (i + 1) + " of " + n));
        }
        return out;
    }

    @Override
    public void close() {
        controller.close(); // closing twice is harmless
        i8042.deactivate();
        irqs.shutdown();
        machine.powerOff();
    }
}
