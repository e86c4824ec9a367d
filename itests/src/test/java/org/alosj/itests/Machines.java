package org.alosj.itests;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.alosj.kernel.pci.PciAddress;
import org.alosj.kernel.pci.PciDeviceManager;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/** Builds machine set-ups through Configuration Admin, as the launcher does, and undoes them. */
final class Machines implements AutoCloseable {
    static final String PCNET = "org.alosj.hw.pcnet";
    static final String HUB = "org.alosj.netdev.hub";
    static final String PCAP = "org.alosj.netdev.pcap";

    private final ConfigurationAdmin admin;
    private final List<Configuration> created = new ArrayList<>();

    Machines(ConfigurationAdmin admin) {
        this.admin = admin;
    }

    Machines hub(String id) throws IOException {
        return factory(HUB, id, "id", id);
    }

    Machines pcap(String id, String file, String inner) throws IOException {
        return inner == null ? factory(PCAP, id, "id", id, "file", file)
                : factory(PCAP, id, "id", id, "file", file, "netdev", inner, "inner.target", "(netdev.id=" + inner + ")");
    }

    Machines pcnet(String name, int slot, String mac, String netdev) throws IOException {
        return factory(PCNET, name, "name", name, "addr", Integer.toString(slot), "mac", mac,
                "netdev", netdev, "backend.target", "(netdev.id=" + netdev + ")");
    }

    private Machines factory(String factoryPid, String name, String... kv) throws IOException {
        Configuration c = admin.getFactoryConfiguration(factoryPid, name + "-" + System.nanoTime(), "?");
        Dictionary<String, Object> d = new Hashtable<>();
        for (int i = 0; i < kv.length; i += 2) {
            d.put(kv[i], kv[i + 1]);
        }
        c.update(d);
        created.add(c);
        return this;
    }

    /** Deletes what this set-up created, devices first. */
    @Override
    public void close() throws IOException {
        for (int i = created.size() - 1; i >= 0; i--) {
            created.get(i).delete();
        }
        created.clear();
    }

    static void await(String what, long timeoutMillis, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeoutMillis + " ms waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    static Optional<String> driverOf(PciDeviceManager pci, String address) {
        return pci.function(PciAddress.parse(address)).map(PciDeviceManager.Function::driver);
    }
}
