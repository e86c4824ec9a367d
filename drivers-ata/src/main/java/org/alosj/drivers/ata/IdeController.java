package org.alosj.drivers.ata;

import static org.alosj.drivers.ata.AtaRegisters.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.alosj.kernel.pci.IoRegion;
import org.alosj.kernel.pci.PciBar;
import org.alosj.kernel.pci.PciDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PIIX IDE function in compatibility mode: decodes its two channels' legacy ports (IDETIM IDE
 * decode enable, as PC firmware leaves it), finds the bus-master registers in BAR4, and brings
 * up both channels.
 */
final class IdeController {
    private static final Logger LOG = LoggerFactory.getLogger("drivers.ata_piix");

    /** Programming interface bits: a channel is in native mode (bits 0 and 2), bus mastering (bit 7). */
    static final int PROG_IF_PRIMARY_NATIVE = 0x01;
    static final int PROG_IF_SECONDARY_NATIVE = 0x04;
    static final int PROG_IF_BUS_MASTER = 0x80;
    static final int PCI_VENDOR_ID_INTEL = 0x8086;

    private final PciDevice device;
    private final List<IdeChannel> channels = new ArrayList<>();
    final boolean dma;

    private IdeController(PciDevice device, boolean dma) {
        this.device = device;
        this.dma = dma;
    }

    /**
     * Brings the controller up. On failure everything taken is given back before the exception
     * leaves.
     */
    static IdeController open(PciDevice device, boolean forcePio, long commandTimeoutMs) throws InterruptedException {
        int progIf = device.classCode() & 0xFF;
        if ((progIf & (PROG_IF_PRIMARY_NATIVE | PROG_IF_SECONDARY_NATIVE)) != 0) {
            throw new IllegalStateException(String.format(
                    "%s: programming interface %02xh has a channel in native mode; ata_piix drives compatibility mode only",
                    device.address(), progIf));
        }
        Optional<PciBar> bar4 = device.bar(BMIBA_BAR).filter(PciBar::isIo);
        boolean busMaster = (progIf & PROG_IF_BUS_MASTER) != 0 && bar4.isPresent();
        device.enable();
        if (device.vendorId() == PCI_VENDOR_ID_INTEL) {
            // PIIX: a channel's legacy ports decode only with IDETIM's IDE decode enable on.
            for (int idetim : new int[] {IDETIM_PRIMARY, IDETIM_SECONDARY}) {
                device.configWrite16(idetim, device.configRead16(idetim) | IDETIM_IDE);
            }
        }
        IoRegion bm = busMaster ? device.ioRegion(BMIBA_BAR) : null;
        boolean useDma = busMaster && !forcePio;
        if (useDma) {
            device.setBusMaster(true);
        }
        IdeController c = new IdeController(device, useDma);
        try {
            for (int ch = 0; ch < 2; ch++) {
                IdeChannel channel = new IdeChannel(device, ch, bm, commandTimeoutMs);
                c.channels.add(channel);
                channel.probe(!useDma);
            }
        } catch (InterruptedException | RuntimeException e) {
            c.close();
            throw e;
        }
        LOG.info("{}: PIIX IDE, {} disk(s), {}", device.address(), c.disks().size(),
                useDma ? "bus-master DMA" : busMaster ? "PIO (DMA off by option)" : "PIO (no bus master)");
        return c;
    }

    List<AtaDisk> disks() {
        List<AtaDisk> all = new ArrayList<>();
        for (IdeChannel ch : channels) {
            all.addAll(ch.disks());
        }
        return all;
    }

    /** Drains both channels and lets go of the hardware. */
    void close() {
        for (IdeChannel ch : channels) {
            ch.close();
        }
        if (dma && device.present()) {
            device.setBusMaster(false);
        }
    }
}
