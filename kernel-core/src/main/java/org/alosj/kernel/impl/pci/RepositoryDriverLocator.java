package org.alosj.kernel.impl.pci;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.List;
import java.util.function.Predicate;
import org.alosj.kernel.pci.PciDriverCapability;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.device.DriverLocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * modprobe's job done the OSGi way: a {@link DriverLocator} over the distribution's driver
 * repository. The device manager asks it about a device no installed driver matches; it answers
 * with the drivers whose {@link PciDriverCapability} lines match the device's IDs, and hands
 * over the bundle that holds one to be installed and started. The index is the framework
 * property {@value #REPOSITORY_PROPERTY} (a URI, set by whoever runs the machine, as the kernel
 * finds /lib/modules where the system was installed); without it no driver is ever found.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = DriverLocator.class, immediate = true)
public final class RepositoryDriverLocator implements DriverLocator {
    public static final String REPOSITORY_PROPERTY = "alos.driver.repository";
    private static final Logger LOG = LoggerFactory.getLogger("kernel.modprobe");

    private final String index;
    private final Predicate<String> installed;
    /** Read on first use: most boots find a driver for every device and never look it up. */
    private DriverRepository repository;
    private boolean loaded;

    @Activate
    public RepositoryDriverLocator(BundleContext context) {
        this(context.getProperty(REPOSITORY_PROPERTY), bsn -> Arrays.stream(context.getBundles())
                .anyMatch(b -> bsn.equals(b.getSymbolicName())));
    }

    /** {@code installed} says whether a bundle of that symbolic name is installed already. */
    RepositoryDriverLocator(String index, Predicate<String> installed) {
        this.index = index;
        this.installed = installed;
    }

    private synchronized DriverRepository repository() {
        if (!loaded) {
            repository = load(index);
            loaded = true;
        }
        return repository;
    }

    private static DriverRepository load(String index) {
        if (index == null || index.isBlank()) {
            LOG.info("no driver repository ({} is not set): drivers are not looked up", REPOSITORY_PROPERTY);
            return null;
        }
        URI location;
        try {
            location = URI.create(index);
        } catch (IllegalArgumentException e) {
            LOG.error("driver repository '{}' is not a URI: {}", index, e.getMessage());
            return null;
        }
        List<String> problems = new ArrayList<>();
        try (InputStream in = location.toURL().openStream()) {
            DriverRepository r = DriverRepository.read(in, location, problems);
            problems.forEach(p -> LOG.warn("driver repository: {}", p));
            LOG.info("driver repository {}: {} driver bundle(s)", location, r.resources().size());
            return r;
        } catch (IOException | IllegalArgumentException e) {
            LOG.error("driver repository {} unreadable: {}", location, e.getMessage());
            return null;
        }
    }

    /** The names of the drivers in the repository that match a device's properties, best first. */
    @Override
    public String[] findDrivers(Dictionary<String, ?> props) {
        DriverRepository repository = repository();
        if (repository == null) {
            return new String[0];
        }
        Integer vendor = integer(props.get("pci.vendor"));
        Integer device = integer(props.get("pci.device"));
        Integer pciClass = integer(props.get("pci.class"));
        if (vendor == null || device == null || pciClass == null) {
            return new String[0]; // not a PCI device
        }
        int subVendor = orAny(props.get("pci.subsystem.vendor"));
        int subDevice = orAny(props.get("pci.subsystem.device"));
        int revision = orAny(props.get("pci.revision"));
        return repository.driversFor(vendor, device, subVendor, subDevice, revision, pciClass).toArray(new String[0]);
    }

    /**
     * The jar of the bundle that holds driver {@code id}; null if the repository has none, or if
     * that bundle is installed already (as modprobe does nothing for a module that is loaded:
     * at boot, a driver bundle installed but not yet started is on its way).
     */
    @Override
    public InputStream loadDriver(String id) throws IOException {
        DriverRepository repository = repository();
        DriverRepository.Resource r = repository == null ? null : repository.bundleOf(id);
        if (r == null) {
            return null;
        }
        if (r.symbolicName() != null && installed.test(r.symbolicName())) {
            LOG.debug("{}: {} is installed already", id, r.symbolicName());
            return null;
        }
        LOG.info("{}: loading {} from {}", id, r.symbolicName(), r.content());
        return r.content().toURL().openStream();
    }

    private static Integer integer(Object o) {
        return o instanceof Number n ? n.intValue() : null;
    }

    private static int orAny(Object o) {
        return o instanceof Number n ? n.intValue() : -1;
    }
}
