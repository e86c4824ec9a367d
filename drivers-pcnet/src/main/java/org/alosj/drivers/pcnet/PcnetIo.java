package org.alosj.drivers.pcnet;

import static org.alosj.drivers.pcnet.PcnetRegisters.*;

import org.alosj.kernel.pci.IoRegion;

/**
 * Indirect register access through RAP and RDP/BDP, in the I/O mode the chip is in. After
 * H_RESET the chip is in word I/O (WIO); a 32-bit write to RDP switches it to double-word I/O
 * (DWIO) until the next H_RESET (QEMU's model also leaves DWIO on S_RESET). This driver never
 * switches modes itself: it resets the chip in WIO and, if that gets no answer, in DWIO, and then
 * uses whichever mode answered, as Linux's pcnet32 does. Every CSR and BCR is 16 bits wide in
 * either mode.
 *
 * <p>A RAP write and the RDP/BDP access after it are one operation: callers hold the driver's
 * register lock around every method here.
 */
final class PcnetIo {
    private final IoRegion io;
    private final boolean dwio;

    private PcnetIo(IoRegion io, boolean dwio) {
        this.io = io;
        this.dwio = dwio;
    }

    /**
     * Resets the chip (S_RESET, by reading the reset register) and finds the I/O mode it answers
     * in: after reset CSR0 reads STOP alone.
     *
     * @throws IllegalStateException if it answers in neither mode
     */
    static PcnetIo resetAndDetect(IoRegion io) {
        PcnetIo wio = new PcnetIo(io, false);
        wio.reset();
        int wioCsr0 = wio.readCsr(CSR0);
        if (wioCsr0 == CSR0_STOP) {
            return wio;
        }
        PcnetIo dw = new PcnetIo(io, true);
        dw.reset();
        int dwioCsr0 = dw.readCsr(CSR0);
        if (dwioCsr0 == CSR0_STOP) {
            return dw;
        }
        // A DWIO reset may have dropped the chip back to WIO.
        if (wio.readCsr(CSR0) == CSR0_STOP) {
            return wio;
        }
        throw new IllegalStateException(String.format(
                "no PCnet answers at I/O %#x: CSR0 reads %04x (WIO) / %04x (DWIO) after reset, expected %04x (STOP)",
                io.base(), wioCsr0, dwioCsr0, CSR0_STOP));
    }

    boolean dwio() {
        return dwio;
    }

    /** S_RESET: stops the chip and returns CSRs to their defaults. */
    void reset() {
        if (dwio) {
            io.in32(DWIO_RESET);
        } else {
            io.in16(WIO_RESET);
        }
    }

    int readCsr(int csr) {
        selectRegister(csr);
        return dwio ? io.in32(DWIO_RDP) & 0xFFFF : io.in16(WIO_RDP) & 0xFFFF;
    }

    void writeCsr(int csr, int value) {
        selectRegister(csr);
        if (dwio) {
            io.out32(DWIO_RDP, value & 0xFFFF);
        } else {
            io.out16(WIO_RDP, value & 0xFFFF);
        }
    }

    int readBcr(int bcr) {
        selectRegister(bcr);
        return dwio ? io.in32(DWIO_BDP) & 0xFFFF : io.in16(WIO_BDP) & 0xFFFF;
    }

    void writeBcr(int bcr, int value) {
        selectRegister(bcr);
        if (dwio) {
            io.out32(DWIO_BDP, value & 0xFFFF);
        } else {
            io.out16(WIO_BDP, value & 0xFFFF);
        }
    }

    /** A byte of the address PROM (the station address and its checksum). */
    int readAprom(int offset) {
        return io.in8(APROM + offset) & 0xFF;
    }

    private void selectRegister(int index) {
        if (dwio) {
            io.out32(DWIO_RAP, index);
        } else {
            io.out16(WIO_RAP, index);
        }
    }
}
