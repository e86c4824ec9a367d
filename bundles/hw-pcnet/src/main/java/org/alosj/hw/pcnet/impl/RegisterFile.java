package org.alosj.hw.pcnet.impl;

import static org.alosj.hw.pcnet.impl.PcnetRegisters.*;

import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Am79C970A's register file: the address PROM, the CSRs RDP reaches and the BCRs BDP reaches
 * through RAP, their values after H_RESET and S_RESET, and the mode bits the rest of the chip
 * reads (SWSTYLE, SSIZE32, DWIO) with the address arithmetic that follows from them. CSR0 is not
 * written here: its bits are commands, which {@link PcnetController} carries out.
 *
 * <p>The caller holds the card's monitor.
 */
final class RegisterFile {
    final byte[] prom = new byte[APROM_SIZE];
    final int[] csr = new int[CSR_COUNT];
    final int[] bcr = new int[BCR_COUNT];
    int rap;

    private final PcnetBus bus;
    private final Logger log;

    RegisterFile(PcnetBus bus) {
        this.bus = bus;
        this.log = LoggerFactory.getLogger("hw.pcnet." + bus.name());
    }

    /** The address PROM as QEMU fills it: MAC, 00 00, 00 11, 00 00, checksum (LE), 'W' 'W'. */
    void loadProm(byte[] mac) {
        Arrays.fill(prom, (byte) 0);
        System.arraycopy(mac, 0, prom, 0, 6);
        prom[9] = 0x11;
        prom[14] = 'W';
        prom[15] = 'W';
        int sum = 0;
        for (byte b : prom) {
            sum += b & 0xFF;
        }
        prom[12] = (byte) sum;
        prom[13] = (byte) (sum >>> 8);
    }

    // ---- resets ----

    /** H_RESET's part: every register cleared, the BCRs to their defaults. */
    void hReset() {
        Arrays.fill(bcr, 0);
        Arrays.fill(csr, 0);
        bcr[BCR_MSRDA] = 0x0005;
        bcr[BCR_MSWRA] = 0x0005;
        bcr[BCR_MC] = BCR2_ASEL;
        bcr[BCR_LNKST] = BCR4_PSE | BCR4_LNKSTE;
        bcr[BCR_LED1] = 0x0084;
        bcr[BCR_LED2] = 0x0088;
        bcr[BCR_LED3] = 0x0090;
        bcr[BCR_FDC] = 0x0000;
        bcr[BCR_BSBC] = 0x9001;
        bcr[BCR_EECAS] = 0x0002;
        bcr[BCR_SWS] = BCR20_CSRPCNET | SWSTYLE_LANCE;
        bcr[BCR_PLAT] = 0xFF06;
    }

    /** S_RESET's part: CSRs to their defaults (the station address from the PROM), word I/O mode. */
    void sReset() {
        rap = 0;
        bcr[BCR_BSBC] &= ~BCR18_DWIO;
        csr[CSR0] = CSR0_STOP;
        csr[CSR3] = 0;
        csr[CSR4] = CSR4_RESET;
        csr[CSR5] = 0;
        csr[CSR6_RXTX_RLEN] = 0;
        for (int i = 0; i < 4; i++) {
            csr[CSR8_LADRF0 + i] = 0;
        }
        for (int i = 0; i < 3; i++) {
            csr[CSR12_PADR0 + i] = (prom[2 * i] & 0xFF) | (prom[2 * i + 1] & 0xFF) << 8;
        }
        csr[CSR15_MODE] &= CSR15_KEPT_BY_S_RESET;
        csr[CSR24_BADRL] = csr[CSR25_BADRU] = 0;
        csr[CSR30_BADXL] = csr[CSR31_BADXU] = 0;
        csr[CSR72_RCVRC] = csr[CSR74_XMTRC] = csr[CSR76_RCVRL] = csr[CSR78_XMTRL] = 1;
        csr[CSR80] = 0x1410;
        csr[CSR88_CHIPID_LO] = CHIP_ID & 0xFFFF;
        csr[CSR89_CHIPID_HI] = CHIP_ID >>> 16;
        csr[94] = 0x0000;
        csr[100] = 0x0200;
        csr[103] = 0x0105;
        csr[CSR112_MISSC] = 0;
        csr[114] = 0;
        csr[122] = 0;
        csr[124] = 0;
    }

    // ---- modes ----

    boolean dwio() {
        return (bcr[BCR_BSBC] & BCR18_DWIO) != 0;
    }

    /** A double-word write to RDP selects DWIO. */
    void selectDwio() {
        bcr[BCR_BSBC] |= BCR18_DWIO;
        log.debug("double-word I/O mode");
    }

    boolean ssize32() {
        return (bcr[BCR_SWS] & BCR20_SSIZE32) != 0;
    }

    int swstyle() {
        return bcr[BCR_SWS] & BCR20_SWSTYLE;
    }

    boolean stoppedOrSuspended() {
        return (csr[CSR0] & CSR0_STOP) != 0 || (csr[CSR5] & CSR5_SPND) != 0;
    }

    /** In the 16-bit (SWSTYLE 0) layouts addresses are 24 bits; CSR2[15:8] gives bits 31:24. */
    long physical(long address) {
        if (ssize32()) {
            return address & 0xFFFF_FFFFL;
        }
        return (address & 0xFF_FFFFL) | (long) (csr[CSR2_IADR_HI] & 0xFF00) << 16;
    }

    // ---- CSRs ----

