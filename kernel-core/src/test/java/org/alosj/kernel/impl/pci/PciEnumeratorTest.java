package org.alosj.kernel.impl.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.bus.MemoryBus;
import org.alosj.hal.pci.BarType;
import org.alosj.kernel.pci.PciAddress;
import org.alosj.kernel.pci.PciBar;
import org.alosj.kernel.pci.PciBar.Kind;
import org.alosj.kernel.testkit.ProbeFunction;
import org.alosj.kernel.testkit.TestPc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * What the kernel does in the firmware's place: route PIRQA–D to IRQ 10, 10, 11, 11, size every
 * BAR by writing all ones, place it naturally aligned in the I/O window (0xC000–0xFFFF, bottom
 * up) or the 32-bit MMIO window (0xE000_0000–0xFEC0_0000, top down), leave the ROM placed but
 * disabled, write the routed IRQ into the interrupt line and turn on I/O, memory and SERR#.
 */
class PciEnumeratorTest {
    private static final long IO_START = 0xC000;
    private static final long IO_END = 0x10000;
    private static final long MMIO_START = 0xE000_0000L;
    private static final long MMIO_END = 0xFEC0_0000L;

    private TestPc pc;
    private IoPortSpace ports;
    private MemoryBus memory;
    private PciConfigAccess config;
    private PciEnumerator enumerator;

    @BeforeEach
    void powerOn() {
        pc = TestPc.withRamMiB(256);
        ports = pc.ports();
        memory = pc.memory();
        config = new PciConfigAccess(ports);
        enumerator = new PciEnumerator(config);
    }

    @AfterEach
    void powerOff() {
        pc.close();
    }

    private static ProbeFunction fullHouse(String name) {
        return ProbeFunction.named(name)
                .io(0, 32)
                .memory(1, BarType.MEMORY32, 4096)
                .memory(2, BarType.MEMORY64_PREFETCHABLE, 1 << 20)
                .io(4, 256)
                .rom(64 << 10)
                .pin(1)
                .build();
    }

    private PciAddress plug(ProbeFunction f, int slot) {
        pc.board.pci().plug(f, slot, 0);
        return new PciAddress(0, slot, 0);
    }

    private static PciBar bar(List<PciBar> bars, int index) {
        return bars.stream().filter(b -> b.index() == index).findFirst()
                .orElseThrow(() -> new AssertionError("no BAR" + index + " in " + bars));
    }

    @Test
    void routesPirqAToDToIrq10And11() {
        assertEquals(List.of(10, 11), enumerator.routeInterrupts());
        assertEquals(0x0B0B_0A0A, config.read(new PciAddress(0, 1, 0), 0x60, 4));
    }

    @Test
    void sizesEveryBarByItsTypeAndSize() {
        enumerator.routeInterrupts();
        List<PciBar> bars = enumerator.configure(plug(fullHouse("probe"), 3));
        assertEquals(List.of(0, 1, 2, 4, 6), bars.stream().map(PciBar::index).toList(), "BAR3 is BAR2's upper half");
        assertEquals(List.of(Kind.IO, Kind.MEMORY32, Kind.MEMORY64, Kind.IO, Kind.ROM),
                bars.stream().map(PciBar::kind).toList());
        assertEquals(List.of(32L, 4096L, 1L << 20, 256L, 64L << 10), bars.stream().map(PciBar::size).toList());
        assertEquals(List.of(false, false, true, false, false), bars.stream().map(PciBar::prefetchable).toList());
    }

