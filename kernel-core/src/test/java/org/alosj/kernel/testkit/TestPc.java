package org.alosj.kernel.testkit;

import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.time.Clock;
import org.alosj.hal.board.Board;
import org.alosj.hal.board.Platform;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.bus.MemoryBus;

/**
 * The real PC model ({@code org.alosj.hal.board.impl.PcMachine}), built the way the machine
 * component builds it and powered off on close. Tests drive it through its I/O ports and memory,
 * exactly as the kernel does. The model's package is not exported to the kernel's module, so it
 * is built reflectively; the tests themselves run on the class path.
 */
public final class TestPc implements AutoCloseable {
    private static final String MACHINE = "org.alosj.hal.board.impl.PcMachine";
    private static final String SETTINGS = "org.alosj.hal.board.impl.MachineSettings";

    private final Object machine;
    /** The processor's view: ports, memory, INTR pin, memory map. */
    public final Platform platform;
    /** The motherboard's view: PCI slots, ISA IRQ wires, the board clock. */
    public final Board board;

    private TestPc(String name, long ramBytes, Clock wallClock) {
        try {
            Class<?> settingsType = Class.forName(SETTINGS);
            Object settings = settingsType.getConstructor(String.class, long.class, int.class, OutputStream.class,
                    Clock.class).newInstance(name, ramBytes, 1, null, wallClock);
            machine = Class.forName(MACHINE).getConstructor(settingsType).newInstance(settings);
        } catch (InvocationTargetException e) {
            throw rethrow(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build the PC model", e);
        }
        platform = (Platform) machine;
        board = (Board) machine;
    }

    /** A PC with {@code mib} MiB of RAM whose RTC follows the host's clock. */
    public static TestPc withRamMiB(int mib) {
        return new TestPc("test-pc", (long) mib << 20, Clock.systemUTC());
    }

    /** A PC whose RTC reads {@code wallClock}. */
    public static TestPc withClock(int mib, Clock wallClock) {
        return new TestPc("test-pc", (long) mib << 20, wallClock);
    }

    public IoPortSpace ports() {
        return platform.ioPorts();
    }

    public MemoryBus memory() {
        return platform.memory();
    }

    @Override
    public void close() {
        try {
            machine.getClass().getMethod("powerOff").invoke(machine);
        } catch (InvocationTargetException e) {
            throw rethrow(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot power off the PC model", e);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