    int readCsr(int n) {
        return switch (n) {
            case CSR0 -> {
                int v = csr[CSR0];
                yield (v & (CSR0_BABL | CSR0_CERR | CSR0_MISS | CSR0_MERR)) != 0 ? v | CSR0_ERR : v;
            }
            case CSR16_IADR_LO_ALIAS -> csr[CSR1_IADR_LO];
            case CSR17_IADR_HI_ALIAS -> csr[CSR2_IADR_HI];
            case CSR58_SWS -> readBcr(BCR_SWS);
            // QEMU answers CSR88 with both halves of the chip ID (visible in DWIO mode).
            case CSR88_CHIPID_LO -> csr[CSR89_CHIPID_HI] << 16 | csr[CSR88_CHIPID_LO];
            default -> csr[n];
        };
    }

    /** Writes CSR {@code n}, any but CSR0. */
    void writeCsr(int n, int v) {
        switch (n) {
            case CSR1_IADR_LO, CSR2_IADR_HI, 8, 9, 10, 11, 12, 13, 14, CSR15_MODE, CSR72_RCVRC, CSR74_XMTRC,
                    CSR76_RCVRL, CSR78_XMTRL, CSR112_MISSC -> writeWhileStopped(n, v);
            case CSR3 -> csr[CSR3] = v & CSR3_WRITABLE;
            case CSR4 -> {
                int kept = csr[CSR4] & CSR4_W1C & ~v;
                csr[CSR4] = (v & ~CSR4_W1C & ~CSR4_UINTCMD) | kept;
                if ((v & CSR4_UINTCMD) != 0) {
                    csr[CSR4] |= CSR4_UINT;
                }
            }
            case CSR5 -> {
                int kept = csr[CSR5] & CSR5_W1C & ~v;
                csr[CSR5] = (v & ~CSR5_W1C) | kept;
            }
            case CSR16_IADR_LO_ALIAS -> writeWhileStopped(CSR1_IADR_LO, v);
            case CSR17_IADR_HI_ALIAS -> writeWhileStopped(CSR2_IADR_HI, v);
            case CSR58_SWS -> writeBcr(BCR_SWS, v);
            default -> {
                if (n >= 18 && n <= 47) {
                    writeWhileStopped(n, v);
                } else {
                    log.debug("write of {} to CSR{} ignored", String.format("%#06x", v), n);
                }
            }
        }
    }

    private void writeWhileStopped(int n, int v) {
        if (stoppedOrSuspended()) {
            csr[n] = v;
        } else {
            bus.guestError("CSR%d written with %#06x while running (only allowed with STOP or SPND): ignored", n, v);
        }
    }

    // ---- BCRs ----

    int readBcr(int n) {
        n &= 0x7F;
        return switch (n) {
            case BCR_LNKST, BCR_LED1, BCR_LED2, BCR_LED3 -> {
                int v = bcr[n] & ~BCR4_LEDOUT;
                int active = bus.linkUp() ? BCR4_LNKSTE : 0;
                yield (v & BCR_LED_SOURCES & active) != 0 ? v | BCR4_LEDOUT : v;
            }
            default -> n < BCR_COUNT ? bcr[n] : 0;
        };
    }

    void writeBcr(int n, int v) {
        n &= 0x7F;
        switch (n) {
            case BCR_SWS -> {
                if (!stoppedOrSuspended()) {
                    bus.guestError("BCR20 (SWSTYLE) written with %#06x while running: ignored", v);
                    return;
                }
                int style = v & BCR20_SWSTYLE;
                bcr[BCR_SWS] = switch (style) {
                    case SWSTYLE_LANCE -> style | BCR20_CSRPCNET;
                    case SWSTYLE_ILACC -> style | BCR20_SSIZE32;
                    case SWSTYLE_PCNET_PCI, SWSTYLE_PCNET_PCI_II -> style | BCR20_SSIZE32 | BCR20_CSRPCNET;
                    default -> {
                        bus.guestError("SWSTYLE %#x is reserved: using 0 (LANCE)", style);
                        yield SWSTYLE_LANCE | BCR20_CSRPCNET;
                    }
                };
                if (style == SWSTYLE_ILACC) {
                    log.warn("SWSTYLE 1 (ILACC) is handled like SWSTYLE 2");
                }
            }
            case BCR_BSBC -> bcr[n] = (v & ~BCR18_DWIO) | (bcr[n] & BCR18_DWIO);
            case BCR_MC, BCR_LNKST, BCR_LED1, BCR_LED2, BCR_LED3, BCR_FDC, BCR_EECAS, BCR_PLAT -> bcr[n] = v;
            default -> log.debug("write of {} to BCR{} ignored", String.format("%#06x", v), n);
        }
    }

    // ---- interrupts ----

    /**
     * INTR: the OR of the unmasked causes (CSR0 against the CSR3 masks, CSR4's flag/mask pairs and
     * UINT, CSR5's flag/enable pairs). Sets or clears CSR0.INTR and returns it.
     */
    boolean updateIntr() {
        int c0 = csr[CSR0];
        int c4 = csr[CSR4];
        int c5 = csr[CSR5];
        boolean intr = (c0 & ~csr[CSR3] & CSR0_INT_CAUSES) != 0
                || ((c4 >>> 1) & ~c4 & CSR4_RESET) != 0
                || (c4 & CSR4_UINT) != 0
                || ((c5 >>> 1) & c5 & CSR5_INT_ENABLES) != 0;
        csr[CSR0] = intr ? c0 | CSR0_INTR : c0 & ~CSR0_INTR;
        return intr;
    }
}