    @Test
    void placesEachBarAlignedToItsSizeInsideItsWindowWithoutOverlap() {
        enumerator.routeInterrupts();
        List<PciBar> all = new ArrayList<>();
        all.addAll(enumerator.configure(plug(fullHouse("a"), 3)));
        all.addAll(enumerator.configure(plug(fullHouse("b"), 4)));
        assertEquals(10, all.size());
        for (PciBar b : all) {
            assertEquals(0, b.address() % b.size(), () -> b + " is not naturally aligned");
            if (b.isIo()) {
                assertTrue(b.address() >= IO_START && b.address() + b.size() <= IO_END, b::toString);
            } else {
                assertTrue(b.address() >= MMIO_START && b.address() + b.size() <= MMIO_END, b::toString);
            }
            for (PciBar other : all) {
                if (other != b && other.isIo() == b.isIo()) {
                    assertTrue(b.address() + b.size() <= other.address() || other.address() + other.size() <= b.address(),
                            () -> b + " overlaps " + other);
                }
            }
        }
    }

    @Test
    void writesTheAddressesIntoTheBarsKeepingTheTypeBits() {
        enumerator.routeInterrupts();
        PciAddress a = plug(fullHouse("probe"), 3);
        List<PciBar> bars = enumerator.configure(a);
        assertEquals((int) bar(bars, 0).address() | 0x1, config.read(a, 0x10, 4), "I/O space indicator");
        assertEquals((int) bar(bars, 1).address(), config.read(a, 0x14, 4), "32-bit, not prefetchable");
        assertEquals((int) bar(bars, 2).address() | 0x4 | 0x8, config.read(a, 0x18, 4), "64-bit, prefetchable");
        assertEquals(0, config.read(a, 0x1C, 4), "upper half: placed below 4 GiB");
        assertEquals((int) bar(bars, 4).address() | 0x1, config.read(a, 0x20, 4));
        assertEquals((int) bar(bars, 6).address(), config.read(a, 0x30, 4), "ROM placed with its enable bit clear");
    }

    @Test
    void turnsOnDecodingAndSerrButNotBusMastering() {
        enumerator.routeInterrupts();
        PciAddress a = plug(fullHouse("probe"), 3);
        enumerator.configure(a);
        int command = config.read(a, 0x04, 2);
        assertEquals(0x103, command & 0x107, () -> String.format("command %#06x", command));
    }

    @Test
    void theDeviceDecodesWhereItsBarsWerePlaced() {
        enumerator.routeInterrupts();
        ProbeFunction probe = fullHouse("probe");
        PciAddress a = plug(probe, 3);
        List<PciBar> bars = enumerator.configure(a);
        long io0 = bar(bars, 0).address();
        long mem1 = bar(bars, 1).address();
        long mem2 = bar(bars, 2).address();
        long io4 = bar(bars, 4).address();
        assertEquals(ProbeFunction.signature(0, 4), ports.inl((int) io0 + 4));
        assertEquals(ProbeFunction.signature(4, 0xFC), ports.inl((int) io4 + 0xFC));
        assertEquals(ProbeFunction.signature(1, 0x10) & 0xFFFF_FFFFL, memory.read(mem1 + 0x10, 4));
        assertEquals(ProbeFunction.signature(2, 0x20) & 0xFFFF_FFFFL, memory.read(mem2 + 0x20, 4));
        assertEquals(List.of(io0, mem1, mem2, io4), List.of(probe.barAddress(0), probe.barAddress(1),
                probe.barAddress(2), probe.barAddress(4)), "the model agrees");
    }

    @Test
    void theRomStaysDisabledUntilSoftwareEnablesIt() {
        enumerator.routeInterrupts();
        PciAddress a = plug(fullHouse("probe"), 3);
        long rom = bar(enumerator.configure(a), 6).address();
        assertEquals(0xFFFF, memory.read(rom, 2), "nothing decodes the ROM's range yet");
        config.write(a, 0x30, 4, (int) rom | 1);
        assertEquals(0xAA55, memory.read(rom, 2), "the option ROM signature");
    }

