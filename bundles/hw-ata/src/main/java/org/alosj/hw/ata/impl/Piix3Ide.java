package org.alosj.hw.ata.impl;

import static org.alosj.hw.ata.impl.Ata.*;

import org.alosj.hal.bus.IoPortHandler;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.bus.Mapping;
import org.alosj.hal.bus.PhysicalMemory;
import org.alosj.hal.irq.IrqLine;
import org.alosj.hal.pci.PciFunction;

/**
 * The PIIX3 IDE function (82371SB function 1, 8086:7010) as QEMU's i440FX machine presents it:
 * class 0101, programming interface 80h (both channels fixed in compatibility mode, bus
 * mastering supported), no interrupt pin, BAR4 the 16 bytes of bus-master IDE registers.
 *
 * <p>In compatibility mode a channel decodes the ISA addresses of the PC/AT disk controller
 * (primary 0x1F0–0x1F7 and 0x3F6, IRQ 14; secondary 0x170–0x177 and 0x376, IRQ 15) while the
 * command register's I/O space enable and the channel's IDETIM IDE decode enable are both on.
 */
final class Piix3Ide extends PciFunction {
    static final int PCI_VENDOR_ID_INTEL = 0x8086;
    static final int PCI_DEVICE_ID_INTEL_82371SB_1 = 0x7010;
    static final int PCI_CLASS_STORAGE_IDE = 0x0101;
    /** Programming interface: bus mastering; both channels in (fixed) compatibility mode. */
    static final int PROG_IF = 0x80;

    static final int[] COMMAND_BLOCK = {0x1F0, 0x170};
    static final int[] CONTROL_BLOCK = {0x3F6, 0x376};
    static final int[] ISA_IRQ = {14, 15};
    private static final int[] IDETIM = {IDETIM_PRIMARY, IDETIM_SECONDARY};

    private final IoPortSpace ports;
    private final IdeBus[] buses = new IdeBus[2];
    private final Mapping[] commandDecode = new Mapping[2];
    private final Mapping[] controlDecode = new Mapping[2];

    Piix3Ide(String name, IoPortSpace ports, IrqLine primaryIrq, IrqLine secondaryIrq) {
        super(name, PCI_VENDOR_ID_INTEL, PCI_DEVICE_ID_INTEL_82371SB_1, 0x00, PCI_CLASS_STORAGE_IDE << 8 | PROG_IF,
                0x00);
        this.ports = ports;
        setSubsystem(0x1AF4, 0x1100);
        setStatus(PCI_STATUS_FAST_BACK | PCI_STATUS_DEVSEL_MEDIUM);
        setWriteMask(IDETIM_PRIMARY, 2, IDETIM_WRITABLE);
        setWriteMask(IDETIM_SECONDARY, 2, IDETIM_WRITABLE);
        setWriteMask(SIDETIM, 1, 0xFF);
        IdeBus.BusMaster master = new IdeBus.BusMaster() {
            @Override
            public boolean enabled() {
                return busMasterEnabled();
            }

            @Override
            public PhysicalMemory memory() {
                return dma();
            }
        };
        buses[0] = new IdeBus(name + "0", primaryIrq, master);
        buses[1] = new IdeBus(name + "1", secondaryIrq, master);
        defineIoBar(BMIBA_BAR, BMIBA_SIZE, new IoPortHandler() {
            @Override
            public int ioRead(int offset, int size) {
                int v = 0;
                for (int i = 0; i < size; i++) {
                    int at = offset + i;
                    v |= buses[at >> 3 & 1].readBusMaster(at & 7) << (8 * i);
                }
                return v;
            }

            @Override
            public void ioWrite(int offset, int size, int value) {
                for (int i = 0; i < size; i++) {
                    int at = offset + i;
                    buses[at >> 3 & 1].writeBusMaster(at & 7, value >>> (8 * i));
                }
            }
        });
    }

    /** Puts {@code drive} on {@code channel} (0 primary, 1 secondary) as device {@code unit}. */
    void attachDrive(int channel, int unit, AtaDrive drive) {
        buses[channel].attach(unit, drive);
    }

    IdeBus bus(int channel) {
        return buses[channel];
    }

    @Override
    protected void resetDevice() {
        for (IdeBus b : buses) {
            b.reset();
        }
        updateLegacyDecode();
    }

    @Override
    protected void configWritten(int offset, int size, int value) {
        updateLegacyDecode();
    }

    @Override
    protected void deviceDetached() {
        for (int c = 0; c < 2; c++) {
            unmap(c);
        }
        for (IdeBus b : buses) {
            b.shutdown();
        }
    }

    private synchronized void updateLegacyDecode() {
        boolean io = (configRead(PCI_COMMAND, 2) & PCI_COMMAND_IO) != 0;
        for (int c = 0; c < 2; c++) {
            boolean want = attached() && io && (configRead(IDETIM[c], 2) & IDETIM_IDE) != 0;
            if (want && commandDecode[c] == null) {
                map(c);
            } else if (!want) {
                unmap(c);
            }
        }
    }

    private void map(int c) {
        IdeBus bus = buses[c];
        int base = COMMAND_BLOCK[c];
        try {
            commandDecode[c] = ports.map(base, COMMAND_BLOCK_SIZE, new IoPortHandler() {
                @Override
                public int ioRead(int port, int size) {
                    return bus.readCommandBlock(port - base, size);
                }

                @Override
                public void ioWrite(int port, int size, int value) {
                    bus.writeCommandBlock(port - base, size, value);
                }
            }, name() + " " + bus.name() + " command block");
            controlDecode[c] = ports.map(CONTROL_BLOCK[c], 1, new IoPortHandler() {
                @Override
                public int ioRead(int port, int size) {
                    return bus.readAltStatus();
                }

                @Override
                public void ioWrite(int port, int size, int value) {
                    bus.writeDeviceControl(value & 0xFF);
                }
            }, name() + " " + bus.name() + " control block");
        } catch (IllegalArgumentException e) {
            log.warn("guest error: {} channel {} legacy ports not decoded: {}", name(), c, e.getMessage());
            unmap(c);
        }
    }

    private void unmap(int c) {
        if (commandDecode[c] != null) {
            commandDecode[c].close();
            commandDecode[c] = null;
        }
        if (controlDecode[c] != null) {
            controlDecode[c].close();
            controlDecode[c] = null;
        }
    }
}
