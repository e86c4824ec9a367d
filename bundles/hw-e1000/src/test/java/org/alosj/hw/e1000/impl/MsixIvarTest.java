package org.alosj.hw.e1000.impl;

import static org.alosj.hw.e1000.impl.E1000Regs.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

/**
 * The 82574L's MSI-X as its datasheet describes it: IVAR maps the RxQ0, RxQ1, TxQ0, TxQ1 and
 * Other causes to table entries (a valid bit each), EIAC clears a signalled cause from ICR,
 * CTRL_EXT.EIAME with IAM masks it in IMS, a masked entry sets its PBA bit, and
 * CTRL_EXT.PBA_support lets an IMS write clear it.
 */
class MsixIvarTest {
    static final long MSIX_BAR = 0xFEB0_0000L;
    static final long PBA = MSIX_BAR + 0x2000;
    /** Entry v writes data 0x40 + v to MESSAGES + 16 v. */
    static final long MESSAGES = 0x30000;

    /** MSI-X on with every entry programmed and unmasked, the MAC brought up, nothing routed yet. */
    private static Rig msixRig() {
        Rig rig = new Rig(Part.I82574L);
        rig.bringUp(0);
        rig.cfgWrite(0x1c, 4, (int) MSIX_BAR);
        for (int v = 0; v < 5; v++) {
            rig.mem.writeInt(MSIX_BAR + 16 * v, (int) (MESSAGES + 16 * v));
            rig.mem.writeInt(MSIX_BAR + 16 * v + 4, 0);
            rig.mem.writeInt(MSIX_BAR + 16 * v + 8, 0x40 + v);
            rig.mem.writeInt(MSIX_BAR + 16 * v + 12, 0);
        }
        rig.cfgWrite(0xa2, 2, 0x8000);
        return rig;
    }

    /** Which entries wrote their message since the last call (bit v for entry v); clears them. */
    private static int messagesSent(Rig rig) {
        int sent = 0;
        for (int v = 0; v < 5; v++) {
            long at = MESSAGES + 16 * v;
            if (rig.mem.readInt(at) == 0x40 + v) {
                sent |= 1 << v;
                rig.mem.writeInt(at, 0);
            }
        }
        return sent;
    }

    /** Linux's routing: receive on entry 0, transmit on 1, other on 2. */
    private static int linuxIvar() {
        return (IVAR_VALID | 0) | (IVAR_VALID | 1) << 8 | (IVAR_VALID | 2) << 16 | IVAR_TX_INT_EVERY_WB;
    }

    @Test
    void ivarSendsEachCauseOnItsOwnVectorAndIntaStaysLow() {
        try (Rig rig = msixRig()) {
            rig.reg(IVAR, (IVAR_VALID | 3) | (IVAR_VALID | 1) << 8 | (IVAR_VALID | 4) << 16);
            rig.reg(IMS, ICR_RXQ0 | ICR_TXQ0 | ICR_OTHER);

            rig.queueTx(0, new byte[60]);
            rig.reg(TDT, 1);
            assertEquals(1 << 1, messagesSent(rig), "a transmit write-back is TxQ0: entry 1");
            assertEquals(ICR_TXQ0, rig.reg(ICR) & ICR_MSIX_CAUSES);

            rig.reg(ICS, ICR_RXT0);
            assertEquals(1 << 3, messagesSent(rig), "a receive timer cause is RxQ0: entry 3");

            rig.reg(ICS, ICR_LSC);
            assertEquals(1 << 4, messagesSent(rig), "a link change is Other: entry 4");
            assertFalse(rig.intxAsserted(), "no INTA with MSI-X on");
            assertEquals(0, rig.card.guestErrors());
        }
    }

    @Test
    void aCauseWhoseIvarEntryIsNotValidSendsNoMessage() {
        try (Rig rig = msixRig()) {
            rig.reg(IVAR, 2 | (IVAR_VALID | 1) << 8);
            rig.reg(IMS, ICR_RXQ0 | ICR_TXQ0);
            rig.reg(ICS, ICR_RXT0);
            assertEquals(0, messagesSent(rig), "RxQ0 names vector 2 without its valid bit");
            assertEquals(ICR_RXQ0, rig.reg(ICR) & ICR_RXQ0, "the cause is still recorded in ICR");
            rig.reg(ICS, ICR_TXDW);
            assertEquals(1 << 1, messagesSent(rig));
        }
    }

    @Test
    void eiacClearsASignalledCauseSoTheNextEventSendsAgain() {
        try (Rig rig = msixRig()) {
            rig.reg(IVAR, linuxIvar());
            rig.reg(IMS, ICR_RXQ0 | ICR_TXQ0);
            rig.reg(ICS, ICR_TXDW);
            assertEquals(1 << 1, messagesSent(rig));
            rig.reg(ICS, ICR_TXDW);
            assertEquals(0, messagesSent(rig), "without EIAC TxQ0 stays in ICR: no new message until acknowledged");

            rig.reg(EIAC, ICR_RXQ0 | ICR_TXQ0);
            rig.reg(ICS, ICR_RXT0);
            assertEquals(1, messagesSent(rig));
            assertEquals(0, rig.reg(ICS) & ICR_RXQ0, "EIAC cleared RxQ0 from ICR when the message went out");
            rig.reg(ICS, ICR_RXT0);
            assertEquals(1, messagesSent(rig), "so the next receive sends again, with no ICR read");
            assertEquals(ICR_RXQ0 | ICR_TXQ0, rig.reg(IMS) & (ICR_RXQ0 | ICR_TXQ0), "EIAC does not mask");
        }
    }