    @Test
    void theInterruptLineIsWhereThePirqRoutingTakesTheDevicesPin() {
        enumerator.routeInterrupts();
        ports.outb(0x4D1, 0x0C); // IRQ 10 and 11 level-triggered: the PIC's IRR follows the wire
        for (int slot = 2; slot <= 6; slot++) {
            for (int pin = 1; pin <= 4; pin++) {
                ProbeFunction f = ProbeFunction.named("pin").io(0, 16).pin(pin).build();
                PciAddress a = plug(f, slot);
                enumerator.release(enumerator.configure(a));
                int line = config.read(a, 0x3C, 1);
                int expected = new int[] {10, 10, 11, 11}[(pin - 1 + slot - 1) & 3];
                assertEquals(expected, line, a + " INT" + (char) ('A' + pin - 1) + "#");
                assertEquals(line, enumerator.irqFor(a, pin));
                f.raise();
                assertEquals(1 << (line - 8), slaveIrr(), a + " INTx reaches IRQ " + line);
                f.lower();
                assertEquals(0, slaveIrr());
                pc.board.pci().unplug(f);
            }
        }
    }

    /** IRR bits of IRQ 10 and 11 (IRQ 9 latches the hot-plug events of the plugging itself). */
    private int slaveIrr() {
        ports.outb(0xA0, 0x0A);
        return ports.inb(0xA0) & 0x0C;
    }

    @Test
    void functionsWithoutBarsOrPinAreLeftAlone() {
        enumerator.routeInterrupts();
        PciAddress isa = new PciAddress(0, 1, 0);
        assertEquals(List.of(), enumerator.configure(new PciAddress(0, 0, 0)));
        assertEquals(List.of(), enumerator.configure(isa));
        assertEquals(0, config.read(isa, 0x3C, 1), "no pin, no interrupt line");
    }

    @Test
    void scanFindsTheChipsetAndPluggedFunctions() {
        plug(fullHouse("probe"), 5);
        assertEquals(List.of(new PciAddress(0, 0, 0)), enumerator.scanSlot(0));
        assertEquals(List.of(new PciAddress(0, 1, 0), new PciAddress(0, 1, 3)), enumerator.scanSlot(1),
                "PIIX3 says multi-function: the ISA bridge and the PIIX4 PM function (no IDE on this board)");
        assertEquals(List.of(new PciAddress(0, 5, 0)), enumerator.scanSlot(5));
        assertEquals(List.of(), enumerator.scanSlot(6));
    }

    @Test
    void releasedWindowsAreReusedByTheNextFunction() {
        enumerator.routeInterrupts();
        ProbeFunction first = fullHouse("first");
        List<PciBar> before = enumerator.configure(plug(first, 3));
        pc.board.pci().unplug(first);
        enumerator.release(before);
        List<PciBar> after = enumerator.configure(plug(fullHouse("second"), 3));
        assertEquals(before, after);
    }

    @Test
    void aBarThatDoesNotFitIsLeftUnassignedWithAClearError() {
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("kernel.pci");
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        log.addAppender(events);
        Level level = log.getLevel();
        log.setLevel(Level.ERROR);
        try {
            enumerator.routeInterrupts();
            PciAddress a = plug(ProbeFunction.named("huge")
                    .memory(0, BarType.MEMORY32, 1L << 30) // larger than the whole 32-bit window
                    .memory(1, BarType.MEMORY32, 4096)
                    .build(), 3);
            List<PciBar> bars = enumerator.configure(a);
            assertEquals(List.of(1), bars.stream().map(PciBar::index).toList(), "the rest is still placed");
            assertEquals(0, config.read(a, 0x10, 4), "BAR0 keeps no address");
            List<String> errors = events.list.stream().filter(e -> e.getLevel() == Level.ERROR)
                    .map(ILoggingEvent::getFormattedMessage).toList();
            assertEquals(1, errors.size(), errors::toString);
            String message = errors.get(0);
            for (String part : List.of("00:03.0", "BAR0", "1073741824", "PCI MMIO", "0xe0000000", "0xfec00000")) {
                assertTrue(message.contains(part), () -> "'" + message + "' should name " + part);
            }
        } finally {
            log.detachAppender(events);
            log.setLevel(level);
        }
    }
}
