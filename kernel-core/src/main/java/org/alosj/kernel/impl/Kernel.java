package org.alosj.kernel.impl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.alosj.hal.board.Platform;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.kernel.impl.irq.InterruptManager;
import org.alosj.kernel.impl.klog.KernelLogImpl;
import org.alosj.kernel.impl.mem.DmaAllocatorImpl;
import org.alosj.kernel.impl.mem.KernelHeap;
import org.alosj.kernel.impl.mem.PageAllocator;
import org.alosj.kernel.impl.pci.AcpiPciHotplug;
import org.alosj.kernel.impl.pci.DeviceManager;
import org.alosj.kernel.impl.pci.PciConfigAccess;
import org.alosj.kernel.impl.time.KernelClock;
import org.alosj.kernel.irq.Interrupts;
import org.alosj.kernel.legacy.LegacyDevices;
import org.alosj.kernel.klog.KernelLog;
import org.alosj.kernel.mem.MemoryInfo;
import org.alosj.kernel.mem.PhysicalPageAllocator;
import org.alosj.kernel.pci.PciDeviceManager;
import org.alosj.kernel.time.SystemClock;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel: boots on the platform when one appears and shuts down when it goes. Boot order is
 * the dependency order: the log first (so boot is logged), then physical memory (page
 * allocator, heap, DMA), interrupts, time, and the PCI bus, whose device manager starts binding
 * drivers last. The kernel's services are registered as each part comes up.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, immediate = true)
public final class Kernel {
    private static final Logger LOG = LoggerFactory.getLogger("kernel");

    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();
    private final KernelLogImpl klog;
    private final boolean klogAttached;
    private final InterruptManager interrupts;
    private final KernelClock clock;
    private final DeviceManager devices;
    private final AcpiPciHotplug hotplug;
    private final ExecutorService worker;

    @Activate
    public Kernel(BundleContext context, @Reference Platform platform) {
        long start = System.nanoTime();
        IoPortSpace ports = platform.ioPorts();
        klog = new KernelLogImpl(ports, () -> System.nanoTime() - start);
        klogAttached = klog.attach();
        LOG.info("ALOS/J kernel booting on {} ({} CPU(s))",
                platform.getClass().getSimpleName(), platform.cpuCount());
        if (!klogAttached) {
            LOG.warn("the logging backend is not Logback: no dmesg ring and no serial console");
        }

        PageAllocator pages = new PageAllocator(platform.memoryMap(), platform.memory());
        KernelHeap heap = new KernelHeap(pages, platform.memory());
        DmaAllocatorImpl dma = new DmaAllocatorImpl(pages, platform.memory());
        LOG.info("memory: {} MiB usable, {} pages free", pages.totalPages() * PhysicalPageAllocator.PAGE_SIZE >> 20,
                pages.freePages());

        worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "kworker");
            t.setDaemon(true);
            return t;
        });
        interrupts = new InterruptManager(ports, platform.interruptPin(), "cpu0");
        clock = new KernelClock(ports, interrupts, start);

        devices = new DeviceManager(context, new PciConfigAccess(ports), ports, platform.memory(), interrupts, dma);
        // Insertions before boot are old news: enumeration is about to find them. (One that
        // lands after this is reported again and rescanned, which is harmless.)
        hotplug = new AcpiPciHotplug(ports, interrupts, worker, devices::hotplug);
        for (int irq : devices.enumerate()) {
            interrupts.setLevelTriggered(irq);
        }

        register(context, PhysicalPageAllocator.class, pages);
        register(context, MemoryInfo.class, new MemoryInfo() {
            @Override
            public long totalBytes() {
                return pages.totalPages() * PhysicalPageAllocator.PAGE_SIZE;
            }

            @Override
            public long freeBytes() {
                return pages.freePages() * PhysicalPageAllocator.PAGE_SIZE;
            }

            @Override
            public long kernelHeapBytes() {
                return heap.bytesHeld();
            }

            @Override
            public long dmaBytes() {
                return dma.bytesInUse();
            }

            @Override
            public Map<String, Long> usageByOwner() {
                return new HashMap<>(pages.bytesByOwner());
            }
        });
        register(context, Interrupts.class, interrupts);
        register(context, SystemClock.class, clock);
        register(context, KernelLog.class, klog);
        register(context, PciDeviceManager.class, devices);
        register(context, LegacyDevices.class, devices::legacyClaim);
        devices.start();
        clock.bootFinished();
        LOG.info("kernel up in {} ms", clock.bootMillis());
    }

    private <T> void register(BundleContext context, Class<T> type, T service) {
        registrations.add(context.registerService(type, service, new Hashtable<>()));
    }

    @Deactivate
    public void shutdown() {
        LOG.info("kernel shutting down");
        devices.stop();
        hotplug.close();
        for (ServiceRegistration<?> r : registrations) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // our bundle is stopping and the framework took it already
            }
        }
        worker.shutdown();
        try {
            worker.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        clock.shutdown();
        interrupts.shutdown();
        if (klogAttached) {
            klog.detach();
        }
    }
}
