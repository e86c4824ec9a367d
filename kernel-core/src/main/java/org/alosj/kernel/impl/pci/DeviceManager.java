package org.alosj.kernel.impl.pci;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.alosj.hal.bus.IoPortSpace;
import org.alosj.hal.bus.MemoryBus;
import org.alosj.kernel.impl.mem.DmaAllocatorImpl;
import org.alosj.kernel.irq.Interrupts;
import org.alosj.kernel.legacy.LegacyClaim;
import org.alosj.kernel.pci.PciAddress;
import org.alosj.kernel.pci.PciBinding;
import org.alosj.kernel.pci.PciDevice;
import org.alosj.kernel.pci.PciDeviceManager;
import org.alosj.kernel.pci.PciDriver;
import org.alosj.kernel.pci.PciId;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.device.Device;
import org.osgi.service.device.Driver;
import org.osgi.service.device.DriverLocator;
import org.osgi.service.device.DriverSelector;
import org.osgi.service.device.Match;
import org.osgi.util.tracker.ServiceTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device manager, after OSGi Device Access (Compendium ch. 103) with Linux's binding rules.
 * Every PCI function is a {@link Device} service of category "pci". Drivers are {@link Driver}
 * services; a {@link PciDriver} with an ID table is published by this manager as a Driver whose
 * {@code match} scores the table (class &lt; vendor:device &lt; +subsystem &lt; +revision) and whose
 * attach runs {@code probe}. An idle function goes to the best match, a {@link DriverSelector}
 * may overrule, and when nothing matches the {@link DriverLocator}s are asked for a driver bundle
 * to install. A driver leaving unbinds its functions (synchronously, while its bundle can still
 * run code) and they are matched again; a driver arriving binds what it matches.
 *
 * <p>All binding decisions happen under one lock, in the thread that caused them, so by the time
 * a bundle's start or stop returns the bus is settled.
 */
public final class DeviceManager implements PciDeviceManager {
    private static final Logger LOG = LoggerFactory.getLogger("kernel.pci");

    /** Service property on the Driver services this manager publishes for PCI drivers. */
    public static final String PCI_DRIVER_NAME = "pci.driver";
    public static final String DEVICE_CATEGORY_PCI = "pci";

    private final BundleContext context;
    private final PciConfigAccess config;
    private final PciEnumerator enumerator;
    private final IoPortSpace ports;
    private final MemoryBus memory;
    private final Interrupts interrupts;
    private final DmaAllocatorImpl dma;
    private volatile Set<Integer> pciIrqs = Set.of();
    private final LegacyResources legacy = new LegacyResources(irq -> pciIrqs.contains(irq));
    private final ReentrantLock lock = new ReentrantLock();
    private final TreeMap<PciAddress, PciFunctionImpl> functions = new TreeMap<>();
    private final Map<PciAddress, ServiceRegistration<?>> deviceRegistrations = new ConcurrentHashMap<>();
    private final Set<PciAddress> heldUnbound = new HashSet<>();
    private final Set<ServiceReference<?>> departing = ConcurrentHashMap.newKeySet();
    private final Set<String> locatorAttempts = new HashSet<>();
    private ServiceTracker<PciDriver, Adapter> pciDrivers;
    private ServiceListener driverListener;
    private volatile boolean running;

    /** A PCI driver as the Driver service this manager registers for it. */
    final class Adapter implements Driver {
        final PciDriver driver;
        final String name;
        final List<PciId> ids;
        ServiceRegistration<Driver> registration;

        Adapter(PciDriver driver) {
            this.driver = driver;
            this.name = driver.name();
            this.ids = List.copyOf(driver.idTable());
        }

        int score(PciFunctionImpl f) {
            int best = Device.MATCH_NONE;
            for (PciId id : ids) {
                best = Math.max(best, id.score(f.vendorId, f.deviceId, f.subsystemVendorId, f.subsystemId,
                        f.revision, f.classCode));
            }
            return best;
        }

        @Override
        public int match(ServiceReference<?> reference) {
            PciFunctionImpl f = functionFor(reference);
            return f == null ? Device.MATCH_NONE : score(f);
        }

        @Override
        public String attach(ServiceReference<?> reference) {
            PciFunctionImpl f = functionFor(reference);
            if (f == null) {
                throw new IllegalArgumentException("not a PCI device: " + reference);
            }
            lock.lock();
            try {
                probe(f, this, registration.getReference());
            } finally {
                lock.unlock();
            }
            return null;
        }
    }

