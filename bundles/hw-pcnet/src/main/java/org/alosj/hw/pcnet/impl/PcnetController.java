package org.alosj.hw.pcnet.impl;

import static org.alosj.hw.pcnet.impl.PcnetRegisters.*;

import java.nio.ByteBuffer;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chip (QEMU's pcnet.c, without its PCI glue): H_RESET and S_RESET, the commands written to
 * CSR0 (INIT reads the init block, STRT turns the transmitter and receiver on, STOP, TDMD), the
 * transmit poll, and INTA from the interrupt causes. It owns the register file, the descriptor
 * rings, the transmitter and the receiver, and reaches the world only through {@link PcnetBus}.
 *
 * <p>Every method runs with the card's monitor held ({@code lock}): register accesses from CPU
 * threads, frames from the backend's thread and the poll from the board clock.
 */
final class PcnetController {
    final RegisterFile regs;
    final Receiver receiver;
    private final DescriptorRing ring;
    private final Transmitter transmitter;
    private final PcnetBus bus;
    private final Object lock;
    private final ScheduledExecutorService clock;
    private final Logger log;
    private ScheduledFuture<?> poll;

    /**
     * @param lock the card's monitor, taken by the transmit poll
     * @param clock the board clock for the transmit poll, or null for no poll (TDMD only)
     */
    PcnetController(PcnetBus bus, Object lock, ScheduledExecutorService clock) {
        this.bus = bus;
        this.lock = lock;
        this.clock = clock;
        this.log = LoggerFactory.getLogger("hw.pcnet." + bus.name());
        this.regs = new RegisterFile(bus);
        this.ring = new DescriptorRing(regs, bus);
        this.receiver = new Receiver(regs, ring, bus);
        this.transmitter = new Transmitter(regs, ring, receiver, bus);
    }

    // ---- resets ----

    /** H_RESET (PCI RST#): BCRs to their defaults, then S_RESET. */
    void hReset() {
        regs.hReset();
        sReset();
    }

    /** S_RESET (a read of RESET): the chip stops, CSRs to their defaults, word I/O mode. */
    void sReset() {
        stopPoll();
        regs.sReset();
        transmitter.reset();
        updateIrq();
    }

    // ---- CSR writes: CSR0 is the command register ----

    void writeCsr(int n, int v) {
        if (n == CSR0) {
            writeCsr0(v);
        } else {
            regs.writeCsr(n, v);
        }
    }

    private void writeCsr0(int v) {
        int[] csr = regs.csr;
        csr[CSR0] &= ~(v & CSR0_W1C);
        csr[CSR0] = (csr[CSR0] & ~CSR0_IENA) | (v & CSR0_IENA);
        if ((v & CSR0_STOP) != 0) {
            // STOP wins over INIT and STRT written with it.
            if ((csr[CSR0] & CSR0_STOP) == 0) {
                stop();
            }
            return;
        }
        if ((v & CSR0_INIT) != 0 && (csr[CSR0] & CSR0_INIT) == 0) {
            init();
        }
        if ((v & CSR0_STRT) != 0 && (csr[CSR0] & CSR0_STRT) == 0) {
            start();
        }
        if ((v & CSR0_TDMD) != 0) {
            csr[CSR0] |= CSR0_TDMD;
            transmitter.transmit();
        }
    }

    private void stop() {
        int[] csr = regs.csr;
        stopPoll();
        csr[CSR0] = CSR0_STOP;
        csr[CSR4] &= ~(CSR4_MFCO | CSR4_UINTCMD | CSR4_UINT | CSR4_JAB);
        csr[CSR5] &= ~(CSR5_SPND | CSR5_MPINT);
        transmitter.reset();
    }

    private void start() {
        int[] csr = regs.csr;
        if ((csr[CSR15_MODE] & CSR15_DTX) == 0) {
            csr[CSR0] |= CSR0_TXON;
        }
        if ((csr[CSR15_MODE] & CSR15_DRX) == 0) {
            csr[CSR0] |= CSR0_RXON;
        }
        csr[CSR0] = (csr[CSR0] & ~CSR0_STOP) | CSR0_STRT;
        startPoll();
    }

    // ---- initialization ----

    private void init() {
        int[] csr = regs.csr;
        long iadr = regs.physical((csr[CSR1_IADR_LO] & 0xFFFFL) | (long) (csr[CSR2_IADR_HI] & 0xFFFF) << 16);
        if (!bus.busMasterEnabled()) {
            bus.guestError("INIT with bus mastering off: init block at %#x not read", iadr);
            return;
        }
        int mode;
        int rlen;
        int tlen;
        long rdra;
        long tdra;
        ByteBuffer b;
        if (regs.ssize32()) {
            b = bus.readDma(iadr, 28);
            mode = b.getShort(0) & 0xFFFF;
            rlen = (b.get(2) & 0xF0) >>> 4;
            tlen = (b.get(3) & 0xF0) >>> 4;
            setPadrLadrf(b, 4, 12);
            rdra = b.getInt(20) & 0xFFFF_FFFFL;
            tdra = b.getInt(24) & 0xFFFF_FFFFL;
        } else {
            b = bus.readDma(iadr, 24);
            mode = b.getShort(0) & 0xFFFF;
            setPadrLadrf(b, 2, 8);
            long r = b.getInt(16) & 0xFFFF_FFFFL;
            long t = b.getInt(20) & 0xFFFF_FFFFL;
            rlen = (int) (r >>> 29);
            tlen = (int) (t >>> 29);
            rdra = regs.physical(r);
            tdra = regs.physical(t);
        }
        int rxLength = rlen < 9 ? 1 << rlen : 512;
        int txLength = tlen < 9 ? 1 << tlen : 512;
        csr[CSR15_MODE] = mode;
        csr[CSR6_RXTX_RLEN] = (tlen & 0xF) << 12 | (rlen & 0xF) << 8;
        csr[CSR24_BADRL] = (int) (rdra & 0xFFFF);
        csr[CSR25_BADRU] = (int) (rdra >>> 16);
        csr[CSR30_BADXL] = (int) (tdra & 0xFFFF);
        csr[CSR31_BADXU] = (int) (tdra >>> 16);
        csr[CSR76_RCVRL] = csr[CSR72_RCVRC] = rxLength;
        csr[CSR78_XMTRL] = csr[CSR74_XMTRC] = txLength;
        transmitter.reset();
        csr[CSR0] = (csr[CSR0] & ~CSR0_STOP) | CSR0_INIT | CSR0_IDON;
        log.debug("init: SWSTYLE {}, mode {}, RX ring {}x at {}, TX ring {}x at {}", regs.swstyle(),
                String.format("%#06x", mode), rxLength, String.format("%#x", rdra), txLength,
                String.format("%#x", tdra));
    }

    private void setPadrLadrf(ByteBuffer b, int padr, int ladrf) {
        for (int i = 0; i < 3; i++) {
            regs.csr[CSR12_PADR0 + i] = b.getShort(padr + 2 * i) & 0xFFFF;
        }
        for (int i = 0; i < 4; i++) {
            regs.csr[CSR8_LADRF0 + i] = b.getShort(ladrf + 2 * i) & 0xFFFF;
        }
    }

    // ---- transmit poll ----

    private void startPoll() {
        if (clock != null && poll == null) {
            try {
                poll = clock.scheduleWithFixedDelay(this::poll, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                log.debug("board clock is shut down: no transmit poll");
            }
        }
    }

    void stopPoll() {
        if (poll != null) {
            poll.cancel(false);
            poll = null;
        }
    }

    private void poll() {
        synchronized (lock) {
            if ((regs.csr[CSR0] & CSR0_TXON) != 0 && (regs.csr[CSR4] & CSR4_DPOLL) == 0 && bus.busMasterEnabled()
                    && bus.attached()) {
                transmitter.transmit();
                updateIrq();
            }
        }
    }

    // ---- interrupts ----

    /** INTA is level: asserted while CSR0.IENA and CSR0.INTR. */
    void updateIrq() {
        boolean intr = regs.updateIntr();
        bus.setIrq(intr && (regs.csr[CSR0] & CSR0_IENA) != 0);
    }
}
