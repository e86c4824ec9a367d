package org.alosj.hal.board.impl;

import java.util.function.LongSupplier;
import org.alosj.hal.bus.IoPortHandler;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.bus.Mapping;
import org.alosj.hal.irq.IrqLine;
import org.alosj.hal.pci.PciFunction;

/**
 * The PIIX4 power-management function (82371AB, 8086:7113) that QEMU's {@code pc} machine puts
 * at 00:01.3, with its ACPI PM1 block: firmware (here the kernel) writes the block's I/O base
 * to PMBA (0x40) and enables it with PMIOSE (PMREGMISC, 0x80). Registers at the base, as the
 * datasheet and QEMU's acpi_pm1_* name them: PM1_STS (0x00), PM1_EN (0x02), PM1_CNT (0x04),
 * PM_TMR (0x08, the 3.579545 MHz ACPI timer, 24 bits). Writing SLP_EN with sleep type 0 to
 * PM1_CNT enters S5, soft-off, as QEMU's DSDT defines it: the board powers off.
 *
 * <p>Events reach the OS as the SCI, ISA IRQ 9 on this board, a level that is high while any
 * enabled event's status bit is set (ACPI 4.7.2): the fixed power-button event (PWRBTN_STS in
 * PM1_STS, enabled by PWRBTN_EN in PM1_EN) and the general-purpose events of the GPE0 block,
 * which QEMU's {@code pc} decodes at 0xAFE0 (GPE0_STS, 2 bytes, then GPE0_EN, 2 bytes). GPE bit 1
 * is the PCI hot-plug event (QEMU's ACPI_PCI_HOTPLUG_STATUS, the DSDT's {@code _E01}). Status
 * bits are cleared by writing ones to them, so the OS acknowledges an event by clearing exactly
 * the bits it handled.
 */
final class Piix4Pm extends PciFunction {
    static final int PIIX4_PMBA = 0x40;
    static final int PIIX4_PMREGMISC = 0x80;
    static final int PMIOSE = 0x01;
    static final int PM_BLOCK_SIZE = 0x40;

    static final int PM1_STS = 0x00;
    static final int PM1_EN = 0x02;
    static final int PM1_CNT = 0x04;
    static final int PM_TMR = 0x08;
    static final int ACPI_BITMASK_TIMER_STATUS = 0x0001;
    static final int ACPI_BITMASK_POWER_BUTTON_STATUS = 0x0100;
    static final int ACPI_BITMASK_SCI_ENABLE = 0x0001;
    static final int ACPI_BITMASK_SLEEP_TYPE = 0x1C00;
    static final int ACPI_BITMASK_SLEEP_ENABLE = 0x2000;
    /** The sleep type QEMU's DSDT gives \_S5 (soft-off). */
    static final int SLP_TYP_S5 = 0;
    static final long PM_TIMER_FREQUENCY = 3_579_545;
    static final int ACPI_BITMASK_POWER_BUTTON_ENABLE = 0x0100;
    /** QEMU's {@code pc} GPE0 block: GPE0_STS at +0, GPE0_EN at +2. */
    static final int GPE0_BASE = 0xAFE0;
    static final int GPE0_LEN = 4;
    static final int GPE0_STS = 0x0;
    static final int GPE0_EN = 0x2;
    /** GPE0 bit 1: PCI hot-plug (QEMU's ACPI_PCI_HOTPLUG_STATUS). */
    static final int ACPI_PCI_HOTPLUG_STATUS = 0x0002;

    private final IoPortSpace ports;
    private final LongSupplier uptimeNanos;
    private final Runnable powerOff;
    private final IrqLine sci;
    private Mapping block;
    private int sts;
    private int en;
    private int cnt;
    private int gpeSts;
    private int gpeEn;
    private boolean sciLevel;

    Piix4Pm(IoPortSpace ports, LongSupplier uptimeNanos, Runnable powerOff, IrqLine sci) {
        super("piix4-pm", 0x8086, 0x7113, 0x03, 0x068000, 0x00);
        this.ports = ports;
        this.uptimeNanos = uptimeNanos;
        this.powerOff = powerOff;
        this.sci = sci;
        // The GPE0 block is fixed on QEMU's pc (its FADT says 0xAFE0), not behind PMBA.
        ports.map(GPE0_BASE, GPE0_LEN, new IoPortHandler() {
            @Override
            public int ioRead(int port, int size) {
                return gpeRead(port - GPE0_BASE, size);
            }

            @Override
            public void ioWrite(int port, int size, int value) {
                gpeWrite(port - GPE0_BASE, size, value);
            }
        }, "acpi-gpe0");
        setSubsystem(0x1AF4, 0x1100);
        setStatus(PCI_STATUS_DEVSEL_MEDIUM | 0x0080); // fast back-to-back capable, as QEMU shows it
        setInterruptPin(1);
        // Power-on values as QEMU's piix4_pm shows them (shared/reference/qemu-pci, reset dump).
        setConfigByte(PIIX4_PMBA, 0x01);     // I/O space indicator
        setConfigByte(0x5F, 0x10);           // DEVACTB
        setConfigByte(0x63, 0x60);           // DEVRESD
        setConfigLong(0x90, 0xB101);         // SMBBA
        setConfigByte(0xD2, 0x09);           // SMBHSTCFG
        setWriteMask(PIIX4_PMBA, 2, 0xFFC0);
        setWriteMask(PIIX4_PMREGMISC, 1, PMIOSE);
        setWriteMask(0x90, 2, 0xFFF0);
        setWriteMask(0xD2, 1, 0x0F);
    }