    public DeviceManager(BundleContext context, PciConfigAccess config, IoPortSpace ports, MemoryBus memory,
                         Interrupts interrupts, DmaAllocatorImpl dma) {
        this.context = context;
        this.config = config;
        this.enumerator = new PciEnumerator(config);
        this.ports = ports;
        this.memory = memory;
        this.interrupts = interrupts;
        this.dma = dma;
    }

    /** A claim on the legacy ports and IRQs for a device that is not a PCI function. */
    public LegacyClaim legacyClaim(String owner) {
        return new LegacyClaimImpl(legacy, ports, interrupts, owner);
    }

    private PciFunctionImpl functionFor(ServiceReference<?> reference) {
        Object address = reference.getProperty("pci.address");
        if (address == null) {
            return null;
        }
        lock.lock();
        try {
            return functions.get(PciAddress.parse(address.toString()));
        } finally {
            lock.unlock();
        }
    }

    /** Routes interrupts and enumerates the bus (no binding yet). Returns the PCI IRQs. */
    public List<Integer> enumerate() {
        List<Integer> pciIrqs = enumerator.routeInterrupts();
        this.pciIrqs = Set.copyOf(pciIrqs);
        lock.lock();
        try {
            for (int slot = 0; slot < 32; slot++) {
                for (PciAddress a : enumerator.scanSlot(slot)) {
                    addFunction(a);
                }
            }
        } finally {
            lock.unlock();
        }
        return pciIrqs;
    }

    private PciFunctionImpl addFunction(PciAddress a) {
        var bars = enumerator.configure(a);
        int pin = config.read(a, PciEnumerator.PCI_INTERRUPT_PIN, 1);
        PciFunctionImpl f = new PciFunctionImpl(a, config, ports, memory, interrupts, dma, legacy,
                enumerator.irqFor(a, pin), bars);
        f.setFaultListener(this::handlerFailed);
        functions.put(a, f);
        LOG.info("pci {}: [{}] class {} rev {}{}", a, String.format("%04x:%04x", f.vendorId, f.deviceId),
                String.format("%06x", f.classCode), String.format("%02x", f.revision),
                f.irq >= 0 ? " irq " + f.irq : "");
        return f;
    }

    /** Publishes the Device services and starts binding. */
    public void start() {
        running = true;
        lock.lock();
        try {
            for (PciFunctionImpl f : functions.values()) {
                registerDevice(f);
            }
        } finally {
            lock.unlock();
        }
        driverListener = this::driverEvent;
        try {
            context.addServiceListener(driverListener, "(" + Constants.OBJECTCLASS + "=" + Driver.class.getName() + ")");
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        pciDrivers = new ServiceTracker<>(context, PciDriver.class, null) {
            @Override
            public Adapter addingService(ServiceReference<PciDriver> reference) {
                PciDriver driver = context.getService(reference);
                if (driver == null) {
                    return null;
                }
                Adapter adapter;
                try {
                    adapter = new Adapter(driver);
                } catch (RuntimeException e) {
                    LOG.error("PCI driver from bundle {} has an unusable name or ID table: {}",
                            reference.getBundle().getSymbolicName(), e.toString());
                    context.ungetService(reference);
                    return null;
                }
                Hashtable<String, Object> props = new Hashtable<>();
                props.put(org.osgi.service.device.Constants.DRIVER_ID, "pci." + adapter.name);
                props.put(PCI_DRIVER_NAME, adapter.name);
                props.put("driver.bundle", reference.getBundle().getSymbolicName());
                adapter.registration = context.registerService(Driver.class, adapter, props);
                return adapter;
            }

            @Override
            public void removedService(ServiceReference<PciDriver> reference, Adapter adapter) {
                adapter.registration.unregister();
                context.ungetService(reference);
            }
        };
        pciDrivers.open();
        rematchAll(true); // boot: the devices enumeration found are arrivals
    }

    private void registerDevice(PciFunctionImpl f) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(org.osgi.service.device.Constants.DEVICE_CATEGORY, new String[] {DEVICE_CATEGORY_PCI});
        props.put(org.osgi.service.device.Constants.DEVICE_SERIAL, f.address().toString());
        props.put(org.osgi.service.device.Constants.DEVICE_DESCRIPTION,
                String.format("PCI %04x:%04x class %06x", f.vendorId, f.deviceId, f.classCode));
        props.put("pci.address", f.address().toString());
        props.put("pci.vendor", f.vendorId);
        props.put("pci.device", f.deviceId);
        props.put("pci.subsystem.vendor", f.subsystemVendorId);
        props.put("pci.subsystem.device", f.subsystemId);
        props.put("pci.class", f.classCode);
        props.put("pci.revision", f.revision);
        deviceRegistrations.put(f.address(), context.registerService(
                new String[] {Device.class.getName(), PciDevice.class.getName()}, f, props));
    }

