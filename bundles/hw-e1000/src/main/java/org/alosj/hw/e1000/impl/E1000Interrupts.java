package org.alosj.hw.e1000.impl;

import static org.alosj.hw.e1000.impl.E1000Regs.*;

import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * The MAC's interrupt logic: causes collect in ICR, IMS masks them, and the result goes out on
 * the line (INTx, or MSI through the PCI function) or, on the 82574 with MSI-X on, as one message
 * per MSI-X cause through the vector IVAR gives it. ITR throttles both: a new assertion or batch
 * of messages is held back until ITR × 256 ns after the previous one, then sent by the board
 * clock. The 82574's auto-clear and auto-mask (EIAC, IAM with CTRL_EXT.IAME and EIAME) and the
 * pending-bit clear on unmask (CTRL_EXT.PBA_support) are here too.
 *
 * <p>ICR, IMS, ITR, EIAC, IAM, IVAR and CTRL_EXT live in the MAC's register file, shared with
 * {@link E1000Core}; everything runs under the PCI function's monitor, as the core does.
 */
final class E1000Interrupts {
    /** ITR counts in units of 256 ns. */
    static final long ITR_UNIT_NANOS = 256;

    /** An MSI-X cause (an ICR bit IVAR routes) and the events (ICR bits) that set it. */
    record MsixCause(int cause, int events) {
    }

    /**
     * The five MSI-X causes, in IVAR's field order: a receive write-back sets RxQ0, a transmit
     * write-back TxQ0, and any of the other causes Other; the second queues (RxQ1, TxQ1) have no
     * events in a model of one queue each.
     */
    static final List<MsixCause> MSIX_CAUSES = List.of(
            new MsixCause(ICR_RXQ0, ICR_RXT0),
            new MsixCause(ICR_RXQ1, 0),
            new MsixCause(ICR_TXQ0, ICR_TXDW),
            new MsixCause(ICR_TXQ1, 0),
            new MsixCause(ICR_OTHER, ICR_OTHER_CAUSES));

    private final Object lock;
    private final Part part;
    private final int[] reg;
    private final E1000Core.Bus bus;
    private final ScheduledExecutorService clock;
    private final Logger log;

    private boolean irqAsserted;
    /** MSI-X causes already signalled and still pending: a cause sends one message per assertion. */
    private int msixSignalled;
    private long lastRaise = Long.MIN_VALUE / 2;
    private ScheduledFuture<?> throttle;

    E1000Interrupts(Object lock, Part part, int[] reg, E1000Core.Bus bus, ScheduledExecutorService clock, Logger log) {
        this.lock = lock;
        this.part = part;
        this.reg = reg;
        this.bus = bus;
        this.clock = clock;
        this.log = log;
    }

    /** After the register file's reset: nothing asserted, nothing held back, the line low. */
    void reset() {
        cancelThrottle();
        irqAsserted = false;
        msixSignalled = 0;
        lastRaise = Long.MIN_VALUE / 2;
        bus.interrupt(false);
    }

    /** The device left the machine: no throttled interrupt may fire afterwards. */
    void detached() {
        cancelThrottle();
    }

    boolean asserted() {
        return irqAsserted;
    }

    /** Sets {@code causes} in ICR (with their MSI-X causes in MSI-X mode) and updates the interrupt. */
    void raise(int causes) {
        if (part.isPcie() && bus.msixEnabled()) {
            causes |= msixCauses(causes);
        }
        reg[ICR >> 2] |= causes;
        update();
    }

    /** The MSI-X causes {@code events} set. */
    static int msixCauses(int events) {
        int causes = 0;
        for (MsixCause c : MSIX_CAUSES) {
            if ((events & c.events()) != 0) {
                causes |= c.cause();
            }
        }
        return causes;
    }

    /** MSI-X causes with the events behind them (RxQ0: RXT0, TxQ0: TXDW, Other: LSC, RXO, …). */
    static int withTheirEvents(int msixCauses) {
        int events = msixCauses;
        for (MsixCause c : MSIX_CAUSES) {
            if ((msixCauses & c.cause()) != 0) {
                events |= c.events();
            }
        }
        return events;
    }

    // ---- the registers ----

    /** A read of ICR: the causes (with INT_ASSERTED on the 82574), cleared by the read. */
    int readIcr() {
        int v = reg[ICR >> 2];
        if (part.isPcie() && (v & reg[IMS >> 2]) != 0) {
            v |= ICR_INT_ASSERTED;
        }
        reg[ICR >> 2] = 0;
        autoMaskOnAcknowledge();
        update();
        return v;
    }

    /** A write of ICR: the causes written as 1 are cleared. */
    void writeIcr(int value) {
        reg[ICR >> 2] &= ~value;
        autoMaskOnAcknowledge();
        update();
    }

    /** A write of ICS: software sets causes. */
    void writeIcs(int value) {
        raise(value & part.interruptCauses());
    }

    void writeIms(int value) {
        reg[IMS >> 2] |= value & part.interruptCauses();
        clearPendingOnUnmask(value);
        update();
    }

