package org.alosj.monitor.impl;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.alosj.hal.board.Board;
import org.alosj.hal.pci.PciFunction;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * QEMU's monitor verbs for devices and the power button: {@code device_add}, {@code device_del}
 * and {@code system_powerdown}. A device is a configuration its model bundle consumes, made by
 * whoever runs the machine (the launcher parses {@code device_add} as it parses {@code -device});
 * the model plugs itself into the board, and the board tells the OS through ACPI hot-plug.
 * Removal is asked of the OS, as QEMU asks through ACPI: the configuration goes only once the OS
 * has let go of the device and ejected its slot.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = HotplugCommands.class, property = {
    "osgi.command.scope=alos",
    "osgi.command.function=device_add",
    "osgi.command.function=device_del",
    "osgi.command.function=system_powerdown",
})
public final class HotplugCommands {
    private static final Logger LOG = LoggerFactory.getLogger("monitor");
    /** How long a verb waits for the machine to act before it says the change is still pending. */
    static final long SETTLE_SECONDS = 10;
    private static final long BUS_CHECK_MILLIS = 5;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Board board;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            target = "(alos.vmm=device_add)")
    private volatile UnaryOperator<String> addDevice;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            target = "(alos.vmm=device_del)")
    private volatile UnaryOperator<String> deleteDevice;

    @Descriptor("add a device as -device does: device_add TYPE[,netdev=ID][,drive=ID][,id=NAME][,addr=SLOT][,mac=MAC]"
            + " (pcnet, e1000, e1000e, virtio-net-pci, virtio-blk-pci); the guest sees a PCI hot-plug")
    public String device_add(@Descriptor("TYPE[,options]") String spec) throws InterruptedException {
        UnaryOperator<String> add = require(addDevice, "device_add");
        Board b = require(board, "device_add");
        String id = add.apply(spec);
        // The model plugs itself in once Configuration Admin hands it the configuration, on
        // another thread: wait for that, as QEMU's device_add returns once the device exists.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SETTLE_SECONDS);
        while (function(b, id).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("device_add: " + id + " was configured but has not appeared on the "
                        + "bus (see the log)");
            }
            Thread.sleep(BUS_CHECK_MILLIS);
        }
        LOG.info("device_add {}: {}", spec, id);
        return null;
    }

    @Descriptor("ask the guest to release a device and remove it once ejected: device_del ID")
    public String device_del(@Descriptor("the device's id") String id) throws InterruptedException {
        UnaryOperator<String> del = require(deleteDevice, "device_del");
        Board b = require(board, "device_del");
        Optional<PciFunction> f = function(b, id);
        if (f.isEmpty()) {
            del.apply(id); // configured but not on the bus (it failed to plug): nothing to ask the guest
            return null;
        }
        CompletableFuture<Void> gone = b.pci().requestUnplug(f.get()).toCompletableFuture()
                .thenRun(() -> {
                    try {
                        del.apply(id);
                        LOG.info("device_del {}: ejected by the guest, removed", id);
                    } catch (RuntimeException e) {
                        LOG.warn("device_del {}: {}", id, e.getMessage());
                    }
                });
        try {
            gone.get(SETTLE_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return "device_del: " + id + ": removal requested; the guest has not ejected it yet";
        } catch (ExecutionException e) {
            throw new IllegalStateException("device_del: " + id + ": " + e.getCause().getMessage());
        }
        return null;
    }

    @Descriptor("press the machine's power button (ACPI): the guest shuts down cleanly if it listens")
    public void system_powerdown() {
        require(board, "system_powerdown").pressPowerButton();
    }

    private static Optional<PciFunction> function(Board b, String id) {
        return b.pci().functions().stream().filter(f -> f.name().equals(id)).findFirst();
    }

    private static <T> T require(T service, String verb) {
        if (service == null) {
            throw new IllegalStateException(verb + ": not available (no machine, or not run by the launcher)");
        }
        return service;
    }
}