    public void stop() {
        running = false;
        if (pciDrivers != null) {
            pciDrivers.close();
        }
        if (driverListener != null) {
            context.removeServiceListener(driverListener);
        }
        lock.lock();
        try {
            for (PciFunctionImpl f : functions.values()) {
                unbindQuietly(f, "kernel stopping");
            }
            deviceRegistrations.values().forEach(r -> {
                try {
                    r.unregister();
                } catch (IllegalStateException alreadyGone) {
                    // the framework is tearing our bundle down
                }
            });
            deviceRegistrations.clear();
        } finally {
            lock.unlock();
        }
    }

    // ---- driver events ----

    private void driverEvent(ServiceEvent event) {
        if (!running) {
            return;
        }
        ServiceReference<?> ref = event.getServiceReference();
        switch (event.getType()) {
            case ServiceEvent.REGISTERED -> {
                lock.lock();
                try {
                    heldUnbound.clear(); // a new driver may bind what was unbound by hand, as in Linux
                    rematchAll(false);
                } finally {
                    lock.unlock();
                }
            }
            case ServiceEvent.UNREGISTERING, ServiceEvent.MODIFIED_ENDMATCH -> driverLeaving(ref);
            default -> { }
        }
    }

    private void driverLeaving(ServiceReference<?> ref) {
        departing.add(ref);
        lock.lock();
        try {
            List<PciFunctionImpl> affected = new ArrayList<>();
            for (PciFunctionImpl f : functions.values()) {
                if (ref.equals(f.boundDriver)) {
                    unbindQuietly(f, "driver " + f.driverName + " is going away");
                    affected.add(f);
                }
            }
            for (PciFunctionImpl f : affected) {
                matchFunction(f, false);
            }
        } finally {
            lock.unlock();
            departing.remove(ref);
        }
    }

