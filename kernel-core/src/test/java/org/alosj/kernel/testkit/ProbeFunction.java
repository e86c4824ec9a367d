package org.alosj.kernel.testkit;

import java.util.concurrent.atomic.AtomicInteger;
import org.alosj.hal.bus.IoPortHandler;
import org.alosj.hal.bus.MmioHandler;
import org.alosj.hal.pci.BarType;
import org.alosj.hal.pci.PciFunction;

/**
 * A small PCI device model for kernel tests: vendor 0x1234 (QEMU's test vendor), whatever BARs
 * the test asks for, an INTx pin it raises and lowers on command. Every BAR answers reads with a
 * signature that names the BAR ({@code 0xB0B0_0000 | index << 8 | offset}), so a test can prove a
 * BAR decodes where enumeration placed it. The ROM starts with the 0x55 0xAA signature.
 */
public final class ProbeFunction extends PciFunction {
    public static final int VENDOR = 0x1234;
    public static final int DEVICE = 0x11E8;

    private final AtomicInteger raises = new AtomicInteger();
    private volatile boolean asserted;

    private ProbeFunction(String name, int deviceId, int revision, int classCode) {
        super(name, VENDOR, deviceId, revision, classCode, 0x00);
    }

    /** Builds a probe; add BARs, ROM and pin, then plug it. */
    public static Builder named(String name) {
        return new Builder(name);
    }

    /** The value BAR {@code index} reads at {@code offset}. */
    public static int signature(int index, long offset) {
        return 0xB0B0_0000 | index << 8 | (int) (offset & 0xFF);
    }

    /** Asserts INTx, as the device does when it has something to report. */
    public void raise() {
        asserted = true;
        raises.incrementAndGet();
        setIrq(true);
    }

    /** Deasserts INTx, as when the driver acknowledges the cause. */
    public void lower() {
        asserted = false;
        setIrq(false);
    }

    /** Whether the device is asserting INTx (what a driver reads from its interrupt status). */
    public boolean interruptPending() {
        return asserted;
    }

    @Override
    protected void resetDevice() {
        asserted = false;
    }

    private static IoPortHandler ioSignature(int index) {
        return new IoPortHandler() {
            @Override
            public int ioRead(int port, int size) {
                return signature(index, port);
            }

            @Override
            public void ioWrite(int port, int size, int value) {
            }
        };
    }

    private static MmioHandler mmioSignature(int index) {
        return new MmioHandler() {
            @Override
            public long mmioRead(long offset, int size) {
                return signature(index, offset) & 0xFFFF_FFFFL;
            }

            @Override
            public void mmioWrite(long offset, int size, long value) {
            }
        };
    }

    /** Declares the device the way a model's constructor would. */
    public static final class Builder {
        private final ProbeFunction f;

        private Builder(String name) {
            f = new ProbeFunction(name, DEVICE, 0x01, 0x00FF00);
        }

        public Builder io(int index, int size) {
            f.defineIoBar(index, size, ioSignature(index));
            return this;
        }

        public Builder memory(int index, BarType type, long size) {
            f.defineMemoryBar(index, type, size, mmioSignature(index));
            return this;
        }

        public Builder rom(int size) {
            byte[] image = new byte[size];
            image[0] = 0x55;
            image[1] = (byte) 0xAA;
            f.defineRom(size, image);
            return this;
        }

        public Builder pin(int pin) {
            f.setInterruptPin(pin);
            return this;
        }

        public Builder subsystem(int vendor, int device) {
            f.setSubsystem(vendor, device);
            return this;
        }

        public ProbeFunction build() {
            return f;
        }
    }
}
