package org.alosj.hw.e1000.impl;

import static org.alosj.hw.e1000.impl.E1000Regs.*;

/**
 * The serial EEPROM (8254x) or NVM (82574) the MAC reads its station address from: 64 words,
 * words 0–2 the address (low byte first), the device ID in words 0x0B and 0x0D as QEMU puts it,
 * and word 0x3F chosen so that all 64 words add up to {@link #CHECKSUM_SUM} (0xBABA).
 *
 * <p>Software reads it either through EERD (one word per START, done at once here) or, on the
 * 8254x, by bit-banging the Microwire interface through EECD: with CS high, each rising edge of
 * SK shifts DI in; after the start bit, the READ opcode (10) and six address bits, DO shifts out
 * the addressed word and the following ones, most significant bit first, on falling edges.
 */
final class Eeprom {
    static final int CHECKSUM_WORD = 0x3F;
    static final int CHECKSUM_SUM = 0xBABA;

    private final int[] words;
    // Microwire state
    private int eecd;
    private int shiftIn;
    private int bitsIn;
    private int bitOut;
    private boolean reading;

    Eeprom(Part part, byte[] mac) {
        words = part.eepromTemplate();
        for (int i = 0; i < 3; i++) {
            words[i] = (mac[2 * i] & 0xFF) | (mac[2 * i + 1] & 0xFF) << 8;
        }
        words[Part.EEPROM_SUBSYSTEM_ID] = part.deviceId;
        words[Part.EEPROM_DEVICE_ID] = part.deviceId;
        int sum = 0;
        for (int i = 0; i < CHECKSUM_WORD; i++) {
            sum += words[i];
        }
        words[CHECKSUM_WORD] = (CHECKSUM_SUM - sum) & 0xFFFF;
    }

    /** Word {@code index}, or all ones past the end (as an absent EEPROM cell reads). */
    int word(int index) {
        return index >= 0 && index < words.length ? words[index] : 0xFFFF;
    }

    int size() {
        return words.length;
    }

    /** The station address the MAC loads into RAL0/RAH0 at reset. */
    byte[] macAddress() {
        byte[] mac = new byte[6];
        for (int i = 0; i < 3; i++) {
            mac[2 * i] = (byte) words[i];
            mac[2 * i + 1] = (byte) (words[i] >>> 8);
        }
        return mac;
    }

    // ---- Microwire through EECD (8254x) ----

    void resetInterface() {
        eecd = 0;
        shiftIn = 0;
        bitsIn = 0;
        bitOut = 0;
        reading = false;
    }

    /** EECD as software reads it: present, granted, its own pins, and DO. */
    int readEecd() {
        int v = EECD_PRES | EECD_GNT | eecd;
        if (!reading || (word((bitOut >>> 4) & 0x3F) >>> (15 - (bitOut & 0xF)) & 1) != 0) {
            v |= EECD_DO;
        }
        return v;
    }

    void writeEecd(int value) {
        int old = eecd;
        eecd = value & (EECD_SK | EECD_CS | EECD_DI | EECD_FWE_MASK | EECD_REQ);
        if ((value & EECD_CS) == 0) {
            return;
        }
        if (((value ^ old) & EECD_CS) != 0) {
            // Chip select rising: a new command starts.
            shiftIn = 0;
            bitsIn = 0;
            bitOut = 0;
            reading = false;
        }
        if (((value ^ old) & EECD_SK) == 0) {
            return;
        }
        if ((value & EECD_SK) == 0) {
            // Falling edge: the next output bit.
            if (reading) {
                bitOut++;
            }
            return;
        }
        shiftIn = shiftIn << 1 | ((value & EECD_DI) != 0 ? 1 : 0);
        bitsIn++;
        if (bitsIn == 9 && !reading) {
            // Start bit and opcode in bits 8:6, address in 5:0.
            reading = (shiftIn >>> 6 & 7) == EEPROM_READ_OPCODE_MICROWIRE;
            // The first data bit goes out on the falling edge after the last address bit.
            bitOut = ((shiftIn & 0x3F) << 4) - 1;
        }
    }
}