    void writeImc(int value) {
        reg[IMS >> 2] &= ~value;
        update();
    }

    void writeItr(int value) {
        reg[ITR >> 2] = value & 0xFFFF;
    }

    void writeEiac(int value) {
        reg[EIAC >> 2] = part.isPcie() ? value & ICR_MSIX_CAUSES : value;
    }

    void writeIvar(int value) {
        reg[IVAR >> 2] = part.isPcie() ? value & (0x000F_FFFF | IVAR_TX_INT_EVERY_WB) : value;
    }

    /** CTRL_EXT.IAME: a read or write of ICR also writes IAM to IMC. */
    private void autoMaskOnAcknowledge() {
        if (part.isPcie() && (reg[CTRL_EXT >> 2] & CTRL_EXT_IAME) != 0) {
            reg[IMS >> 2] &= ~reg[IAM >> 2];
        }
    }

    /** CTRL_EXT.PBA_support: setting an MSI-X cause in IMS clears its vector's pending bit. */
    private void clearPendingOnUnmask(int value) {
        if (!part.isPcie() || (reg[CTRL_EXT >> 2] & CTRL_EXT_PBA_CLR) == 0 || !bus.msixEnabled()) {
            return;
        }
        for (int n = 0; n < MSIX_CAUSES.size(); n++) {
            if ((value & MSIX_CAUSES.get(n).cause()) != 0) {
                int field = ivarField(n);
                if ((field & IVAR_VALID) != 0) {
                    bus.msixClearPending(field & IVAR_VECTOR_MASK);
                }
            }
        }
    }

    /** IVAR's 4-bit field for MSI-X cause {@code n} (0 RxQ0, 1 RxQ1, 2 TxQ0, 3 TxQ1, 4 Other). */
    private int ivarField(int n) {
        return reg[IVAR >> 2] >>> (IVAR_FIELD_BITS * n) & 0xF;
    }

    // ---- delivery ----

    /** The interrupt mode changed (MSI, MSI-X or INTx): pending causes are signalled afresh. */
    void modeChanged() {
        msixSignalled = 0;
        irqAsserted = false;
        update();
    }

    /** Drives the line from ICR and IMS; a new assertion waits out the ITR interval. */
    void update() {
        if (part.isPcie() && bus.msixEnabled()) {
            updateMsix();
            return;
        }
        boolean pending = (reg[ICR >> 2] & reg[IMS >> 2]) != 0;
        if (pending && !irqAsserted && heldBack()) {
            return;
        }
        if (pending != irqAsserted) {
            irqAsserted = pending;
            bus.interrupt(pending);
        }
    }

    /**
     * MSI-X: each of the five causes newly pending in ICR AND IMS sends the message of the vector
     * IVAR gives it (none while its valid bit is clear); then the causes in EIAC are cleared from
     * ICR and, with CTRL_EXT.EIAME, those in IAM from IMS. ITR holds back a new batch as it holds
     * back a new INTx assertion.
     */
    private void updateMsix() {
        int pending = reg[ICR >> 2] & reg[IMS >> 2] & ICR_MSIX_CAUSES;
        msixSignalled &= pending;
        int fresh = pending & ~msixSignalled;
        if (fresh == 0 || heldBack()) {
            return;
        }
        for (int n = 0; n < MSIX_CAUSES.size(); n++) {
            if ((fresh & MSIX_CAUSES.get(n).cause()) == 0) {
                continue;
            }
            int field = ivarField(n);
            if ((field & IVAR_VALID) != 0) {
                bus.msixMessage(field & IVAR_VECTOR_MASK);
            }
        }
        reg[ICR >> 2] &= ~(reg[EIAC >> 2] & fresh);
        if ((reg[CTRL_EXT >> 2] & CTRL_EXT_EIAME) != 0) {
            reg[IMS >> 2] &= ~(reg[IAM >> 2] & withTheirEvents(fresh));
        }
        msixSignalled |= fresh & reg[ICR >> 2] & reg[IMS >> 2];
    }

    /**
     * ITR: whether a new interrupt must wait (then the board clock sends it when the interval is
     * over); otherwise it goes now, and the interval starts again.
     */
    private boolean heldBack() {
        long interval = (reg[ITR >> 2] & 0xFFFF) * ITR_UNIT_NANOS;
        long now = System.nanoTime();
        long due = lastRaise + interval;
        if (interval > 0 && now - due < 0) {
            scheduleThrottle(due - now);
            return true;
        }
        lastRaise = now;
        return false;
    }

    private void scheduleThrottle(long delayNanos) {
        if (throttle != null || clock == null) {
            return;
        }
        try {
            throttle = clock.schedule(() -> {
                synchronized (lock) {
                    throttle = null;
                    update();
                }
            }, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("board clock is shut down: the throttled interrupt is raised now");
            lastRaise = Long.MIN_VALUE / 2;
            update();
        }
    }

    private void cancelThrottle() {
        if (throttle != null) {
            throttle.cancel(false);
            throttle = null;
        }
    }
}