    @Override
    protected void configWritten(int offset, int size, int value) {
        if (offset < PIIX4_PMBA + 2 && offset + size > PIIX4_PMBA
                || offset <= PIIX4_PMREGMISC && offset + size > PIIX4_PMREGMISC) {
            remapBlock();
        }
    }

    /** Decodes the PM block at PMBA while PMIOSE is set, as the PIIX4 does (firmware's setting). */
    private synchronized void remapBlock() {
        if (block != null) {
            block.close();
            block = null;
        }
        int base = configRead(PIIX4_PMBA, 2) & 0xFFC0;
        if ((configRead(PIIX4_PMREGMISC, 1) & PMIOSE) == 0 || base == 0) {
            return;
        }
        try {
            block = ports.map(base, PM_BLOCK_SIZE, new IoPortHandler() {
                @Override
                public int ioRead(int port, int size) {
                    return pmRead(port - base, size);
                }

                @Override
                public void ioWrite(int port, int size, int value) {
                    pmWrite(port - base, size, value);
                }
            }, "piix4-pm");
        } catch (IllegalArgumentException e) {
            log.warn("guest error: PMBA {} overlaps another device: {}", Integer.toHexString(base), e.getMessage());
        }
    }

    private int timer() {
        return (int) (uptimeNanos.getAsLong() / 1000 * PM_TIMER_FREQUENCY / 1_000_000 & 0xFF_FFFF);
    }

    synchronized int pmRead(int offset, int size) {
        if (offset >= PM_TMR && offset < PM_TMR + 4) {
            return timer() >>> (8 * (offset - PM_TMR)); // the bus keeps the bytes of the access
        }
        int v = switch (offset & ~1) {
            case PM1_STS -> sts;
            case PM1_EN -> en;
            case PM1_CNT -> cnt;
            default -> 0;
        };
        return (offset & 1) != 0 ? v >>> 8 : v;
    }

    void pmWrite(int offset, int size, int value) {
        boolean off = false;
        synchronized (this) {
            switch (offset) {
                case PM1_STS -> sts &= ~value; // write one to clear
                case PM1_EN -> en = value & (ACPI_BITMASK_POWER_BUTTON_ENABLE | ACPI_BITMASK_TIMER_STATUS);
                case PM1_CNT -> {
                    cnt = value & ~ACPI_BITMASK_SLEEP_ENABLE; // SLP_EN is write-only
                    if ((value & ACPI_BITMASK_SLEEP_ENABLE) != 0) {
                        int type = (value & ACPI_BITMASK_SLEEP_TYPE) >>> 10;
                        if (type == SLP_TYP_S5) {
                            off = true;
                        } else {
                            log.warn("guest error: sleep type {} is not supported (S5 is {})", type, SLP_TYP_S5);
                        }
                    }
                }
                default -> log.debug("guest wrote {} to PM register {}", Integer.toHexString(value),
                        Integer.toHexString(offset));
            }
            updateSci();
        }
        if (off) {
            log.info("{}: entering S5 (soft-off)", name());
            powerOff.run();
        }
    }

    synchronized int gpeRead(int offset, int size) {
        // Byte, word or dword reads: the block is four bytes, status word then enable word.
        int block = gpeEn << 16 | gpeSts;
        return block >>> (8 * offset);
    }

    synchronized void gpeWrite(int offset, int size, int value) {
        for (int i = 0; i < size && offset + i < GPE0_LEN; i++) {
            int b = value >>> (8 * i) & 0xFF;
            int at = offset + i;
            int shift = 8 * (at & 1);
            if (at < GPE0_EN) {
                gpeSts &= ~(b << shift); // write one to clear
            } else {
                gpeEn = gpeEn & ~(0xFF << shift) | b << shift;
            }
        }
        updateSci();
    }

    /** A general-purpose event fired: its GPE0 status bit is set until the OS clears it. */
    synchronized void raiseGpe(int bits) {
        gpeSts |= bits & 0xFFFF;
        updateSci();
    }

    /**
     * The power button was pressed: PWRBTN_STS is set, whatever PWRBTN_EN says (the enable only
     * gates the SCI), as ACPI's fixed power-button event works.
     */
    synchronized void pressPowerButton() {
        sts |= ACPI_BITMASK_POWER_BUTTON_STATUS;
        updateSci();
    }

    /** The SCI follows the enabled status bits (QEMU's pm_update_sci); lock held. */
    private void updateSci() {
        boolean level = (sts & en & (ACPI_BITMASK_POWER_BUTTON_STATUS | ACPI_BITMASK_TIMER_STATUS)) != 0
                || (gpeSts & gpeEn) != 0;
        if (level != sciLevel) {
            sciLevel = level;
            sci.set(level);
        }
    }

    @Override
    protected void resetDevice() {
        synchronized (this) {
            sts = 0;
            en = 0;
            cnt = 0;
            gpeSts = 0;
            gpeEn = 0;
            updateSci();
        }
        remapBlock();
    }

    @Override
    protected void deviceDetached() {
        synchronized (this) {
            if (block != null) {
                block.close();
                block = null;
            }
        }
    }
}
