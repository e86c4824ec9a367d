package org.alosj.hal.board.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.pci.Cf8;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The PIIX4 power-management function at 00:01.3 (82371AB datasheet, section 11; QEMU's
 * piix4_pm and acpi core) and the PIIX3 reset control register at 0xCF9: what the guest writes
 * there reaches whoever runs the machine as a power-off or a reset request.
 */
class Piix4PmTest {
    static final int PM = Cf8.devfn(1, 3);

    private PcMachine machine;
    private IoPortSpace ports;
    private Cf8 cfg;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    @BeforeEach
    void powerOn() throws Exception {
        machine = new PcMachine(MachineSettings.withRamMiB(16));
        ports = machine.ioPorts();
        cfg = new Cf8(ports);
        Field vmm = PcMachine.class.getDeclaredField("vmm");
        vmm.setAccessible(true);
        vmm.set(machine, (Consumer<String>) requests::add);
    }

    @AfterEach
    void powerOff() {
        machine.powerOff();
    }

    /** As SeaBIOS sets it up on QEMU's pc: PM block at 0x600, PMIOSE on. */
    private void firmwareEnablesTheBlock() {
        cfg.writel(PM, 0x40, 0x601);
        cfg.writeb(PM, 0x80, 0x01);
    }

    @Test
    void configSpaceAtPowerOnIsQemusByteForByte() throws Exception {
        byte[] expected = PciConfigMechanismTest.lspciDump("00-01.3_8086_7113.reset.txt");
        byte[] actual = new byte[256];
        for (int i = 0; i < 256; i += 4) {
            int v = cfg.readl(PM, i);
            for (int b = 0; b < 4; b++) {
                actual[i + b] = (byte) (v >>> (8 * b));
            }
        }
        PciConfigMechanismTest.assertSameConfig(expected, actual, "00:01.3 PIIX4 PM");
    }

    @Test
    void thePmBlockIsDecodedOnlyWhilePmioseIsSet() {
        assertEquals(0xFFFF, ports.inw(0x600 + Piix4Pm.PM1_CNT), "nothing at 0x600 before firmware sets PMBA");
        cfg.writel(PM, 0x40, 0x601);
        assertEquals(0xFFFF, ports.inw(0x600 + Piix4Pm.PM1_CNT), "PMBA alone does not enable the block");
        cfg.writeb(PM, 0x80, 0x01);
        ports.outw(0x600 + Piix4Pm.PM1_CNT, 0x0001); // SCI_EN
        assertEquals(0x0001, ports.inw(0x600 + Piix4Pm.PM1_CNT));
        cfg.writeb(PM, 0x80, 0x00);
        assertEquals(0xFFFF, ports.inw(0x600 + Piix4Pm.PM1_CNT), "PMIOSE off: the block is gone");
        assertEquals(0x0601, cfg.readl(PM, 0x40) & 0xFFFF, "PMBA keeps bit 0, the I/O space indicator");
    }

    @Test
    void theAcpiTimerCountsAt3579545Hz() throws Exception {
        firmwareEnablesTheBlock();
        int t0 = ports.inl(0x600 + Piix4Pm.PM_TMR);
        long n0 = System.nanoTime();
        Thread.sleep(50);
        int t1 = ports.inl(0x600 + Piix4Pm.PM_TMR);
        long n1 = System.nanoTime();
        long ticks = (t1 - t0) & 0xFF_FFFF;
        long expected = (n1 - n0) * Piix4Pm.PM_TIMER_FREQUENCY / 1_000_000_000L;
        assertTrue(Math.abs(ticks - expected) < expected / 5 + 2000, ticks + " ticks, expected about " + expected);
        assertEquals(0, ports.inl(0x600 + Piix4Pm.PM_TMR) >>> 24, "a 24-bit counter");
    }

