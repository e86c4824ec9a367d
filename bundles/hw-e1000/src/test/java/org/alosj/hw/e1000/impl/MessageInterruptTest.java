package org.alosj.hw.e1000.impl;

import static org.alosj.hw.e1000.impl.E1000Regs.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The 82574L's MSI: with MSI enabled in its capability the MAC writes the message on each new
 * assertion and leaves INTA alone (MSI-X and IVAR: {@link MsixIvarTest}).
 */
class MessageInterruptTest {
    static final long MESSAGE_ADDRESS = 0x30000;

    @Test
    void withMsiEnabledEachNewInterruptIsAMessageWriteAndIntaStaysLow() {
        try (Rig rig = new Rig(Part.I82574L)) {
            rig.bringUp(0);
            rig.cfgWrite(0xd4, 4, (int) MESSAGE_ADDRESS);
            rig.cfgWrite(0xd8, 4, 0);
            rig.cfgWrite(0xdc, 2, 0x4041);
            rig.cfgWrite(0xd2, 2, 0x0001);
            rig.reg(IMS, ICR_LSC);
            rig.reg(ICS, ICR_LSC);
            assertFalse(rig.intxAsserted(), "no INTA with MSI on");
            assertEquals(0x4041, rig.mem.readInt(MESSAGE_ADDRESS));
            assertEquals(1, rig.card.messages());
            rig.reg(ICS, ICR_LSC);
            assertEquals(1, rig.card.messages(), "no new message while the cause is still pending");
            rig.reg(ICR);
            rig.mem.writeInt(MESSAGE_ADDRESS, 0);
            rig.reg(ICS, ICR_LSC);
            assertEquals(2, rig.card.messages());
            assertEquals(0x4041, rig.mem.readInt(MESSAGE_ADDRESS));
        }
    }

    @Test
    void turningMsiOffHandsAPendingInterruptBackToInta() {
        try (Rig rig = new Rig(Part.I82574L)) {
            rig.bringUp(0);
            rig.cfgWrite(0xd4, 4, (int) MESSAGE_ADDRESS);
            rig.cfgWrite(0xd2, 2, 0x0001);
            rig.reg(IMS, ICR_LSC);
            rig.reg(ICS, ICR_LSC);
            assertFalse(rig.intxAsserted());
            rig.cfgWrite(0xd2, 2, 0x0000);
            assertTrue(rig.intxAsserted(), "the level is still there");
        }
    }
}
