package org.alosj.hw.e1000.impl;

import static org.alosj.hw.e1000.impl.E1000Regs.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The 82574's five MSI-X causes (ICR bits 24:20, in IVAR's field order) and the events that set
 * them, one table read both ways: from events to causes when a cause is raised, from causes back
 * to their events when EIAME auto-masks.
 */
class MsixCauseTableTest {
    @Test
    void theTableIsInIvarFieldOrderAndCoversTheFiveCauses() {
        int all = 0;
        for (int n = 0; n < E1000Interrupts.MSIX_CAUSES.size(); n++) {
            assertEquals(1 << (ICR_MSIX_SHIFT + n), E1000Interrupts.MSIX_CAUSES.get(n).cause(), "IVAR field " + n);
            all |= E1000Interrupts.MSIX_CAUSES.get(n).cause();
        }
        assertEquals(ICR_MSIX_CAUSES, all);
    }

    @Test
    void eachEventSetsItsQueuesCauseOrOther() {
        assertEquals(ICR_RXQ0, E1000Interrupts.msixCauses(ICR_RXT0));
        assertEquals(ICR_TXQ0, E1000Interrupts.msixCauses(ICR_TXDW));
        for (int event : new int[] {ICR_LSC, ICR_RXO, ICR_MDAC, ICR_SRPD, ICR_ACK, ICR_MNG}) {
            assertEquals(ICR_OTHER, E1000Interrupts.msixCauses(event), "event " + Integer.toHexString(event));
        }
        assertEquals(ICR_RXQ0 | ICR_TXQ0 | ICR_OTHER, E1000Interrupts.msixCauses(ICR_RXT0 | ICR_TXDW | ICR_LSC));
        // Events IVAR does not route: no MSI-X cause.
        assertEquals(0, E1000Interrupts.msixCauses(ICR_TXQE | ICR_RXDMT0 | ICR_RXSEQ | ICR_TXD_LOW));
    }

    @Test
    void eachCauseComesBackWithTheEventsThatSetIt() {
        assertEquals(ICR_RXQ0 | ICR_RXT0, E1000Interrupts.withTheirEvents(ICR_RXQ0));
        assertEquals(ICR_TXQ0 | ICR_TXDW, E1000Interrupts.withTheirEvents(ICR_TXQ0));
        assertEquals(ICR_OTHER | ICR_OTHER_CAUSES, E1000Interrupts.withTheirEvents(ICR_OTHER));
        assertEquals(ICR_RXQ1 | ICR_TXQ1, E1000Interrupts.withTheirEvents(ICR_RXQ1 | ICR_TXQ1), "one queue each: no events");
        for (E1000Interrupts.MsixCause c : E1000Interrupts.MSIX_CAUSES) {
            int events = E1000Interrupts.withTheirEvents(c.cause()) & ~ICR_MSIX_CAUSES;
            assertEquals(events == 0 ? 0 : c.cause(), E1000Interrupts.msixCauses(events), "round trip of " + c);
        }
    }
}
