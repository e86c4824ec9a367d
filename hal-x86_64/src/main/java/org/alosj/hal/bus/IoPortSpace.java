package org.alosj.hal.bus;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The x86 I/O-port space, ports 0 to 0xFFFF. A read of a port no device decodes floats high
 * (all ones), a write to one is dropped, as on a real ISA/PCI bus.
 */
@ProviderType
public interface IoPortSpace {
    int PORT_COUNT = 0x10000;

    /**
     * Decodes {@code [base, base + length)} to {@code handler}.
     *
     * @throws IllegalArgumentException if the range leaves the port space or overlaps a range
     *     already decoded
     */
    Mapping map(int base, int length, IoPortHandler handler, String owner);

    /** {@code size} 1, 2 or 4; returns the value zero-extended to 32 bits. */
    int read(int port, int size);

    void write(int port, int size, int value);

    default int inb(int port) {
        return read(port, 1);
    }

    default int inw(int port) {
        return read(port, 2);
    }

    default int inl(int port) {
        return read(port, 4);
    }

    default void outb(int port, int value) {
        write(port, 1, value);
    }

    default void outw(int port, int value) {
        write(port, 2, value);
    }

    default void outl(int port, int value) {
        write(port, 4, value);
    }
}