    private void rematchAll(boolean arrival) {
        lock.lock();
        try {
            for (PciFunctionImpl f : new ArrayList<>(functions.values())) {
                if (f.boundDriver == null && !heldUnbound.contains(f.address())) {
                    matchFunction(f, arrival);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    // ---- matching ----

    private record Candidate(ServiceReference<Driver> reference, String name, int value) implements Match {
        @Override
        public ServiceReference<Driver> getDriver() {
            return reference;
        }

        @Override
        public int getMatchValue() {
            return value;
        }
    }

    private List<ServiceReference<Driver>> driverReferences() {
        try {
            var refs = context.getServiceReferences(Driver.class, null);
            List<ServiceReference<Driver>> out = new ArrayList<>();
            for (var r : refs) {
                if (!departing.contains(r)) {
                    out.add(r);
                }
            }
            return out;
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String driverName(ServiceReference<?> ref) {
        Object pci = ref.getProperty(PCI_DRIVER_NAME);
        if (pci != null) {
            return pci.toString();
        }
        Object id = ref.getProperty(org.osgi.service.device.Constants.DRIVER_ID);
        return id == null ? "driver#" + ref.getProperty(Constants.SERVICE_ID) : id.toString();
    }

    private List<Candidate> candidates(PciFunctionImpl f) {
        List<Candidate> out = new ArrayList<>();
        ServiceReference<?> deviceRef = deviceReference(f);
        for (ServiceReference<Driver> ref : driverReferences()) {
            Driver d = context.getService(ref);
            if (d == null) {
                continue;
            }
            try {
                int value = d instanceof Adapter a ? a.score(f) : d.match(deviceRef);
                if (value > Device.MATCH_NONE) {
                    out.add(new Candidate(ref, driverName(ref), value));
                }
            } catch (Exception | LinkageError e) {
                LOG.warn("pci {}: driver {} failed in match: {}", f.address(), driverName(ref), e.toString());
            } finally {
                context.ungetService(ref);
            }
        }
        return out;
    }

    private ServiceReference<?> deviceReference(PciFunctionImpl f) {
        ServiceRegistration<?> reg = deviceRegistrations.get(f.address());
        return reg == null ? null : reg.getReference();
    }

    /**
     * Binds an unbound function to the best driver there is; lock held. {@code arrival}: the
     * function just appeared (boot, hot-plug), so the driver locators may be asked for a driver.
     */
    private void matchFunction(PciFunctionImpl f, boolean arrival) {
        if (f.boundDriver != null || !f.present() || deviceReference(f) == null) {
            return;
        }
        List<Candidate> found = candidates(f);
        if (f.driverOverride != null) {
            found.removeIf(c -> !c.name().equals(f.driverOverride));
        }
        if (found.isEmpty()) {
            // Only a device that arrives sends for a driver (Linux's uevent and modprobe): one
            // whose driver was stopped or uninstalled on purpose stays without.
            if (arrival && askLocators(f)) {
                return; // a driver bundle was installed: its arrival did the matching
            }
            if (!f.noDriverReported) {
                LOG.info("pci {}: no driver for [{}]", f.address(), String.format("%04x:%04x", f.vendorId, f.deviceId));
                f.noDriverFound();
            }
            return;
        }
        Candidate chosen = select(f, found);
        if (chosen != null) {
            attach(f, chosen.reference());
        }
    }

    private Candidate select(PciFunctionImpl f, List<Candidate> found) {
        ServiceReference<DriverSelector> selectorRef = context.getServiceReference(DriverSelector.class);
        if (selectorRef != null) {
            DriverSelector selector = context.getService(selectorRef);
            if (selector != null) {
                try {
                    int index = selector.select(deviceReference(f), found.toArray(new Match[0]));
                    if (index == DriverSelector.SELECT_NONE) {
                        return null;
                    }
                    if (index >= 0 && index < found.size()) {
                        return found.get(index);
                    }
                    LOG.warn("driver selector returned index {} of {} candidates; using the best match", index,
                            found.size());
                } catch (RuntimeException e) {
                    LOG.warn("driver selector failed: {}; using the best match", e.toString());
                } finally {
                    context.ungetService(selectorRef);
                }
            }
        }
        Candidate best = null;
        for (Candidate c : found) {
            // Highest match, then the service order OSGi defines (ranking, then lowest id).
            if (best == null || c.value() > best.value()
                    || c.value() == best.value() && c.reference().compareTo(best.reference()) > 0) {
                best = c;
            }
        }
        return best;
    }

    private void attach(PciFunctionImpl f, ServiceReference<Driver> ref) {
        Driver d = context.getService(ref);
        if (d == null) {
            return;
        }
        try {
            if (d instanceof Adapter adapter) {
                probe(f, adapter, ref);
                return;
            }
            String referral = d.attach(deviceReference(f));
            if (referral != null) {
                LOG.info("pci {}: driver {} refers to {}", f.address(), driverName(ref), referral);
                for (ServiceReference<Driver> other : driverReferences()) {
                    if (referral.equals(other.getProperty(org.osgi.service.device.Constants.DRIVER_ID))) {
                        Driver od = context.getService(other);
                        try {
                            if (od != null && od.attach(deviceReference(f)) == null) {
                                bound(f, driverName(other), other);
                            }
                        } finally {
                            context.ungetService(other);
                        }
                        return;
                    }
                }
                return;
            }
            bound(f, driverName(ref), ref);
        } catch (Exception | LinkageError e) {
            f.failure = driverName(ref) + ": " + describe(e);
            LOG.error("pci {}: driver {} failed to attach: {}", f.address(), driverName(ref), describe(e));
        } finally {
            context.ungetService(ref);
        }
    }

    private void bound(PciFunctionImpl f, String name, ServiceReference<?> ref) {
        f.driverName = name;
        f.boundDriver = ref;
        f.failure = null;
        heldUnbound.remove(f.address());
        LOG.info("pci {}: bound to {}", f.address(), name);
    }

    /** Runs a PCI driver's probe; lock held. */
    private void probe(PciFunctionImpl f, Adapter adapter, ServiceReference<?> ref) {
        f.beginBinding(adapter.name);
        try {
            PciBinding binding = adapter.driver.probe(f);
            if (binding == null) {
                throw new IllegalStateException("probe returned no binding");
            }
            f.binding = binding;
            bound(f, adapter.name, ref);
        } catch (Exception | LinkageError | AssertionError e) {
            String leaks = f.endBinding();
            f.failure = adapter.name + ": probe failed: " + describe(e);
            LOG.error("pci {}: {} probe failed: {}{}", f.address(), adapter.name, describe(e),
                    leaks == null ? "" : " (took back " + leaks + ")");
        }
    }

    /**
     * A bound driver's interrupt handler threw (reported once, in interrupt context): the driver
     * is unbound on a thread of its own, as its remove may wait, and the function stays unbound
     * (as after an explicit unbind) until a driver comes or {@code reprobe}; the machine and the
     * other devices carry on.
     */
    private void handlerFailed(PciFunctionImpl f, long generation, String why) {
        Thread t = new Thread(() -> {
            lock.lock();
            try {
                if (functions.get(f.address()) != f || f.boundDriver == null || f.bindingGeneration() != generation) {
                    return; // already unbound, or another driver holds it now
                }
                String name = f.driverName;
                LOG.error("pci {}: {}: unbinding {}", f.address(), why, name);
                unbindQuietly(f, "its interrupt handler failed");
                f.failure = name + ": " + why;
                heldUnbound.add(f.address());
            } finally {
                lock.unlock();
            }
        }, "kpci-fault-" + f.address());
        t.setDaemon(true);
        t.start();
    }

    private static String describe(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private boolean askLocators(PciFunctionImpl f) {
        ServiceReference<?> deviceRef = deviceReference(f);
        if (deviceRef == null) {
            return false;
        }
        Dictionary<String, Object> props = new Hashtable<>();
        for (String key : deviceRef.getPropertyKeys()) {
            props.put(key, deviceRef.getProperty(key));
        }
        try {
            for (ServiceReference<DriverLocator> lr : context.getServiceReferences(DriverLocator.class, null)) {
                DriverLocator locator = context.getService(lr);
                if (locator == null) {
                    continue;
                }
                try {
                    String[] ids = locator.findDrivers(props);
                    for (String id : ids == null ? new String[0] : ids) {
                        if (locatorAttempts.contains(id)) {
                            continue;
                        }
                        try (InputStream in = locator.loadDriver(id)) {
                            if (in == null) {
                                continue; // nothing to load (installed already): it may be asked again
                            }
                            // One install of a driver a run: one that installs but does not bind is not retried.
                            locatorAttempts.add(id);
                            Bundle b = context.installBundle("driverlocator:" + id, in);
                            LOG.info("pci {}: installing driver {} from the driver repository", f.address(), id);
                            b.start();
                            return f.boundDriver != null;
                        }
                    }
                } catch (Exception e) {
                    LOG.warn("pci {}: driver locator failed: {}", f.address(), describe(e));
                } finally {
                    context.ungetService(lr);
                }
            }
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        return false;
    }

    /** What the driver locators would offer for the function (lspci's "Kernel modules"), installing nothing. */
    private List<String> locatorCandidates(PciFunctionImpl f) {
        ServiceReference<?> deviceRef = deviceReference(f);
        if (context == null || deviceRef == null) {
            return List.of();
        }
        Dictionary<String, Object> props = new Hashtable<>();
        for (String key : deviceRef.getPropertyKeys()) {
            props.put(key, deviceRef.getProperty(key));
        }
        List<String> out = new ArrayList<>();
        try {
            for (ServiceReference<DriverLocator> lr : context.getServiceReferences(DriverLocator.class, null)) {
                DriverLocator locator = context.getService(lr);
                if (locator == null) {
                    continue;
                }
                try {
                    String[] ids = locator.findDrivers(props);
                    if (ids != null) {
                        out.addAll(List.of(ids));
                    }
                } catch (RuntimeException e) {
                    LOG.warn("pci {}: driver locator failed: {}", f.address(), describe(e));
                } finally {
                    context.ungetService(lr);
                }
            }
        } catch (org.osgi.framework.InvalidSyntaxException | IllegalStateException e) {
            return out;
        }
        return out;
    }

    private void unbindQuietly(PciFunctionImpl f, String why) {
        if (f.boundDriver == null) {
            return;
        }
        String name = f.driverName;
        if (f.binding != null) {
            try {
                f.binding.remove();
            } catch (Exception | LinkageError e) {
                LOG.error("pci {}: {} failed to let go cleanly: {}", f.address(), name, describe(e));
            }
            String leaks = f.endBinding();
            if (leaks != null) {
                LOG.warn("pci {}: {} left {} behind; taken back", f.address(), name, leaks);
            }
        }
        f.binding = null;
        f.boundDriver = null;
        f.driverName = null;
        LOG.info("pci {}: unbound from {} ({})", f.address(), name, why);
    }

    // ---- hot-plug ----

    /** Slots the hot-plug controller reported; runs on a kernel worker thread. */
    public void hotplug(int insertedSlots, int removedSlots) {
        lock.lock();
        try {
            for (int slot = 0; slot < 32; slot++) {
                if ((removedSlots & (1 << slot)) != 0) {
                    removeSlot(slot);
                }
            }
            for (int slot = 0; slot < 32; slot++) {
                if ((insertedSlots & (1 << slot)) != 0) {
                    removeSlot(slot); // a quick unplug and replug may report only the insertion
                    for (PciAddress a : enumerator.scanSlot(slot)) {
                        PciFunctionImpl f = addFunction(a);
                        if (running) {
                            registerDevice(f);
                            matchFunction(f, true);
                        }
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void removeSlot(int slot) {
        for (PciFunctionImpl f : new ArrayList<>(functions.values())) {
            if (f.address().device() != slot) {
                continue;
            }
            f.markGone();
            unbindQuietly(f, "device removed");
            ServiceRegistration<?> reg = deviceRegistrations.remove(f.address());
            if (reg != null) {
                reg.unregister();
            }
            functions.remove(f.address());
            enumerator.release(f.bars);
            heldUnbound.remove(f.address());
            LOG.info("pci {}: removed", f.address());
        }
    }

    // ---- PciDeviceManager ----

    @Override
    public List<Function> functions() {
        lock.lock();
        try {
            List<Function> out = new ArrayList<>();
            for (PciFunctionImpl f : functions.values()) {
                out.add(describe(f));
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    private Function describe(PciFunctionImpl f) {
        List<String> names = new ArrayList<>();
        for (Candidate c : candidates(f)) {
            names.add(c.name());
        }
        for (String located : locatorCandidates(f)) {
            if (!names.contains(located)) {
                names.add(located);
            }
        }
        return new Function(f.address(), f.vendorId, f.deviceId, f.subsystemVendorId, f.subsystemId, f.revision,
                f.classCode, f.irq, f.bars, f.driverName, f.driverOverride, f.failure, List.copyOf(names));
    }

    @Override
    public Optional<Function> function(PciAddress address) {
        lock.lock();
        try {
            PciFunctionImpl f = functions.get(address);
            return f == null ? Optional.empty() : Optional.of(describe(f));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<String> drivers() {
        List<String> out = new ArrayList<>();
        for (ServiceReference<Driver> r : driverReferences()) {
            out.add(driverName(r));
        }
        out.sort(null);
        return out;
    }

    private PciFunctionImpl require(PciAddress address) {
        PciFunctionImpl f = functions.get(address);
        if (f == null) {
            throw new IllegalArgumentException("no PCI function at " + address);
        }
        return f;
    }

    @Override
    public void bind(PciAddress address, String driver) {
        lock.lock();
        try {
            PciFunctionImpl f = require(address);
            if (f.boundDriver != null) {
                throw new IllegalStateException(address + " is already bound to " + f.driverName);
            }
            ServiceReference<Driver> ref = null;
            for (ServiceReference<Driver> r : driverReferences()) {
                if (driverName(r).equals(driver)) {
                    ref = r;
                }
            }
            if (ref == null) {
                throw new IllegalStateException("no driver named " + driver + " (drivers: " + drivers() + ")");
            }
            boolean claims = candidates(f).stream().anyMatch(c -> c.name().equals(driver));
            if (!claims && !driver.equals(f.driverOverride)) {
                throw new IllegalStateException(String.format("%s does not claim %s [%04x:%04x]", driver, address,
                        f.vendorId, f.deviceId));
            }
            heldUnbound.remove(address);
            attach(f, ref);
            if (f.boundDriver == null) {
                throw new IllegalStateException(f.failure != null ? f.failure : driver + " did not bind " + address);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void unbind(PciAddress address) {
        lock.lock();
        try {
            PciFunctionImpl f = require(address);
            if (f.boundDriver == null) {
                throw new IllegalStateException(address + " is not bound to a driver");
            }
            if (f.binding == null) {
                throw new IllegalStateException(address + " is driven by " + f.driverName
                        + ", a Device Access driver, which has no unbind: stop its bundle instead");
            }
            unbindQuietly(f, "unbind requested");
            heldUnbound.add(address);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void setDriverOverride(PciAddress address, String driver) {
        lock.lock();
        try {
            require(address).driverOverride = driver == null || driver.isBlank() ? null : driver;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void reprobe(PciAddress address) {
        lock.lock();
        try {
            PciFunctionImpl f = require(address);
            heldUnbound.remove(address);
            f.noDriverReported = false;
            matchFunction(f, false);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int configRead(PciAddress address, int offset, int size) {
        return config.read(address, offset, size);
    }
}