    @Test
    void slpEnWithTheS5SleepTypeAsksForPowerOff() {
        firmwareEnablesTheBlock();
        ports.outw(0x600 + Piix4Pm.PM1_CNT, 1 << 10 | Piix4Pm.ACPI_BITMASK_SLEEP_ENABLE); // S1: not supported
        assertEquals(List.of(), requests);
        ports.outw(0x600 + Piix4Pm.PM1_CNT, Piix4Pm.SLP_TYP_S5 << 10 | Piix4Pm.ACPI_BITMASK_SLEEP_ENABLE);
        assertEquals(List.of(PcMachine.POWER_OFF), requests);
        assertEquals(0, ports.inw(0x600 + Piix4Pm.PM1_CNT) & Piix4Pm.ACPI_BITMASK_SLEEP_ENABLE, "SLP_EN reads 0");
    }

    @Test
    void rstCpuInTheResetControlRegisterResetsAndLeavesTheConfigAddressAlone() {
        ports.outl(Cf8.CONFIG_ADDRESS, 0x8000_0810);
        ports.outb(Piix3IsaBridge.RCR, 0x02); // SYS_RST alone chooses the kind of reset
        assertEquals(List.of(), requests);
        assertEquals(0x02, ports.inb(Piix3IsaBridge.RCR));
        ports.outb(Piix3IsaBridge.RCR, 0x06); // FADT RESET_VALUE on QEMU's pc
        assertEquals(List.of(PcMachine.RESET), requests);
        assertEquals(0x8000_0810, ports.inl(Cf8.CONFIG_ADDRESS), "byte cycles to 0xCF9 are not the config address");
    }

    private boolean sci() {
        return (Pic8259PairTest.irr(ports, 0xA0) & 0x02) != 0;
    }

    @Test
    void thePowerButtonSetsPwrbtnStsAndRaisesTheSciOnlyWhilePwrbtnEnIsSet() {
        Pic8259PairTest.initialise(ports, 0x01);
        ports.outb(0x4D1, 0x02); // IRQ 9 level, as the SCI is
        firmwareEnablesTheBlock();
        machine.pressPowerButton();
        assertEquals(Piix4Pm.ACPI_BITMASK_POWER_BUTTON_STATUS, ports.inw(0x600 + Piix4Pm.PM1_STS),
                "the status is set whether or not the event is enabled");
        assertEquals(false, sci(), "PWRBTN_EN is off: no SCI");
        ports.outw(0x600 + Piix4Pm.PM1_EN, Piix4Pm.ACPI_BITMASK_POWER_BUTTON_ENABLE);
        assertTrue(sci(), "enabled and pending: the SCI is raised");
        assertEquals(0x29, machine.interruptPin().acknowledge());
        ports.outw(0x600 + Piix4Pm.PM1_STS, 0);
        assertTrue(sci(), "writing zeros clears nothing");
        ports.outw(0x600 + Piix4Pm.PM1_STS, Piix4Pm.ACPI_BITMASK_POWER_BUTTON_STATUS);
        assertEquals(false, sci(), "write one to clear: the level drops");
        assertEquals(0, ports.inw(0x600 + Piix4Pm.PM1_STS));
        assertEquals(List.of(), requests, "the button asks the OS; it never cuts the power itself");
    }

    @Test
    void theSciIsHighWhileEitherThePowerButtonOrAGpeIsPending() {
        Pic8259PairTest.initialise(ports, 0x01);
        ports.outb(0x4D1, 0x02);
        firmwareEnablesTheBlock();
        ports.outw(0x600 + Piix4Pm.PM1_EN, Piix4Pm.ACPI_BITMASK_POWER_BUTTON_ENABLE);
        ports.outw(Piix4Pm.GPE0_BASE + Piix4Pm.GPE0_EN, Piix4Pm.ACPI_PCI_HOTPLUG_STATUS);
        machine.pressPowerButton();
        machine.pci().plug(new org.alosj.hal.pci.TestDevice("hot"), 6, 0);
        ports.outw(0x600 + Piix4Pm.PM1_STS, Piix4Pm.ACPI_BITMASK_POWER_BUTTON_STATUS);
        assertTrue(sci(), "the shared line stays up for the GPE still pending");
        ports.outw(Piix4Pm.GPE0_BASE + Piix4Pm.GPE0_STS, Piix4Pm.ACPI_PCI_HOTPLUG_STATUS);
        assertEquals(false, sci());
    }
}
