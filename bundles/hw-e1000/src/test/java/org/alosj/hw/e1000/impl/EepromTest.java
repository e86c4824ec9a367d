package org.alosj.hw.e1000.impl;

import static org.alosj.hw.e1000.impl.E1000Regs.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The EEPROM/NVM: the station address, the checksum word, EERD on both parts, Microwire on the 8254x. */
class EepromTest {
    static int eerd(Rig rig, int word) {
        if (rig.part.isPcie()) {
            rig.reg(EERD, word << EERD_82574_ADDR_SHIFT | EERD_START);
            int v = rig.reg(EERD);
            assertTrue((v & EERD_82574_DONE) != 0, "82574 EERD.DONE (bit 1)");
            return v >>> EERD_DATA_SHIFT;
        }
        rig.reg(EERD, word << EERD_8254X_ADDR_SHIFT | EERD_START);
        int v = rig.reg(EERD);
        assertTrue((v & EERD_8254X_DONE) != 0, "8254x EERD.DONE (bit 4)");
        return v >>> EERD_DATA_SHIFT;
    }

    @ParameterizedTest
    @EnumSource(Part.class)
    void theWordsSumTo0xBABAAndBeginWithTheStationAddress(Part part) {
        try (Rig rig = new Rig(part)) {
            rig.enable();
            int sum = 0;
            for (int w = 0; w < 64; w++) {
                sum += eerd(rig, w);
            }
            assertEquals(0xBABA, sum & 0xFFFF);
            assertEquals(0x5452, eerd(rig, 0));
            assertEquals(0x1200, eerd(rig, 1));
            assertEquals(0x5634, eerd(rig, 2));
            assertEquals(part.deviceId, eerd(rig, 0x0D), "device ID word");
        }
    }

    @ParameterizedTest
    @EnumSource(Part.class)
    void resetLoadsTheAddressIntoReceiveAddressZero(Part part) {
        try (Rig rig = new Rig(part)) {
            rig.enable();
            rig.reg(RAL0, 0);
            rig.reg(CTRL, CTRL_RST);
            assertEquals(0x12005452, rig.reg(RAL0));
            assertEquals(0x80005634, rig.reg(RAH0), "AV and the last two octets");
        }
    }

    /** Linux's e1000 bit-bangs the 82540EM's EEPROM: opcode 110, six address bits, 16 data bits out. */
    @ParameterizedTest
    @EnumSource(value = Part.class, names = "I82540EM")
    void microwireReadsTheSameWordsAsEerd(Part part) {
        try (Rig rig = new Rig(part)) {
            rig.enable();
            for (int word : new int[] {0, 1, 2, 0x0D, 0x3F}) {
                assertEquals(eerd(rig, word), microwireRead(rig, word), "word " + word);
            }
        }
    }

    private static int microwireRead(Rig rig, int word) {
        rig.reg(EECD, EECD_REQ);
        assertTrue((rig.reg(EECD) & EECD_GNT) != 0, "EECD grants the request");
        rig.reg(EECD, EECD_REQ | EECD_CS);
        int command = 0b110 << 6 | word;
        for (int bit = 8; bit >= 0; bit--) {
            int di = (command >>> bit & 1) != 0 ? EECD_DI : 0;
            rig.reg(EECD, EECD_REQ | EECD_CS | di);
            rig.reg(EECD, EECD_REQ | EECD_CS | di | EECD_SK);
            rig.reg(EECD, EECD_REQ | EECD_CS | di);
        }
        int v = 0;
        for (int bit = 0; bit < 16; bit++) {
            rig.reg(EECD, EECD_REQ | EECD_CS | EECD_SK);
            v = v << 1 | ((rig.reg(EECD) & EECD_DO) != 0 ? 1 : 0);
            rig.reg(EECD, EECD_REQ | EECD_CS);
        }
        rig.reg(EECD, 0);
        return v;
    }
}