    @Test
    void eiameMasksTheCausesInIamWhenTheirMessageGoesOut() {
        try (Rig rig = msixRig()) {
            rig.reg(IVAR, linuxIvar());
            rig.reg(IAM, ~ICR_MSIX_CAUSES | ICR_OTHER | ICR_LSC);
            rig.reg(CTRL_EXT, CTRL_EXT_EIAME);
            rig.reg(IMS, ICR_RXQ0 | ICR_TXQ0 | ICR_OTHER | ICR_LSC);
            rig.reg(ICS, ICR_LSC);
            assertEquals(1 << 2, messagesSent(rig));
            assertEquals(ICR_RXQ0 | ICR_TXQ0, rig.reg(IMS) & (ICR_MSIX_CAUSES | ICR_LSC),
                    "Other and LSC (in IAM) are masked, RxQ0 and TxQ0 (not in IAM) are not");
            int icr = rig.reg(ICR);
            assertEquals(ICR_LSC | ICR_OTHER, icr & (ICR_LSC | ICR_OTHER));
            rig.reg(ICS, ICR_LSC);
            assertEquals(0, messagesSent(rig), "masked until the driver sets IMS again");
            rig.reg(IMS, ICR_OTHER | ICR_LSC);
            assertEquals(1 << 2, messagesSent(rig), "the pending cause goes out once unmasked");
        }
    }

    @Test
    void iameMasksIamOnAnIcrRead() {
        try (Rig rig = msixRig()) {
            rig.reg(IAM, ICR_OTHER);
            rig.reg(CTRL_EXT, CTRL_EXT_IAME);
            rig.reg(IMS, ICR_OTHER | ICR_RXQ0);
            rig.reg(ICR);
            assertEquals(ICR_RXQ0, rig.reg(IMS) & ICR_MSIX_CAUSES);
        }
    }

    @Test
    void aMaskedEntrySetsItsPendingBitAndUnmaskingSendsIt() {
        try (Rig rig = msixRig()) {
            rig.reg(IVAR, linuxIvar());
            rig.reg(EIAC, ICR_TXQ0);
            rig.reg(IMS, ICR_TXQ0);
            rig.mem.writeInt(MSIX_BAR + 16 + 12, 1);
            rig.reg(ICS, ICR_TXDW);
            assertEquals(0, messagesSent(rig));
            assertEquals(1 << 1, rig.mem.readInt(PBA), "pending bit of entry 1");
            rig.mem.writeInt(MSIX_BAR + 16 + 12, 0);
            assertEquals(1 << 1, messagesSent(rig));
            assertEquals(0, rig.mem.readInt(PBA));
        }
    }

    @Test
    void theFunctionMaskHoldsEveryEntryUntilLifted() {
        try (Rig rig = msixRig()) {
            rig.reg(IVAR, linuxIvar());
            rig.reg(IMS, ICR_RXQ0 | ICR_OTHER);
            rig.cfgWrite(0xa2, 2, 0xC000);
            rig.reg(ICS, ICR_RXT0 | ICR_LSC);
            assertEquals(0, messagesSent(rig));
            assertEquals(1 | 1 << 2, rig.mem.readInt(PBA));
            rig.cfgWrite(0xa2, 2, 0x8000);
            assertEquals(1 | 1 << 2, messagesSent(rig));
        }
    }

    @Test
    void withPbaSupportSettingTheCauseInImsClearsItsPendingBit() {
        try (Rig rig = msixRig()) {
            rig.reg(IVAR, linuxIvar());
            rig.reg(EIAC, ICR_RXQ0);
            rig.reg(IMS, ICR_RXQ0);
            rig.mem.writeInt(MSIX_BAR + 12, 1);
            rig.reg(ICS, ICR_RXT0);
            assertEquals(1, rig.mem.readInt(PBA));
            rig.reg(IMS, ICR_RXQ0);
            assertEquals(1, rig.mem.readInt(PBA), "without PBA_support IMS leaves the PBA alone");
            rig.reg(CTRL_EXT, CTRL_EXT_PBA_CLR);
            rig.reg(IMS, ICR_RXQ0);
            assertEquals(0, rig.mem.readInt(PBA));
            rig.mem.writeInt(MSIX_BAR + 12, 0);
            assertEquals(0, messagesSent(rig), "a cleared pending bit sends nothing on unmask");
        }
    }

    @Test
    void aVectorBeyondTheTableIsAGuestErrorAndNothingIsWritten() {
        try (Rig rig = msixRig()) {
            rig.reg(IVAR, IVAR_VALID | 7);
            rig.reg(IMS, ICR_RXQ0);
            rig.reg(ICS, ICR_RXT0);
            assertEquals(0, messagesSent(rig));
            assertEquals(1, rig.card.guestErrors());
        }
    }

    @Test
    void turningMsixOnSignalsACauseAlreadyPending() {
        try (Rig rig = new Rig(Part.I82574L)) {
            rig.bringUp(0);
            rig.cfgWrite(0x1c, 4, (int) MSIX_BAR);
            rig.mem.writeInt(MSIX_BAR, (int) MESSAGES);
            rig.mem.writeInt(MSIX_BAR + 8, 0x40);
            rig.mem.writeInt(MSIX_BAR + 12, 0);
            rig.reg(IVAR, IVAR_VALID);
            rig.reg(IMS, ICR_RXQ0);
            rig.reg(ICS, ICR_RXQ0);
            assertEquals(0, messagesSent(rig), "MSI-X is off");
            rig.cfgWrite(0xa2, 2, 0x8000);
            assertEquals(1, messagesSent(rig));
        }
    }
}
