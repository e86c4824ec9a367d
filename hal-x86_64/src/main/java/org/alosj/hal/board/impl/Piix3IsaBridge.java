package org.alosj.hal.board.impl;

import org.alosj.hal.pci.PciFunction;

/**
 * The PIIX3 PCI-to-ISA bridge (00:01.0). Its PIRQ route control registers (0x60–0x63) steer
 * the four PCI interrupt links to ISA IRQs: bit 7 set disables a link, bits 3–0 name the IRQ.
 * Its reset control register (RCR, I/O port 0xCF9, reached by byte cycles the host bridge
 * passes on) resets the system when RST_CPU (bit 2) is written with a one.
 */
final class Piix3IsaBridge extends PciFunction {
    static final int PIIX_PIRQCA = 0x60;
    static final int PIRQ_DISABLE = 0x80;
    static final int RCR = 0xCF9;
    static final int RCR_SYS_RST = 0x02;
    static final int RCR_RST_CPU = 0x04;

    private final PciBusImpl bus;
    private final Runnable reset;
    private int rcr;

    Piix3IsaBridge(PciBusImpl bus, Runnable reset) {
        super("piix3", 0x8086, 0x7000, 0x00, 0x060100, 0x80);
        this.bus = bus;
        this.reset = reset;
        setSubsystem(0x1AF4, 0x1100);
        setStatus(PCI_STATUS_DEVSEL_MEDIUM);
        // Power-on values of the PIIX3's own registers (datasheet defaults, as QEMU shows them).
        setConfigByte(0x4C, 0x4D);  // IORT: ISA I/O recovery
        setConfigByte(0x4E, 0x03);  // XBCS: X-bus chip select
        for (int i = 0; i < 4; i++) {
            setConfigByte(PIIX_PIRQCA + i, PIRQ_DISABLE);
        }
        setConfigByte(0x69, 0x02);  // TOM: top of memory
        setConfigByte(0x70, 0x80);  // MBIRQ0: motherboard IRQ routing, disabled
        setConfigByte(0x76, 0x0C);  // MBDMA0
        setConfigByte(0x77, 0x0C);  // MBDMA1
        setConfigByte(0x78, 0x02);  // PCSC: programmable chip select
        setConfigByte(0xA0, 0x08);  // SMICNTL
        setConfigByte(0xA8, 0x0F);  // SMIREQ
        setWriteMask(0x4C, 1, 0xFF);
        setWriteMask(0x4E, 1, 0xFF);
        setWriteMask(PIIX_PIRQCA, 4, 0x8F8F8F8F);
        setWriteMask(0x69, 1, 0xFF);
        setWriteMask(0x70, 1, 0xFF);
        setWriteMask(0x76, 2, 0xFFFF);
        setWriteMask(0x78, 2, 0xFFFF);
        setWriteMask(0x82, 1, 0x0F); // DLC: delayed transaction, passive release (Linux's quirk sets it)
        setWriteMask(0xA0, 1, 0xFF);
        setWriteMask(0xA8, 1, 0xFF);
    }

    /** The ISA IRQ each link (PIRQA..D) goes to, -1 where disabled. */
    private int[] routes() {
        int[] routes = new int[4];
        for (int pirq = 0; pirq < 4; pirq++) {
            int v = configRead(PIIX_PIRQCA + pirq, 1);
            routes[pirq] = (v & PIRQ_DISABLE) != 0 ? -1 : v & 0x0F;
        }
        return routes;
    }

    @Override
    protected void configWritten(int offset, int size, int value) {
        if (offset < PIIX_PIRQCA + 4 && offset + size > PIIX_PIRQCA) {
            bus.setPirqRoutes(routes());
        }
    }

    synchronized int readResetControl() {
        return rcr;
    }

    /** RCR: SYS_RST chooses a hard reset, a one in RST_CPU starts it (QEMU resets the system either way). */
    void writeResetControl(int value) {
        synchronized (this) {
            rcr = value & RCR_SYS_RST;
        }
        if ((value & RCR_RST_CPU) != 0) {
            log.info("{}: reset through the reset control register ({})", name(),
                    (value & RCR_SYS_RST) != 0 ? "hard" : "soft");
            reset.run();
        }
    }

    @Override
    protected void resetDevice() {
        synchronized (this) {
            rcr = 0;
        }
        bus.setPirqRoutes(routes());
    }
}
