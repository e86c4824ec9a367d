package org.alosj.hw.e1000.impl;

/**
 * What tells the two controllers apart, as QEMU 7.2 presents them: PCI identity, register
 * window sizes, the EEPROM image and its read register layout, the PHY's ID, and which
 * descriptor formats and interrupt registers exist.
 */
enum Part {
    /** 82540EM, QEMU's {@code e1000}: conventional PCI, legacy descriptors only. */
    I82540EM("82540EM", "e1000", 0x100E, 0x03, 0x1AF4, 0x1100, 0x0C20, new int[] {
        0x0000, 0x0000, 0x0000, 0x0000, 0xFFFF, 0x0000, 0x0000, 0x0000,
        0x3000, 0x1000, 0x6403, 0x0000, 0x8086, 0x0000, 0x8086, 0x3040,
        0x0008, 0x2000, 0x7E14, 0x0048, 0x1000, 0x00D8, 0x0000, 0x2700,
        0x6CC9, 0x3150, 0x0722, 0x040B, 0x0984, 0x0000, 0xC000, 0x0706,
        0x1008, 0x0000, 0x0F04, 0x7FFF, 0x4D01, 0xFFFF, 0xFFFF, 0xFFFF,
        0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF,
        0x0100, 0x4000, 0x121C, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF,
        0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x0000,
    }),
    /** 82574L, QEMU's {@code e1000e}: PCIe, extended receive and context/data transmit descriptors. */
    I82574L("82574L", "e1000e", 0x10D3, 0x00, 0x8086, 0x0000, 0x0CB0, new int[] {
        0x0000, 0x0000, 0x0000, 0x0420, 0xF746, 0x2010, 0xFFFF, 0xFFFF,
        0x0000, 0x0000, 0x026B, 0x0000, 0x8086, 0x0000, 0x0000, 0x8058,
        0x0000, 0x2001, 0x7E7C, 0xFFFF, 0x1000, 0x00C8, 0x0000, 0x2704,
        0x6CC9, 0x3150, 0x070E, 0x460B, 0x2D84, 0x0100, 0xF000, 0x0706,
        0x6000, 0x0080, 0x0F04, 0x7FFF, 0x4F01, 0xC600, 0x0000, 0x20FF,
        0x0028, 0x0003, 0x0000, 0x0000, 0x0000, 0x0003, 0x0000, 0xFFFF,
        0x0100, 0xC000, 0x121C, 0xC007, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF,
        0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x0000, 0x0120, 0xFFFF, 0x0000,
    });

    static final int PCI_VENDOR_ID_INTEL = 0x8086;
    /** The 64-word EEPROM image words: station address, then the rest of the map. */
    static final int EEPROM_WORDS = 64;
    static final int EEPROM_SUBSYSTEM_ID = 0x0B;
    static final int EEPROM_DEVICE_ID = 0x0D;

    final String model;
    final String qemuName;
    final int deviceId;
    final int revision;
    final int subsystemVendor;
    final int subsystem;
    final int phyId2;
    private final int[] eepromTemplate;

    Part(String model, String qemuName, int deviceId, int revision, int subsystemVendor, int subsystem, int phyId2,
         int[] eepromTemplate) {
        if (eepromTemplate.length != EEPROM_WORDS) {
            throw new IllegalArgumentException(model + ": EEPROM template of " + eepromTemplate.length + " words");
        }
        this.model = model;
        this.qemuName = qemuName;
        this.deviceId = deviceId;
        this.revision = revision;
        this.subsystemVendor = subsystemVendor;
        this.subsystem = subsystem;
        this.phyId2 = phyId2;
        this.eepromTemplate = eepromTemplate;
    }

    boolean isPcie() {
        return this == I82574L;
    }

    /** A copy of the EEPROM image before the address, IDs and checksum go in. */
    int[] eepromTemplate() {
        return eepromTemplate.clone();
    }

    /** The interrupt causes the part implements (ICS/IMS bits beyond them are reserved). */
    int interruptCauses() {
        return this == I82574L ? E1000Regs.ICR_82574_CAUSES : E1000Regs.ICR_8254X_CAUSES;
    }
}
