package org.alosj.shell.impl;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.alosj.kernel.irq.Interrupts;
import org.alosj.kernel.klog.KernelLog;
import org.alosj.kernel.mem.MemoryInfo;
import org.alosj.kernel.pci.PciAddress;
import org.alosj.kernel.pci.PciDeviceManager;
import org.alosj.kernel.time.SystemClock;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Function;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** The system commands: meminfo, dmesg, date, clear, interrupts and time. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = SystemCommands.class, property = {
    "osgi.command.scope=alos",
    "osgi.command.function=meminfo",
    "osgi.command.function=dmesg",
    "osgi.command.function=date",
    "osgi.command.function=clear",
    "osgi.command.function=interrupts",
    "osgi.command.function=time",
})
public final class SystemCommands {
    static final long UNTIL_BOUND_LIMIT_MS = 5000;
    private static final long PAGE = 4096;
    // GNU date's default: %a %b %e %H:%M:%S %Z %Y.
    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss 'UTC' yyyy", Locale.ROOT);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile MemoryInfo memoryInfo;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile KernelLog kernelLog;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile SystemClock clock;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Interrupts interrupts;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile PciDeviceManager deviceManager;

    @Descriptor("physical memory: total, free and used pages, kernel heap, DMA, use by owner")
    public void meminfo() {
        MemoryInfo m = require(memoryInfo, "MemoryInfo");
        long total = m.totalBytes();
        long free = m.freeBytes();
        System.out.println(memLine("MemTotal:", total));
        System.out.println(memLine("MemFree:", free));
        System.out.println(memLine("MemUsed:", total - free));
        System.out.println(memLine("KernelHeap:", m.kernelHeapBytes()));
        System.out.println(memLine("DMA:", m.dmaBytes()));
        Map<String, Long> owners = m.usageByOwner();
        if (!owners.isEmpty()) {
            System.out.println("Used by:");
            owners.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(e -> System.out.println(memLine("  " + e.getKey(), e.getValue())));
        }
        System.out.flush();
    }

    static String memLine(String label, long bytes) {
        return String.format("%-16s %10d kB %8d pages", label, bytes / 1024, (bytes + PAGE - 1) / PAGE);
    }

    @Descriptor("the kernel message ring; -c prints then clears it, -C only clears it")
    public void dmesg(@Descriptor("-c | -C") String... args) {
        KernelLog log = require(kernelLog, "KernelLog");
        boolean print = true;
        boolean clear = false;
        for (String a : args) {
            switch (a) {
                case "-c" -> clear = true;
                case "-C" -> {
                    clear = true;
                    print = false;
                }
                default -> throw new IllegalArgumentException("dmesg: unknown option '" + a + "' (expected -c or -C)");
            }
        }
        if (print) {
            for (KernelLog.Entry e : log.entries()) {
                System.out.println(formatLogEntry(e));
            }
        }
        if (clear) {
            log.clear();
        }
        System.out.flush();
    }

    /** Linux dmesg's form: {@code [    1.234567] message}. */
    static String formatLogEntry(KernelLog.Entry e) {
        long us = e.uptimeNanos() / 1000;
        return String.format("[%5d.%06d] %s", us / 1_000_000, us % 1_000_000, e.message());
    }

    @Descriptor("wall-clock time from the RTC, uptime and boot time")
    public void date() {
        SystemClock c = require(clock, "SystemClock");
        System.out.println(DATE.format(c.now().atOffset(ZoneOffset.UTC)));
        long up = c.uptimeNanos();
        System.out.println(String.format("up %s, boot took %d ms, %d ticks at %d Hz", uptime(up), c.bootMillis(),
                c.ticks(), c.tickHz()));
        System.out.flush();
    }

    static String uptime(long nanos) {
        long s = TimeUnit.NANOSECONDS.toSeconds(nanos);
        long days = s / 86400;
        String hms = String.format("%02d:%02d:%02d.%03d", s / 3600 % 24, s / 60 % 60, s % 60,
                TimeUnit.NANOSECONDS.toMillis(nanos) % 1000);
        return days > 0 ? days + (days == 1 ? " day, " : " days, ") + hms : hms;
    }

    @Descriptor("clear the terminal (ANSI: cursor home, erase screen and scrollback)")
    public void clear() {
        System.out.print("\033[H\033[2J\033[3J");
        System.out.flush();
    }

    @Descriptor("interrupt counts per IRQ line and MSI/MSI-X vector with their handlers, as /proc/interrupts")
    public void interrupts() {
        Interrupts irqs = require(interrupts, "Interrupts");
        System.out.println("           CPU0");
        long spurious = 0;
        for (Interrupts.LineStats l : irqs.statistics()) {
            System.out.println(String.format("%3d: %10d   XT-PIC  %s", l.irq(), l.count(),
                    String.join(", ", l.handlers())).stripTrailing());
            spurious += l.spurious();
        }
        // Message-signalled vectors, as Linux lists its PCI-MSI and PCI-MSI-X interrupts.
        for (Interrupts.VectorStats v : irqs.vectorStatistics()) {
            System.out.println(String.format("%3d: %10d   %-9s %s-edge  %s", v.vector(), v.count(), v.chip(),
                    v.source(), v.handler()));
        }
        System.out.println(String.format("SPU: %10d   Spurious interrupts", spurious));
        System.out.flush();
    }

    @Descriptor("run a block and print its result and how long it took: time [-until-bound SLOT] { command }\n"
            + "  -until-bound SLOT  after the block returns, also wait (at most 5 s) until SLOT is bound to a driver")
    public void time(CommandSession session, @Descriptor("[-until-bound SLOT] { command }") Object... args)
            throws Exception {
        PciAddress untilBound = null;
        Function block = null;
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if ("-until-bound".equals(String.valueOf(a)) && i + 1 < args.length && block == null) {
                untilBound = PciAddress.parse(String.valueOf(args[++i]));
            } else if (a instanceof Function f && block == null && i == args.length - 1) {
                block = f;
            } else {
                throw new IllegalArgumentException("usage: time [-until-bound SLOT] { command } (unexpected '" + a + "')");
            }
        }
        if (block == null) {
            throw new IllegalArgumentException("usage: time [-until-bound SLOT] { command }");
        }
        PciDeviceManager m = untilBound == null ? null : require(deviceManager, "PciDeviceManager");
        long start = System.nanoTime();
        Object result = block.execute(session, new ArrayList<>());
        boolean bound = true;
        if (untilBound != null) {
            bound = waitBound(m, untilBound, start + TimeUnit.MILLISECONDS.toNanos(UNTIL_BOUND_LIMIT_MS));
        }
        long elapsed = System.nanoTime() - start;
        if (result != null) {
            System.out.println(session.format(result, Converter.INSPECT));
        }
        System.out.println(elapsedLine(elapsed));
        System.out.flush();
        if (!bound) {
            throw new IllegalStateException("time: " + untilBound + " was not bound to a driver within "
                    + UNTIL_BOUND_LIMIT_MS / 1000 + " s");
        }
    }

    static String elapsedLine(long nanos) {
        return String.format(Locale.ROOT, "elapsed %.1f ms", nanos / 1e6);
    }

    /** Polls the device manager (it has no binding events) until {@code a} has a driver. */
    private static boolean waitBound(PciDeviceManager m, PciAddress a, long deadline) throws InterruptedException {
        while (true) {
            if (m.function(a).map(f -> f.driver() != null).orElse(false)) {
                return true;
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(1);
        }
    }

    static <T> T require(T service, String name) {
        if (service == null) {
            throw new IllegalStateException("the kernel is not running (no " + name + " service)");
        }
        return service;
    }
}
