package org.alosj.hw.pcnet.impl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.alosj.hal.bus.PhysicalMemory;
import org.alosj.hal.net.NetPort;

/**
 * What the chip sees of the world through its PCI function (QEMU's pcnet-pci.c gives pcnet.c the
 * same): guest memory as the function masters it, the INTA pin, whether it may master at all, the
 * cable, and the guest-error log. {@link Am79C970A} implements it; the chip's parts call it with
 * the card's monitor held.
 */
interface PcnetBus {
    String name();

    /** Guest memory as the function masters it (all ones and dropped writes while mastering is off). */
    PhysicalMemory dma();

    boolean busMasterEnabled();

    /** On the bus (not yet unplugged). */
    boolean attached();

    /** Drives INTA. */
    void setIrq(boolean asserted);

    /** The backend's port, or null with no cable. */
    NetPort port();

    /** Logs a guest error (rate-limited); the chip carries on, as hardware does. */
    void guestError(String format, Object... args);

    /** {@code length} bytes of guest memory at {@code address}, little-endian. */
    default ByteBuffer readDma(long address, int length) {
        byte[] bytes = new byte[length];
        dma().read(address, bytes, 0, length);
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    default boolean linkUp() {
        NetPort p = port();
        return p != null && p.linkUp();
    }
}
