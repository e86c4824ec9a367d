package org.alosj.hal.board.impl;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.alosj.hal.board.Board;
import org.alosj.hal.board.Platform;
import org.alosj.hal.bus.GuestRam;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.bus.MemoryBus;
import org.alosj.hal.firmware.MemoryMap;
import org.alosj.hal.firmware.MemoryRegion;
import org.alosj.hal.irq.InterruptPin;
import org.alosj.hal.irq.IrqLine;
import org.alosj.hal.pci.PciBus;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PC: an i440FX/PIIX3 board with guest RAM, the 8259 pair, the 8254, the CMOS RTC, COM1,
 * the PIIX4 power-management function (00:01.3, as QEMU's {@code pc}) and the PCI hot-plug
 * block. Activation is power-on; deactivation is power-off. Configured by PID
 * {@code org.alosj.machine}: {@code ram.mib}, {@code cpus}, {@code name} and {@code serial}
 * ({@code none}, {@code stdio} or {@code file:PATH}).
 *
 * <p>What the guest asks of the power supply and the reset line (S5 through PM1_CNT, a reset
 * through 0xCF9) goes to whoever runs the machine, as QEMU's shutdown and reset requests go to
 * its main loop: a service {@code java.util.function.Consumer<String>} with the property
 * {@code alos.vmm=power} (the launcher's) gets {@value #POWER_OFF} or {@value #RESET}.
 */
@Component(service = {Board.class, Platform.class}, configurationPid = PcMachine.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
public final class PcMachine implements Board, Platform {
    public static final String PID = "org.alosj.machine";
    public static final String POWER_OFF = "poweroff";
    public static final String RESET = "reset";
    private static final Logger LOG = LoggerFactory.getLogger("hw.machine");
    /** The ACPI SCI: ISA IRQ 9 on PIIX4 boards (QEMU's FADT SCI_INT). */
    static final int SCI_IRQ = 9;

    /** Configuration of the machine component. */
    public @interface Config {
        int ram_mib() default 256;

        int cpus() default 1;

        String name() default "pc";

        String serial() default "none";
    }

    private final MachineSettings settings;
    private final long powerOnNanos = System.nanoTime();
    private final GuestRam ram;
    private final IoPortBus ioPorts = new IoPortBus();
    private final MemoryBusImpl memory;
    private final Pic8259Pair pic;
    private final ApicMessageSink apic = new ApicMessageSink();
    private final CpuInterruptInputs cpuInterrupts;
    private final PciBusImpl pci;
    private final Piix4Pm pm;
    private final PciHotplugController hotplug;
    private final Pit8254 pit;
    private final Uart16550 com1;
    private final ScheduledThreadPoolExecutor clock;
    private final MemoryMap memoryMap;
    private final boolean ownsSerialSink;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, target = "(alos.vmm=power)")
    private volatile Consumer<String> vmm;

    @Activate
    public PcMachine(Config config) throws IOException {
        this(new MachineSettings(config.name(), (long) config.ram_mib() << 20, config.cpus(),
                openSerial(config.serial()), Clock.systemUTC()), !"stdio".equals(config.serial()));
    }

    public PcMachine(MachineSettings settings) {
        this(settings, false);
    }

    private PcMachine(MachineSettings settings, boolean ownsSerialSink) {
        this.settings = settings;
        this.ownsSerialSink = ownsSerialSink && settings.serialSink() != null;
        this.ram = new GuestRam(settings.ramBytes());
        this.memory = new MemoryBusImpl(ram);
        this.clock = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, settings.name() + "-board-clock");
            t.setDaemon(true);
            return t;
        });
        clock.setRemoveOnCancelPolicy(true);
        this.pic = new Pic8259Pair(ioPorts);
        this.cpuInterrupts = new CpuInterruptInputs(apic, pic);
        memory.mapMmio(ApicMessageSink.MSI_BASE, ApicMessageSink.MSI_SIZE, apic, "APIC messages");
        this.pci = new PciBusImpl(ioPorts, memory, pic);
        I440fxHostBridge host = new I440fxHostBridge(pci);
        host.mapPorts(ioPorts);
        pci.plug(host, 0, 0);
        Piix3IsaBridge isa = new Piix3IsaBridge(pci, () -> request(RESET));
        pci.plug(isa, 1, 0);
        host.setIsaBridge(isa);
        this.pm = new Piix4Pm(ioPorts, this::uptimeNanos, () -> request(POWER_OFF), pic.line(SCI_IRQ));
        pci.plug(pm, 1, 3);
        this.hotplug = new PciHotplugController(ioPorts, pci, pm::raiseGpe);
        pci.setHotplugListener(hotplug);
        this.pit = new Pit8254(ioPorts, clock, this::uptimeNanos, pic.line(0));
        new CmosRtc(ioPorts, settings.wallClock(), settings.ramBytes());
        this.com1 = new Uart16550(ioPorts, 0x3F8, pic.line(4), settings.serialSink(), "com1");
        this.memoryMap = buildMemoryMap();
        LOG.info("{}: powered on with {} MiB RAM, {} CPU(s)", settings.name(), settings.ramBytes() >> 20,
                settings.cpus());
    }

    private static OutputStream openSerial(String spec) throws IOException {
        if (spec == null || spec.isBlank() || spec.equals("none")) {
            return null;
        }
        if (spec.equals("stdio")) {
            return new FileOutputStream(FileDescriptor.out);
        }
        if (spec.startsWith("file:")) {
            Path path = Path.of(spec.substring("file:".length()));
            // The host's directories are the user's: a missing one is an error, not made here.
            // Buffered (the UART flushes at each line's end): a file write per byte was most of
            // what the kernel's log lines cost during a boot.
            return new BufferedOutputStream(Files.newOutputStream(path, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND));
        }
        throw new IllegalArgumentException("serial must be none, stdio or file:PATH, got '" + spec + "'");
    }

    private MemoryMap buildMemoryMap() {
        List<MemoryRegion> regions = new ArrayList<>();
        regions.add(new MemoryRegion(0, 0x9FC00, MemoryRegion.Type.USABLE));
        regions.add(new MemoryRegion(0x9FC00, 0x400, MemoryRegion.Type.RESERVED)); // EBDA
        regions.add(new MemoryRegion(0xF0000, 0x10000, MemoryRegion.Type.RESERVED)); // BIOS area
        regions.add(new MemoryRegion(0x100000, memory.lowRamEnd() - 0x100000, MemoryRegion.Type.USABLE));
        regions.add(new MemoryRegion(0xFFFC0000L, 0x40000, MemoryRegion.Type.RESERVED)); // flash
        if (memory.highRamEnd() > MemoryBusImpl.FOUR_GIB) {
            regions.add(new MemoryRegion(MemoryBusImpl.FOUR_GIB, memory.highRamEnd() - MemoryBusImpl.FOUR_GIB,
                    MemoryRegion.Type.USABLE));
        }
        List<MemoryRegion> frozen = List.copyOf(regions);
        return () -> frozen;
    }

    @Deactivate
    public void powerOff() {
        pit.powerOff();
        clock.shutdownNow();
        for (var f : pci.functions()) {
            if (f.vendorId() != 0x8086 || (f.deviceId() != 0x1237 && f.deviceId() != 0x7000 && f.deviceId() != 0x7113)) {
                pci.unplug(f);
            }
        }
        com1.flush();
        if (ownsSerialSink) {
            try {
                settings.serialSink().close();
            } catch (IOException e) {
                LOG.warn("closing the serial log: {}", e.getMessage());
            }
        }
        LOG.info("{}: powered off", settings.name());
    }

    /** The guest asked for power-off or reset: the machine's runner carries it out. */
    private void request(String what) {
        Consumer<String> v = vmm;
        if (v == null) {
            LOG.warn("{}: {} requested, but nothing runs this machine to carry it out", settings.name(), what);
            return;
        }
        v.accept(what);
    }

    /** Physical address to RAM offset, -1 outside RAM (for the CPU's fast path). */
    public long ramOffset(long physical) {
        return memory.ramOffset(physical);
    }

    /** Feeds bytes into COM1 as if typed on the serial line. */
    public void serialInput(byte[] data, int offset, int length) {
        com1.receive(data, offset, length);
    }

    @Override
    public PciBus pci() {
        return pci;
    }

    @Override
    public IoPortSpace ioPorts() {
        return ioPorts;
    }

    @Override
    public void pressPowerButton() {
        LOG.info("{}: power button pressed", settings.name());
        pm.pressPowerButton();
    }

    @Override
    public MemoryBus memory() {
        return memory;
    }

    @Override
    public IrqLine isaIrq(int irq) {
        return pic.line(irq);
    }

    @Override
    public ScheduledExecutorService clock() {
        return clock;
    }

    @Override
    public InterruptPin interruptPin() {
        return cpuInterrupts;
    }

    @Override
    public MemoryMap memoryMap() {
        return memoryMap;
    }

    @Override
    public int cpuCount() {
        return settings.cpus();
    }

    @Override
    public long uptimeNanos() {
        return System.nanoTime() - powerOnNanos;
    }

    public String name() {
        return settings.name();
    }
}
