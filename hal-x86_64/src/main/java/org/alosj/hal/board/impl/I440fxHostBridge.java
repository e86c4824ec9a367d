package org.alosj.hal.board.impl;

import org.alosj.hal.bus.IoPortHandler;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.pci.PciFunction;

/**
 * The i440FX PMC (host bridge, 00:00.0) and the configuration mechanism #1 it decodes: a 32-bit
 * write to 0xCF8 latches a bus/device/function/register address with bit 31 set; accesses to
 * 0xCFC–0xCFF then reach that function's configuration space. Nothing there reads all ones.
 */
final class I440fxHostBridge extends PciFunction {
    static final int CONFIG_ADDRESS = 0xCF8;
    static final int CONFIG_DATA = 0xCFC;
    private static final int ENABLE = 0x8000_0000;

    /** i440FX DRAM control and SMRAM registers, at their power-on values. */
    private static final int I440FX_DRAMC = 0x57;
    private static final int I440FX_PAM0 = 0x59;
    private static final int I440FX_SMRAM = 0x72;

    private final PciBusImpl bus;
    private Piix3IsaBridge isa;
    private int address;

    I440fxHostBridge(PciBusImpl bus) {
        super("i440fx", 0x8086, 0x1237, 0x02, 0x060000, 0x00);
        this.bus = bus;
        setSubsystem(0x1AF4, 0x1100);
        setConfigByte(I440FX_DRAMC, 0x10);
        setConfigByte(I440FX_SMRAM, 0x02);
        // The PAM registers decide who answers the BIOS area; there is no BIOS here, but the
        // registers are the chipset's and firmware writes them.
        setWriteMask(I440FX_PAM0, 7, 0x33_33_33_33);
        setWriteMask(I440FX_PAM0 + 4, 3, 0x33_33_33);
        setWriteMask(I440FX_DRAMC, 1, 0xFF);
        setWriteMask(I440FX_SMRAM, 1, 0x78);
    }

    /** Where byte cycles to 0xCF9 go: the PIIX3's reset control register. */
    synchronized void setIsaBridge(Piix3IsaBridge isa) {
        this.isa = isa;
    }

    private synchronized Piix3IsaBridge isa() {
        return isa;
    }

    void mapPorts(IoPortSpace ports) {
        ports.map(CONFIG_ADDRESS, 4, new IoPortHandler() {
            @Override
            public int ioRead(int port, int size) {
                Piix3IsaBridge rcr = isa();
                if (port == Piix3IsaBridge.RCR && size == 1 && rcr != null) {
                    return rcr.readResetControl();
                }
                synchronized (I440fxHostBridge.this) {
                    if (port == CONFIG_ADDRESS && size == 4) {
                        return address;
                    }
                    return size == 4 ? -1 : (1 << (8 * size)) - 1;
                }
            }

            @Override
            public void ioWrite(int port, int size, int value) {
                Piix3IsaBridge rcr = isa();
                if (port == Piix3IsaBridge.RCR && size == 1 && rcr != null) {
                    rcr.writeResetControl(value);
                    return;
                }
                synchronized (I440fxHostBridge.this) {
                    // Only a dword access latches the address; byte and word cycles to 0xCF8
                    // go to the ISA bus (0xCF9 is the PIIX3 reset control register).
                    if (port == CONFIG_ADDRESS && size == 4) {
                        address = value & 0x80FF_FFFC;
                    }
                }
            }
        }, "pci-conf-address");
        ports.map(CONFIG_DATA, 4, new IoPortHandler() {
            @Override
            public int ioRead(int port, int size) {
                int a = latched();
                if ((a & ENABLE) == 0 || ((a >> 16) & 0xFF) != 0) {
                    return size == 4 ? -1 : (1 << (8 * size)) - 1;
                }
                int lane = port - CONFIG_DATA;
                int devfn = (a >> 8) & 0xFF;
                if ((lane & (size - 1)) == 0) {
                    return bus.configRead(devfn, (a & 0xFC) + lane, size);
                }
                // An unaligned cycle (inw 0xCFD) reads the bytes of the dword it covers; bytes
                // past 0xCFF are another port's.
                int v = 0;
                for (int i = 0; i < size; i++) {
                    int b = lane + i < 4 ? bus.configRead(devfn, (a & 0xFC) + lane + i, 1) : 0xFF;
                    v |= b << (8 * i);
                }
                return v;
            }

            @Override
            public void ioWrite(int port, int size, int value) {
                int a = latched();
                if ((a & ENABLE) == 0 || ((a >> 16) & 0xFF) != 0) {
                    return;
                }
                int lane = port - CONFIG_DATA;
                int devfn = (a >> 8) & 0xFF;
                if ((lane & (size - 1)) == 0) {
                    bus.configWrite(devfn, (a & 0xFC) + lane, size, value);
                    return;
                }
                for (int i = 0; i < size && lane + i < 4; i++) {
                    bus.configWrite(devfn, (a & 0xFC) + lane + i, 1, value >>> (8 * i));
                }
            }
        }, "pci-conf-data");
    }

    private synchronized int latched() {
        return address;
    }

    @Override
    protected void resetDevice() {
        synchronized (this) {
            address = 0;
        }
    }
}
